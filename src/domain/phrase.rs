//! A sentence not yet worded: what the rules say (a translation key and the values it puts in),
//! never how. Field errors, refusals and notices carry a [`Phrase`]; `crate::i18n` turns it into
//! a sentence in the reader's language from `translations/*.toml`.
//!
//! Pure data: no wording, no language, no I/O. A key names a text in the translation files
//! (`"problem.choose_category"`), and each value fills the `{name}` marker of the same name.

use chrono::NaiveDate;

/// A translation key and the values its text puts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    key: &'static str,
    count: Option<u64>,
    args: Vec<(&'static str, Arg)>,
}

/// A value put into a phrase. Values whose words depend on the language (a month, a number of
/// days, a nested phrase) stay structured until the phrase is worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Text shown as it is (a code, a date as typed, a field name).
    Text(String),
    /// A number, in digits.
    Number(u64),
    /// A date, written `YYYY-MM-DD`.
    Date(NaiveDate),
    /// A date in words, in the reader's language ("Monday, 2 March 2026").
    LongDate(NaiveDate),
    /// A month of the year (1 to 12), by its name in the reader's language.
    Month(u32),
    /// A number of days in words ("1 day", "40 days").
    Days(u64),
    /// Another phrase, worded in the same language.
    Phrase(Box<Phrase>),
}

impl Phrase {
    /// The text under `key`, with no values.
    pub const fn new(key: &'static str) -> Self {
        Self {
            key,
            count: None,
            args: Vec::new(),
        }
    }

    /// The text under `{key}_one` or `{key}_other`, as the reader's language chooses for
    /// `count`, with `count` as its `{n}`.
    pub fn counted(key: &'static str, count: u64) -> Self {
        Self {
            key,
            count: Some(count),
            args: vec![("n", Arg::Number(count))],
        }
    }

    /// This phrase with `value` for its `{name}` marker.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// The translation key (for a counted phrase, without its `_one`/`_other` ending).
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The count that chooses between a counted phrase's forms.
    pub fn count(&self) -> Option<u64> {
        self.count
    }

    /// The values, by marker name.
    pub fn args(&self) -> &[(&'static str, Arg)] {
        &self.args
    }
}

impl From<&'static str> for Phrase {
    fn from(key: &'static str) -> Self {
        Self::new(key)
    }
}

impl From<String> for Arg {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for Arg {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<u64> for Arg {
    fn from(number: u64) -> Self {
        Self::Number(number)
    }
}

impl From<u32> for Arg {
    fn from(number: u32) -> Self {
        Self::Number(u64::from(number))
    }
}

impl From<usize> for Arg {
    fn from(number: usize) -> Self {
        Self::Number(u64::try_from(number).unwrap_or(u64::MAX))
    }
}

impl From<NaiveDate> for Arg {
    fn from(date: NaiveDate) -> Self {
        Self::Date(date)
    }
}

impl From<Phrase> for Arg {
    fn from(phrase: Phrase) -> Self {
        Self::Phrase(Box::new(phrase))
    }
}

/// Something that says what it means as a [`Phrase`]: errors whose words live in the
/// translation files.
pub trait Said {
    /// What to tell the reader.
    fn phrase(&self) -> Phrase;
}

impl From<i32> for Arg {
    fn from(number: i32) -> Self {
        u64::try_from(number).map_or_else(|_| Self::Text(number.to_string()), Self::Number)
    }
}

impl From<i64> for Arg {
    fn from(number: i64) -> Self {
        u64::try_from(number).map_or_else(|_| Self::Text(number.to_string()), Self::Number)
    }
}
