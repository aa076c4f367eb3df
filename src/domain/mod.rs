//! Pure rules of the ombuds domain: no I/O, no clock, no web or database types.
//!
//! Code here is handed everything it needs (today's date, limits) and returns decisions.

pub mod access;
pub mod account;
pub mod case;
pub mod closing;
pub mod codes;
pub mod concern;
pub mod dates;
pub mod deadline;
pub mod digest;
pub mod field;
pub mod holidays;
pub mod membership;
pub mod notes;
pub mod notices;
pub mod parties;
pub mod phrase;
pub mod plan;
pub mod retention;
pub mod text;
pub mod trends;
