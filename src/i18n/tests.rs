//! The translation files: each parses and carries its grammar; every language has the keys and
//! `{markers}` English has (apart from the English-only wording of `ENGLISH_ONLY`); every key the
//! code and the templates ask for exists; and every key a file holds is asked for somewhere.

use std::collections::BTreeSet;
use std::path::Path;
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

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

/// Whether `key` is wording only English has (staff pages, the JSON API, the board report and
/// the command line).
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
/// layout, comments and line breaks do not matter. Left out: test code. In the configuration
/// (`src/config/`), whose setting names (`intake.max_contact_chars`) have the same shape, only
/// the keys of `[cli]` count (its problems are `cli.config.…`).
fn keys_used() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sections: BTreeSet<String> = table(Lang::En)
        .keys()
        .filter_map(|k| k.split('.').next().map(str::to_owned))
        .collect();
    let config = root.join("src/config");
    let mut used = BTreeSet::new();
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
                _ if path.ends_with("tests.rs") => continue,
                Some("rs") => text(),
                Some("html") => template_code(&text()),
                _ => continue,
            };
            let tokens = TokenStream::from_str(&code)
                .unwrap_or_else(|e| panic!("{}: cannot read its tokens: {e}", path.display()));
            let mut found = Vec::new();
            literals(tokens, &mut found);
            let in_config = path.starts_with(&config);
            used.extend(
                found
                    .into_iter()
                    .filter(|t| is_key(t, &sections))
                    .filter(|t| !in_config || t.starts_with("cli.")),
            );
        }
    }
    used
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

/// The keys a counted phrase or `Lang::plural` reads for `base`.
fn forms(base: &str) -> [String; 2] {
    [format!("{base}_one"), format!("{base}_other")]
}

/// The label key of every value of every code set (`code_enum!`).
fn label_keys() -> Vec<&'static str> {
    use crate::domain::codes::Labelled;
    use crate::domain::{access, account, case, concern, notes, notices, parties, plan, retention};
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
        keys(access::GrantKind::ALL),
        keys(access::GrantState::ALL),
        keys(access::Decision::ALL),
        keys(access::LinkAccess::ALL),
        keys(account::Role::ALL),
        keys(account::AccountAction::ALL),
        keys(account::AccountState::ALL),
        keys(retention::RetentionClass::ALL),
        keys(notes::NoteKind::ALL),
        keys(parties::PartyRole::ALL),
        keys(plan::PlanAnswer::ALL),
        keys(plan::AnswerChannel::ALL),
        keys(notices::SentBy::ALL),
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
    for letter in crate::domain::closing::FollowUp::ALL {
        let code = letter.code();
        keys.insert(format!("follow_up.title_{code}"));
        keys.insert(format!("follow_up.opening_{code}"));
        keys.insert(format!("staff.closing.follow_up_{code}"));
    }
    keys
}

#[test]
fn every_key_used_exists_in_every_file_that_should_have_it() {
    let used = keys_used();
    assert!(used.len() > 250, "the scan found too few keys: {used:?}");
    let built = keys_built();
    for lang in Lang::ALL {
        let table = table(lang);
        let missing: Vec<_> = used
            .iter()
            .chain(&built)
            .filter(|k| lang == Lang::En || !english_only(k))
            .filter(|k| {
                let table_name = format!("{k}.");
                !has(&table, k)
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

#[test]
fn a_refused_release_names_its_dates_in_words_and_the_setting_to_change() {
    use crate::domain::phrase::Said as _;
    use crate::domain::trends::{PeriodKind, ReleaseError};
    let not_complete = ReleaseError::NotComplete {
        period: "2026Q3".parse().unwrap(),
        last_day: NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
    };
    assert_eq!(
        Lang::En.say(&not_complete.phrase()),
        "the period is not over until the end of Wednesday, 30 September 2026; it can be \
         reported from the day after"
    );
    let committed = ReleaseError::KindCommitted {
        asked: PeriodKind::Month,
        released: PeriodKind::Quarter,
        example: "2026Q3".parse().unwrap(),
    };
    let said = Lang::En.say(&committed.phrase());
    assert!(said.starts_with("month reports cannot be released without noise: quarter reports have been released (2026Q3 among them)"), "{said}");
    assert!(
        said.contains("`[reports] periods` back to [\"quarter\"]"),
        "{said}"
    );
    let exposed = |with: &[&str]| ReleaseError::Exposed {
        hidden: 1,
        with: with.iter().map(|w| (*w).to_owned()).collect(),
    };
    assert!(
        Lang::En
            .say(&exposed(&[]).phrase())
            .starts_with("with the releases already published, it would")
    );
    assert!(
        Lang::En
            .say(&exposed(&["2026Q1", "2026Q2"]).phrase())
            .starts_with("with the releases already published (2026Q1, 2026Q2), it would")
    );
}

#[test]
fn a_period_not_understood_says_which_forms_are() {
    use crate::domain::phrase::Said as _;
    use crate::domain::trends::Period;
    let said = |text: &str| Lang::En.say(&text.parse::<Period>().unwrap_err().phrase());
    assert_eq!(
        said("2026Q5"),
        "there is no quarter 5; quarters are Q1 to Q4"
    );
    assert_eq!(said("2026-13"), "there is no month 13");
    assert_eq!(said("2026-00"), "there is no month 00");
    assert_eq!(said("1899"), "the year 1899 is outside 1900 to 9999");
    assert_eq!(
        said("July"),
        "must be a month (2026-07), a quarter (2026Q3) or a year (2026)"
    );
}

#[test]
fn an_impossible_date_says_why() {
    use crate::domain::dates::parse_iso_date;
    use crate::domain::phrase::Said as _;
    let said = |text: &str| Lang::En.say(&parse_iso_date(text).unwrap_err().phrase());
    assert_eq!(
        said("2026-02-30"),
        "2026-02-30 is not a real calendar date: February 2026 has 28 days"
    );
    assert_eq!(
        said("2024-02-30"),
        "2024-02-30 is not a real calendar date: February 2024 has 29 days"
    );
    assert_eq!(
        said("2026-13-01"),
        "2026-13-01 is not a real calendar date: there is no month 13"
    );
}

#[test]
fn a_setting_of_reports_that_cannot_be_used_says_why() {
    use crate::domain::phrase::Said as _;
    use crate::domain::trends::{ReleaseError, TrendSettings};
    let said = |k, epsilon| {
        let e = TrendSettings { k, epsilon }.validate().unwrap_err();
        Lang::En.say(&ReleaseError::Settings(e).phrase())
    };
    assert_eq!(
        said(1, None),
        "setting `reports.k`: must be at least 2 (got 1): a threshold of 1 hides nothing"
    );
    assert_eq!(
        said(5, Some(10.5)),
        "setting `reports.epsilon`: must be greater than 0 and at most 10 (got 10.5)"
    );
    assert!(said(5, Some(1e-9)).contains("at least 0.000001 (got 0.000000001)"));
}
