//! The translation files: each parses and carries its grammar; every language has the keys and
//! `{markers}` English has (apart from the English-only staff and API wording); every key the
//! code and the templates ask for exists; and every key a file holds is asked for somewhere.

use std::collections::BTreeSet;
use std::path::Path;

use super::*;

fn table(lang: Lang) -> BTreeMap<String, String> {
    parse(lang.source()).unwrap_or_else(|e| panic!("translations/{}.toml: {e}", lang.code()))
}

fn markers(text: &str) -> BTreeSet<String> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

/// Whether `key` is wording only English has (staff pages and the JSON API).
fn english_only(key: &str) -> bool {
    ENGLISH_ONLY
        .iter()
        .any(|section| key.split('.').next() == Some(section))
}

#[test]
fn every_language_has_the_keys_and_markers_english_has() {
    let en = table(Lang::En);
    for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
        let other = table(lang);
        let code = lang.code();
        let missing: Vec<_> = en
            .keys()
            .filter(|k| !english_only(k) && !other.contains_key(*k))
            .collect();
        let extra: Vec<_> = other
            .keys()
            .filter(|k| english_only(k) || !en.contains_key(*k))
            .collect();
        assert!(
            missing.is_empty(),
            "keys missing from {code}.toml: {missing:?}"
        );
        assert!(
            extra.is_empty(),
            "keys in {code}.toml that en.toml lacks, or that only English has: {extra:?}"
        );
        for (key, text) in &other {
            assert!(!text.trim().is_empty(), "{key} is empty in {code}.toml");
            assert_eq!(
                markers(&en[key]),
                markers(text),
                "{key}: the {{markers}} differ between en.toml and {code}.toml"
            );
        }
    }
}

#[test]
fn every_language_names_itself_and_says_its_plural_rule() {
    for lang in Lang::ALL {
        let table = table(lang);
        let code = lang.code();
        assert!(
            table.get("language.name").is_some_and(|n| !n.is_empty()),
            "{code}.toml: [language] name"
        );
        let rule = table.get("language.plural_one").map(String::as_str);
        let numbers = plural_one(rule.unwrap_or_default())
            .unwrap_or_else(|e| panic!("{code}.toml: [language] {e}"));
        assert!(!numbers.is_empty(), "{code}.toml: [language] plural_one");
        assert!(lang.is_one(numbers[0]));
        assert!(!lang.is_one(u64::MAX));
    }
    assert_eq!(Lang::En.own_name(), "English");
    assert_eq!(Lang::Es.own_name(), "Español");
    assert_eq!(Lang::En.query(), "");
    assert_eq!(Lang::Es.query(), "?lang=es");
}

/// The top-level sections of `en.toml`: a literal starting with one of them is a key.
fn sections() -> BTreeSet<String> {
    table(Lang::En)
        .keys()
        .filter_map(|k| k.split('.').next().map(str::to_owned))
        .collect()
}

/// Every string literal in templates and code that is shaped like a key (`"section.key"`,
/// lowercase, with a section `en.toml` has): whatever passes it on to the wording layer
/// (`t`, `f`, `Phrase::new`, `FieldError::new`, a `match` arm), it names a text.
fn keys_used() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sections = sections();
    let mut files = Vec::new();
    let mut dirs = vec![root.join("templates"), root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "html" || e == "rs")
                // What the code asks for, not what its tests do.
                && !path.ends_with("tests.rs")
                // The configuration names its own settings (`intake.max_contact_chars`).
                && !path.starts_with(root.join("src/config"))
            {
                files.push(path);
            }
        }
    }
    let mut keys = BTreeSet::new();
    for file in files {
        let whole = std::fs::read_to_string(&file).unwrap();
        let text = whole.split("#[cfg(test)]").next().unwrap_or_default();
        for (at, _) in text.match_indices('"') {
            let rest = &text[at + 1..];
            let Some(end) = rest.find(|c: char| {
                !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
            }) else {
                continue;
            };
            let candidate = &rest[..end];
            let shaped = rest[end..].starts_with('"')
                && candidate.contains('.')
                && !candidate.ends_with('.')
                && !candidate.contains("..")
                && [".html", ".toml", ".rs", ".txt", ".sql"]
                    .iter()
                    .all(|extension| !candidate.ends_with(extension));
            let section = candidate.split('.').next().unwrap_or_default();
            if shaped && sections.contains(section) {
                keys.insert(candidate.to_owned());
            }
        }
    }
    keys
}

