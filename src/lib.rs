//! `ombuds`: a confidential ombuds intake service for REALTOR® association ombuds programs.
//!
//! Data flows one way: [`http`] and [`cli`] → [`usecase`] → [`domain`] decisions and
//! [`store`], with [`crypto`] at the storage boundary so that nothing below the store sees
//! plaintext. `docs/ARCHITECTURE.md` maps every folder.
#![forbid(unsafe_code)]

pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod http;
pub mod i18n;
pub mod jobs;
pub mod letters;
pub mod mail;
pub mod report;
pub mod server;
pub mod store;
pub mod telemetry;
pub mod usecase;
