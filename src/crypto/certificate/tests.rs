use std::os::unix::fs::PermissionsExt;

use proptest::prelude::*;

use super::*;

/// An error in English words, as the page, the JSON answer and the command say it.
fn said(error: &VerifyError) -> String {
    crate::i18n::Lang::En.say(&error.phrase())
}

/// A phrase in English words.
fn words(phrase: &Phrase) -> String {
    crate::i18n::Lang::En.say(phrase)
}

fn date(text: &str) -> NaiveDate {
    parse_iso_date(text).unwrap()
}

/// A key from a fixed seed, so that signatures are reproducible.
pub(crate) fn fixed_key() -> SigningKey {
    SigningKey(ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]))
}

/// The worked example of docs/RULES.md, issued with a random id.
fn example(key: &SigningKey) -> Certificate {
    key.issue(
        "Example Association of REALTORS®",
        date("2026-02-02"),
        date("2026-03-13"),
        date("2026-03-16"),
    )
    .unwrap()
}

/// A certificate with every field fixed, signed with [`fixed_key`]; `edit` may change the fields
/// before signing (to sign inconsistent fields, which `issue` never does).
pub(crate) fn fixed_certificate(edit: impl FnOnce(&mut Certificate)) -> Certificate {
    let key = fixed_key();
    let mut certificate = Certificate {
        id: "3q7vjxkdcb5tqm2y4zlxh6w2aa".into(),
        association: "Example Association of REALTORS®".into(),
        first_contact: date("2026-02-02"),
        termination: date("2026-03-13"),
        days_suspended: 40,
        issued: date("2026-03-16"),
        key: key.public_key().fingerprint(),
        signature: [0; 64],
    };
    edit(&mut certificate);
    certificate.signature = key
        .0
        .sign(&signed_bytes(&SUSPENSION, &certificate.signed_values()))
        .to_bytes();
    certificate
}

/// A fixed certificate (fixed key and id) for other modules' tests, with the given dates.
pub(crate) fn fixed_with_dates(
    first_contact: NaiveDate,
    termination: NaiveDate,
    issued: NaiveDate,
) -> Certificate {
    fixed_certificate(|c| {
        c.first_contact = first_contact;
        c.termination = termination;
        c.days_suspended = inclusive_days(first_contact, termination);
        c.issued = issued;
    })
}

const FIXED_TEXT: &str = "\
-----BEGIN OMBUDS SUSPENSION CERTIFICATE-----
Format: ombuds-suspension-certificate/1
Certificate-Id: 3q7vjxkdcb5tqm2y4zlxh6w2aa
Association: Example Association of REALTORS®
First-Contact: 2026-02-02
Termination: 2026-03-13
Days-Suspended: 40
Issued: 2026-03-16
Key-Fingerprint: FINGERPRINT
Signature: SIGNATURE
-----END OMBUDS SUSPENSION CERTIFICATE-----
";

#[test]
fn the_format_is_fixed() {
    let certificate = fixed_certificate(|_| {});
    let text = certificate.armoured();
    let fingerprint = fixed_key().public_key().fingerprint().to_string();
    let signature = data_encoding::BASE64.encode(&certificate.signature);
    let expected = FIXED_TEXT.replace("FINGERPRINT", &fingerprint).replace(
        "SIGNATURE",
        &format!("{}\n           {}", &signature[..44], &signature[44..]),
    );
    assert_eq!(text, expected);
    // No line is longer than a mail client leaves alone.
    assert!(text.lines().all(|l| l.chars().count() <= 76), "{text}");
    // Ed25519 is deterministic: the same key and fields give the same signature. This pins the
    // canonical bytes: any change to them changes this value.
    assert_eq!(certificate.armoured(), fixed_certificate(|_| {}).armoured());
}

