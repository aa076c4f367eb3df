//! The parties half of the [`Store`] facade: adding a party to a case (sealed to the case's key,
//! with the keyed hash of its receipt if it is given one), and writing in a party's thread.
//! Reading parties is part of reading a case (`cases.rs`).

use secrecy::{ExposeSecret, SecretString};

use super::backend::{NewMessage, NewPartyRecord, PartyRecord};
use super::cases::Message;
use super::content::{self, PartyContent};
use super::{Store, StoreError};
use crate::crypto::envelope::seal_to;
use crate::crypto::{ContentKey, Receipt, random};
use crate::domain::case::Author;
use crate::domain::parties::NewParty;

/// A party added to a case, opened, with its thread.
pub struct Party {
    /// Identifier.
    pub id: String,
    /// Its number in the case (2, 3, ...; 1 is the person who raised the concern).
    pub number: u32,
    /// Whether it holds a receipt of its own.
    pub has_receipt: bool,
    /// Its role, name, contact and language.
    pub content: PartyContent,
    /// Its thread, in order.
    pub messages: Vec<Message>,
}

/// A party just added.
#[derive(Debug, Clone)]
pub struct AddedParty {
    /// Identifier.
    pub id: String,
    /// Its number in the case.
    pub number: u32,
}

impl Store {
    /// Seals and adds a party to an open case, with the keyed hash of `receipt` if it is given
    /// one (the receipt itself is never stored). `None` if there is no such case.
    #[tracing::instrument(skip_all)]
    pub async fn add_party(
        &self,
        case_id: &str,
        party: &NewParty,
        receipt: Option<&Receipt>,
    ) -> Result<Option<AddedParty>, StoreError> {
        let Some(case) = self.backend.case(case_id).await? else {
            return Ok(None);
        };
        let sealed = seal_to(&case.record.recipient, &content::party_plaintext(party)?)?;
        let id = random::new_id()?;
        let number = self
            .backend
            .insert_party(NewPartyRecord {
                id: id.clone(),
                case_id: case_id.to_owned(),
                receipt_hash: receipt.map(|r| self.secret.hash(r)),
                sealed,
            })
            .await?;
        Ok(number.map(|number| AddedParty { id, number }))
    }

    /// Removes party `party_id` of case `case_id`, with its thread and its answer to the plan;
    /// its number, or `None` if the case has no such party.
    pub async fn remove_party(
        &self,
        case_id: &str,
        party_id: &str,
    ) -> Result<Option<u32>, StoreError> {
        self.backend.delete_party(case_id, party_id).await
    }

    /// Seals and adds a message the service writes itself (a notice's) to party `party_id`'s
    /// thread on case `case_id`. False if there is no such case or party.
    pub async fn party_reply(
        &self,
        case_id: &str,
        party_id: &str,
        text: &SecretString,
        today: chrono::NaiveDate,
    ) -> Result<bool, StoreError> {
        self.party_reply_by(case_id, party_id, text, None, today)
            .await
    }

    /// Seals and adds an ombuds message to party `party_id`'s thread on case `case_id`: a reply
    /// the party reads with its receipt, or, for a party without one, what was said by
    /// telephone, post or in person; the username of the ombuds who wrote it (`author`) is
    /// sealed beside it. False if there is no such case or party.
    #[tracing::instrument(skip_all)]
    pub async fn party_reply_by(
        &self,
        case_id: &str,
        party_id: &str,
        text: &SecretString,
        author: Option<&str>,
        today: chrono::NaiveDate,
    ) -> Result<bool, StoreError> {
        let Some(case) = self.backend.case(case_id).await? else {
            return Ok(false);
        };
        let recipient = &case.record.recipient;
        let message = NewMessage {
            party: Some(party_id.to_owned()),
            author: Author::Ombuds,
            sent_on: today,
            sealed: seal_to(recipient, text.expose_secret().as_bytes())?,
            sealed_author: author
                .map(|a| seal_to(recipient, a.as_bytes()))
                .transpose()?,
        };
        self.backend.insert_message(case_id, message).await
    }
}

/// Opens a party's sealed fields with its case's key.
pub(super) fn open_party(
    key: &ContentKey,
    record: PartyRecord,
    messages: Vec<Message>,
) -> Result<Party, StoreError> {
    Ok(Party {
        content: content::party_from(&key.open(&record.sealed)?)?,
        id: record.id,
        number: record.number,
        has_receipt: record.has_receipt,
        messages,
    })
}
