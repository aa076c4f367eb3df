//! The use cases: one module per thing a person does with the service. A use case takes the
//! domain's decisions ([`crate::domain`]), calls [`Store`] (which seals and persists), signs
//! what needs signing, and returns what the caller shows. HTTP handlers ([`crate::http`]) and
//! commands ([`crate::cli`]) decode their input, call one use case, and render its result:
//! neither decides anything, and neither calls the store to change anything directly.
//!
//! | module | what a person does |
//! |---|---|
//! | [`intake`] | raises a concern through the web form or the API, and gets a receipt |
//! | [`cases`] | an ombuds lists cases (all, or their own), reads one, logs a contact by hand (and may issue its person a receipt), opens a case, records services, assigns it, closes it once any unanswered message is acknowledged |
//! | [`non_membership`] | an ombuds records (or removes) a period in which the respondent held no REALTOR® membership, which the case's deadline counts |
//! | [`notes`] | an ombuds keeps working notes and commitments, and sees what comes due |
//! | [`stale`] | an ombuds sees which open cases have gone untouched for long, and records why one stays open |
//! | [`parties`] | an ombuds adds a party (member concerned, broker, other) with a receipt of its own or none, and writes in its thread |
//! | [`plan`] | an ombuds writes and revises the resolution plan; each party accepts or declines it (the ombuds records answers given by telephone or in person); all accepting one version agrees it |
//! | [`thread`] | the ombuds replies; a receipt holder (the submitter or an added party) reads its own thread and writes in it |
//! | [`termination`] | an ombuds records the first-contact and termination dates; a termination issues the signed notice |
//! | [`closing`] | an ombuds closes a case with an outcome: it is counted for the board and destroyed |
//! | [`letters`] | an ombuds reads the letters issued |
//! | [`reports`] | the board reads the trend report of a period, released once it is over |
//! | [`accounts`] | an administrator (or the command line) adds, resets, disables or enables a staff account |
//! | [`access`] | an ombuds confirms or refuses another's case access (the two-person rule) |
//! | [`retention`] | an administrator reads what is held and when the oldest goes |
//! | [`enrolment`] | the holder of an enrolment link sets a password and an authenticator |
//! | [`sessions`] | a staff member signs in, is recognised on each request, signs out |
//! | [`digest`] | an ombuds asks for the e-mail digest at an address, or stops it |
//!
//! Input that can be checked field by field is checked by the domain before it gets here (the
//! decoders in `http::case_input` call the domain's rules); what needs stored state (is there
//! such a case, is the date after the first contact) is checked here.

pub mod access;
pub mod accounts;
pub mod cases;
pub mod closing;
pub mod digest;
pub mod enrolment;
mod follow_up;
pub mod intake;
pub mod letters;
pub mod non_membership;
pub mod notes;
pub mod parties;
pub mod plan;
pub mod reports;
pub mod retention;
mod sending;
pub mod sessions;
pub mod stale;
pub mod termination;
pub mod thread;

use chrono::NaiveDate;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::field::FieldError;
use crate::domain::phrase::Phrase;
use crate::store::{Store, StoreError};

/// What every use case works with: the store, the checked configuration and the clock.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// Storage, with encryption at its boundary.
    pub store: &'a Store,
    /// The checked configuration.
    pub config: &'a Config,
    /// The source of "now".
    pub clock: &'a Clock,
}

impl Ctx<'_> {
    /// Today's date in the association's time zone.
    pub fn today(&self) -> NaiveDate {
        self.clock.today_in(self.config.association.time_zone)
    }

    /// Now, in Unix seconds (staff sessions and throttling only).
    pub fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }
}

/// Why a use case did not do what was asked. Nothing was changed.
#[derive(Debug)]
pub enum Refusal {
    /// There is no such case, note or letter (or it has been destroyed).
    NotFound,
    /// The input breaks a rule that needs stored state; each problem names its field.
    Invalid(Vec<FieldError>),
    /// Storage failed.
    Store(StoreError),
    /// Something on our side failed (composing or signing a letter); the detail is for the log.
    Internal(String),
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

impl Refusal {
    /// One field's problem.
    pub fn field(field: &'static str, problem: impl Into<Phrase>) -> Self {
        Self::Invalid(vec![FieldError::new(field, problem)])
    }
}
