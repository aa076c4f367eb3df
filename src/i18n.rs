//! The wording layer: every sentence a person reads, in every language, comes from here.
//!
//! The words live in `translations/<code>.toml`, one file per language, which a volunteer can
//! edit without reading Rust: one `[section]` per page or subject, one `key = "text"` per
//! phrase, and `{name}` where a value is put in. A language's grammar lives in its file too:
//! which numbers take the singular (`[language] plural_one`), and the names of weekdays and
//! months with the shape of a long date (`[calendar]`). The files are compiled into the binary,
//! so a deployment cannot lose them.
//!
//! Staff pages, the JSON API, the board's trend report and the command line (with the
//! configuration's errors) are English only: their wording is in `en.toml` under `[staff]`,
//! `[api]`, `[board]` and `[cli]`, which other languages do not repeat. Everything else is in
//! every file, with the same keys and markers (a test checks it).
//!
//! The rest of the code says what it means as a [`Phrase`] (a key and its values) or a
//! label key; this module words it. The language is chosen by the person, through a link
//! (`?lang=es`) that pages carry in their own links and form actions. Nothing else decides it:
//! no cookie, no stored preference, no `Accept-Language` header. This module does not know
//! about HTTP.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::domain::codes::Labelled;
use crate::domain::phrase::{Arg, Phrase};

pub mod deadline_steps;
mod periods;
mod schedule;
mod site;

pub use site::Site;

/// Declares the languages: each is a variant and the code of its file under `translations/`.
macro_rules! languages {
    ($($(#[$meta:meta])* $variant:ident = $code:literal,)+) => {
        /// A language the public pages are written in, worded by `translations/<code>.toml`.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub enum Lang {
            $($(#[$meta])* $variant,)+
        }

        impl Lang {
            /// Every language, the default first.
            pub const ALL: [Lang; [$($code),+].len()] = [$(Lang::$variant),+];

            /// The BCP 47 code, for `lang` attributes, the `?lang=` parameter and the file name.
            pub fn code(self) -> &'static str {
                match self {
                    $(Lang::$variant => $code,)+
                }
            }

            /// The language's translation file, as compiled in.
            pub fn source(self) -> &'static str {
                match self {
                    $(Lang::$variant => include_str!(concat!("../translations/", $code, ".toml")),)+
                }
            }
        }
    };
}

languages! {
    /// English, the default, and the language of staff pages and the JSON API.
    #[default]
    En = "en",
    /// Spanish.
    Es = "es",
}

impl Lang {
    /// The language's name in itself, for the link that switches to it.
    pub fn own_name(self) -> &'static str {
        self.t("language.name")
    }

    /// The language whose code is `code` (`"en"`, `"es"`), if there is one.
    pub fn from_code(code: &str) -> Option<Self> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code)
    }

    /// The language a query string asks for (`lang=es`); English for anything else.
    pub fn from_query(query: Option<&str>) -> Self {
        Self::named_in(query).unwrap_or_default()
    }

    /// The language a query string names (`lang=es`), if it names one this service speaks.
    pub fn named_in(query: Option<&str>) -> Option<Self> {
        query
            .unwrap_or_default()
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(name, _)| *name == "lang")
            .and_then(|(_, value)| Lang::from_code(value))
    }

    /// What a link or form action appends to keep this language: `""` for the default,
    /// `"?lang=es"` for Spanish.
    pub fn query(self) -> &'static str {
        self.table().map_or("", |table| table.query.as_str())
    }

    /// The phrase for `key` in this language. A key missing from a language falls back to
    /// English, and one missing from English shows itself (tests keep both from happening).
    pub fn t(self, key: &str) -> &'static str {
        self.table()
            .and_then(|table| table.words.get(key))
            .or_else(|| Lang::default().table().and_then(|t| t.words.get(key)))
            .map_or(MISSING, String::as_str)
    }

    /// The phrase for `key` with each `{name}` replaced by its value, in one pass: a value's own
    /// text is never searched for markers, and a marker with no value is left as it is.
    pub fn f(self, key: &str, values: &[(&str, &dyn Display)]) -> String {
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

    /// Whether `count` takes the singular (`_one`) form in this language, by its file's
    /// `[language] plural_one` list; every other number takes `_other`.
    pub fn is_one(self, count: u64) -> bool {
        self.table()
            .is_some_and(|table| table.plural_one.contains(&count))
    }

    /// `{key}_one` or `{key}_other`, whichever this language uses for `count`, with `{n}` set to
    /// `count` and the other values.
    pub fn plural(self, key: &str, count: u64, values: &[(&str, &dyn Display)]) -> String {
        let form = if self.is_one(count) { "one" } else { "other" };
        let mut all: Vec<(&str, &dyn Display)> = Vec::with_capacity(values.len() + 1);
        all.push(("n", &count));
        all.extend_from_slice(values);
        self.f(&format!("{key}_{form}"), &all)
    }

    /// A number of days: "1 day", "40 days"; "1 día", "40 días".
    pub fn days(self, count: u64) -> String {
        self.plural("common.days", count, &[])
    }

    /// A code's label in this language: the text under its table and code
    /// (`category.commission` → "A dispute about a commission").
    pub fn label(self, value: impl Labelled) -> &'static str {
        self.t(value.label_key())
    }

    /// A phrase in words: its text in this language, with each value worded here too.
    pub fn say(self, phrase: &Phrase) -> String {
        let worded: Vec<(&str, String)> = phrase
            .args()
            .iter()
            .map(|(name, arg)| (*name, self.value(arg)))
            .collect();
        let values: Vec<(&str, &dyn Display)> = worded
            .iter()
            .map(|(name, value)| (*name, value as &dyn Display))
            .collect();
        match phrase.count() {
            Some(count) => self.plural(phrase.key(), count, &values),
            None => self.f(phrase.key(), &values),
        }
    }

    fn value(self, arg: &Arg) -> String {
        match arg {
            Arg::Text(text) => text.clone(),
            Arg::Number(number) => number.to_string(),
            // `NaiveDate`'s `Display` is `YYYY-MM-DD`.
            Arg::Date(date) => date.to_string(),
            Arg::LongDate(date) => self.long_date(*date),
            Arg::Month(month) => self.month(*month).to_owned(),
            Arg::Days(count) => self.days(*count),
            Arg::Phrase(phrase) => self.say(phrase),
        }
    }

    /// A weekday's name: "Monday", "lunes".
    pub fn weekday(self, weekday: Weekday) -> &'static str {
        WEEKDAYS
            .get(weekday.num_days_from_monday() as usize)
            .map_or(MISSING, |key| self.t(key))
    }

    /// A month's name, for `month` from 1 (January) to 12: "March", "marzo".
    pub fn month(self, month: u32) -> &'static str {
        month
            .checked_sub(1)
            .and_then(|index| MONTHS.get(index as usize))
            .map_or(MISSING, |key| self.t(key))
    }

    /// A date in words, shaped by `[calendar] long_date`: "Monday, 2 February 2026",
    /// "lunes, 2 de febrero de 2026".
    pub fn long_date(self, date: NaiveDate) -> String {
        self.f(
            "calendar.long_date",
            &[
                ("weekday", &self.weekday(date.weekday())),
                ("day", &date.day()),
                ("month", &self.month(date.month())),
                ("year", &date.year()),
            ],
        )
    }

    /// How a sentence names the association, by `[common] the_association`: "the Example
    /// Association …", or the name as it is when it already starts with the article of
    /// `[common] article` ("The Valley Association …").
    pub fn the_association(self, name: &str) -> String {
        let article = self.t("common.article");
        let has_article = name
            .get(..article.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(article))
            && name
                .get(article.len()..)
                .is_some_and(|rest| rest.starts_with(' '));
        if has_article {
            name.to_owned()
        } else {
            self.f("common.the_association", &[("name", &name)])
        }
    }

    fn table(self) -> Option<&'static Table> {
        TABLES.get(self as usize)
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

