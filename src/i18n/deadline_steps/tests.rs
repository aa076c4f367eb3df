//! The explanation in both languages: the worked example of docs/RULES.md word for word in Spanish, the
//! singular and plural sentences, holiday names, unbroken dates, and the translation files'
//! holiday names against the statute's.

use chrono::NaiveDate;

use super::*;
use crate::domain::deadline::{DeadlineInput, DeadlineReport, compute};
use crate::domain::holidays::HolidayCalendar;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn report(
    concluded: &str,
    episodes: &[SuspensionEpisode],
    holidays: &HolidayCalendar,
    roll_forward: bool,
    as_of: &str,
) -> DeadlineReport {
    compute(&DeadlineInput {
        concluded: d(concluded),
        discovered: None,
        episodes,
        holidays,
        roll_forward,
        as_of: d(as_of),
    })
    .unwrap()
}

fn informal(start: &str, end: Option<&str>) -> SuspensionEpisode {
    SuspensionEpisode {
        kind: SuspensionKind::InformalResolution,
        start: d(start),
        end: end.map(d),
    }
}

#[test]
fn the_worked_example_in_spanish() {
    // docs/RULES.md: concluded 2026-01-10, first contact 2026-02-02, termination 2026-03-13.
    let r = report(
        "2026-01-10",
        &[informal("2026-02-02", Some("2026-03-13"))],
        &HolidayCalendar::us_federal(),
        true,
        "2026-03-16",
    );
    assert_eq!(
        sentences(&r.steps, Lang::Es),
        vec![
            "Los 180 días se cuentan a partir del sábado 2026-01-10, la fecha en que terminó la transacción o el hecho (no se indicó una fecha posterior en que se conocieran los hechos); el día 1 es el domingo 2026-01-11.",
            "Sin ninguna suspensión, el plazo vencería el jueves 2026-07-09, 180 días naturales después del sábado 2026-01-10 (antes de cualquier traslado por fin de semana o día festivo).",
            "La resolución informal del lunes 2026-02-02 (primer contacto) al viernes 2026-03-13 (terminación) añade 40 días (ambas fechas incluidas), así que el plazo pasa al martes 2026-08-18.",
            "En total se añaden 40 días a los 180, así que el plazo vence el martes 2026-08-18 (180 + 40 días después del sábado 2026-01-10), antes de cualquier traslado por fin de semana o día festivo.",
            "El martes 2026-08-18 es día hábil (no es fin de semana ni día festivo), así que el plazo se queda en esa fecha.",
            "Al lunes 2026-03-16, la cuenta sigue corriendo, con 155 días por delante después de ese día: una queja presentada el martes 2026-08-18 o antes queda dentro del plazo así calculado.",
            "Todo esto se calcula a partir de las fechas indicadas. Si una queja se presenta a tiempo lo decide el comité de quejas de la asociación; el personal de la asociación puede indicarle los días añadidos.",
        ]
    );
}

#[test]
fn one_and_many_take_their_own_sentences() {
    let holidays = HolidayCalendar::us_federal();
    // One day of the episode (2026-01-10) is on the trigger date; one is added.
    let one = report(
        "2026-01-10",
        &[informal("2026-01-10", Some("2026-01-11"))],
        &holidays,
        false,
        "2026-01-12",
    );
    let en = sentences(&one.steps, Lang::En);
    assert!(
        en[2].contains("adds 1 day (Sunday 2026-01-11 to Sunday 2026-01-11, both dates included; 1 day on or before Saturday 2026-01-10 does not count,"),
        "{}",
        en[2]
    );
    assert!(en[3].starts_with("In total 1 day is added to the 180"));
    let es = sentences(&one.steps, Lang::Es);
    assert!(es[2].contains("añade 1 día"), "{}", es[2]);
    assert!(
        es[2].contains("no cuenta 1 día del sábado 2026-01-10 o anterior"),
        "{}",
        es[2]
    );
    assert!(es[3].starts_with("En total se añade 1 día a los 180"));

    let many = report(
        "2026-01-10",
        &[informal("2026-01-05", Some("2026-01-20"))],
        &holidays,
        false,
        "2026-01-21",
    );
    let es = sentences(&many.steps, Lang::Es);
    assert!(
        es[2].contains("no cuentan 6 días del sábado 2026-01-10 o anteriores"),
        "{}",
        es[2]
    );
    assert!(es[3].starts_with("En total se añaden 10 días a los 180"));

    // An open episode: "so far N days have been added" agrees with N.
    let open = report(
        "2026-01-10",
        &[informal("2026-02-02", None)],
        &holidays,
        true,
        "2026-02-02",
    );
    let en = sentences(&open.steps, Lang::En);
    assert!(en.iter().any(|s| s.contains("so far 1 day has been added")));
    let es = sentences(&open.steps, Lang::Es);
    assert!(
        es.iter()
            .any(|s| s.contains("hasta ahora se ha añadido 1 día"))
    );
    let later = report(
        "2026-01-10",
        &[informal("2026-02-02", None)],
        &holidays,
        true,
        "2026-02-05",
    );
    let es = sentences(&later.steps, Lang::Es);
    assert!(
        es.iter()
            .any(|s| s.contains("hasta ahora se han añadido 4 días"))
    );
}

