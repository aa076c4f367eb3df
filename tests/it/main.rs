//! The one integration-test binary: every test talks to the real `ombuds` binary or server.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly by design"
)]

mod bad_input;
mod deadline_cli;
mod intake;
mod privacy;
mod report_cli;
mod serve;
mod support;
