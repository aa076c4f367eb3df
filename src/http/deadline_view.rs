//! The filing deadline as a case page and a follow-up page show it: computed by
//! [`crate::domain::deadline`] from the dates the submitter gave and the suspensions the case
//! records (informal resolution; on staff pages also the periods in which the respondent held
//! no REALTOR® membership), with the association's holidays; or, without a transaction date,
//! what is known.

use chrono::NaiveDate;

use crate::config::Config;
use crate::domain::deadline::{self, DeadlineInput, Status, SuspensionEpisode, SuspensionKind};
use crate::domain::membership::NonMembership;
use crate::i18n::{Lang, deadline_steps};
use crate::store::CaseDetail;

/// The deadline of one case, in words; serialized as the follow-up API's `deadline` object.
#[derive(serde::Serialize)]
pub struct DeadlineView {
    /// The last day to file, or `None` while the suspension is open (or unknown dates).
    pub deadline: Option<NaiveDate>,
    /// `running`, `suspended`, `expired`, or `unknown` without a transaction date.
    pub status: &'static str,
    /// Days the suspension adds (counted so far while it is open).
    pub days_suspended: u64,
    /// Days left (those that will be left when the countdown resumes, while suspended).
    pub days_remaining: Option<u64>,
    /// One sentence per step, in the language the view was built in.
    pub explanation: Vec<String>,
}

/// Computes the view, its explanation in `lang`. `concluded` and `discovered` are the
/// submitter's dates; the suspension runs from `first_contact` to `termination` (still open
/// without one), and over every period of `non_membership`.
pub fn build(config: &Config, dates: CaseDates<'_>, today: NaiveDate, lang: Lang) -> DeadlineView {
    let CaseDates {
        concluded,
        discovered,
        first_contact,
        termination,
        non_membership,
    } = dates;
    let mut episodes = vec![SuspensionEpisode {
        kind: SuspensionKind::InformalResolution,
        start: first_contact,
        end: termination,
    }];
    episodes.extend(non_membership.iter().map(|p| SuspensionEpisode {
        kind: SuspensionKind::RespondentNonMember,
        start: p.from,
        end: Some(p.to),
    }));
    let Some(concluded) = concluded else {
        let end = termination.unwrap_or(today);
        let days = (end - first_contact).num_days().max(0).unsigned_abs() + 1;
        let mut explanation = vec![deadline_steps::without_conclusion(
            first_contact,
            end,
            days,
            termination.is_some(),
            lang,
        )];
        // Staff pages only (a follow-up page passes none): which days would count depends on
        // the transaction date, so each period is named as recorded.
        explanation.extend(non_membership.iter().map(|p| {
            lang.f(
                "staff.case.non_member_unknown",
                &[("from", &p.from), ("to", &p.to)],
            )
        }));
        return DeadlineView {
            deadline: None,
            status: "unknown",
            days_suspended: days,
            days_remaining: None,
            explanation,
        };
    };
    let input = DeadlineInput {
        concluded,
        discovered,
        episodes: &episodes,
        holidays: &config.deadline.holidays,
        roll_forward: config.deadline.roll_forward,
        as_of: today,
    };
    match deadline::compute(&input) {
        Ok(report) => DeadlineView {
            deadline: report.deadline,
            status: match report.status {
                Status::Running => "running",
                Status::Suspended => "suspended",
                Status::Expired => "expired",
            },
            days_suspended: report.days_suspended,
            days_remaining: Some(report.days_remaining),
            explanation: deadline_steps::sentences(&report.steps, lang),
        },
        Err(_) => DeadlineView {
            deadline: None,
            status: "unknown",
            days_suspended: 0,
            days_remaining: None,
            explanation: vec![lang.t("explain.failed").to_owned()],
        },
    }
}

/// The deadline of an opened case as the console (page and API) shows it, in English: every
/// suspension the case records, the respondent's periods of non-membership included.
pub fn of_case(config: &Config, case: &CaseDetail, today: NaiveDate) -> DeadlineView {
    let periods: Vec<NonMembership> = case.non_membership.iter().map(|(_, p)| *p).collect();
    build(
        config,
        CaseDates {
            concluded: case.concern.concluded_on,
            discovered: case.concern.discovered_on,
            first_contact: case.record.first_contact,
            termination: case.record.termination_date,
            non_membership: &periods,
        },
        today,
        Lang::En,
    )
}

/// The dates of one case the deadline depends on.
#[derive(Debug, Clone, Copy)]
pub struct CaseDates<'a> {
    /// When the transaction or event concluded, as the submitter gave it.
    pub concluded: Option<NaiveDate>,
    /// When the facts could have been known, as the submitter gave it.
    pub discovered: Option<NaiveDate>,
    /// The date of the first contact with the ombuds.
    pub first_contact: NaiveDate,
    /// The termination date, once recorded.
    pub termination: Option<NaiveDate>,
    /// The periods in which the respondent held no REALTOR® membership (staff pages; a
    /// follow-up page counts informal resolution only, see `docs/RULES.md`, section 3).
    pub non_membership: &'a [NonMembership],
}

impl DeadlineView {
    /// The view as a JSON value, for answers built as JSON trees (the console's case API).
    pub fn json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// The deadline as a sentence for a page.
    pub fn headline(&self) -> String {
        self.headline_in(Lang::En)
    }

    /// The deadline as a sentence for a page in `lang` (wording from `translations/`).
    pub fn headline_in(&self, lang: Lang) -> String {
        match (self.status, self.deadline, self.days_remaining) {
            ("suspended", None, Some(left)) => {
                lang.f("deadline.suspended", &[("left", &lang.days(left))])
            }
            ("expired", Some(date), _) => lang.f("deadline.expired", &[("date", &date)]),
            (_, Some(date), Some(left)) => lang.plural(
                "deadline.running",
                self.days_suspended,
                &[("date", &date), ("left", &lang.days(left))],
            ),
            _ => lang.t("deadline.unknown").to_owned(),
        }
    }
}
