//! The languages of the public pages and their wording.
//!
//! The words live in `translations/en.toml` and `translations/es.toml`, files a volunteer can
//! edit without reading Rust: one `[section]` per page, one `key = "text"` per phrase, and
//! `{name}` where a value is put in. They are compiled into the binary, so a deployment cannot
//! lose them; a test checks that both files have the same keys and that every key the templates
//! and handlers use exists.
//!
//! The language is chosen by the person, through a link (`?lang=es`) that pages carry in their
//! own links and form actions. Nothing else decides it: no cookie, no stored preference, no
//! `Accept-Language` header. This module owns the wording only; it does not know about HTTP.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};

use crate::domain::dates::long_date;

pub mod deadline_steps;

/// A language the public pages are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// English, the default.
    #[default]
    En,
    /// Spanish.
    Es,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// The BCP 47 code, for `lang` attributes and the `?lang=` parameter.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language's name in itself, for the link that switches to it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }

    /// The language a query string asks for (`lang=es`); English for anything else.
    pub fn from_query(query: Option<&str>) -> Self {
        let asked = query
            .unwrap_or_default()
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(name, _)| *name == "lang")
            .map(|(_, value)| value);
        match asked {
            Some("es") => Lang::Es,
            _ => Lang::En,
        }
    }

    /// What a link or form action appends to keep this language: `""` or `"?lang=es"`.
    pub fn query(self) -> &'static str {
        match self {
            Lang::En => "",
            Lang::Es => "?lang=es",
        }
    }

    /// The phrase for `key` in this language. A key missing from Spanish falls back to English,
    /// and one missing from both shows itself (tests keep both from happening).
    pub fn t(self, key: &str) -> &'static str {
        let tables = &*TABLES;
        let table = match self {
            Lang::En => &tables.0,
            Lang::Es => &tables.1,
        };
        table
            .get(key)
            .or_else(|| tables.0.get(key))
            .map_or(MISSING, String::as_str)
    }

    /// A date in words: "Monday, 2 February 2026", "lunes, 2 de febrero de 2026".
    pub fn long_date(self, date: NaiveDate) -> String {
        match self {
            Lang::En => long_date(date),
            Lang::Es => {
                const DAYS: [&str; 7] = [
                    "lunes",
                    "martes",
                    "miércoles",
                    "jueves",
                    "viernes",
                    "sábado",
                    "domingo",
                ];
                const MONTHS: [&str; 12] = [
                    "enero",
                    "febrero",
                    "marzo",
                    "abril",
                    "mayo",
                    "junio",
                    "julio",
                    "agosto",
                    "septiembre",
                    "octubre",
                    "noviembre",
                    "diciembre",
                ];
                let weekday = DAYS
                    .get(date.weekday().num_days_from_monday() as usize)
                    .copied()
                    .unwrap_or_default();
                let month = MONTHS
                    .get(date.month0() as usize)
                    .copied()
                    .unwrap_or_default();
                format!("{weekday}, {} de {month} de {}", date.day(), date.year())
            }
        }
    }

    /// The phrase for `key` with `{name}` replaced by each value given.
    pub fn f(self, key: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), &value.to_string());
        }
        text
    }
}

/// `text` with its first letter a capital, in any language ("sábado …" → "Sábado …").
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What a key no file has shows: visible rather than silent (tests keep it from happening).
const MISSING: &str = "(missing text)";

/// The English and Spanish tables.
type Tables = (BTreeMap<String, String>, BTreeMap<String, String>);

const ENGLISH: &str = include_str!("../translations/en.toml");
const SPANISH: &str = include_str!("../translations/es.toml");

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let en = parse(ENGLISH).unwrap_or_default();
    let es = parse(SPANISH).unwrap_or_default();
    (en, es)
});

/// Reads a translation file into `section.key → text`. Nested tables give dotted keys.
pub fn parse(source: &str) -> Result<BTreeMap<String, String>, String> {
    let table: toml::Table = toml::from_str(source).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    flatten("", &table, &mut out)?;
    Ok(out)
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match value {
            toml::Value::String(text) => {
                out.insert(key, text.trim().to_owned());
            }
            toml::Value::Table(inner) => flatten(&key, inner, out)?,
            _ => return Err(format!("{key}: a translation must be a string")),
        }
    }
    Ok(())
}

/// The source texts, for tests that compare them.
pub fn sources() -> [(Lang, &'static str); 2] {
    [(Lang::En, ENGLISH), (Lang::Es, SPANISH)]
}

#[cfg(test)]
mod tests;
