//! The plaintext layout inside sealed content. A concern is a small JSON document; notes and
//! messages are their UTF-8 text. Buffers are zeroizing and sized up front so that no partial
//! copy is left behind by reallocation.

use chrono::NaiveDate;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::StoreError;
use crate::domain::concern::{NewConcern, expose};
use crate::domain::membership::NonMembership;
use crate::domain::parties::{NewParty, PartyRole};

#[derive(Serialize)]
struct ConcernOut<'a> {
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concluded_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    discovered_on: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct ConcernIn {
    description: Zeroizing<String>,
    #[serde(default)]
    contact: Option<Zeroizing<String>>,
    #[serde(default)]
    concluded_on: Option<NaiveDate>,
    #[serde(default)]
    discovered_on: Option<NaiveDate>,
}

/// A concern as raised, opened.
pub struct Concern {
    /// What happened.
    pub description: SecretString,
    /// Contact details, if given.
    pub contact: Option<SecretString>,
    /// When the transaction or event concluded, if given.
    pub concluded_on: Option<NaiveDate>,
    /// When the facts became known, if given.
    pub discovered_on: Option<NaiveDate>,
}

impl std::fmt::Debug for Concern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Concern(..)")
    }
}

/// The bytes to seal for a new concern.
pub fn concern_plaintext(concern: &NewConcern) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let content = ConcernOut {
        description: expose(&concern.description),
        contact: concern.contact.as_ref().map(expose),
        concluded_on: concern.concluded_on,
        discovered_on: concern.discovered_on,
    };
    // JSON escaping grows text at most sixfold (\u00XX); reserve that so the buffer never moves.
    let text_len = content.description.len() + content.contact.map_or(0, str::len);
    let mut buffer = Zeroizing::new(Vec::with_capacity(text_len * 6 + 128));
    serde_json::to_writer(&mut *buffer, &content)
        .map_err(|e| StoreError::Database(format!("cannot encode a concern: {e}")))?;
    Ok(buffer)
}

/// Reads opened concern bytes.
pub fn concern_from(plaintext: &[u8]) -> Result<Concern, StoreError> {
    let parsed: ConcernIn = serde_json::from_slice(plaintext).map_err(|_| {
        StoreError::Database("a sealed concern does not have the expected layout".into())
    })?;
    Ok(Concern {
        description: SecretString::from(parsed.description.as_str()),
        contact: parsed.contact.map(|c| SecretString::from(c.as_str())),
        concluded_on: parsed.concluded_on,
        discovered_on: parsed.discovered_on,
    })
}

/// Reads opened note or message bytes.
pub fn text_from(plaintext: &[u8]) -> Result<SecretString, StoreError> {
    std::str::from_utf8(plaintext)
        .map(SecretString::from)
        .map_err(|_| StoreError::Database("a sealed text is not UTF-8".into()))
}

#[derive(Serialize)]
struct PartyOut<'a> {
    role: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<&'a str>,
    lang: &'a str,
}

#[derive(Deserialize)]
struct PartyIn {
    role: String,
    #[serde(default)]
    name: Option<Zeroizing<String>>,
    #[serde(default)]
    contact: Option<Zeroizing<String>>,
    lang: String,
}

/// What is sealed about a party, opened.
pub struct PartyContent {
    /// What the party is to the matter.
    pub role: PartyRole,
    /// Name, if given.
    pub name: Option<SecretString>,
    /// Contact details, if given.
    pub contact: Option<SecretString>,
    /// The code of the party's language.
    pub lang: String,
}

impl std::fmt::Debug for PartyContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PartyContent(..)")
    }
}

/// The bytes to seal for a new party.
pub fn party_plaintext(party: &NewParty) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let content = PartyOut {
        role: party.role.code(),
        name: party.name.as_ref().map(expose),
        contact: party.contact.as_ref().map(expose),
        lang: party.language,
    };
    let text_len = content.name.map_or(0, str::len) + content.contact.map_or(0, str::len);
    let mut buffer = Zeroizing::new(Vec::with_capacity(text_len * 6 + 128));
    serde_json::to_writer(&mut *buffer, &content)
        .map_err(|e| StoreError::Database(format!("cannot encode a party: {e}")))?;
    Ok(buffer)
}

/// Reads opened party bytes.
pub fn party_from(plaintext: &[u8]) -> Result<PartyContent, StoreError> {
    let bad = || StoreError::Database("a sealed party does not have the expected layout".into());
    let parsed: PartyIn = serde_json::from_slice(plaintext).map_err(|_| bad())?;
    Ok(PartyContent {
        role: PartyRole::from_code(&parsed.role).ok_or_else(bad)?,
        name: parsed.name.map(|c| SecretString::from(c.as_str())),
        contact: parsed.contact.map(|c| SecretString::from(c.as_str())),
        lang: parsed.lang,
    })
}

#[derive(Serialize, Deserialize)]
struct PeriodJson {
    from: NaiveDate,
    to: NaiveDate,
}

/// The bytes to seal for a period of non-membership.
pub fn period_plaintext(period: &NonMembership) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let json = serde_json::to_vec(&PeriodJson {
        from: period.from,
        to: period.to,
    })
    .map_err(|e| StoreError::Database(format!("cannot encode a period: {e}")))?;
    Ok(Zeroizing::new(json))
}

/// Reads opened period bytes.
pub fn period_from(plaintext: &[u8]) -> Result<NonMembership, StoreError> {
    let parsed: PeriodJson = serde_json::from_slice(plaintext).map_err(|_| {
        StoreError::Database("a sealed period does not have the expected layout".into())
    })?;
    Ok(NonMembership {
        from: parsed.from,
        to: parsed.to,
    })
}
