//! The translation files: both parse, have the same keys and the same `{markers}`, and every
//! key the templates and handlers ask for exists.

use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

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

/// The keys of every `t("…")` and `f("…", …)` call in `tokens`: an identifier `t` or `f`
/// followed by parentheses whose first token is a string literal, at any depth (inside macro
/// calls too). Calls with a key built at run time have no literal there and are left out.
fn keys_in(tokens: TokenStream, keys: &mut BTreeSet<String>) {
    let mut previous: Option<TokenTree> = None;
    for token in tokens {
        if let TokenTree::Group(group) = &token {
            let is_call =
                matches!(&previous, Some(TokenTree::Ident(name)) if name == "t" || name == "f");
            let first = group.stream().into_iter().next();
            if is_call
                && group.delimiter() == Delimiter::Parenthesis
                && let Some(TokenTree::Literal(literal)) = first
            {
                let text = literal.to_string();
                let key = text
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .filter(|k| !k.contains('\\'))
                    .unwrap_or_else(|| panic!("a key that is not a plain string: {text}"));
                keys.insert(key.to_owned());
            }
            keys_in(group.stream(), keys);
        }
        previous = Some(token);
    }
}

/// The code inside an askama template's `{{ … }}` and `{% … %}` blocks (not its `{# … #}`
/// comments, nor its HTML), one block a line. A closing delimiter inside a string literal
/// does not end a block.
fn template_code(template: &str) -> String {
    let mut code = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = match after.chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            Some('#') => "#}",
            _ => {
                rest = after;
                continue;
            }
        };
        let body = &after[1..];
        let (mut in_string, mut escaped, mut end) = (false, false, None);
        for (i, c) in body.char_indices() {
            if in_string {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => in_string = false,
                    _ => {}
                }
            } else if c == '"' && close != "#}" {
                in_string = true;
            } else if body[i..].starts_with(close) {
                end = Some(i);
                break;
            }
        }
        let end = end.unwrap_or_else(|| panic!("a template block is not closed: {body:.60}"));
        if close != "#}" {
            code.push_str(&body[..end]);
            code.push('\n');
        }
        rest = &body[end + close.len()..];
    }
    code
}

/// Every key the Rust code (`src/`) and the templates (`templates/`) ask for by name, read
/// with a Rust tokenizer: layout, comments and line breaks do not matter.
fn keys_used() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut keys = BTreeSet::new();
    let mut dirs = vec![root.join("templates"), root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = || std::fs::read_to_string(&path).unwrap();
            let code = match path.extension().and_then(|e| e.to_str()) {
                _ if path.is_dir() => {
                    dirs.push(path);
                    continue;
                }
                Some("rs") => text(),
                Some("html") => template_code(&text()),
                _ => continue,
            };
            let tokens = TokenStream::from_str(&code)
                .unwrap_or_else(|e| panic!("{}: cannot read its tokens: {e}", path.display()));
            keys_in(tokens, &mut keys);
        }
    }
    keys
}

#[test]
fn the_key_reader_reads_calls_in_any_layout_and_nothing_else() {
    let mut keys = BTreeSet::new();
    let rust = r#"
        lang.t("a.one");
        w.f(
            "a.two",
            &[("n", &1)],
        );
        format!("{}", Lang::Es.t  ("a.three"));
        // lang.t("a.comment")
        let s = "lang.t(\"a.string\")";
        lang.t(&format!("a.{code}"));
        check_dir_of("a.not_a_key");
    "#;
    keys_in(TokenStream::from_str(rust).unwrap(), &mut keys);
    let template = r#"<p title='{{ site.t("b.one") }}'>{# site.t("b.comment") #}</p>
        {%- if x -%}{{ site.f("b.two", "n",
        "{ %} }}") }}{% endif %} site.t("b.text")"#;
    keys_in(
        TokenStream::from_str(&template_code(template)).unwrap(),
        &mut keys,
    );
    let expected = ["a.one", "a.two", "a.three", "b.one", "b.two"];
    assert_eq!(keys, expected.iter().map(|k| (*k).to_owned()).collect());
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
