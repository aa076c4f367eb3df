//! The plaintext layout inside sealed content. A concern is a small JSON document; notes and
//! messages are their UTF-8 text. Buffers are zeroizing and sized up front so that no partial
//! copy is left behind by reallocation.

use chrono::NaiveDate;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::StoreError;
use crate::domain::concern::{NewConcern, expose};

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
