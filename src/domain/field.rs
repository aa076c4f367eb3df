//! A problem with one input field: what every check of typed input returns, so that each
//! problem can be shown beside its field (HTML) or named in a `422` answer (JSON).

/// A problem with one field of a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name, as in the API and the form.
    pub field: &'static str,
    /// What is wrong, in words the submitter can act on.
    pub message: String,
}

impl FieldError {
    /// A problem with `field`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
