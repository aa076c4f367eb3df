//! The security suite: floods, attacks and faults against the real `ombuds` server, counted into
//! one summary that CI prints. Each scenario is a module with `pub async fn run(tally: &Tally)`;
//! it starts its own servers, asserts what must hold, and adds what it tried to the tally.
//! The suite fails if any scenario fails, if an acknowledged concern was lost, or if a
//! plaintext canary was found anywhere it looked.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly by design"
)]

mod staff;
#[allow(
    dead_code,
    unused_macros,
    unused_imports,
    reason = "shared with tests/it; this binary uses part of it"
)]
#[path = "../it/support/mod.rs"]
mod support;
mod tally;

use tally::Tally;

/// The scenarios, in the order they run: (name, what it does).
macro_rules! scenarios {
    ($($module:ident),* $(,)?) => {
        $(mod $module;)*
        /// Runs every scenario in turn (or those named in `OMBUDS_SECURITY_SCENARIOS`,
        /// separated by commas, while working on one), printing each one's counts as it ends.
        async fn run_all(tally: &Tally) {
            let chosen = std::env::var("OMBUDS_SECURITY_SCENARIOS").ok();
            let selected = |name: &str| {
                chosen
                    .as_deref()
                    .is_none_or(|list| list.split(',').any(|n| n.trim() == name))
            };
            $(
                if selected(stringify!($module)) {
                    let before = tally.snapshot();
                    let started = std::time::Instant::now();
                    $module::run(tally).await;
                    println!(
                        "  {:<22} {}  ({:.1} s)",
                        stringify!($module),
                        tally.snapshot().since(&before),
                        started.elapsed().as_secs_f64()
                    );
                }
            )*
        }
    };
}

scenarios!(
    canaries,
    crash,
    disk,
    fuzz,
    schemathesis,
    flood,
    slow_senders,
    guesses,
    escalation,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_suite() {
    let tally = Tally::default();
    println!("security suite:");
    run_all(&tally).await;
    let total = tally.snapshot();
    println!("{}", total.summary());
    assert_eq!(total.lost, 0, "acknowledged concerns were lost");
    assert_eq!(total.canaries_found, 0, "plaintext canaries were found");
}
