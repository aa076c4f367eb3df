//! `ombuds`: a confidential ombuds intake service.
#![forbid(unsafe_code)]

pub mod cli_deadline;
pub mod domain;