#[test]
fn the_signature_covers_exactly_the_documented_bytes() {
    let key = fixed_key();
    let certificate = fixed_certificate(|_| {});
    let message = format!(
        "Format: ombuds-suspension-certificate/1\n\
         Certificate-Id: 3q7vjxkdcb5tqm2y4zlxh6w2aa\n\
         Association: Example Association of REALTORS®\n\
         First-Contact: 2026-02-02\n\
         Termination: 2026-03-13\n\
         Days-Suspended: 40\n\
         Issued: 2026-03-16\n\
         Key-Fingerprint: {}\n",
        key.public_key().fingerprint()
    );
    let signature = Signature::from_bytes(&certificate.signature);
    key.public_key()
        .0
        .verify_strict(message.as_bytes(), &signature)
        .unwrap();
}

#[test]
fn issue_then_verify_round_trips() {
    let key = SigningKey::generate().unwrap();
    let certificate = example(&key);
    assert_eq!(certificate.days_suspended(), 40);
    assert_eq!(certificate.resumes_on(), Some(date("2026-03-14")));
    assert_eq!(certificate.id().len(), 26);
    let verified = verify(&certificate.armoured(), &[key.public_key()]).unwrap();
    assert_eq!(verified, Verified::Suspension(certificate.clone()));
    assert_eq!(verified.kind(), Kind::Suspension);
    assert_eq!(verified.armoured(), certificate.armoured());
    let json = verified.to_json();
    assert_eq!(json["valid"], true);
    assert_eq!(json["kind"], "suspension");
    assert_eq!(json["first_contact"], "2026-02-02");
    assert_eq!(json["termination"], "2026-03-13");
    assert_eq!(json["days_suspended"], 40);
    assert_eq!(json["resumes_on"], "2026-03-14");
    assert_eq!(json["issued"], "2026-03-16");
    assert_eq!(json["association"], "Example Association of REALTORS®");
    // A second certificate for the same dates has its own id.
    assert_ne!(example(&key).id(), certificate.id());
}

#[test]
fn a_one_day_suspension_counts_one_day() {
    let key = fixed_key();
    let day = date("2026-07-04");
    let certificate = key.issue("A", day, day, day).unwrap();
    assert_eq!(certificate.days_suspended(), 1);
    verify(&certificate.armoured(), &[key.public_key()]).unwrap();
}

#[test]
fn a_change_to_any_single_field_is_a_signature_that_does_not_match() {
    let key = SigningKey::generate().unwrap();
    let text = example(&key).armoured();
    let other = SigningKey::generate().unwrap().public_key().fingerprint();
    let replacements: [(&str, String); 9] = [
        ("Format", "ombuds-suspension-certificate/2".into()),
        ("Certificate-Id", "aaaaaaaaaaaaaaaaaaaaaaaaaa".into()),
        ("Association", "Other Association of REALTORS®".into()),
        ("First-Contact", "2026-02-01".into()),
        ("Termination", "2026-03-14".into()),
        ("Days-Suspended", "41".into()),
        ("Issued", "2026-03-17".into()),
        ("Key-Fingerprint", other.to_string()),
        ("Signature", "A".repeat(86) + "=="),
    ];
    for (field, value) in replacements {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with(&format!("{field}:")))
            .unwrap();
        lines[at] = format!("{field}: {value}");
        if field == "Signature" {
            lines.remove(at + 1);
        }
        let tampered = lines.join("\n");
        assert_eq!(
            verify(&tampered, &[key.public_key()]),
            Err(VerifyError::SignatureMismatch),
            "changing {field}"
        );
    }
}

#[test]
fn changing_any_character_of_any_value_fails() {
    let key = SigningKey::generate().unwrap();
    let text = example(&key).armoured();
    let trusted = [key.public_key()];
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        if *line == BEGIN || *line == END {
            continue;
        }
        let value_start = line.find(':').map_or(0, |c| c + 2).min(line.len());
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        for &(at, c) in chars.iter().filter(|(at, _)| *at >= value_start) {
            if c == ' ' {
                continue;
            }
            let swapped = if c == 'a' { 'b' } else { 'a' };
            let mut changed = lines.clone();
            let new_line = format!("{}{swapped}{}", &line[..at], &line[at + c.len_utf8()..]);
            changed[index] = &new_line;
            let result = verify(&changed.join("\n"), &trusted);
            assert!(
                result.is_err(),
                "line {index} char {at} changed still verifies"
            );
        }
    }
}

