//! `ombuds generate-docs DIR` (hidden): writes the manual pages and the shell completions,
//! generated from the same command-line definition the program parses, so that they can never
//! describe options the program does not have. The Debian package is built from its output.
//!
//! It writes only inside `DIR`: `DIR/man/*.1` (one page for `ombuds`, one per command) and
//! `DIR/completions/` (`ombuds.bash`, `_ombuds` for zsh, `ombuds.fish`).

use std::path::Path;

use clap_complete::Shell;

use super::Failure;
use crate::domain::phrase::Phrase;

/// Writes the pages and completions of `command` under `dir`; returns what was written.
pub fn generate(command: clap::Command, dir: &Path) -> super::Outcome {
    let man = dir.join("man");
    let completions = dir.join("completions");
    for sub in [&man, &completions] {
        std::fs::create_dir_all(sub).map_err(|e| {
            Failure::Runtime(
                Phrase::new("cli.docs.cannot_create")
                    .with("dir", sub.display().to_string())
                    .with("error", e.to_string()),
            )
        })?;
    }
    clap_mangen::generate_to(command.clone(), &man).map_err(|e| {
        Failure::Runtime(
            Phrase::new("cli.docs.cannot_write_pages")
                .with("dir", man.display().to_string())
                .with("error", e.to_string()),
        )
    })?;
    let mut command = command;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut command, "ombuds", &completions).map_err(|e| {
            Failure::Runtime(
                Phrase::new("cli.docs.cannot_write_completion")
                    .with("shell", shell.to_string())
                    .with("dir", completions.display().to_string())
                    .with("error", e.to_string()),
            )
        })?;
    }
    let mut names: Vec<String> = [&man, &completions]
        .iter()
        .filter_map(|sub| std::fs::read_dir(sub).ok())
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path().display().to_string())
        .collect();
    names.sort();
    Ok(format!("{}\n", names.join("\n")))
}
