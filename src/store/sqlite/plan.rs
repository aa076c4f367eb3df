//! Resolution plans on SQLite: the current terms of a case's plan and each party's answer to
//! them. Every write is a job for the group-committing writer; a revision replaces the terms and
//! deletes the answers in the same job. It only ever holds sealed terms.

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::SqliteConnection;

use super::rows::day;
use super::{Job, SqliteBackend};
use crate::domain::plan::Answer;
use crate::store::StoreError;
use crate::store::backend::{PlanRecord, PlanRows};
use crate::store::rows::{answer_record, plan_record};

#[async_trait]
impl PlanRows for SqliteBackend {
    async fn plan(&self, case_id: &str) -> Result<Option<PlanRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT version, written_on, agreed_on, sealed FROM plans WHERE case_id = ?",
        )
        .bind(case_id)
        .fetch_optional(&self.readers)
        .await?;
        Ok(row.as_ref().map(plan_record).transpose()?)
    }

    async fn plan_answers(&self, case_id: &str) -> Result<Vec<Answer>, StoreError> {
        let rows = sqlx::query(
            "SELECT party, version, answer, channel, answered_on FROM plan_answers \
             WHERE case_id = ? ORDER BY party",
        )
        .bind(case_id)
        .fetch_all(&self.readers)
        .await?;
        Ok(rows.iter().map(answer_record).collect::<Result<_, _>>()?)
    }

    async fn put_plan(
        &self,
        case_id: &str,
        replaces: Option<u32>,
        plan: PlanRecord,
    ) -> Result<bool, StoreError> {
        let case_id = case_id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = match replaces {
                        None => sqlx::query(
                            "INSERT INTO plans (case_id, version, written_on, agreed_on, sealed) \
                             SELECT id, ?, ?, NULL, ? FROM cases WHERE id = ? \
                             ON CONFLICT (case_id) DO NOTHING",
                        )
                        .bind(i64::from(plan.version))
                        .bind(day(plan.written_on))
                        .bind(&plan.sealed)
                        .bind(&case_id)
                        .execute(&mut *conn)
                        .await?,
                        Some(current) => {
                            sqlx::query(
                                "UPDATE plans SET version = ?, written_on = ?, sealed = ? \
                             WHERE case_id = ? AND version = ? AND agreed_on IS NULL",
                            )
                            .bind(i64::from(plan.version))
                            .bind(day(plan.written_on))
                            .bind(&plan.sealed)
                            .bind(&case_id)
                            .bind(i64::from(current))
                            .execute(&mut *conn)
                            .await?
                        }
                    };
                    if done.rows_affected() != 1 {
                        return Ok(false);
                    }
                    sqlx::query("DELETE FROM plan_answers WHERE case_id = ?")
                        .bind(&case_id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(true)
                })
            })
            .await
    }

    async fn put_answer(&self, case_id: &str, answer: Answer) -> Result<bool, StoreError> {
        let case_id = case_id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = sqlx::query(
                        "INSERT INTO plan_answers \
                         (case_id, party, version, answer, channel, answered_on) \
                         SELECT case_id, ?, version, ?, ?, ? FROM plans \
                         WHERE case_id = ? AND version = ? AND agreed_on IS NULL \
                         ON CONFLICT (case_id, party) DO UPDATE SET version = excluded.version, \
                         answer = excluded.answer, channel = excluded.channel, \
                         answered_on = excluded.answered_on",
                    )
                    .bind(i64::from(answer.party))
                    .bind(answer.answer.code())
                    .bind(answer.channel.code())
                    .bind(day(answer.on))
                    .bind(&case_id)
                    .bind(i64::from(answer.version))
                    .execute(&mut *conn)
                    .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn agree_plan(
        &self,
        case_id: &str,
        version: u32,
        on: NaiveDate,
    ) -> Result<bool, StoreError> {
        let case_id = case_id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE plans SET agreed_on = ? \
                         WHERE case_id = ? AND version = ? AND agreed_on IS NULL",
                    )
                    .bind(day(on))
                    .bind(&case_id)
                    .bind(i64::from(version))
                    .execute(&mut *conn)
                    .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }
}