#[test]
fn holidays_are_named_in_the_readers_language() {
    // The 180th day after 2026-03-11 is Labor Day, Monday 2026-09-07, after a weekend.
    let r = report(
        "2026-03-09",
        &[],
        &HolidayCalendar::us_federal(),
        true,
        "2026-03-09",
    );
    let es = sentences(&r.steps, Lang::Es);
    assert!(
        es.contains(&"El sábado 2026-09-05 cae en fin de semana, el domingo 2026-09-06 cae en fin de semana y el lunes 2026-09-07 es día festivo (Día del Trabajo), así que el plazo pasa al siguiente día hábil, el martes 2026-09-08.".to_owned()),
        "{es:#?}"
    );

    // Independence Day 2026 falls on a Saturday and is observed on Friday 2026-07-03.
    let observed = HolidayName::Federal {
        holiday: FederalHoliday::IndependenceDay,
        observed: true,
    };
    assert_eq!(
        holiday_name(&observed, Lang::En),
        "Independence Day (observed)"
    );
    assert_eq!(
        holiday_name(&observed, Lang::Es),
        "Día de la Independencia (observado)"
    );

    // The association's own: its Spanish name where given, else its only name.
    let mut own = HolidayCalendar::none();
    own.add_named(
        d("2026-11-27"),
        "Day after Thanksgiving".to_owned(),
        vec![(
            "es".to_owned(),
            "Día después de Acción de Gracias".to_owned(),
        )],
    );
    own.add(d("2026-12-24"), "Christmas Eve");
    let named = |date: &str, lang| holiday_name(&own.holiday_named(d(date)).unwrap(), lang);
    assert_eq!(
        named("2026-11-27", Lang::Es),
        "Día después de Acción de Gracias"
    );
    assert_eq!(named("2026-11-27", Lang::En), "Day after Thanksgiving");
    assert_eq!(named("2026-12-24", Lang::Es), "Christmas Eve");
    // Concluded 2026-05-31: the 180th day is Friday 2026-11-27, with roll-forward off.
    let kept = report("2026-05-31", &[], &own, false, "2026-06-01");
    let es = sentences(&kept.steps, Lang::Es);
    assert!(
        es.iter()
            .any(|s| s.ends_with("aunque es día festivo (Día después de Acción de Gracias).")),
        "{es:#?}"
    );
}

#[test]
fn the_english_holiday_names_are_the_statutes() {
    // 5 U.S.C. 6103(a), in the order of `FederalHoliday::ALL`.
    let statute = [
        "New Year's Day",
        "Birthday of Martin Luther King, Jr.",
        "Washington's Birthday",
        "Memorial Day",
        "Juneteenth National Independence Day",
        "Independence Day",
        "Labor Day",
        "Columbus Day",
        "Veterans Day",
        "Thanksgiving Day",
        "Christmas Day",
    ];
    for (holiday, name) in FederalHoliday::ALL.into_iter().zip(statute) {
        assert_eq!(Lang::En.t(holiday_key(holiday)), name);
        for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
            let translated = lang.t(holiday_key(holiday));
            assert_ne!(translated, "(missing text)");
            assert_ne!(translated, name, "{holiday:?} is not translated");
        }
    }
}

#[test]
fn unbroken_dates_keep_weekday_and_date_together() {
    let r = report(
        "2026-01-10",
        &[informal("2026-02-02", Some("2026-03-13"))],
        &HolidayCalendar::us_federal(),
        true,
        "2026-03-13",
    );
    for lang in Lang::ALL {
        let plain = sentences(&r.steps, lang);
        let unbroken = sentences_unbroken(&r.steps, lang);
        // Every sentence but the last, which leaves the decision to the committee (no date).
        let dated = plain.len() - 1;
        for (plain, unbroken) in plain.iter().zip(&unbroken).take(dated) {
            assert_eq!(&unbroken.replace('\u{a0}', " "), plain);
            assert!(!unbroken.contains(" 2026-"), "{unbroken}");
            assert!(unbroken.contains("\u{a0}2026-"), "{unbroken}");
        }
    }
}

#[test]
fn a_sentence_that_starts_with_a_weekday_starts_with_a_capital() {
    assert_eq!(capitalize("sábado 2026-09-05"), "Sábado 2026-09-05");
    assert_eq!(capitalize("él"), "Él");
    assert_eq!(capitalize(""), "");
    let r = report(
        "2026-01-10",
        &[],
        &HolidayCalendar::us_federal(),
        true,
        "2026-01-10",
    );
    for lang in Lang::ALL {
        for sentence in sentences(&r.steps, lang) {
            assert!(
                sentence.starts_with(char::is_uppercase),
                "{}: {sentence}",
                lang.code()
            );
        }
    }
}
