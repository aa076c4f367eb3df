use super::*;
use crate::crypto::certificate::tests::{fixed_key, fixed_with_dates};
use crate::crypto::certificate::{Verified, verify};
use crate::domain::dates::parse_iso_date;
use crate::letters::letter::TEXT_WIDTH;

fn d(text: &str) -> NaiveDate {
    parse_iso_date(text).unwrap()
}

/// The person who raised the concern, holding a receipt (no address on the letter).
const COMPLAINANT: Addressee<'static> = Addressee {
    version: NoticeVersion::Complainant,
    reference: "K3QF-7ZPA",
    name: None,
    contact: None,
};

fn letterhead() -> Letterhead {
    Letterhead {
        name: "Example Association of REALTORS®".into(),
        phone: Some("555-0100".into()),
        email: Some("ombuds@example.org".into()),
        postal_address: None,
    }
}

/// A notice for the worked example of docs/RULES.md, with the given transaction dates.
fn notice(
    concluded: Option<&str>,
    discovered: Option<&str>,
    first: &str,
    termination: &str,
) -> Letter {
    let certificate = fixed_with_dates(
        d(first),
        d(termination),
        d("2026-03-16").max(d(termination)),
    );
    let holidays = HolidayCalendar::us_federal();
    compose(&NoticeInput {
        letterhead: &letterhead(),
        certificate: &certificate,
        concluded: concluded.map(d),
        discovered: discovered.map(d),
        holidays: &holidays,
        roll_forward: true,
        base_url: "https://ombuds.example.org/",
        addressee: COMPLAINANT,
        earlier_because: None,
    })
    .unwrap()
}

fn worked_example() -> Letter {
    notice(Some("2026-01-10"), None, "2026-02-02", "2026-03-13")
}

#[test]
fn plain_text_of_the_worked_example() {
    insta::assert_snapshot!(worked_example().text());
}

#[test]
fn the_notice_says_what_it_must() {
    let text = worked_example().text();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needed in [
        "Date of this notice: Monday, 16 March 2026",
        "First contact with the ombuds: Monday, 2 February 2026",
        "Informal resolution ended: Friday, 13 March 2026",
        "the countdown resumes on Saturday, 14 March 2026, the day after the termination date.",
        "Length of informal resolution: 40 (both dates included)",
        "As computed from the dates you gave, the deadline",
        "grievance committee to decide",
        "All 40 days of the suspension are added to the 180.",
        "about this matter is Tuesday, 18 August 2026.",
        "When the countdown resumes on Saturday, 14 March 2026, 158 days remain, counting that day.",
        "so the deadline moves to Tuesday 2026-08-18",
        "ethics mediation",
        "formal ethics complaint",
        "into the form at https://ombuds.example.org/verify",
    ] {
        assert!(flat.contains(needed), "missing {needed:?} in:\n{text}");
    }
    // The whole letter, pasted into the checker, verifies.
    let verified = verify(&text, &[fixed_key().public_key()]).unwrap();
    assert!(matches!(verified, Verified::Suspension(c) if c.days_suspended() == 40));
}

#[test]
fn plain_text_lines_fit_an_email_except_the_certificate() {
    let text = worked_example().text();
    let mut in_certificate = false;
    for line in text.lines() {
        if line.starts_with("-----BEGIN") {
            in_certificate = true;
        }
        assert!(
            in_certificate || line.chars().count() <= TEXT_WIDTH,
            "too long: {line:?}"
        );
        if line.starts_with("-----END") {
            in_certificate = false;
        }
    }
    assert!(!text.contains("\n\n\n"), "no double blank lines");
}

#[test]
fn without_the_transaction_dates_it_explains_how_to_work_the_deadline_out() {
    let text = notice(None, Some("2026-01-20"), "2026-02-02", "2026-03-13").text();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needed in [
        "The ombuds does not have the dates needed to name the deadline",
        "180 days from the later of the conclusion of the transaction and the discovery of the facts, plus up to 40 days",
        "all 40 days if that date is before Monday, 2 February 2026",
        "the deadline is the next workday",
        "the countdown resumes on Saturday, 14 March 2026",
    ] {
        assert!(flat.contains(needed), "missing {needed:?} in:\n{text}");
    }
    assert!(!flat.contains("How this was worked out"));
}

