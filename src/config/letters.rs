//! `[letters]`: what the follow-up letter lists besides the association's professional
//! standards contact: the association's other dispute resolution options (`[[letters.options]]`,
//! e.g. its mediation and arbitration) and related agencies (`[[letters.agencies]]`, e.g. the
//! state real estate commission). Each entry is a name and at least one way to reach it; the
//! letter prints them as written, in every language.

use serde::Deserialize;

use super::{Invalid, non_empty};
use crate::domain::phrase::Phrase;

/// The checked `[letters]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Letters {
    /// The association's other ways to resolve a dispute, in the order written.
    pub options: Vec<Referral>,
    /// Agencies that may help, in the order written.
    pub agencies: Vec<Referral>,
}

/// Somewhere a letter refers the person to: a name and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    /// Its name, e.g. "Arizona Department of Real Estate".
    pub name: String,
    /// A telephone number.
    pub phone: Option<String>,
    /// An e-mail address.
    pub email: Option<String>,
    /// A postal or street address.
    pub address: Option<String>,
    /// A web address.
    pub web: Option<String>,
}

/// `[letters]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct Raw {
    options: Vec<RawReferral>,
    agencies: Vec<RawReferral>,
}

/// One `[[letters.options]]` or `[[letters.agencies]]` entry as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReferral {
    name: Option<String>,
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
        let referral = Referral {
            name,
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
    /// Checks every entry: a name, at least one way to reach it, and not too many.
    pub(super) fn check(self) -> Result<Letters, Invalid> {
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
            options: list(self.options, "letters.options")?,
            agencies: list(self.agencies, "letters.agencies")?,
        })
    }
}
