//! Pure rules of the ombuds domain: no I/O, no clock, no web or database types.

pub mod deadline;
pub mod holidays;
