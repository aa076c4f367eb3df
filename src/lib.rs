//! `ombuds`: a confidential ombuds intake service for REALTOR® association ombuds programs.
//!
//! Data flows one way: [`http`] → [`domain`] decisions → [`store`], with [`crypto`] at the
//! storage boundary so that nothing below the store sees plaintext.
#![forbid(unsafe_code)]

pub mod cli_backup;
pub mod cli_certificate;
pub mod cli_check;
pub mod cli_deadline;
pub mod cli_docs;
pub mod cli_report;
pub mod cli_retention;
pub mod cli_user;
pub mod clock;
pub mod config;
pub mod connections;
pub mod crypto;
pub mod data_dir;
pub mod domain;
pub mod hardening;
pub mod http;
pub mod i18n;
pub mod init;
pub mod letters;
pub mod metrics;
pub mod redirect;
pub mod report;
pub mod server;
pub mod store;
pub mod sweeper;
pub mod telemetry;
pub mod tls;
pub mod tls_reload;
