//! `[intake]`: how much text the public intake accepts.

use serde::Deserialize;

use super::{Invalid, range};

/// Limits on the public intake form.
#[derive(Debug, Clone)]
pub struct Intake {
    /// Longest description accepted, in characters.
    pub max_description_chars: usize,
    /// Longest contact details accepted, in characters.
    pub max_contact_chars: usize,
}

impl Intake {
    /// The limits as the domain rules take them.
    pub fn limits(&self) -> crate::domain::concern::Limits {
        crate::domain::concern::Limits {
            max_description_chars: self.max_description_chars,
            max_contact_chars: self.max_contact_chars,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct Raw {
    max_description_chars: usize,
    max_contact_chars: usize,
}

impl Default for Raw {
    fn default() -> Self {
        Self {
            max_description_chars: 10_000,
            max_contact_chars: 1_000,
        }
    }
}

impl Raw {
    /// Checks the table.
    pub(super) fn check(self) -> Result<Intake, Invalid> {
        Ok(Intake {
            max_description_chars: range(
                "intake.max_description_chars",
                self.max_description_chars,
                100,
                100_000,
            )?,
            max_contact_chars: range(
                "intake.max_contact_chars",
                self.max_contact_chars,
                10,
                10_000,
            )?,
        })
    }
}