/// The keys a counted phrase or `Lang::plural` reads for `base`.
fn forms(base: &str) -> [String; 2] {
    [format!("{base}_one"), format!("{base}_other")]
}

/// The label key of every value of every code set (`code_enum!`).
fn label_keys() -> Vec<&'static str> {
    use crate::domain::codes::Labelled;
    use crate::domain::{account, case, concern, notes, retention};
    fn keys<L: Labelled>(all: &[L]) -> Vec<&'static str> {
        all.iter().map(|v| v.label_key()).collect()
    }
    [
        keys(concern::Category::ALL),
        keys(concern::RaisedBy::ALL),
        keys(case::Channel::ALL),
        keys(case::CaseStatus::ALL),
        keys(case::Service::ALL),
        keys(case::Outcome::ALL),
        keys(case::Author::ALL),
        keys(case::CaseDate::ALL),
        keys(case::LetterKind::ALL),
        keys(account::Role::ALL),
        keys(retention::RetentionClass::ALL),
        keys(notes::NoteKind::ALL),
    ]
    .concat()
}

/// Keys the code builds at run time rather than writing out.
fn keys_built() -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = label_keys().into_iter().map(str::to_owned).collect();
    for field in [
        "category",
        "raised_by",
        "description",
        "contact",
        "concluded_on",
        "discovered_on",
        "accept_conditions",
        "form",
    ] {
        keys.insert(format!("intake.field.{field}"));
    }
    keys
}

#[test]
fn every_key_used_exists_in_every_file_that_should_have_it() {
    let used = keys_used();
    assert!(used.len() > 200, "the scan found too few keys: {used:?}");
    let built = keys_built();
    for lang in Lang::ALL {
        let table = table(lang);
        let missing: Vec<_> = used
            .iter()
            .chain(&built)
            .filter(|k| lang == Lang::En || !english_only(k))
            .filter(|k| {
                let table_name = format!("{k}.");
                !table.contains_key(*k)
                    && !forms(k).iter().all(|f| table.contains_key(f))
                    // A table's name, as `code_enum!` gives it.
                    && !table.keys().any(|key| key.starts_with(&table_name))
            })
            .collect();
        assert!(
            missing.is_empty(),
            "translations/{}.toml lacks {missing:?}",
            lang.code()
        );
    }
}

#[test]
fn every_key_in_the_files_is_used() {
    let used: BTreeSet<String> = keys_used()
        .into_iter()
        .chain(keys_built())
        .flat_map(|k| {
            let [one, other] = forms(&k);
            [k, one, other]
        })
        .collect();
    let unused: Vec<_> = table(Lang::En)
        .into_keys()
        .filter(|k| !used.contains(k))
        .collect();
    assert!(
        unused.is_empty(),
        "en.toml holds keys nothing asks for (they change nothing): {unused:?}"
    );
}

#[test]
fn every_code_has_a_label_and_no_two_codes_of_a_set_share_one() {
    for lang in Lang::ALL {
        let mut seen = BTreeSet::new();
        for key in label_keys() {
            if lang != Lang::En && english_only(key) {
                continue;
            }
            let label = lang.t(key);
            assert_ne!(label, MISSING, "{}.toml lacks {key}", lang.code());
            let table = key.rsplit_once('.').map(|(table, _)| table);
            assert!(seen.insert((table, label)), "{key}: {label:?} twice");
        }
    }
    use crate::domain::concern::Category;
    assert_eq!(
        Lang::En.label(Category::Commission),
        "A dispute about a commission"
    );
    assert_eq!(
        Lang::Es.label(Category::Commission),
        "Una disputa sobre una comisión"
    );
}

