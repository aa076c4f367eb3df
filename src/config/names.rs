//! A contact's name in the reader's language. The association writes each name once (`name`)
//! and may give it again per language of the public pages (`names = { es = "Mediación ética" }`);
//! letters and the intake page print the one for their language, or else `name` as written.

use std::collections::BTreeMap;

use super::{Invalid, non_empty};
use crate::domain::phrase::Phrase;
use crate::i18n::Lang;

/// Checks a `names` table written for the contact called `name` under `setting`: every key a
/// language of the public pages, every name non-empty.
pub(super) fn check(
    setting: &'static str,
    name: &str,
    names: BTreeMap<String, String>,
) -> Result<Vec<(Lang, String)>, Invalid> {
    let mut checked = Vec::with_capacity(names.len());
    for (code, translated) in names {
        let Some(lang) = Lang::from_code(&code) else {
            return Err((
                setting,
                Phrase::new("cli.config.name_language")
                    .with("name", name.to_owned())
                    .with("code", code)
                    .with("known", Lang::ALL.map(Lang::code).join(", ")),
            ));
        };
        let Some(translated) = non_empty(Some(translated)) else {
            return Err((
                setting,
                Phrase::new("cli.config.name_empty")
                    .with("name", name.to_owned())
                    .with("code", code),
            ));
        };
        checked.push((lang, translated));
    }
    Ok(checked)
}

/// The name for `lang` among `names`, or else `name`.
pub(super) fn in_lang<'a>(name: &'a str, names: &'a [(Lang, String)], lang: Lang) -> &'a str {
    names
        .iter()
        .find(|(l, _)| *l == lang)
        .map_or(name, |(_, n)| n.as_str())
}