#[test]
fn another_associations_key_is_named_by_its_fingerprint() {
    let ours = SigningKey::generate().unwrap();
    let theirs = SigningKey::generate().unwrap();
    let certificate = example(&theirs);
    let error = verify(&certificate.armoured(), &[ours.public_key()]).unwrap_err();
    let VerifyError::WrongKey { claimed, trusted } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*claimed, theirs.public_key().fingerprint().to_string());
    assert_eq!(*trusted, vec![ours.public_key().fingerprint().to_string()]);
    let message = said(&error);
    assert!(
        message.contains("made with a different key (fingerprint "),
        "{message}"
    );
    assert!(message.contains(claimed), "{message}");
    // Trusting both keys (after a rotation) accepts it.
    verify(
        &certificate.armoured(),
        &[ours.public_key(), theirs.public_key()],
    )
    .unwrap();
}

#[test]
fn mail_client_damage_is_tolerated() {
    let key = SigningKey::generate().unwrap();
    let certificate = example(&key);
    let text = certificate.armoured();
    let trusted = [key.public_key()];
    let crlf = text.replace('\n', "\r\n");
    let trailing = text.replace('\n', "  \t\n");
    let indented = text
        .lines()
        .map(|l| format!("    {l}\u{a0}"))
        .collect::<Vec<_>>()
        .join("\n");
    let surrounded = format!(
        "Dear Ms Smith,\n\nhere is the certificate:\n\n{text}\nRegards,\nThe ombuds\n-----END OF MESSAGE-----\n"
    );
    let blank_lines = text.replace('\n', "\n\n");
    let one_line_signature = text.replace("\n           ", "");
    let spaced_colons = text.replace(": ", ":    ");
    for (what, variant) in [
        ("CRLF", crlf),
        ("trailing whitespace", trailing),
        ("indentation", indented),
        ("surrounding text", surrounded),
        ("blank lines", blank_lines),
        ("signature on one line", one_line_signature),
        ("extra spaces after colons", spaced_colons),
    ] {
        assert_eq!(
            verify(&variant, &trusted),
            Ok(Verified::Suspension(certificate.clone())),
            "{what}"
        );
    }
}