#[test]
fn days_before_the_trigger_date_are_left_out_and_said_so() {
    // The facts became known on 2026-02-20, during informal resolution: 21 of 40 days count.
    let text = notice(
        Some("2026-01-10"),
        Some("2026-02-20"),
        "2026-02-02",
        "2026-03-13",
    )
    .text();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("21 days of the 40 days of the suspension are added to the 180"),
        "{text}"
    );
    assert!(
        flat.contains("so the 19 days on or before that date do not count"),
        "{text}"
    );
}

#[test]
fn a_suspension_wholly_before_the_trigger_adds_nothing() {
    let text = notice(Some("2026-04-01"), None, "2026-02-02", "2026-03-13").text();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("None of the 40 days of the suspension are added"),
        "{text}"
    );
    assert!(
        flat.contains("about this matter is Monday, 28 September 2026"),
        "{text}"
    );
}

#[test]
fn a_suspension_after_the_window_closed_adds_nothing() {
    let text = notice(Some("2025-01-10"), None, "2026-02-02", "2026-03-13").text();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("began after the last day of the filing period, Wednesday, 9 July 2025"),
        "{text}"
    );
}

#[test]
fn a_suspension_after_a_moved_deadline_names_the_moved_day_as_the_last() {
    // Day 180 is Friday 3 July 2026 (Independence Day observed): a complaint could still be
    // filed on Monday 6 July, so that is the last day the notice names.
    let text = notice(Some("2026-01-04"), None, "2026-07-07", "2026-07-10").text();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("began after the last day of the filing period, Monday, 6 July 2026"),
        "{text}"
    );
}

#[test]
fn a_rolled_forward_deadline_says_why() {
    // 2026-01-13 + 180 + 1 suspended day is Monday 2026-07-13 ... choose a Saturday instead:
    // 2026-01-10 + 180 = 2026-07-09; + 2 days = Saturday 2026-07-11, moved to Monday.
    let text = notice(Some("2026-01-10"), None, "2026-02-02", "2026-02-03").text();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "is Monday, 13 July 2026 (Saturday, 11 July 2026 is not a workday, so the deadline moves to the next one)"
        ),
        "{text}"
    );
}

#[test]
fn html_is_a_standalone_printable_page_with_the_same_words() {
    let notice = worked_example();
    let html = notice.html().unwrap().replace('\u{a0}', " ");
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<link rel=\"stylesheet\" href=\"/static/style.css\">"));
    assert!(!html.contains("<script"));
    assert!(html.contains("<h1>Informal resolution has ended</h1>"));
    assert!(html.contains("<time datetime=\"2026-03-16\">Monday, 16 March 2026</time>"));
    assert!(html.contains("<dt>The countdown resumes on</dt><dd>Saturday, 14 March 2026</dd>"));
    assert!(
        // Focusable, so that a keyboard can scroll it where it is wider than the screen.
        html.contains(
            "<pre class=\"certificate\" tabindex=\"0\">-----BEGIN OMBUDS SUSPENSION CERTIFICATE-----"
        )
    );
    assert!(html.contains(
        "<a href=\"https://ombuds.example.org/verify\">https://ombuds.example.org/verify</a>"
    ));
    assert!(html.contains("<ol>"), "the explanation is a numbered list");
    assert!(html.contains("Telephone: 555-0100"));
}

#[test]
fn html_escapes_what_it_is_given() {
    let mut head = letterhead();
    head.name = "<b>Bold</b> & Co".into();
    let certificate = fixed_with_dates(d("2026-02-02"), d("2026-03-13"), d("2026-03-16"));
    let holidays = HolidayCalendar::us_federal();
    let html = compose(&NoticeInput {
        letterhead: &head,
        certificate: &certificate,
        concluded: None,
        discovered: None,
        holidays: &holidays,
        roll_forward: false,
        base_url: "javascript:alert(1)//",
        addressee: COMPLAINANT,
        earlier_because: None,
    })
    .unwrap()
    .html()
    .unwrap();
    assert!(!html.contains("<b>Bold</b>"));
    assert!(html.contains("&#60;b&#62;Bold&#60;/b&#62; &#38; Co"));
    assert!(
        !html.contains("href=\"javascript"),
        "only web addresses are links"
    );
}

