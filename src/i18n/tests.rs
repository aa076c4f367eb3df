//! The translation files: both parse, have the same keys and the same `{markers}`, and every
//! key the templates and handlers ask for exists.

use std::collections::BTreeSet;
use std::path::Path;

use super::*;

fn table(lang: Lang) -> BTreeMap<String, String> {
    let source = sources()
        .into_iter()
        .find(|(l, _)| *l == lang)
        .map(|(_, s)| s)
        .unwrap();
    parse(source).unwrap_or_else(|e| panic!("translations/{}.toml: {e}", lang.code()))
}

fn markers(text: &str) -> BTreeSet<String> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

#[test]
fn both_files_have_the_same_keys_and_markers() {
    let en = table(Lang::En);
    let es = table(Lang::Es);
    let only_en: Vec<_> = en.keys().filter(|k| !es.contains_key(*k)).collect();
    let only_es: Vec<_> = es.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(only_en.is_empty(), "keys missing from es.toml: {only_en:?}");
    assert!(only_es.is_empty(), "keys missing from en.toml: {only_es:?}");
    for (key, english) in &en {
        let spanish = &es[key];
        assert!(!spanish.trim().is_empty(), "{key} is empty in es.toml");
        assert_eq!(
            markers(english),
            markers(spanish),
            "{key}: the {{markers}} differ between en.toml and es.toml"
        );
    }
}

/// Every `t("…")` / `f("…"` in templates and in the code that builds public pages.
fn keys_used() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut dirs = vec![root.join("templates"), root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "html" || e == "rs")
                && !path.ends_with("i18n/tests.rs")
            {
                files.push(path);
            }
        }
    }
    let mut keys = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Only method calls (`lang.t("…")`): a function whose name ends in `t` or `f`, such as
        // `check_dir_of("database.url", …)`, is not a translation.
        for opener in [".t(\"", ".f(\"", ".f(\n                    \""] {
            for rest in text.split(opener).skip(1) {
                if let Some((key, _)) = rest.split_once('"') {
                    let shaped = key.contains('.')
                        && key.starts_with(|c: char| c.is_ascii_lowercase())
                        && !key.ends_with('.')
                        && key.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c)
                        });
                    if shaped {
                        keys.insert(key.to_owned());
                    }
                }
            }
        }
    }
    keys
}

#[test]
fn every_key_used_exists_in_both_files() {
    let used = keys_used();
    assert!(used.len() > 100, "the scan found too few keys: {used:?}");
    for lang in Lang::ALL {
        let table = table(lang);
        let missing: Vec<_> = used.iter().filter(|k| !table.contains_key(*k)).collect();
        assert!(
            missing.is_empty(),
            "translations/{}.toml lacks {missing:?}",
            lang.code()
        );
    }
    // Keys built at run time from codes.
    for code in crate::domain::concern::Category::ALL
        .iter()
        .map(|c| c.code())
    {
        assert_ne!(Lang::Es.t(&format!("category.{code}")), MISSING);
    }
    for code in crate::domain::concern::RaisedBy::ALL
        .iter()
        .map(|c| c.code())
    {
        assert_ne!(Lang::Es.t(&format!("raised_by.{code}")), MISSING);
    }
    for code in [400, 403, 404, 405, 408, 413, 415, 429, 500, 503] {
        for part in ["heading", "message"] {
            assert_ne!(Lang::Es.t(&format!("error.s{code}.{part}")), MISSING);
        }
    }
    for field in [
        "category",
        "raised_by",
        "description",
        "contact",
        "concluded_on",
        "discovered_on",
        "accept_conditions",
    ] {
        assert_ne!(Lang::Es.t(&format!("intake.problem.{field}")), MISSING);
        assert_ne!(Lang::Es.t(&format!("intake.field.{field}")), MISSING);
    }
}

#[test]
fn english_labels_match_the_domain_labels() {
    // The English file repeats the labels the JSON API and the console use; keep them equal.
    for c in crate::domain::concern::Category::ALL {
        assert_eq!(Lang::En.t(&format!("category.{}", c.code())), c.label());
    }
    for r in crate::domain::concern::RaisedBy::ALL {
        assert_eq!(Lang::En.t(&format!("raised_by.{}", r.code())), r.label());
    }
}

#[test]
fn the_language_comes_only_from_the_lang_parameter() {
    assert_eq!(Lang::from_query(None), Lang::En);
    assert_eq!(Lang::from_query(Some("lang=es")), Lang::Es);
    assert_eq!(Lang::from_query(Some("a=1&lang=es")), Lang::Es);
    assert_eq!(Lang::from_query(Some("lang=fr")), Lang::En);
    assert_eq!(Lang::from_query(Some("xlang=es")), Lang::En);
}

#[test]
fn spanish_dates_are_in_words() {
    let date = NaiveDate::from_ymd_opt(2026, 2, 2).unwrap();
    assert_eq!(Lang::Es.long_date(date), "lunes, 2 de febrero de 2026");
    assert_eq!(
        Lang::Es.f("deadline.expired", &[("date", &date)]),
        "El plazo para presentar una queja terminó el 2026-02-02."
    );
}
