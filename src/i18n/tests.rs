//! The translation files: both parse, have the same keys and the same `{markers}`, and every
//! key the code and the templates name exists.

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

/// The plain string literals in `tokens`, at any depth (inside macro calls too), leaving out
/// every item marked `#[cfg(test)]` (a test may name keys that do not exist on purpose).
fn literals(tokens: TokenStream, out: &mut Vec<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        i += 1;
        match token {
            TokenTree::Punct(hash) if hash.as_char() == '#' => {
                let test_only = matches!(tokens.get(i), Some(TokenTree::Group(attribute))
                    if attribute.delimiter() == Delimiter::Bracket
                        && attribute.stream().to_string().replace(' ', "") == "cfg(test)");
                if test_only {
                    // The item ends with its body or its semicolon.
                    while let Some(part) = tokens.get(i) {
                        i += 1;
                        match part {
                            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => break,
                            TokenTree::Punct(p) if p.as_char() == ';' => break,
                            _ => {}
                        }
                    }
                }
            }
            TokenTree::Group(group) => literals(group.stream(), out),
            TokenTree::Literal(literal) => {
                let text = literal.to_string();
                if let Some(value) = text
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .filter(|v| !v.contains('\\'))
                {
                    out.push(value.to_owned());
                }
            }
            _ => {}
        }
    }
}

/// Whether `text` is shaped like a translation key of one of `sections`: `section.name`, in
/// lower case, digits and `_`, and not a file name.
fn is_key(text: &str, sections: &BTreeSet<String>) -> bool {
    let section = text.split('.').next().unwrap_or_default();
    text.contains('.')
        && !text.ends_with('.')
        && !text.contains("..")
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c))
        && [
            ".html", ".toml", ".rs", ".txt", ".sql", ".json", ".css", ".js",
        ]
        .iter()
        .all(|extension| !text.ends_with(extension))
        && sections.contains(section)
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

/// Every string literal in the Rust code (`src/`) and the templates' blocks (`templates/`)
/// that is shaped like a key of a section `en.toml` has: whatever passes it on to the wording
/// layer (`t`, `f`, a helper, a `match` arm), it names a text. Read with a Rust tokenizer, so
/// layout, comments and line breaks do not matter. Left out: test code, and the configuration,
/// whose setting names (`intake.max_contact_chars`) have the same shape.
fn keys_used() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sections: BTreeSet<String> = table(Lang::En)
        .keys()
        .filter_map(|k| k.split('.').next().map(str::to_owned))
        .collect();
    let mut found = Vec::new();
    let mut dirs = vec![root.join("templates"), root.join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = || std::fs::read_to_string(&path).unwrap();
            let code = match path.extension().and_then(|e| e.to_str()) {
                _ if path.is_dir() => {
                    if path != root.join("src/config") {
                        dirs.push(path);
                    }
                    continue;
                }
                _ if path.ends_with("tests.rs") => continue,
                Some("rs") => text(),
                Some("html") => template_code(&text()),
                _ => continue,
            };
            let tokens = TokenStream::from_str(&code)
                .unwrap_or_else(|e| panic!("{}: cannot read its tokens: {e}", path.display()));
            literals(tokens, &mut found);
        }
    }
    found.into_iter().filter(|t| is_key(t, &sections)).collect()
}

#[test]
fn the_key_reader_reads_literals_in_any_layout_and_nothing_else() {
    let mut found = Vec::new();
    let rust = r#"
        lang.t("a.one");
        w.f(
            "a.two",
            &[("n", &1)],
        );
        format!("{}", Lang::Es.t  ("a.three"));
        match day { Weekday::Mon => "a.four", _ => "a.five" }
        // lang.t("a.comment")
        /// lang.t("a.doc")
        let s = "lang.t(\"a.in_a_string\")";
        lang.t(&format!("a.{code}"));
        let path = "a.toml";
        let other = "c.unknown_section";
        #[cfg(test)]
        mod tests { fn x() { lang.t("a.test_only"); } }
        #[cfg(test)]
        const Y: &str = "a.test_constant";
        let after = "a.six";
    "#;
    literals(TokenStream::from_str(rust).unwrap(), &mut found);
    let template = r#"<p title='{{ site.t("b.one") }}'>{# site.t("b.comment") #}</p>
        {%- if x -%}{{ site.f("b.two", "n",
        "{ %} }}") }}{% endif %} site.t("b.text")"#;
    literals(
        TokenStream::from_str(&template_code(template)).unwrap(),
        &mut found,
    );
    let sections = ["a", "b"].map(str::to_owned).into();
    let keys: Vec<_> = found.iter().filter(|t| is_key(t, &sections)).collect();
    let expected = [
        "a.one", "a.two", "a.three", "a.four", "a.five", "a.six", "b.one", "b.two",
    ];
    assert_eq!(keys, expected);
}

/// Whether `table` has `key`, or `key_one` and `key_other` (a base the code counts with).
fn has(table: &BTreeMap<String, String>, key: &str) -> bool {
    table.contains_key(key)
        || ["one", "other"]
            .iter()
            .all(|form| table.contains_key(&format!("{key}_{form}")))
}

#[test]
fn every_key_used_exists_in_both_files() {
    let used = keys_used();
    assert!(used.len() > 250, "the scan found too few keys: {used:?}");
    for lang in Lang::ALL {
        let table = table(lang);
        let missing: Vec<_> = used.iter().filter(|k| !has(&table, k)).collect();
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