/// [`notice`] written in Spanish.
fn notice_es(
    concluded: Option<&str>,
    discovered: Option<&str>,
    first: &str,
    termination: &str,
) -> Letter {
    notice_in(Lang::Es, concluded, discovered, first, termination)
}

/// [`notice`] written in `lang`.
fn notice_in(
    lang: Lang,
    concluded: Option<&str>,
    discovered: Option<&str>,
    first: &str,
    termination: &str,
) -> Letter {
    let certificate = fixed_with_dates(
        d(first),
        d(termination),
        d("2026-03-16").max(d(termination)),
    );
    let holidays = HolidayCalendar::us_federal();
    compose_in(
        &NoticeInput {
            letterhead: &letterhead(),
            certificate: &certificate,
            concluded: concluded.map(d),
            discovered: discovered.map(d),
            holidays: &holidays,
            roll_forward: true,
            base_url: "https://ombuds.example.org/",
            addressee: COMPLAINANT,
            earlier_because: None,
        },
        lang,
    )
    .unwrap()
}

#[test]
fn plain_text_of_the_worked_example_in_spanish() {
    insta::assert_snapshot!(notice_es(Some("2026-01-10"), None, "2026-02-02", "2026-03-13").text());
}

#[test]
fn the_spanish_notice_says_the_same_dates_and_carries_the_same_certificate() {
    let english = worked_example();
    let spanish = notice_es(Some("2026-01-10"), None, "2026-02-02", "2026-03-13");
    assert_eq!(spanish.lang, Lang::Es);
    let text = spanish.text();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needed in [
        "Programa de ombuds",
        "Teléfono: 555-0100",
        "Fecha de este aviso: lunes, 16 de marzo de 2026",
        "LA RESOLUCIÓN INFORMAL HA TERMINADO",
        "Primer contacto con el ombuds: lunes, 2 de febrero de 2026",
        "Fin de la resolución informal: viernes, 13 de marzo de 2026",
        "Duración de la resolución informal: 40 (ambas fechas incluidas)",
        "la cuenta se reanuda el sábado, 14 de marzo de 2026, el día siguiente",
        "Se suman a los 180 todos los días de la suspensión (40 días).",
        "sobre este asunto vence el martes, 18 de agosto de 2026.",
        "quedarán 158 días, contando ese día.",
        "Cómo se calculó: 1. Los 180 días se cuentan a partir del sábado 2026-01-10,",
        "6. Al viernes 2026-03-13, la cuenta está suspendida; se reanuda el sábado 2026-03-14",
        "mediación ética",
        "queja ética formal",
        "en el formulario de https://ombuds.example.org/verify",
    ] {
        assert!(flat.contains(needed), "missing {needed:?} in:\n{text}");
    }
    for english_only in [
        "Informal resolution has ended",
        "Your choices now",
        "Telephone",
        "The 180 days count from",
        "Saturday",
        "inglés",
    ] {
        assert!(!text.contains(english_only), "{english_only:?} in:\n{text}");
    }
    // The certificate block is the English one, byte for byte, and it verifies.
    let block = |t: &str| {
        let start = t.find("-----BEGIN").unwrap();
        let end = t.find("-----END").unwrap();
        t[start..end].to_owned()
    };
    assert_eq!(block(&text), block(&english.text()));
    let verified = verify(&text, &[fixed_key().public_key()]).unwrap();
    assert!(matches!(verified, Verified::Suspension(c) if c.days_suspended() == 40));
    // The printable page is Spanish throughout, the steps too.
    let html = spanish.html().unwrap();
    assert!(html.contains(r#"<html lang="es">"#));
    assert!(!html.contains(r#"lang="en""#));
    assert!(html.contains("La resolución informal ha terminado"));
    assert!(html.contains("<li>Los 180 días se cuentan a partir del sábado\u{a0}2026-01-10,"));
}

#[test]
fn every_spanish_deadline_case_is_worded_in_spanish() {
    for (concluded, discovered, first, termination, needed) in [
        (
            None,
            Some("2026-01-20"),
            "2026-02-02",
            "2026-03-13",
            "Sume los días de esta suspensión posteriores a esa fecha",
        ),
        (
            Some("2026-02-20"),
            None,
            "2026-02-02",
            "2026-03-13",
            "así que no cuentan los de esa fecha o anteriores (19 días)",
        ),
        (
            Some("2026-03-20"),
            None,
            "2026-02-02",
            "2026-03-13",
            "No se suma ninguno de los días de la suspensión (40 días)",
        ),
        (
            Some("2025-01-10"),
            None,
            "2026-02-02",
            "2026-03-13",
            "cuando el plazo ya había terminado",
        ),
    ] {
        let text = notice_es(concluded, discovered, first, termination).text();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(needed), "missing {needed:?} in:\n{text}");
        assert!(!flat.contains("(missing text)"), "{text}");
        for line in text.lines().take_while(|l| !l.starts_with("-----BEGIN")) {
            assert!(line.chars().count() <= TEXT_WIDTH, "too long: {line:?}");
            assert!(
                ![
                    "Monday",
                    "Tuesday",
                    "Wednesday",
                    "Thursday",
                    "Friday",
                    "Saturday",
                    "Sunday"
                ]
                .iter()
                .any(|weekday| line.contains(weekday)),
                "English in: {line:?}"
            );
        }
    }
}

#[test]
fn every_deadline_case_is_worded_in_every_language() {
    use chrono::Weekday;
    let weekdays = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    for lang in Lang::ALL {
        for (concluded, discovered) in [
            (None, Some("2026-01-20")),
            (Some("2026-02-20"), None),
            (Some("2026-03-20"), None),
            (Some("2025-01-10"), None),
            (None, None),
        ] {
            let notice = notice_in(lang, concluded, discovered, "2026-02-02", "2026-03-13");
            assert_eq!(notice.lang, lang);
            let text = notice.text();
            let letter: Vec<&str> = text
                .lines()
                .take_while(|l| !l.starts_with("-----BEGIN"))
                .collect();
            for line in &letter {
                assert!(line.chars().count() <= TEXT_WIDTH, "too long: {line:?}");
                assert!(!line.contains("(missing text)"), "{lang:?}: {line:?}");
                assert!(!line.contains('{'), "a marker left in {lang:?}: {line:?}");
                // No weekday of another language.
                for other in Lang::ALL.into_iter().filter(|o| *o != lang) {
                    for day in weekdays {
                        let name = other.weekday(day);
                        if name != lang.weekday(day) {
                            assert!(!line.contains(name), "{other:?} in {lang:?}: {line:?}");
                        }
                    }
                }
            }
            // The dates are the language's own: the first contact, in its long form.
            let first = lang.long_date(d("2026-02-02"));
            let flat = letter
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            assert!(flat.contains(&first), "{lang:?}: no {first:?} in\n{text}");
        }
    }
}

/// The notice to the member a concern is about, posted to them, in `lang`.
fn member_notice(lang: Lang) -> Letter {
    let certificate = fixed_with_dates(d("2026-02-02"), d("2026-03-13"), d("2026-03-16"));
    let holidays = HolidayCalendar::us_federal();
    compose_in(
        &NoticeInput {
            letterhead: &letterhead(),
            certificate: &certificate,
            concluded: Some(d("2026-01-10")),
            discovered: Some(d("2026-01-11")),
            holidays: &holidays,
            roll_forward: true,
            base_url: "https://ombuds.example.org/",
            addressee: Addressee {
                version: NoticeVersion::Party,
                reference: "K3QF-7ZPA",
                name: Some("Pat Member"),
                contact: Some("12 Main Street\nSpringfield"),
            },
            earlier_because: None,
        },
        lang,
    )
    .unwrap()
}

#[test]
fn plain_text_of_the_notice_to_the_member_concerned() {
    insta::assert_snapshot!(member_notice(Lang::En).text());
}

#[test]
fn the_member_s_notice_carries_nothing_of_the_complainant() {
    for lang in Lang::ALL {
        let notice = member_notice(lang);
        let text = notice.text();
        let html = notice.html().unwrap();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for needed in [
            "Pat Member",
            "12 Main Street",
            "Springfield",
            "K3QF-7ZPA",
            "2026",
        ] {
            assert!(
                flat.contains(needed),
                "{lang:?}: {needed:?} missing from:\n{text}"
            );
            assert!(
                html.contains(needed),
                "{lang:?}: {needed:?} missing from the page"
            );
        }
        // The termination date and the day the countdown resumes, in the party's language.
        for date in ["2026-03-13", "2026-03-14"] {
            let said = lang.long_date(d(date)).replace(' ', "\u{a0}");
            let plain = lang.long_date(d(date));
            assert!(
                flat.contains(&plain) || html.contains(&said),
                "{lang:?}: {plain} missing"
            );
        }
        // Nothing of the first contact, the transaction or discovery dates, the deadline or the
        // certificate (which states the first contact).
        for date in ["2026-02-02", "2026-01-10", "2026-01-11", "2026-08-18"] {
            let plain = lang.long_date(d(date));
            assert!(!flat.contains(&plain), "{lang:?}: {plain} in:\n{text}");
        }
        for absent in ["BEGIN", "certificate", "certificado", "/verify"] {
            assert!(!text.contains(absent), "{lang:?}: {absent:?} in:\n{text}");
            assert!(!html.contains(absent), "{lang:?}: {absent:?} in the page");
        }
    }
}

#[test]
fn the_complainant_s_notice_is_addressed_without_an_address_when_it_goes_to_a_thread() {
    let text = worked_example().text();
    assert!(text.contains("To: the person who raised the concern"));
    assert!(text.contains("Matter reference: K3QF-7ZPA"));
}

#[test]
fn a_termination_before_the_notice_states_why_in_every_version() {
    let certificate = fixed_with_dates(d("2026-02-02"), d("2026-03-13"), d("2026-03-16"));
    let holidays = HolidayCalendar::us_federal();
    for version in [NoticeVersion::Complainant, NoticeVersion::Party] {
        for lang in Lang::ALL {
            let input = NoticeInput {
                letterhead: &letterhead(),
                certificate: &certificate,
                concluded: Some(d("2026-01-10")),
                discovered: None,
                holidays: &holidays,
                roll_forward: true,
                base_url: "https://ombuds.example.org/",
                addressee: Addressee {
                    version,
                    ..COMPLAINANT
                },
                earlier_because: Some("  The parties met and settled on Friday. "),
            };
            let text = compose_in(&input, lang).unwrap().text();
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains("The parties met and settled on Friday."),
                "{version:?} {lang:?}:\n{text}"
            );
            // Issued the day of the termination, it says nothing of it.
            let same_day = fixed_with_dates(d("2026-02-02"), d("2026-03-16"), d("2026-03-16"));
            let input = NoticeInput {
                certificate: &same_day,
                ..input
            };
            let text = compose_in(&input, lang).unwrap().text();
            assert!(!text.contains("settled on Friday"), "{text}");
        }
    }
}

/// The notice for a complaint already filed, ended earlier than the notice with a reason.
fn referred_notice(lang: Lang, version: NoticeVersion) -> Letter {
    compose_referred(
        &ReferredInput {
            letterhead: &letterhead(),
            addressee: Addressee {
                version,
                reference: "K3QF-7ZPA",
                name: None,
                contact: None,
            },
            termination: d("2026-03-13"),
            date: d("2026-03-16"),
            earlier_because: Some("The parties settled on the Friday."),
        },
        lang,
    )
}

#[test]
fn the_notice_for_a_complaint_already_filed_tells_no_suspension_story() {
    for lang in Lang::ALL {
        let text = referred_notice(lang, NoticeVersion::Complainant).text();
        insta::assert_snapshot!(format!("referred_{}", lang.code()), text);
        // No deadline, no certificate, nothing about days added or the countdown resuming.
        assert!(!text.contains("BEGIN OMBUDS"));
        for line in text.lines() {
            assert!(line.chars().count() <= TEXT_WIDTH, "too long: {line:?}");
        }
    }
    let en = referred_notice(Lang::En, NoticeVersion::Complainant).text();
    assert!(en.contains("No filing deadline was suspended"));
    assert!(en.contains("this reason: The parties settled on the"));
    assert!(!en.contains("resumes"));
    assert!(!en.contains("deadline to file"));
    // Every party reads the same words, only addressed differently.
    let party = referred_notice(Lang::En, NoticeVersion::Party).text();
    assert_eq!(
        en.replace("the person who raised the concern", "a party to the matter"),
        party
    );
}