#[test]
fn the_language_comes_only_from_the_lang_parameter() {
    assert_eq!(Lang::from_query(None), Lang::En);
    assert_eq!(Lang::from_query(Some("lang=es")), Lang::Es);
    assert_eq!(Lang::from_query(Some("a=1&lang=es")), Lang::Es);
    assert_eq!(Lang::from_query(Some("lang=fr")), Lang::En);
    assert_eq!(Lang::from_query(Some("xlang=es")), Lang::En);
    for lang in Lang::ALL {
        assert_eq!(Lang::from_code(lang.code()), Some(lang));
        let query = lang.query().trim_start_matches('?');
        assert_eq!(Lang::from_query(Some(query)), lang);
    }
}

#[test]
fn dates_are_in_words_in_every_language() {
    let date = NaiveDate::from_ymd_opt(2026, 2, 2).unwrap();
    assert_eq!(Lang::En.long_date(date), "Monday, 2 February 2026");
    assert_eq!(Lang::Es.long_date(date), "lunes, 2 de febrero de 2026");
    assert_eq!(
        Lang::Es.f("deadline.expired", &[("date", &date)]),
        "El plazo para presentar una queja terminó el 2026-02-02."
    );
    for lang in Lang::ALL {
        // Every weekday and month has a name, and no two share one.
        let mut names = BTreeSet::new();
        for day in 0..7 {
            let date = date + chrono::Days::new(day);
            assert!(names.insert(lang.weekday(date.weekday())), "{lang:?}");
        }
        for month in 1..=12 {
            assert!(names.insert(lang.month(month)), "{lang:?} month {month}");
        }
        assert!(!names.contains(MISSING), "{lang:?}");
        assert_eq!(lang.month(0), MISSING);
        assert_eq!(lang.month(13), MISSING);
    }
}

#[test]
fn days_and_counted_phrases_follow_each_language_s_plural_rule() {
    for lang in Lang::ALL {
        for n in [0, 1, 2, 40] {
            let said = lang.days(n);
            assert!(said.contains(&n.to_string()), "{lang:?} {n}: {said}");
            let key = if lang.is_one(n) {
                "common.days_one"
            } else {
                "common.days_other"
            };
            assert_eq!(said, lang.f(key, &[("n", &n)]));
        }
    }
    assert_eq!(Lang::En.days(1), "1 day");
    assert_eq!(Lang::En.days(40), "40 days");
    assert_eq!(Lang::Es.days(1), "1 día");
    let one = crate::domain::phrase::Phrase::counted("error.invalid", 1);
    assert_eq!(Lang::En.say(&one), "1 field needs attention.");
    let two = crate::domain::phrase::Phrase::counted("error.invalid", 2);
    assert_eq!(Lang::En.say(&two), "2 fields need attention.");
}

#[test]
fn the_association_is_named_with_its_article_once() {
    assert_eq!(
        Lang::En.the_association("Example Association"),
        "the Example Association"
    );
    assert_eq!(
        Lang::En.the_association("The Valley Association"),
        "The Valley Association"
    );
    assert_eq!(Lang::En.the_association("Theta Realty"), "the Theta Realty");
    assert_eq!(
        Lang::Es.the_association("Example Association"),
        "Example Association"
    );
}

#[test]
fn a_phrase_words_its_values_in_the_same_language() {
    use crate::domain::phrase::{Arg, Phrase};
    let phrase = Phrase::new("problem.date_no_such_day")
        .with("text", "2026-02-30")
        .with("month", Arg::Month(2))
        .with("year", 2026)
        .with("days", 28u32);
    assert_eq!(
        Lang::En.say(&phrase),
        "2026-02-30 is not a real calendar date: February 2026 has 28 days"
    );
    for lang in Lang::ALL {
        let said = lang.say(&phrase);
        assert!(said.contains(lang.month(2)), "{said}");
        assert!(!said.contains('{'), "{said}");
    }
}