#[test]
fn structural_problems_are_named_with_their_line() {
    let key = SigningKey::generate().unwrap();
    let text = format!("Hello\n{}", example(&key).armoured());
    let trusted = [key.public_key()];
    let check = |text: &str| verify(text, &trusted).unwrap_err();

    assert_eq!(check("just some words"), VerifyError::NotACertificate);
    assert_eq!(check(""), VerifyError::NotACertificate);
    let cut = text.replace(END, "");
    assert_eq!(check(&cut), VerifyError::Incomplete);
    assert_eq!(check(&format!("{text}{text}")), VerifyError::MoreThanOne);

    // Line 1 is "Hello", line 2 BEGIN, line 3 Format, ..., line 6 First-Contact.
    let renamed = text.replace("First-Contact:", "First-contact:");
    let error = check(&renamed);
    assert!(
        matches!(&error, VerifyError::Malformed { line: 6, problem } if words(problem).contains("First-Contact: YYYY-MM-DD")),
        "{error:?}"
    );
    assert!(said(&error).starts_with("malformed line 6: "), "{error:?}");

    let swapped = text
        .replace("First-Contact:", "@@")
        .replace("Termination:", "First-Contact:")
        .replace("@@", "Termination:");
    let error = check(&swapped);
    assert!(
        matches!(&error, VerifyError::Malformed { line: 6, problem } if words(problem).contains("out of order")),
        "{error:?}"
    );

    let missing: String = text
        .lines()
        .filter(|l| !l.starts_with("Issued:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let error = check(&missing);
    assert!(
        matches!(&error, VerifyError::Malformed { line: 9, problem } if words(problem).contains("Issued line is missing")),
        "{error:?}"
    );

    let truncated_signature: String = text
        .lines()
        .filter(|l| !l.starts_with("     "))
        .map(|l| format!("{l}\n"))
        .collect();
    let error = check(&truncated_signature);
    assert!(
        matches!(&error, VerifyError::Malformed { line: 11, problem } if words(problem).contains("has 44")),
        "{error:?}"
    );

    let trailing_junk = text.replace(END, &format!("and more\n{END}"));
    let error = check(&trailing_junk);
    assert!(
        matches!(&error, VerifyError::Malformed { line: 13, .. }),
        "{error:?}"
    );

    let nested = text.replace("Issued:", &format!("{BEGIN}\nIssued:"));
    assert!(matches!(
        check(&nested),
        VerifyError::Malformed { line: 9, .. }
    ));

    let long_junk = text.replace("Termination: 2026-03-13", &"x".repeat(10_000));
    let message = said(&check(&long_junk));
    assert!(message.chars().count() < 300, "{message}");
}

#[test]
fn an_unknown_format_is_named() {
    let key = SigningKey::generate().unwrap();
    let text = example(&key)
        .armoured()
        .replace(FORMAT, "ombuds-suspension-certificate/9");
    // Signed with a key not known here, so it cannot be a changed certificate of ours.
    let error = verify(&text, &[SigningKey::generate().unwrap().public_key()]).unwrap_err();
    assert_eq!(
        error,
        VerifyError::UnsupportedFormat {
            format: "ombuds-suspension-certificate/9".into()
        }
    );
}

#[test]
fn signed_but_inconsistent_fields_are_refused() {
    let trusted = [fixed_key().public_key()];
    let check = |edit: fn(&mut Certificate)| {
        said(&verify(&fixed_certificate(edit).armoured(), &trusted).unwrap_err())
    };
    let message = check(|c| c.days_suspended = 41);
    assert_eq!(
        message,
        "the signature is valid, but the certificate is not: it states 41 days suspended, but \
         2026-02-02 to 2026-03-13, both included, is 40 days"
    );
    assert!(check(|c| c.issued = date("2026-03-12")).contains("before the termination date"));
    assert!(
        check(|c| {
            c.termination = date("2026-02-01");
            c.days_suspended = 1;
        })
        .contains("before its first-contact date")
    );
    assert!(check(|c| c.id = "NOT-BASE32".into()).contains("Certificate-Id"));
    assert!(check(|c| c.association = "bell\u{7}".into()).contains("Association"));
}

#[test]
fn issuing_refuses_impossible_requests() {
    let key = fixed_key();
    let (a, b) = (date("2026-02-02"), date("2026-03-13"));
    assert!(matches!(
        key.issue("X", b, a, b),
        Err(IssueError::EndsBeforeStart { .. })
    ));
    assert!(matches!(
        key.issue("X", a, b, a),
        Err(IssueError::IssuedBeforeTermination { .. })
    ));
    for name in ["", " X", "X\nForged: 1", "X\u{7}", &"x".repeat(201)] {
        assert!(
            matches!(key.issue(name, a, b, b), Err(IssueError::Association(_))),
            "{name:?}"
        );
    }
    let far = NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap();
    assert!(matches!(
        key.issue("X", a, b, far),
        Err(IssueError::DateOutOfRange(_))
    ));
}

#[test]
fn public_keys_round_trip_and_bad_ones_are_explained() {
    let key = SigningKey::generate().unwrap();
    let public = key.public_key();
    let text = public.to_string();
    assert!(text.starts_with("ed25519:"), "{text}");
    assert_eq!(PublicKey::parse(&format!("  {text}\n")).unwrap(), public);
    assert!(
        PublicKey::parse(text.trim_start_matches("ed25519:"))
            .unwrap_err()
            .to_string()
            .contains("starts with")
    );
    assert!(PublicKey::parse("ed25519:!!!").is_err());
    assert!(PublicKey::parse("ed25519:AAAA").is_err());
    // The identity point is a weak key.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak = format!("ed25519:{}", data_encoding::BASE64.encode(&identity));
    assert!(
        PublicKey::parse(&weak)
            .unwrap_err()
            .to_string()
            .contains("weak")
    );
    let fingerprint = public.fingerprint().to_string();
    assert_eq!(fingerprint.len(), 39);
    assert_eq!(Fingerprint::parse(&fingerprint), Some(public.fingerprint()));
    assert_eq!(Fingerprint::parse(&fingerprint.to_uppercase()), None);
}

#[test]
fn key_files_round_trip_owner_only_and_debug_shows_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signing.key");
    let key = SigningKey::generate().unwrap();
    let text = key.file_text();
    assert!(text.contains(&key.public_key().to_string()));
    secret_file::create(&path, text.as_bytes()).unwrap();
    let loaded = SigningKey::load(&path).unwrap();
    assert_eq!(loaded.public_key(), key.public_key());
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix(SECRET_KEY_PREFIX))
        .unwrap()
        .to_owned();
    let shown = format!("{key:?}");
    assert!(!shown.contains(&secret), "{shown}");
    assert!(shown.contains(&key.public_key().fingerprint().to_string()));

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert!(
        SigningKey::load(&path)
            .unwrap_err()
            .to_string()
            .contains("chmod 600")
    );

    let empty = dir.path().join("empty.key");
    secret_file::create(&empty, b"# nothing\n").unwrap();
    assert!(matches!(
        SigningKey::load(&empty),
        Err(SigningKeyError::Content(_))
    ));
}

