//! What every page shows about the association (its letterhead) and the language the page is
//! written in, with the wording look-ups templates use (`site.t("key")`).

use super::Lang;
use crate::config::{Config, Letterhead};
use crate::domain::field::FieldError;
use crate::domain::phrase::Phrase;

/// What every page shows about the association.
#[derive(Clone, Debug)]
pub struct Site {
    /// The association's name and contacts.
    pub letterhead: Letterhead,
    /// The language the page is written in (staff pages: always English).
    pub lang: Lang,
    /// For a public page, the address (without query) the language links point to; `None` on
    /// pages with no other language.
    pub switch_path: Option<&'static str>,
    /// Where the program's source code is offered (`server.source_url`, or this service's own
    /// page about it).
    pub source_url: String,
}

impl Site {
    /// The association details from the configuration, for an English page with no language
    /// links.
    pub fn from_config(config: &Config) -> Self {
        Self {
            letterhead: config.association.letterhead.clone(),
            lang: Lang::En,
            switch_path: None,
            source_url: config
                .server
                .source_url
                .clone()
                .unwrap_or_else(|| crate::config::server::SOURCE_PAGE.to_owned()),
        }
    }

    /// The same details for a public page in `lang`, whose language links go to `path`.
    pub fn public(config: &Config, lang: Lang, path: &'static str) -> Self {
        Self {
            lang,
            switch_path: Some(path),
            ..Self::from_config(config)
        }
    }

    /// The phrase for `key` in the page's language.
    pub fn t(&self, key: &str) -> &'static str {
        self.lang.t(key)
    }

    /// The phrase for `key` with `{name}` replaced by `value`.
    pub fn f(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        self.lang.f(key, &[(name, &value)])
    }

    /// The phrase for `key` with `{name}` and `{other}` replaced by their values.
    pub fn f2(
        &self,
        key: &str,
        name: &str,
        value: impl std::fmt::Display,
        other: &str,
        other_value: impl std::fmt::Display,
    ) -> String {
        self.lang.f(key, &[(name, &value), (other, &other_value)])
    }

    /// `{key}_one` or `{key}_other`, whichever the page's language uses for `count`, with
    /// `{n}` set to `count`.
    pub fn plural(&self, key: &str, count: impl Count) -> String {
        self.lang.plural(key, count.count(), &[])
    }

    /// A phrase in the page's language.
    pub fn say(&self, phrase: &Phrase) -> String {
        self.lang.say(phrase)
    }

    /// A field's problem in the page's language.
    pub fn problem(&self, error: &FieldError) -> String {
        self.lang.say(&error.problem)
    }

    /// What links and form actions append to keep the language: `""` or `"?lang=es"`.
    pub fn q(&self) -> &'static str {
        self.lang.query()
    }

    /// The languages the page can switch to.
    pub fn other_langs(&self) -> Vec<Lang> {
        Lang::ALL.into_iter().filter(|l| *l != self.lang).collect()
    }
}

/// A number a template counts with, by value or by reference (templates pass fields by
/// reference).
pub trait Count {
    /// The number.
    fn count(&self) -> u64;
}

impl Count for u32 {
    fn count(&self) -> u64 {
        u64::from(*self)
    }
}

impl Count for u64 {
    fn count(&self) -> u64 {
        *self
    }
}

impl Count for usize {
    fn count(&self) -> u64 {
        u64::try_from(*self).unwrap_or(u64::MAX)
    }
}

impl<T: Count> Count for &T {
    fn count(&self) -> u64 {
        (**self).count()
    }
}
