//! `[letters]`: how long the letters the service issues are kept where a rule leaves it to the
//! association. Today that is the resolution certificate's letter (`certificate_days`), which the
//! person who raised the concern reads with their receipt, or the ombuds prints for them, for a
//! short time after the case closes successfully; then it is destroyed with its key
//! (docs/RULES.md, "The resolution certificate"). This module only reads and checks the table.

use serde::Deserialize;

use super::{Invalid, range};

/// The days a resolution certificate's letter is kept unless the configuration says otherwise.
pub const DEFAULT_CERTIFICATE_DAYS: u32 = 30;
/// The longest a resolution certificate's letter may be kept, in days.
pub const MAX_CERTIFICATE_DAYS: u32 = 365;

/// The checked `[letters]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letters {
    /// How many days from its date the letter carrying a resolution certificate is kept, then
    /// destroyed with its key.
    pub certificate_days: u32,
}

impl Default for Letters {
    /// What an empty or missing `[letters]` table means.
    fn default() -> Self {
        Self {
            certificate_days: DEFAULT_CERTIFICATE_DAYS,
        }
    }
}

/// `[letters]` as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct Raw {
    certificate_days: u32,
}

impl Default for Raw {
    fn default() -> Self {
        Self {
            certificate_days: DEFAULT_CERTIFICATE_DAYS,
        }
    }
}

impl Raw {
    /// Checks the table.
    pub(super) fn check(self) -> Result<Letters, Invalid> {
        let certificate_days = range(
            "letters.certificate_days",
            self.certificate_days,
            1,
            MAX_CERTIFICATE_DAYS,
        )?;
        Ok(Letters { certificate_days })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Letters, Invalid> {
        toml::from_str::<Raw>(text).unwrap().check()
    }

    #[test]
    fn certificate_days_default_to_30_and_must_lie_from_1_to_365() {
        assert_eq!(check("").unwrap(), Letters::default());
        assert_eq!(check("").unwrap().certificate_days, 30);
        assert_eq!(check("certificate_days = 1").unwrap().certificate_days, 1);
        assert_eq!(
            check("certificate_days = 365").unwrap().certificate_days,
            365
        );
        for bad in ["certificate_days = 0", "certificate_days = 366"] {
            let (setting, problem) = check(bad).unwrap_err();
            assert_eq!(setting, "letters.certificate_days", "{bad}");
            let said = crate::i18n::Lang::En.say(&problem);
            assert!(said.contains("1 to 365"), "{said}");
        }
        assert!(toml::from_str::<Raw>("certificate_days = -1").is_err());
        assert!(toml::from_str::<Raw>("kept = 3").is_err());
    }
}
