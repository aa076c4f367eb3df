//! The intake form's receipts: form tokens, the receipt a form's token and content come to,
//! storing that form's case once however often it is sent, and the sealed view of a new receipt
//! the receipt page opens ([`crate::crypto::handover`] has the cryptography). Nothing here is
//! written anywhere but the case itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use zeroize::Zeroizing;

use super::{Store, StoreError, content};
use crate::crypto::handover;
use crate::crypto::{Receipt, ReceiptHash};
use crate::domain::concern::NewConcern;

/// The intake forms being stored right now, by the keyed hash of their receipt: a second
/// sending of a form waits for the first to be stored, then finds its case.
#[derive(Default)]
pub(super) struct InFlight(Mutex<HashMap<[u8; 32], Arc<tokio::sync::Mutex<()>>>>);

/// Leaves [`InFlight`] when dropped, however the storing ends (a client may hang up).
struct Turn<'a> {
    in_flight: &'a InFlight,
    hash: [u8; 32],
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut map = self
            .in_flight
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // The map's and ours: nobody else waits for this form.
        if Arc::strong_count(&self.lock) <= 2 {
            map.remove(&self.hash);
        }
    }
}

impl InFlight {
    fn enter(&self, hash: &ReceiptHash) -> Turn<'_> {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let lock = map.entry(hash.0).or_default().clone();
        Turn {
            in_flight: self,
            hash: hash.0,
            lock,
        }
    }
}

/// What became of a form's concern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormCase {
    /// Stored now, with the first-contact date given.
    Stored,
    /// The same form was stored before; its case has this first-contact date.
    AlreadyStored(NaiveDate),
}

impl Store {
    /// A new token for an intake form, counting until `expires` (Unix seconds).
    pub fn form_token(&self, expires: i64) -> Result<String, StoreError> {
        Ok(handover::issue_form_token(&self.secret, expires)?)
    }

    /// The receipt for `concern` sent with the form `token`, if the token was issued here and
    /// still counts at `now`: the same each time the same form is sent.
    pub fn form_receipt(
        &self,
        token: &str,
        concern: &NewConcern,
        now: i64,
    ) -> Result<Option<Receipt>, StoreError> {
        let Some(token) = handover::check_form_token(&self.secret, token, now) else {
            return Ok(None);
        };
        let mut sent = content::concern_plaintext(concern)?;
        sent.extend_from_slice(b"\0");
        sent.extend_from_slice(concern.category.code().as_bytes());
        sent.extend_from_slice(b"\0");
        sent.extend_from_slice(concern.raised_by.code().as_bytes());
        Ok(Some(handover::form_receipt(&self.secret, &token, &sent)))
    }

    /// Stores a concern sent with an intake form under the receipt [`Store::form_receipt`] gave
    /// it, unless that form's case is stored already. Two sendings at once store one case: the
    /// second waits for the first, then finds it.
    pub async fn insert_form_case(
        &self,
        concern: &NewConcern,
        first_contact: NaiveDate,
        receipt: &Receipt,
        intake_lang: Option<&str>,
    ) -> Result<FormCase, StoreError> {
        let hash = self.secret.hash(receipt);
        let turn = self.in_flight.enter(&hash);
        let _held = turn.lock.lock().await;
        if let Some(case) = self.backend.case_by_receipt(&hash).await? {
            return Ok(FormCase::AlreadyStored(case.record.first_contact));
        }
        match self
            .insert_web_case(concern, first_contact, receipt, intake_lang)
            .await
        {
            Ok(()) => Ok(FormCase::Stored),
            // Another server process stored the same form at the same moment (PostgreSQL):
            // the receipt's uniqueness refused this copy.
            Err(error) => match self.backend.case_by_receipt(&hash).await {
                Ok(Some(case)) => Ok(FormCase::AlreadyStored(case.record.first_contact)),
                _ => Err(error),
            },
        }
    }

    /// `receipt` and its `first_contact` date sealed for the receipt page until `expires`
    /// (Unix seconds), as cookie text.
    pub fn seal_receipt_view(
        &self,
        receipt: &Receipt,
        first_contact: NaiveDate,
        expires: i64,
    ) -> Result<Zeroizing<String>, StoreError> {
        Ok(handover::seal_view(
            &self.secret,
            receipt,
            first_contact,
            expires,
        )?)
    }

    /// What [`Store::seal_receipt_view`] sealed in `text`, if it opens and has not expired at
    /// `now`.
    pub fn open_receipt_view(&self, text: &str, now: i64) -> Option<(Receipt, NaiveDate)> {
        handover::open_view(&self.secret, text, now)
    }
}
