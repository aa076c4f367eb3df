//! The public intake form (`POST /concerns`): the strict `application/x-www-form-urlencoded`
//! decoder, then the intake's own reading and checking of the fields.
//!
//! Invariants beyond "does not crash":
//! - a body the strict decoder accepts decodes to exactly the pairs that the WHATWG decoder
//!   (`form_urlencoded`) finds in it, with no name twice;
//! - an accepted concern respects the length limits, holds no control characters other than
//!   newline and tab, has no surrounding whitespace, has dates between 1900 and today, and
//!   was only accepted with the conditions of use ticked.
#![no_main]
#![forbid(unsafe_code)]

#[path = "invariants.rs"]
mod invariants;

use chrono::{Datelike, NaiveDate};
use libfuzzer_sys::fuzz_target;
use ombuds::domain::concern::{Limits, expose, validate};
use ombuds::http::decode::FormFields;
use ombuds::http::intake::draft_from_form;

/// Small limits, so that the fuzzer reaches them.
const LIMITS: Limits = Limits {
    max_description_chars: 40,
    max_contact_chars: 12,
};

/// Accepted text is clean and, here, never empty.
fn assert_clean(text: &str, max_chars: usize) {
    invariants::assert_clean(text, max_chars);
    assert!(!text.is_empty());
}

fuzz_target!(|body: &[u8]| {
    let Ok(mut form) = FormFields::parse(body) else {
        return;
    };
    let mut names = Vec::new();
    for (name, value) in form_urlencoded::parse(body) {
        assert!(!names.contains(&name), "{name:?} accepted twice");
        let decoded = form.take(&name);
        assert_eq!(
            decoded.as_deref().map(String::as_str),
            Some(&*value),
            "field {name:?}"
        );
        names.push(name);
    }

    let Some(today) = NaiveDate::from_ymd_opt(2026, 11, 23) else {
        return;
    };
    let Ok(mut form) = FormFields::parse(body) else {
        panic!("the decoder is not deterministic");
    };
    let draft = draft_from_form(&mut form);
    if let Ok(concern) = validate(&draft, today, LIMITS) {
        assert!(draft.accept_conditions);
        assert_clean(expose(&concern.description), LIMITS.max_description_chars);
        if let Some(contact) = &concern.contact {
            assert_clean(expose(contact), LIMITS.max_contact_chars);
        }
        for date in [concern.concluded_on, concern.discovered_on]
            .into_iter()
            .flatten()
        {
            assert!(date <= today && date.year() >= 1900, "{date}");
        }
        assert_eq!(
            draft.category.as_deref().map(str::trim),
            Some(concern.category.code())
        );
        assert_eq!(
            draft.raised_by.as_deref().map(str::trim),
            Some(concern.raised_by.code())
        );
    }
});