/// A valid certificate text, made once for the property tests.
fn sample() -> (String, PublicKey, Certificate) {
    let key = fixed_key();
    let certificate = fixed_certificate(|_| {});
    (certificate.armoured(), key.public_key(), certificate)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let (_, public, _) = sample();
        let _ = verify(&text, &[public]);
    }

    #[test]
    fn arbitrary_lines_inside_the_armour_never_panic(
        lines in proptest::collection::vec("[A-Za-z:+/= -]{0,40}|[ -~]{0,100}", 0..14)
    ) {
        let (_, public, _) = sample();
        let text = format!("{BEGIN}\n{}\n{END}\n", lines.join("\n"));
        let _ = verify(&text, &[public]);
    }

    #[test]
    fn a_mutated_certificate_never_panics_and_never_verifies_as_something_else(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<char>()), 1..4)
    ) {
        let (text, public, original) = sample();
        let mut chars: Vec<char> = text.chars().collect();
        for (index, kind, c) in edits {
            let at = index.index(chars.len() + 1);
            match kind {
                0 => chars.insert(at, c),
                1 if at < chars.len() => { chars.remove(at); }
                _ if at < chars.len() => chars[at] = c,
                _ => chars.push(c),
            }
        }
        let mutated: String = chars.into_iter().collect();
        if let Ok(verified) = verify(&mutated, &[public]) {
            // Only whitespace and surrounding text may change: the fields must be the same.
            prop_assert_eq!(verified, Verified::Suspension(original));
        }
    }
}

// The resolution certificate.

/// A resolution certificate with every field fixed, signed with [`fixed_key`]; `edit` may change
/// the fields before signing (to sign inconsistent fields, which `issue_resolution` never does).
pub(crate) fn fixed_resolution(
    edit: impl FnOnce(&mut ResolutionCertificate),
) -> ResolutionCertificate {
    let key = fixed_key();
    let mut certificate = ResolutionCertificate {
        id: "7k2m4qx5wz3a6bcd7efgh2jk3a".into(),
        association: "Example Association of REALTORS®".into(),
        first_contact: date("2026-02-02"),
        agreed: date("2026-03-10"),
        issued: date("2026-03-16"),
        key: key.public_key().fingerprint(),
        signature: [0; 64],
    };
    edit(&mut certificate);
    certificate.signature = key
        .0
        .sign(&signed_bytes(&RESOLUTION, &certificate.signed_values()))
        .to_bytes();
    certificate
}

