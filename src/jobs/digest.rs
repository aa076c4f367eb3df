//! The digest: at most once per sending slot (daily at `[digest] hour` by default), each
//! ombuds who gave an address is told by e-mail how many new concerns and unanswered messages
//! wait, in a message of one fixed length with no content, no times, no case and no link to
//! one. It goes only when something waits, so its arrival says "something waits" (its point),
//! and its time says only the schedule's.
//!
//! A round claims its slot in the database before sending ([`Store::claim_digest_slot`]): a
//! restart, or another server of the same deployment, never sends a second one in the same
//! interval. A message that cannot be sent is logged with the account's name and the kind of
//! failure, never the address, the counts or the message, and is not tried again before the
//! next slot, whose round counts afresh.

use chrono_tz::Tz;

use crate::clock::Clock;
use crate::config::digest::Digest;
use crate::domain::digest::Waiting;
use crate::i18n::Lang;
use crate::mail::Mailer;
use crate::store::Store;

/// What a round needs besides the store and the clock.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `[digest]`.
    pub digest: Digest,
    /// The mail client for its relay.
    pub mailer: Mailer,
    /// The association's time zone, whose clock the schedule follows.
    pub zone: Tz,
    /// The sign-in page's address, the one link a digest carries.
    pub sign_in: String,
}

/// The digest's subject and text for `waiting`: every digest of one deployment has the same
/// subject and the same length, whatever the counts.
pub fn compose(waiting: Waiting, settings: &Settings) -> (String, String) {
    let lang = Lang::En;
    let body = lang.f(
        "staff.digest.body",
        &[
            ("concerns", &Waiting::shown(waiting.concerns)),
            ("messages", &Waiting::shown(waiting.messages)),
            ("address", &settings.sign_in),
            ("schedule", &lang.digest_schedule(settings.digest.schedule)),
        ],
    );
    (lang.t("staff.digest.subject").to_owned(), body)
}

/// One look at the schedule: if this slot's round has not run (here or in another process),
/// runs it. The caller has checked that this process leads ([`super::leads`]).
pub async fn run_once(store: &Store, clock: &Clock, settings: &Settings) {
    let now = clock.now();
    let slot = settings
        .digest
        .schedule
        .slot(now.with_timezone(&settings.zone).naive_local());
    match store.claim_digest_slot(slot).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::trace!("digest: this interval's round has run");
            return;
        }
        Err(e) => {
            tracing::warn!(
                "digest: cannot tell whether this interval's round ran, will retry: {e}"
            );
            return;
        }
    }
    let waiting = match store.waiting().await {
        Ok(waiting) => waiting,
        Err(e) => {
            tracing::warn!("digest: cannot count what waits; the next interval tries again: {e}");
            return;
        }
    };
    if !waiting.worth_sending() {
        tracing::debug!("digest round done");
        return;
    }
    let recipients = match store.digest_recipients().await {
        Ok(recipients) => recipients,
        Err(e) => {
            tracing::warn!(
                "digest: cannot list who receives it; the next interval tries again: {e}"
            );
            return;
        }
    };
    if recipients.is_empty() {
        tracing::debug!("digest round done");
        return;
    }
    let round = match settings.mailer.round() {
        Ok(round) => round,
        Err(e) => {
            tracing::warn!("digest: not sent, the next interval tries again: {e}");
            return;
        }
    };
    let (subject, body) = compose(waiting, settings);
    for recipient in recipients {
        if let Err(e) = round.send(&recipient.address, &subject, &body, now).await {
            tracing::warn!(
                username = %recipient.username,
                "digest: not sent to this account, the next interval tries again: {e}"
            );
        }
    }
    tracing::debug!("digest round done");
}
