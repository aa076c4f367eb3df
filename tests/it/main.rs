//! The one integration-test binary: every test talks to the real `ombuds` binary or server.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly by design"
)]

mod access;
mod accounts;
mod auth;
mod bad_input;
mod board;
mod browser;
mod callers;
mod certificate_cli;
mod console;
mod deadline_cli;
mod digest;
mod flood;
mod followup;
mod fuzz_findings;
mod intake;
mod invitations;
mod languages;
mod notice_languages;
mod notices;
mod openapi;
mod operations;
mod outcomes;
mod parties;
mod plan;
mod postgres;
mod privacy;
mod referred_complaint;
mod report_cli;
mod resolution;
mod retention;
mod review_findings;
mod secrets_in_memory;
mod serve;
mod several_ombuds;
mod slow_bodies;
mod stale;
mod stored_rows;
mod support;
mod termination;
mod tls_ops;
mod two_person;
mod verify;