fn resolution_example(key: &SigningKey) -> ResolutionCertificate {
    key.issue_resolution(
        "Example Association of REALTORS®",
        date("2026-02-02"),
        date("2026-03-10"),
        date("2026-03-16"),
    )
    .unwrap()
}

const FIXED_RESOLUTION_TEXT: &str = "\
-----BEGIN OMBUDS RESOLUTION CERTIFICATE-----
Format: ombuds-resolution-certificate/1
Certificate-Id: 7k2m4qx5wz3a6bcd7efgh2jk3a
Association: Example Association of REALTORS®
First-Contact: 2026-02-02
Agreed: 2026-03-10
Issued: 2026-03-16
Key-Fingerprint: FINGERPRINT
Signature: SIGNATURE
-----END OMBUDS RESOLUTION CERTIFICATE-----
";

#[test]
fn each_kind_lists_one_shape_per_field_and_one_more_field_than_it_signs() {
    for (spec, signed) in [
        (&SUSPENSION, SUSPENSION_SIGNED),
        (&RESOLUTION, RESOLUTION_SIGNED),
    ] {
        assert_eq!(spec.fields.len(), signed + 1, "{}", spec.format);
        assert_eq!(spec.shapes.len(), spec.fields.len(), "{}", spec.format);
        assert_eq!(spec.fields[0], "Format");
        assert_eq!(spec.fields[signed - 1], "Key-Fingerprint");
        assert_eq!(spec.fields[signed], "Signature");
        assert!(spec.shapes[0].ends_with(spec.format));
    }
}

#[test]
fn the_resolution_format_is_fixed() {
    let certificate = fixed_resolution(|_| {});
    let text = certificate.armoured();
    let fingerprint = fixed_key().public_key().fingerprint().to_string();
    let signature = data_encoding::BASE64.encode(&certificate.signature);
    let expected = FIXED_RESOLUTION_TEXT
        .replace("FINGERPRINT", &fingerprint)
        .replace(
            "SIGNATURE",
            &format!("{}\n           {}", &signature[..44], &signature[44..]),
        );
    assert_eq!(text, expected);
    assert!(text.lines().all(|l| l.chars().count() <= 76), "{text}");
    // Nothing of the plan, no names, no case: only these fields.
    assert_eq!(text.lines().count(), 11);
}

#[test]
fn the_resolution_signature_covers_exactly_the_documented_bytes() {
    let key = fixed_key();
    let certificate = fixed_resolution(|_| {});
    let message = format!(
        "Format: ombuds-resolution-certificate/1\n\
         Certificate-Id: 7k2m4qx5wz3a6bcd7efgh2jk3a\n\
         Association: Example Association of REALTORS®\n\
         First-Contact: 2026-02-02\n\
         Agreed: 2026-03-10\n\
         Issued: 2026-03-16\n\
         Key-Fingerprint: {}\n",
        key.public_key().fingerprint()
    );
    let signature = Signature::from_bytes(&certificate.signature);
    key.public_key()
        .0
        .verify_strict(message.as_bytes(), &signature)
        .unwrap();
}

#[test]
fn a_resolution_certificate_round_trips() {
    let key = SigningKey::generate().unwrap();
    let certificate = resolution_example(&key);
    assert_eq!(certificate.first_contact(), date("2026-02-02"));
    assert_eq!(certificate.agreed(), date("2026-03-10"));
    assert_eq!(certificate.issued(), date("2026-03-16"));
    assert_eq!(certificate.id().len(), 26);
    let text = certificate.armoured();
    assert!(text.starts_with(RESOLUTION_BEGIN), "{text}");
    let verified = verify(&text, &[key.public_key()]).unwrap();
    assert_eq!(verified.kind(), Kind::Resolution);
    assert_eq!(verified.id(), certificate.id());
    assert_eq!(verified.armoured(), text);
    assert_eq!(verified, Verified::Resolution(certificate.clone()));
    let json = verified.to_json();
    assert_eq!(
        json,
        serde_json::json!({
            "valid": true,
            "kind": "resolution",
            "format": "ombuds-resolution-certificate/1",
            "certificate_id": certificate.id(),
            "association": "Example Association of REALTORS®",
            "first_contact": "2026-02-02",
            "agreed": "2026-03-10",
            "issued": "2026-03-16",
            "key_fingerprint": key.public_key().fingerprint().to_string(),
        })
    );
    // Mail damage is tolerated as for the other kind.
    let damaged = format!("Hello,\r\n\r\n{}\r\nBye\r\n", text.replace('\n', "  \r\n"));
    assert_eq!(verify(&damaged, &[key.public_key()]), Ok(verified));
    assert_ne!(resolution_example(&key).id(), certificate.id());
}

