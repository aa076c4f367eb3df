//! The cargo-fuzz targets in `fuzz/`, each run for a bounded time: the form and JSON decoders,
//! receipt parsing, certificate verification and the `ombuds deadline` arguments. A crash (a
//! broken invariant, a panic, a timeout or running out of memory) fails the suite and names
//! the reproducer libFuzzer wrote. The inputs each target executed count as bad inputs.
//!
//! CI has only the stable toolchain, so the nightly flags that cargo-fuzz passes are allowed
//! with `RUSTC_BOOTSTRAP=1`. `OMBUDS_FUZZ_SECONDS` changes the time per target (default 10,
//! which keeps a clean-clone CI run within its 30 minutes).

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use crate::tally::Tally;

/// The targets, as named in `fuzz/Cargo.toml`.
const TARGETS: [&str; 5] = [
    "intake_form",
    "json_decoders",
    "receipt",
    "certificate",
    "deadline_args",
];

/// Seconds each target runs, unless `OMBUDS_FUZZ_SECONDS` says otherwise.
const DEFAULT_SECONDS: u64 = 10;

fn cargo_fuzz(root: &Path, args: &[&str]) -> Output {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .arg("fuzz")
        .args(args)
        .env("RUSTC_BOOTSTRAP", "1")
        // The fuzz package builds with its own flags; nothing from the test run may leak in.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .output();
    match output {
        Ok(output) => output,
        Err(e) => panic!("cannot run `cargo fuzz`: {e}"),
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The number of inputs libFuzzer executed, from its final statistics.
pub fn executed_units(log: &str) -> Option<u64> {
    log.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("stat::number_of_executed_units:"))
        .and_then(|n| n.trim().parse().ok())
        .or_else(|| {
            // `#123456\tDONE   cov: ...`
            log.lines().rev().find_map(|l| {
                let (count, rest) = l.strip_prefix('#')?.split_once(char::is_whitespace)?;
                rest.trim_start().starts_with("DONE").then(|| count.parse().ok())?
            })
        })
}

/// Where libFuzzer wrote the input that crashed, if it says.
fn reproducer(log: &str) -> Option<&str> {
    log.lines()
        .find_map(|l| l.split_once("Test unit written to ").map(|(_, p)| p.trim()))
}

pub async fn run(tally: &Tally) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seconds = std::env::var("OMBUDS_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(DEFAULT_SECONDS);

    let version = cargo_fuzz(root, &["--version"]);
    assert!(
        version.status.success(),
        "the fuzz scenario needs cargo-fuzz: install it with `cargo install --locked cargo-fuzz` \
         (.ci/run does). `cargo fuzz --version` said:\n{}",
        text(&version)
    );

    // One build for all targets, timed apart from the runs. `--dev`: a cold build in a fresh
    // clone is several times shorter than an optimised one, and keeps debug assertions and
    // overflow checks on. `-s none`: the code under test forbids `unsafe`, so
    // AddressSanitizer would only slow the runs down.
    let started = Instant::now();
    let build = cargo_fuzz(root, &["build", "--dev", "-s", "none"]);
    assert!(build.status.success(), "cargo fuzz build failed:\n{}", text(&build));
    println!("    fuzz build: {:.1} s", started.elapsed().as_secs_f64());

    let max_time = format!("-max_total_time={seconds}");
    for target in TARGETS {
        let started = Instant::now();
        let output = cargo_fuzz(
            root,
            &[
                "run",
                "--dev",
                "-s",
                "none",
                target,
                "--",
                &max_time,
                "-timeout=10",
                "-rss_limit_mb=2048",
                "-print_final_stats=1",
            ],
        );
        let log = text(&output);
        if !output.status.success() {
            let path = reproducer(&log).unwrap_or("(libFuzzer wrote no reproducer; see the log)");
            let tail: Vec<&str> = log.lines().rev().take(60).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            panic!(
                "fuzz target {target} failed; reproducer: {path}\nreproduce with: \
                 RUSTC_BOOTSTRAP=1 cargo fuzz run --dev -s none {target} {path}\n{}",
                tail.join("\n")
            );
        }
        let executed = executed_units(&log).unwrap_or_else(|| {
            panic!("no execution count in the output of fuzz target {target}:\n{log}")
        });
        assert!(executed > 0, "fuzz target {target} executed nothing");
        println!(
            "    fuzz {target:<14} {executed:>9} inputs in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        tally.bad_inputs(executed);
    }
}

#[cfg(test)]
mod tests {
    use super::executed_units;

    #[test]
    fn reads_libfuzzer_counts() {
        let log = "#1024\tpulse  cov: 3\n#52113\tDONE   cov: 1406 ft: 5301 corp: 297/22Kb\n\
                   Done 52113 runs in 21 second(s)\nstat::number_of_executed_units: 52114\n";
        assert_eq!(executed_units(log), Some(52114));
        assert_eq!(executed_units("#77\tDONE   cov: 1\n"), Some(77));
        assert_eq!(executed_units("nothing"), None);
    }
}
