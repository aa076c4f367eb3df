//! How a letter written in several languages is kept in one stored field, and how the version
//! of one language is read back.
//!
//! A letter's printable page and its plain text are each stored (sealed, by the store) as one
//! string. A letter in one language is kept as the text itself: that is how every letter written
//! before the notice was translated is stored, and it still opens, in English. A letter in
//! several languages is kept as a marker line followed by a JSON object from language code to
//! text. The reply the service itself adds to a thread when it issues a notice is kept the same
//! way. This module owns that format only; it neither seals nor stores anything.

use std::collections::BTreeMap;

use crate::i18n::Lang;

/// The first line of a stored letter that holds several languages.
const MARKER: &str = "ombuds-letter-languages/1\n";

/// One stored string holding each language's version of a letter. The first language given is
/// the one shown when a reader asks for a language the letter lacks.
pub fn bundle(versions: &[(Lang, &str)]) -> String {
    let map: BTreeMap<&str, &str> = versions
        .iter()
        .map(|(lang, text)| (lang.code(), *text))
        .collect();
    let fallback = versions.first().map_or("en", |(lang, _)| lang.code());
    let json = serde_json::json!({ "fallback": fallback, "versions": map });
    format!("{MARKER}{json}")
}

/// The version of a stored letter in `lang`: the letter as it is when it was stored in one
/// language, else the version in `lang`, else the fallback version. A stored value that carries
/// the marker but cannot be read gives `None` (the caller reports it as a fault of ours).
pub fn pick(stored: &str, lang: Lang) -> Option<String> {
    let Some(json) = stored.strip_prefix(MARKER) else {
        return Some(stored.to_owned());
    };
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    let versions = value.get("versions")?;
    let fallback = value.get("fallback")?.as_str()?;
    versions
        .get(lang.code())
        .or_else(|| versions.get(fallback))?
        .as_str()
        .map(str::to_owned)
}

/// Whether a stored letter is in the several-language form (every letter since notices were
/// translated), rather than the English text of an older one.
pub fn is_bundle(stored: &str) -> bool {
    stored.starts_with(MARKER)
}

/// The languages a stored letter can be read in (English alone for the single-language form).
pub fn languages(stored: &str) -> Vec<Lang> {
    let Some(json) = stored.strip_prefix(MARKER) else {
        return vec![Lang::En];
    };
    let versions = serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v.get("versions").cloned());
    Lang::ALL
        .into_iter()
        .filter(|lang| {
            versions
                .as_ref()
                .is_some_and(|v| v.get(lang.code()).is_some())
        })
        .collect()
}

/// How the console names a letter: the matter's reference and the party it is addressed to.
/// Kept with the letter (sealed to its key) for as long as the letter, because the case that
/// names the parties is destroyed at closing while the letter lives on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Label {
    /// The matter's reference (see [`crate::domain::case::reference`]).
    pub reference: String,
    /// The party's number (1: the person who raised the concern).
    pub party: u32,
    /// The party's role code, for an added party.
    pub role: Option<String>,
    /// The party's name as the ombuds recorded it, if any.
    pub name: Option<String>,
}

impl Label {
    /// The stored form.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The label of a stored form; `None` if it cannot be read.
    pub fn decode(stored: &str) -> Option<Self> {
        serde_json::from_str(stored).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_reads_back_as_written() {
        let label = Label {
            reference: "K3QF-7ZPA".into(),
            party: 2,
            role: Some("member_concerned".into()),
            name: Some("Pat \"Member\"".into()),
        };
        assert_eq!(Label::decode(&label.encode()), Some(label));
        assert_eq!(Label::decode("not json"), None);
    }

    #[test]
    fn a_letter_stored_in_one_language_reads_as_it_is_in_every_language() {
        let old = "Example Association\nOmbuds program\n\nINFORMAL RESOLUTION HAS ENDED\n";
        assert_eq!(pick(old, Lang::En).as_deref(), Some(old));
        assert_eq!(pick(old, Lang::Es).as_deref(), Some(old));
        assert_eq!(languages(old), vec![Lang::En]);
    }

    #[test]
    fn each_language_reads_its_own_version() {
        let stored = bundle(&[
            (Lang::En, "Hello \"there\"\n"),
            (Lang::Es, "Hola, señora\n"),
        ]);
        assert!(stored.starts_with(MARKER));
        assert_eq!(
            pick(&stored, Lang::En).as_deref(),
            Some("Hello \"there\"\n")
        );
        assert_eq!(pick(&stored, Lang::Es).as_deref(), Some("Hola, señora\n"));
        assert_eq!(languages(&stored), vec![Lang::En, Lang::Es]);
    }

    #[test]
    fn a_missing_language_falls_back_to_the_first_one_stored() {
        let stored = bundle(&[(Lang::En, "Hello")]);
        assert_eq!(pick(&stored, Lang::Es).as_deref(), Some("Hello"));
    }

    #[test]
    fn a_damaged_bundle_reads_as_nothing_rather_than_as_its_raw_form() {
        assert_eq!(pick(&format!("{MARKER}{{not json"), Lang::En), None);
        assert_eq!(pick(&format!("{MARKER}{{}}"), Lang::Es), None);
    }
}