#[test]
fn a_change_to_any_field_of_a_resolution_certificate_is_a_signature_that_does_not_match() {
    let key = SigningKey::generate().unwrap();
    let text = resolution_example(&key).armoured();
    let other = SigningKey::generate().unwrap().public_key().fingerprint();
    let replacements: [(&str, String); 8] = [
        ("Format", "ombuds-resolution-certificate/2".into()),
        ("Certificate-Id", "aaaaaaaaaaaaaaaaaaaaaaaaaa".into()),
        ("Association", "Other Association of REALTORS®".into()),
        ("First-Contact", "2026-02-01".into()),
        ("Agreed", "2026-03-11".into()),
        ("Issued", "2026-03-17".into()),
        ("Key-Fingerprint", other.to_string()),
        ("Signature", "A".repeat(86) + "=="),
    ];
    for (field, value) in replacements {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with(&format!("{field}:")))
            .unwrap();
        lines[at] = format!("{field}: {value}");
        if field == "Signature" {
            lines.remove(at + 1);
        }
        let tampered = lines.join("\n");
        assert_eq!(
            verify(&tampered, &[key.public_key()]),
            Err(VerifyError::SignatureMismatch),
            "changing {field}"
        );
    }
    // Any one character of any value, too.
    let trusted = [key.public_key()];
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        if *line == RESOLUTION_BEGIN || *line == RESOLUTION_END {
            continue;
        }
        let value_start = line.find(':').map_or(0, |c| c + 2).min(line.len());
        for (at, c) in line.char_indices().filter(|(at, _)| *at >= value_start) {
            if c == ' ' {
                continue;
            }
            let swapped = if c == 'a' { 'b' } else { 'a' };
            let mut changed = lines.clone();
            let new_line = format!("{}{swapped}{}", &line[..at], &line[at + c.len_utf8()..]);
            changed[index] = &new_line;
            assert!(
                verify(&changed.join("\n"), &trusted).is_err(),
                "line {index} char {at} changed still verifies"
            );
        }
    }
}