/// The keys of the weekdays' names, Monday first.
const WEEKDAYS: [&str; 7] = [
    "calendar.monday",
    "calendar.tuesday",
    "calendar.wednesday",
    "calendar.thursday",
    "calendar.friday",
    "calendar.saturday",
    "calendar.sunday",
];

/// The keys of the months' names, January first.
const MONTHS: [&str; 12] = [
    "calendar.january",
    "calendar.february",
    "calendar.march",
    "calendar.april",
    "calendar.may",
    "calendar.june",
    "calendar.july",
    "calendar.august",
    "calendar.september",
    "calendar.october",
    "calendar.november",
    "calendar.december",
];

/// One language's file, read.
struct Table {
    /// `section.key → text`.
    words: BTreeMap<String, String>,
    /// What links append to keep the language.
    query: String,
    /// The numbers that take the `_one` form.
    plural_one: Vec<u64>,
}

impl Table {
    fn load(lang: Lang) -> Self {
        let words = parse(lang.source()).unwrap_or_default();
        let plural_one = words
            .get("language.plural_one")
            .map(|list| plural_one(list).unwrap_or_default())
            .unwrap_or_default();
        let query = if lang == Lang::default() {
            String::new()
        } else {
            format!("?lang={}", lang.code())
        };
        Self {
            words,
            query,
            plural_one,
        }
    }
}

/// Every language's table, in the order of [`Lang::ALL`].
static TABLES: LazyLock<Vec<Table>> =
    LazyLock::new(|| Lang::ALL.into_iter().map(Table::load).collect());

/// Reads `[language] plural_one`: whole numbers separated by commas (`"1"`, `"0, 1"`).
pub fn plural_one(list: &str) -> Result<Vec<u64>, String> {
    list.split(',')
        .map(|n| {
            n.trim()
                .parse::<u64>()
                .map_err(|_| format!("plural_one: {n:?} is not a whole number"))
        })
        .collect()
}

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

/// The top-level tables of `en.toml` that only English has: staff pages, the JSON API, the
/// board's trend report and the command line are English only, so other languages do not
/// repeat them.
pub const ENGLISH_ONLY: [&str; 4] = ["staff", "api", "board", "cli"];

#[cfg(test)]
mod tests;
