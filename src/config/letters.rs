//! `[letters]`: what the letters the service issues say and how long some are kept, where a
//! rule leaves it to the association:
//! - `certificate_days`: how long the resolution certificate's letter is kept (the person who
//!   raised the concern reads it with their receipt, or the ombuds prints it, for a short time
//!   after the case closes successfully; then it is destroyed with its key; docs/RULES.md, "The
//!   resolution certificate");
//! - `[[letters.options]]` and `[[letters.agencies]]`: what the follow-up letter lists besides
//!   the association's professional standards contact: the association's other dispute
//!   resolution options (its mediation and arbitration…) and related agencies (the state real
//!   estate commission…). Each entry is a name and at least one way to reach it; the letter
//!   prints them as written, with the name in the letter's language where `names` gives one
//!   (`names = { es = "Mediación ética" }`).
//!
//! This module only reads and checks the table.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Invalid, non_empty, range};
use crate::domain::phrase::Phrase;
use crate::i18n::Lang;

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
    /// The association's other ways to resolve a dispute, in the order written.
    pub options: Vec<Referral>,
    /// Agencies that may help, in the order written.
    pub agencies: Vec<Referral>,
}

impl Default for Letters {
    /// What an empty or missing `[letters]` table means.
    fn default() -> Self {
        Self {
            certificate_days: DEFAULT_CERTIFICATE_DAYS,
            options: Vec::new(),
            agencies: Vec::new(),
        }
    }
}

/// Somewhere a letter refers the person to: a name and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    /// Its name, e.g. "Arizona Department of Real Estate".
    pub name: String,
    /// Its name in other languages, where the association gave one.
    pub names: Vec<(Lang, String)>,
    /// A telephone number.
    pub phone: Option<String>,
    /// An e-mail address.
    pub email: Option<String>,
    /// A postal or street address.
    pub address: Option<String>,
    /// A web address.
    pub web: Option<String>,
}

impl Referral {
    /// Its name in `lang`: the one given for that language, or else `name`.
    pub fn name_in(&self, lang: Lang) -> &str {
        super::names::in_lang(&self.name, &self.names, lang)
    }
}

/// `[letters]` as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct Raw {
    certificate_days: u32,
    options: Vec<RawReferral>,
    agencies: Vec<RawReferral>,
}

impl Default for Raw {
    fn default() -> Self {
        Self {
            certificate_days: DEFAULT_CERTIFICATE_DAYS,
            options: Vec::new(),
            agencies: Vec::new(),
        }
    }
}

/// One `[[letters.options]]` or `[[letters.agencies]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReferral {
    name: Option<String>,
    #[serde(default)]
    names: BTreeMap<String, String>,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    web: Option<String>,
}

/// The most entries a list may have: a letter is not a directory.
const MAX_ENTRIES: usize = 12;

impl RawReferral {
    fn check(self, list: &'static str) -> Result<Referral, Invalid> {
        let name = non_empty(self.name).ok_or((list, Phrase::new("cli.config.referral_name")))?;
        let names = super::names::check(list, &name, self.names)?;
        let referral = Referral {
            name,
            names,
            phone: non_empty(self.phone),
            email: non_empty(self.email),
            address: non_empty(self.address),
            web: non_empty(self.web),
        };
        let reachable = [
            &referral.phone,
            &referral.email,
            &referral.address,
            &referral.web,
        ]
        .iter()
        .any(|way| way.is_some());
        if !reachable {
            return Err((
                list,
                Phrase::new("cli.config.referral_unreachable").with("name", referral.name),
            ));
        }
        Ok(referral)
    }
}

impl Raw {
    /// Checks the table: the days in range; every entry a name, at least one way to reach it,
    /// and not too many.
    pub(super) fn check(self) -> Result<Letters, Invalid> {
        let certificate_days = range(
            "letters.certificate_days",
            self.certificate_days,
            1,
            MAX_CERTIFICATE_DAYS,
        )?;
        let list = |entries: Vec<RawReferral>, setting: &'static str| {
            if entries.len() > MAX_ENTRIES {
                return Err((
                    setting,
                    Phrase::new("cli.config.too_many_referrals").with("max", MAX_ENTRIES),
                ));
            }
            entries.into_iter().map(|e| e.check(setting)).collect()
        };
        Ok(Letters {
            certificate_days,
            options: list(self.options, "letters.options")?,
            agencies: list(self.agencies, "letters.agencies")?,
        })
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

    #[test]
    fn a_referral_may_name_itself_in_each_language() {
        let letters = check(
            "[[options]]\nname = \"Ethics mediation\"\nnames = { es = \"Mediación ética\" }\nphone = \"555-0111\"\n\
             [[agencies]]\nname = \"State Department of Real Estate\"\nweb = \"https://example.gov\"\n",
        )
        .unwrap();
        assert_eq!(letters.options[0].name_in(Lang::Es), "Mediación ética");
        assert_eq!(letters.options[0].name_in(Lang::En), "Ethics mediation");
        assert_eq!(
            letters.agencies[0].name_in(Lang::Es),
            "State Department of Real Estate",
            "no Spanish name given: the name as written"
        );

        let (setting, problem) = check(
            "[[options]]\nname = \"Ethics mediation\"\nnames = { fr = \"Médiation\" }\nphone = \"1\"\n",
        )
        .unwrap_err();
        assert_eq!(setting, "letters.options");
        let said = Lang::En.say(&problem);
        assert!(said.contains("fr") && said.contains("en, es"), "{said}");

        let (setting, problem) =
            check("[[agencies]]\nname = \"Agency\"\nnames = { es = \" \" }\nphone = \"1\"\n")
                .unwrap_err();
        assert_eq!(setting, "letters.agencies");
        assert!(Lang::En.say(&problem).contains("es"));
    }
}
