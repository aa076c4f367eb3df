use super::*;
use crate::domain::dates::parse_iso_date;
use crate::domain::notices::NoticeVersion;
use crate::letters::letter::TEXT_WIDTH;

fn d(text: &str) -> NaiveDate {
    parse_iso_date(text).unwrap()
}

fn letterhead() -> Letterhead {
    Letterhead {
        name: "Example Association of REALTORS®".into(),
        phone: Some("555-0100".into()),
        email: Some("ombuds@example.org".into()),
        postal_address: None,
    }
}

fn standards() -> ProfessionalStandards {
    ProfessionalStandards {
        name: "Professional Standards Administrator".into(),
        names: vec![(Lang::Es, "Administración de normas profesionales".into())],
        phone: Some("555-0110".into()),
        email: None,
    }
}

fn referrals() -> Letters {
    Letters {
        certificate_days: 30,
        options: vec![Referral {
            name: "Ethics mediation".into(),
            names: vec![(Lang::Es, "Mediación ética".into())],
            phone: Some("555-0111".into()),
            email: None,
            address: None,
            web: None,
        }],
        agencies: vec![Referral {
            name: "State Department of Real Estate".into(),
            names: Vec::new(),
            phone: Some("555-0199".into()),
            email: None,
            address: Some("100 Capitol Avenue, Phoenix, AZ 85007".into()),
            web: Some("https://realestate.example.gov".into()),
        }],
    }
}

const COMPLAINANT: Addressee<'static> = Addressee {
    version: NoticeVersion::Complainant,
    reference: "K3QF-7ZPA",
    name: None,
    contact: None,
};

fn letter(which: FollowUp, addressee: Addressee<'_>, lang: Lang, listed: &Letters) -> Letter {
    let letterhead = letterhead();
    let standards = standards();
    compose_in(
        &FollowUpInput {
            letterhead: &letterhead,
            professional_standards: Some(&standards),
            referrals: listed,
            letter: which,
            addressee,
            date: d("2026-12-07"),
            kept_until: d("2027-06-04"),
        },
        lang,
    )
}

#[test]
fn each_follow_up_letter_in_each_language() {
    let listed = referrals();
    for which in FollowUp::ALL {
        for lang in Lang::ALL {
            let text = letter(which, COMPLAINANT, lang, &listed).text();
            insta::assert_snapshot!(format!("{}_{}", which.code(), lang.code()), text);
        }
    }
}

#[test]
fn the_options_and_agencies_are_listed_unless_the_complaint_was_filed() {
    let listed = referrals();
    for which in FollowUp::ALL {
        let text = letter(which, COMPLAINANT, Lang::En, &listed).text();
        assert_eq!(
            text.contains("Ethics mediation: Telephone: 555-0111"),
            which.lists_options(),
            "{which:?}"
        );
        assert_eq!(
            text.contains("State Department of Real Estate"),
            which.lists_options(),
            "{which:?}"
        );
        // The termination notice carries the deadline; no letter states one of its own.
        assert!(!text.contains("must be filed by"), "{which:?}");
        for line in text.lines() {
            assert!(line.chars().count() <= TEXT_WIDTH, "too long: {line:?}");
        }
    }
}

#[test]
fn public_trust_lists_the_agencies_as_formal_avenues() {
    let text = letter(FollowUp::PublicTrust, COMPLAINANT, Lang::En, &referrals()).text();
    let formal = text.find("The formal avenues").unwrap();
    let agency = text.find("State Department of Real Estate").unwrap();
    assert!(agency > formal);
    assert!(!text.contains("Agencies that may help"));
}

#[test]
fn without_configured_options_the_letter_says_to_ask_the_association() {
    let letterhead = letterhead();
    let empty = Letters::default();
    let text = compose_in(
        &FollowUpInput {
            letterhead: &letterhead,
            professional_standards: None,
            referrals: &empty,
            letter: FollowUp::Unresolved,
            addressee: COMPLAINANT,
            date: d("2026-12-07"),
            kept_until: d("2027-06-04"),
        },
        Lang::En,
    )
    .text();
    assert!(text.contains("Ask the association, at the contacts at the top"));
}

#[test]
fn a_party_of_a_filed_complaint_is_addressed_by_name_in_its_language() {
    let member = Addressee {
        version: NoticeVersion::Party,
        reference: "K3QF-7ZPA",
        name: Some("Pat Member"),
        contact: Some("12 Elm Street\nPhoenix"),
    };
    let text = letter(FollowUp::ComplaintDismissed, member, Lang::Es, &referrals()).text();
    assert!(text.contains("Para: Pat Member\n12 Elm Street\nPhoenix\n"));
    assert!(text.contains("desestimará la queja"));
    let html = letter(FollowUp::ComplaintProceeds, member, Lang::En, &referrals())
        .html()
        .unwrap();
    assert!(html.contains("<h1>The complaint proceeds</h1>"));
    assert!(html.contains("Date of this letter:"));
}
