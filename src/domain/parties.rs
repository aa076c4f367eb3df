//! The parties to a case. The person who raised the concern is party 1 (the case itself); the
//! ombuds adds the others, each with a role, an optional name and contact, and the language its
//! page and invitation are written in. Everything about a party is case content: sealed with
//! the case's key, destroyed at closing, never a trend dimension.
//!
//! Pure rules; no storage, no HTTP, no wording. The language is a code the caller checks
//! against the languages the service speaks (domain code knows no language).

use secrecy::SecretString;
use zeroize::Zeroizing;

use super::codes::code_enum;
use super::field::FieldError;
use super::text::clean_text;

code_enum! {
    /// What a party (other than the person who raised the concern) is to the matter.
    PartyRole in "staff.party_role" {
        /// The REALTOR® member the concern is about.
        MemberConcerned = "member_concerned";
        /// That member's designated broker.
        DesignatedBroker = "designated_broker";
        /// Another party to the transaction.
        OtherParty = "other_party";
        /// Anyone else the ombuds deals with.
        Other = "other";
    }
}

/// The number of the person who raised the concern; added parties are numbered from 2.
pub const FIRST_PARTY: u32 = 1;

/// Longest party name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Longest party contact details, in characters.
pub const MAX_CONTACT_CHARS: usize = 500;

/// Most parties a case may have besides the person who raised it.
pub const MAX_PARTIES: usize = 20;

/// A party's fields as typed.
#[derive(Default)]
pub struct PartyDraft {
    /// Role code.
    pub role: Option<String>,
    /// Name, if given.
    pub name: Option<Zeroizing<String>>,
    /// Contact details, if given.
    pub contact: Option<Zeroizing<String>>,
    /// Language code.
    pub language: Option<String>,
}

/// A checked party, ready to be sealed.
pub struct NewParty {
    /// What the party is to the matter.
    pub role: PartyRole,
    /// Name, if given.
    pub name: Option<SecretString>,
    /// Contact details, if given.
    pub contact: Option<SecretString>,
    /// The code of the language its pages and invitation are written in.
    pub language: &'static str,
}

impl std::fmt::Debug for NewParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewParty(..)")
    }
}

/// Checks a party. `languages` are the codes the service speaks; a blank language is the first.
/// Every problem is reported, each naming its field.
pub fn validate(
    draft: &PartyDraft,
    languages: &[&'static str],
) -> Result<NewParty, Vec<FieldError>> {
    let mut errors = Vec::new();
    let role = match draft
        .role
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => {
            errors.push(FieldError::new("role", "staff.problem.choose_party_role"));
            None
        }
        Some(code) => PartyRole::from_code(code).or_else(|| {
            errors.push(FieldError::new("role", "staff.problem.unknown_party_role"));
            None
        }),
    };
    let language = match draft
        .language
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        None => languages.first().copied(),
        Some(code) => languages.iter().copied().find(|l| *l == code),
    };
    if language.is_none() {
        errors.push(FieldError::new("lang", "staff.problem.unknown_language"));
    }
    let mut optional =
        |field: &'static str, text: &Option<Zeroizing<String>>, max: usize| match text
            .as_deref()
            .map(|t| t.trim())
            .filter(|t| !t.is_empty())
        {
            None => None,
            Some(t) => match clean_text(t, max) {
                Ok(cleaned) => Some(cleaned),
                Err(problem) => {
                    errors.push(FieldError::new(field, problem));
                    None
                }
            },
        };
    let name = optional("name", &draft.name, MAX_NAME_CHARS);
    let contact = optional("contact", &draft.contact, MAX_CONTACT_CHARS);
    match (role, language) {
        (Some(role), Some(language)) if errors.is_empty() => Ok(NewParty {
            role,
            name,
            contact,
            language,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    const LANGUAGES: &[&str] = &["en", "es"];

    fn draft(role: &str, language: &str) -> PartyDraft {
        PartyDraft {
            role: Some(role.into()),
            name: Some(Zeroizing::new("  Pat Member ".into())),
            contact: None,
            language: Some(language.into()),
        }
    }

    #[test]
    fn a_party_needs_a_known_role_and_language() {
        let party = validate(&draft("member_concerned", "es"), LANGUAGES).unwrap();
        assert_eq!(party.role, PartyRole::MemberConcerned);
        assert_eq!(party.language, "es");
        assert_eq!(party.name.unwrap().expose_secret(), "Pat Member");
        assert!(party.contact.is_none());

        let blank = validate(&draft("other", " "), LANGUAGES).unwrap();
        assert_eq!(blank.language, "en", "a blank language is the first one");

        let errors = validate(&draft("judge", "fr"), LANGUAGES).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["role", "lang"]);
        let none = validate(&PartyDraft::default(), LANGUAGES).unwrap_err();
        assert_eq!(none[0].field, "role");
    }

    #[test]
    fn long_names_and_control_characters_are_refused() {
        let mut long = draft("other", "en");
        long.name = Some(Zeroizing::new("x".repeat(MAX_NAME_CHARS + 1)));
        long.contact = Some(Zeroizing::new("a\u{7}b".into()));
        let errors = validate(&long, LANGUAGES).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "contact"]);
    }
}
