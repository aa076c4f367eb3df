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
mod site;

pub use site::Site;

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

    /// The language whose code is `code` (`"en"`, `"es"`), if there is one.
    pub fn from_code(code: &str) -> Option<Self> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// The language a query string asks for (`lang=es`); English for anything else.
    pub fn from_query(query: Option<&str>) -> Self {
        query
            .unwrap_or_default()
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(name, _)| *name == "lang")
            .and_then(|(_, value)| Lang::from_code(value))
            .unwrap_or_default()
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

    /// A number of days: "1 day", "40 days"; "1 día", "40 días".
    pub fn days(self, count: u64) -> String {
        if count == 1 {
            self.t("common.one_day").to_owned()
        } else {
            self.f("common.days", &[("n", &count)])
        }
    }

    /// The phrase for `key` with each `{name}` replaced by its value, in one pass: a value's own
    /// text is never searched for markers, and a marker with no value is left as it is.
    pub fn f(self, key: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        use std::fmt::Write as _;
        let template = self.t(key);
        let mut out = String::with_capacity(template.len() + 64);
        let mut rest = template;
        // Byte searches: `{` and `}` are ASCII, so they never split a character.
        while let Some(open) = rest.bytes().position(|b| b == b'{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.bytes().position(|b| b == b'}').and_then(|close| {
                let name = &after[..close];
                values
                    .iter()
                    .find(|(wanted, _)| *wanted == name)
                    .map(|(_, value)| (close, value))
            });
            match value {
                Some((close, value)) => {
                    // Writing to a String cannot fail.
                    let _ = write!(out, "{value}");
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// `text` with its first letter a capital, in any language ("sábado …" → "Sábado …").
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    let mut out = String::with_capacity(text.len() + 2);
    if let Some(first) = chars.next() {
        out.extend(first.to_uppercase());
    }
    out.push_str(chars.as_str());
    out
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
