//! `[association]`: who runs the ombuds program, how to reach them, the time zone whose
//! calendar dates the service records, and (optionally) how to reach the association's
//! professional standards staff, whom the intake page names beside the formal routes.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use serde::Deserialize;

use super::{Invalid, non_empty};
use crate::domain::phrase::Phrase;
use crate::i18n::Lang;

/// The association that runs the ombuds program.
#[derive(Debug, Clone)]
pub struct Association {
    /// Its name and how to reach its ombuds program.
    pub letterhead: Letterhead,
    /// The time zone whose calendar dates are recorded.
    pub time_zone: Tz,
    /// Who handles ethics complaints, mediation and arbitration at the association, if given
    /// (`[association.professional_standards]`).
    pub professional_standards: Option<ProfessionalStandards>,
}

/// How to reach the association's professional standards staff: a name and at least one of a
/// telephone and an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfessionalStandards {
    /// Whom to ask, e.g. "Professional Standards Administrator".
    pub name: String,
    /// That name in other languages, where the association gave one.
    pub names: Vec<(Lang, String)>,
    /// Their telephone.
    pub phone: Option<String>,
    /// Their e-mail address.
    pub email: Option<String>,
}

impl ProfessionalStandards {
    /// Whom to ask, in `lang`: the name given for that language, or else `name`.
    pub fn name_in(&self, lang: Lang) -> &str {
        super::names::in_lang(&self.name, &self.names, lang)
    }
}

/// The association's name and contacts, as every page, letter and report prints them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letterhead {
    /// Display name, e.g. "Example Association of REALTORS®".
    pub name: String,
    /// Telephone of the ombuds program.
    pub phone: Option<String>,
    /// E-mail of the ombuds program.
    pub email: Option<String>,
    /// Postal address for letters.
    pub postal_address: Option<String>,
}

impl Letterhead {
    /// Whether any way to reach the ombuds program is configured (every public page's footer
    /// lists it).
    pub fn has_contact(&self) -> bool {
        self.phone.is_some() || self.email.is_some() || self.postal_address.is_some()
    }
}

/// The table as written. Every key is optional here so that commands reading only part of a
/// file (`ombuds report --counters`, `ombuds deadline`) can use what is there; the service
/// requires `name` and `time_zone` ([`Raw::check`]).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct Raw {
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    postal_address: Option<String>,
    time_zone: Option<String>,
    professional_standards: Option<RawContact>,
}

/// `[association.professional_standards]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContact {
    name: Option<String>,
    #[serde(default)]
    names: BTreeMap<String, String>,
    phone: Option<String>,
    email: Option<String>,
}

impl RawContact {
    fn check(self) -> Result<ProfessionalStandards, Invalid> {
        let name = non_empty(self.name).ok_or((
            "association.professional_standards.name",
            Phrase::new("cli.config.empty"),
        ))?;
        let phone = non_empty(self.phone);
        let email = non_empty(self.email);
        if phone.is_none() && email.is_none() {
            return Err((
                "association.professional_standards",
                Phrase::new("cli.config.contact_needed"),
            ));
        }
        let names = super::names::check(
            "association.professional_standards.names",
            &name,
            self.names,
        )?;
        Ok(ProfessionalStandards {
            name,
            names,
            phone,
            email,
        })
    }
}

/// The parts of `[association]` a command that reads only part of a file may find.
#[derive(Debug, Clone, Default)]
pub struct Partial {
    /// `name`, if given.
    pub name: Option<String>,
    /// `phone`, if given.
    pub phone: Option<String>,
    /// `email`, if given.
    pub email: Option<String>,
    /// `postal_address`, if given.
    pub postal_address: Option<String>,
    /// `time_zone`, if given.
    pub time_zone: Option<Tz>,
}

impl Raw {
    /// Checks the table as the service needs it: a name and a time zone.
    pub(super) fn check(mut self) -> Result<Association, Invalid> {
        let professional_standards = self
            .professional_standards
            .take()
            .map(RawContact::check)
            .transpose()?;
        let partial = self.check_partial()?;
        let name = partial
            .name
            .ok_or(("association.name", Phrase::new("cli.config.empty")))?;
        let time_zone = partial.time_zone.ok_or((
            "association.time_zone",
            Phrase::new("cli.config.time_zone_required"),
        ))?;
        Ok(Association {
            letterhead: Letterhead {
                name,
                phone: partial.phone,
                email: partial.email,
                postal_address: partial.postal_address,
            },
            time_zone,
            professional_standards,
        })
    }

    /// Checks what is there.
    pub(super) fn check_partial(self) -> Result<Partial, Invalid> {
        let time_zone = match self.time_zone {
            None => None,
            Some(zone) => Some(zone.parse::<Tz>().map_err(|_| {
                (
                    "association.time_zone",
                    Phrase::new("cli.config.time_zone").with("zone", format!("{zone:?}")),
                )
            })?),
        };
        let name = match self.name {
            Some(name) if name.trim().is_empty() => {
                return Err(("association.name", Phrase::new("cli.config.empty")));
            }
            name => name.map(|n| n.trim().to_owned()),
        };
        Ok(Partial {
            name,
            phone: non_empty(self.phone),
            email: non_empty(self.email),
            postal_address: non_empty(self.postal_address),
            time_zone,
        })
    }
}
