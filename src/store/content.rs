//! The plaintext layout inside a sealed concern: a small JSON document, built in a zeroizing
//! buffer that is sized up front so that no partial copy is left behind by reallocation.

use chrono::NaiveDate;
use serde::Serialize;
use zeroize::Zeroizing;

use super::StoreError;
use crate::domain::concern::{NewConcern, expose};

#[derive(Serialize)]
struct ConcernContent<'a> {
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    contact: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concluded_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    discovered_on: Option<NaiveDate>,
}

/// The bytes to seal for a new concern.
pub fn concern_plaintext(concern: &NewConcern) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let content = ConcernContent {
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