#[test]
fn the_armour_must_name_the_kind_the_format_line_names() {
    let key = SigningKey::generate().unwrap();
    let trusted = [key.public_key()];
    let resolution = resolution_example(&key).armoured();
    let suspension = example(&key).armoured();

    // A resolution certificate inside a suspension certificate's armour (line 2 is Format).
    let rearmoured = resolution
        .replace(RESOLUTION_BEGIN, BEGIN)
        .replace(RESOLUTION_END, END);
    let error = verify(&rearmoured, &trusted).unwrap_err();
    assert!(
        matches!(&error, VerifyError::Malformed { line: 2, .. }),
        "{error:?}"
    );
    let message = said(&error);
    assert!(
        message.contains("ombuds-resolution-certificate/1") && message.contains(BEGIN),
        "{message}"
    );
    // And the other way round.
    let rearmoured = suspension
        .replace(BEGIN, RESOLUTION_BEGIN)
        .replace(END, RESOLUTION_END);
    let error = verify(&rearmoured, &trusted).unwrap_err();
    assert!(
        matches!(&error, VerifyError::Malformed { line: 2, .. }),
        "{error:?}"
    );

    // A BEGIN line of one kind closed by the END line of the other.
    let crossed = resolution.replace(RESOLUTION_END, END);
    let error = verify(&crossed, &trusted).unwrap_err();
    assert!(
        matches!(&error, VerifyError::Malformed { line: 11, .. }),
        "{error:?}"
    );
    assert!(said(&error).contains(RESOLUTION_END), "{}", said(&error));

    // One of each kind in the same text is more than one.
    assert_eq!(
        verify(&format!("{resolution}{suspension}"), &trusted),
        Err(VerifyError::MoreThanOne)
    );
    // Neither BEGIN line: not a certificate, and the message names both.
    let error = verify("no certificate here", &trusted).unwrap_err();
    assert_eq!(error, VerifyError::NotACertificate);
    assert!(said(&error).contains(RESOLUTION_BEGIN), "{}", said(&error));
    // A missing field is named with its shape.
    let missing: String = resolution
        .lines()
        .filter(|l| !l.starts_with("Agreed:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let error = verify(&missing, &trusted).unwrap_err();
    assert!(
        said(&error).contains("expected the Agreed line here"),
        "{}",
        said(&error)
    );
}

#[test]
fn signed_but_inconsistent_resolution_fields_are_refused() {
    let trusted = [fixed_key().public_key()];
    let check = |edit: fn(&mut ResolutionCertificate)| {
        said(&verify(&fixed_resolution(edit).armoured(), &trusted).unwrap_err())
    };
    assert_eq!(
        check(|c| c.agreed = date("2026-02-01")),
        "the signature is valid, but the certificate is not: its agreement date 2026-02-01 is \
         before its first-contact date 2026-02-02"
    );
    assert!(check(|c| c.issued = date("2026-03-09")).contains("before the agreement date"));
    assert!(check(|c| c.id = "NOT-BASE32".into()).contains("Certificate-Id"));
    assert!(check(|c| c.association = "bell\u{7}".into()).contains("Association"));
}

#[test]
fn issuing_a_resolution_certificate_refuses_impossible_requests() {
    let key = fixed_key();
    let (a, b) = (date("2026-02-02"), date("2026-03-10"));
    assert!(matches!(
        key.issue_resolution("X", b, a, b),
        Err(IssueError::AgreedBeforeStart { .. })
    ));
    assert!(matches!(
        key.issue_resolution("X", a, b, a),
        Err(IssueError::IssuedBeforeAgreement { .. })
    ));
    assert!(matches!(
        key.issue_resolution("X\nForged: 1", a, b, b),
        Err(IssueError::Association(_))
    ));
    // The same day for all three is fine.
    let day = date("2026-07-04");
    let same = key.issue_resolution("A", day, day, day).unwrap();
    verify(&same.armoured(), &[key.public_key()]).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_mutated_resolution_certificate_never_panics_and_never_verifies_as_something_else(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<char>()), 1..4)
    ) {
        let original = fixed_resolution(|_| {});
        let public = fixed_key().public_key();
        let mut chars: Vec<char> = original.armoured().chars().collect();
        for (index, kind, c) in edits {
            let at = index.index(chars.len() + 1);
            match kind {
                0 => chars.insert(at, c),
                1 if at < chars.len() => { chars.remove(at); }
                _ if at < chars.len() => chars[at] = c,
                _ => chars.push(c),
            }
        }
        let mutated: String = chars.into_iter().collect();
        if let Ok(verified) = verify(&mutated, &[public]) {
            prop_assert_eq!(verified, Verified::Resolution(original));
        }
    }

    #[test]
    fn arbitrary_lines_inside_the_resolution_armour_never_panic(
        lines in proptest::collection::vec("[A-Za-z:+/= -]{0,40}|[ -~]{0,100}", 0..14)
    ) {
        let public = fixed_key().public_key();
        let text = format!("{RESOLUTION_BEGIN}\n{}\n{RESOLUTION_END}\n", lines.join("\n"));
        let _ = verify(&text, &[public]);
    }
}
