//! A problem with one input field: what every check of typed input returns, so that each
//! problem can be shown beside its field (HTML) or named in a `422` answer (JSON).
//!
//! The problem is a [`Phrase`] (a translation key and its values), not text: the page words it
//! in its reader's language, the JSON API in English.

use super::phrase::Phrase;

/// A problem with one field of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name, as in the API and the form.
    pub field: &'static str,
    /// What is wrong, to be worded in words the submitter can act on.
    pub problem: Phrase,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: &'static str, problem: impl Into<Phrase>) -> Self {
        Self {
            field,
            problem: problem.into(),
        }
    }
}
