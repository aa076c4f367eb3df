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

#[cfg(test)]
mod tests {
    use super::*;

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
