//! Resolution plans on PostgreSQL: the current terms of a case's plan and each party's answer to
//! them. A revision replaces the terms and deletes the answers in one transaction. It only ever
//! holds sealed terms.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::{FOREIGN_KEY_VIOLATION, PostgresBackend, is_sqlstate};
use crate::domain::plan::Answer;
use crate::store::StoreError;
use crate::store::backend::{PlanRecord, PlanRows};
use crate::store::rows::{answer_record, plan_record};

#[async_trait]
impl PlanRows for PostgresBackend {
    async fn plan(&self, case_id: &str) -> Result<Option<PlanRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT version, written_on, agreed_on, sealed FROM plans WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_optional(&self.main)
        .await?;
        Ok(row.as_ref().map(plan_record).transpose()?)
    }

    async fn plan_answers(&self, case_id: &str) -> Result<Vec<Answer>, StoreError> {
        let rows = sqlx::query(
            "SELECT party, version, answer, channel, answered_on FROM plan_answers \
             WHERE case_id = $1 ORDER BY party",
        )
        .bind(case_id)
        .fetch_all(&self.main)
        .await?;
        Ok(rows.iter().map(answer_record).collect::<Result<_, _>>()?)
    }

    async fn put_plan(
        &self,
        case_id: &str,
        replaces: Option<u32>,
        plan: PlanRecord,
    ) -> Result<bool, StoreError> {
        let mut tx = self.main.begin().await?;
        let done = match replaces {
            None => {
                sqlx::query(
                    "INSERT INTO plans (case_id, version, written_on, agreed_on, sealed) \
                     SELECT id, $1, $2, NULL, $3 FROM cases WHERE id = $4 \
                     ON CONFLICT (case_id) DO NOTHING",
                )
                .bind(i64::from(plan.version))
                .bind(plan.written_on)
                .bind(&plan.sealed)
                .bind(case_id)
                .execute(&mut *tx)
                .await
            }
            Some(current) => {
                sqlx::query(
                    "UPDATE plans SET version = $1, written_on = $2, sealed = $3 \
                     WHERE case_id = $4 AND version = $5 AND agreed_on IS NULL",
                )
                .bind(i64::from(plan.version))
                .bind(plan.written_on)
                .bind(&plan.sealed)
                .bind(case_id)
                .bind(i64::from(current))
                .execute(&mut *tx)
                .await
            }
        };
        let done = match done {
            Ok(done) => done,
            Err(e) if is_sqlstate(&e, FOREIGN_KEY_VIOLATION) => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM plan_answers WHERE case_id = $1")
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn put_answer(&self, case_id: &str, answer: Answer) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO plan_answers (case_id, party, version, answer, channel, answered_on) \
             SELECT case_id, $1, version, $2, $3, $4 FROM plans \
             WHERE case_id = $5 AND version = $6 AND agreed_on IS NULL \
             ON CONFLICT (case_id, party) DO UPDATE SET version = excluded.version, \
             answer = excluded.answer, channel = excluded.channel, \
             answered_on = excluded.answered_on",
        )
        .bind(i64::from(answer.party))
        .bind(answer.answer.code())
        .bind(answer.channel.code())
        .bind(answer.on)
        .bind(case_id)
        .bind(i64::from(answer.version))
        .execute(&self.main)
        .await;
        match done {
            Ok(done) => Ok(done.rows_affected() == 1),
            Err(e) if is_sqlstate(&e, FOREIGN_KEY_VIOLATION) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn agree_plan(
        &self,
        case_id: &str,
        version: u32,
        on: NaiveDate,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE plans SET agreed_on = $1 \
             WHERE case_id = $2 AND version = $3 AND agreed_on IS NULL",
        )
        .bind(on)
        .bind(case_id)
        .bind(i64::from(version))
        .execute(&self.main)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
