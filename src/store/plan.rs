//! The resolution plan half of the [`Store`] facade: the terms sealed to the case's key, the
//! answers in the clear (which party, which version, accepted or declined, how and when), and
//! which party a receipt is. The rules (which answer counts, when the plan is agreed) are the
//! domain's (`domain::plan`); the use case (`usecase::plan`) applies them.

use chrono::NaiveDate;
use secrecy::{ExposeSecret, SecretString};

use super::backend::PlanRecord;
use super::{Store, StoreError, content};
use crate::crypto::envelope::seal_to;
use crate::crypto::{ContentKey, Receipt};
use crate::domain::parties::FIRST_PARTY;
use crate::domain::plan::{Answer, PlanStanding};

/// A case's plan as it stands, opened.
pub struct Plan {
    /// The current version.
    pub version: u32,
    /// The day this version was written.
    pub written_on: NaiveDate,
    /// The day every party had accepted it, once they have.
    pub agreed_on: Option<NaiveDate>,
    /// The terms.
    pub terms: SecretString,
    /// Each party's answer to the current version, by party.
    pub answers: Vec<Answer>,
}

impl Plan {
    /// The version and whether it is agreed.
    pub fn standing(&self) -> PlanStanding {
        PlanStanding {
            version: self.version,
            agreed_on: self.agreed_on,
        }
    }
}

impl Store {
    /// Case `case_id`'s plan, opened; `None` if it has none (or there is no such case).
    pub async fn plan(&self, case_id: &str) -> Result<Option<Plan>, StoreError> {
        let Some(case) = self.backend.case(case_id).await? else {
            return Ok(None);
        };
        let Some(key) = self.case_key(&case)? else {
            return Ok(None);
        };
        self.open_plan(&key, case_id).await
    }

    /// Case `case_id`'s plan, opened with its key.
    pub(super) async fn open_plan(
        &self,
        key: &ContentKey,
        case_id: &str,
    ) -> Result<Option<Plan>, StoreError> {
        let Some(record) = self.backend.plan(case_id).await? else {
            return Ok(None);
        };
        Ok(Some(Plan {
            terms: content::text_from(&key.open(&record.sealed)?)?,
            answers: self.backend.plan_answers(case_id).await?,
            version: record.version,
            written_on: record.written_on,
            agreed_on: record.agreed_on,
        }))
    }

    /// The clear standing of case `case_id`'s plan and its answers, without opening the terms.
    pub async fn plan_standing(
        &self,
        case_id: &str,
    ) -> Result<(Option<PlanStanding>, Vec<Answer>), StoreError> {
        let standing = self.backend.plan(case_id).await?.map(|p| PlanStanding {
            version: p.version,
            agreed_on: p.agreed_on,
        });
        Ok((standing, self.backend.plan_answers(case_id).await?))
    }

    /// Seals and writes `version` of case `case_id`'s plan, replacing version `replaces` and
    /// clearing every answer. False if there is no such case or the plan changed meanwhile.
    #[tracing::instrument(skip_all)]
    pub async fn write_plan(
        &self,
        case_id: &str,
        replaces: Option<u32>,
        version: u32,
        terms: &SecretString,
        today: NaiveDate,
    ) -> Result<bool, StoreError> {
        let Some(case) = self.backend.case(case_id).await? else {
            return Ok(false);
        };
        let sealed = seal_to(&case.record.recipient, terms.expose_secret().as_bytes())?;
        self.backend
            .put_plan(
                case_id,
                replaces,
                PlanRecord {
                    version,
                    written_on: today,
                    agreed_on: None,
                    sealed,
                },
            )
            .await
    }

    /// Records a party's answer; false if the plan is no longer at its version, or is agreed.
    pub async fn answer_plan(&self, case_id: &str, answer: Answer) -> Result<bool, StoreError> {
        self.backend.put_answer(case_id, answer).await
    }

    /// Marks version `version` agreed on `on`; false if it was not at that version any more.
    pub async fn agree_plan(
        &self,
        case_id: &str,
        version: u32,
        on: NaiveDate,
    ) -> Result<bool, StoreError> {
        self.backend.agree_plan(case_id, version, on).await
    }

    /// The parties of case `case_id` by number (1, the person who raised it, first); `None` if
    /// there is no such case.
    pub async fn party_numbers(&self, case_id: &str) -> Result<Option<Vec<u32>>, StoreError> {
        if self.backend.case(case_id).await?.is_none() {
            return Ok(None);
        }
        let mut numbers = vec![FIRST_PARTY];
        numbers.extend(
            self.backend
                .parties(case_id)
                .await?
                .iter()
                .map(|p| p.number),
        );
        Ok(Some(numbers))
    }

    /// The open case a receipt belongs to, and the number of the party holding it (1 for the
    /// person who raised the concern); `None` if it opens no open case.
    pub async fn receipt_party(
        &self,
        receipt: &Receipt,
    ) -> Result<Option<(String, u32)>, StoreError> {
        let hash = self.secret.hash(receipt);
        let party = self.backend.party_by_receipt(&hash).await?;
        let by_case = self.backend.case_by_receipt(&hash).await?;
        Ok(match (party, by_case) {
            (Some(party), _) => Some((party.case_id, party.number)),
            (None, Some(case)) => Some((case.record.id, FIRST_PARTY)),
            (None, None) => None,
        })
    }
}
