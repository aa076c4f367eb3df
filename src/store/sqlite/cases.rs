//! Cases on SQLite: intake (the multi-row inserts the writer batches), the console's list and
//! reads, opening, services, recorded dates and their corrections, and closing, which destroys
//! the case with its key and counts it in the trends in one write. Reads use the pool; every
//! write is a job for the group-committing writer. Notes, the thread and letters have files of
//! their own. It must not write outside the writer (a second writer would break its group
//! commits and the order of keys before cases), and it only ever holds sealed content.

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::SqliteConnection;

use super::rows::{day, sealed_case};
use super::{Job, SqliteBackend};
use crate::crypto::ReceiptHash;
use crate::domain::case::{CaseDate, Service, services_to_codes};
use crate::store::StoreError;
use crate::store::backend::{
    CaseListing, CaseRecord, CaseRows, CorrectionRecord, NewCase, NewPartyRecord, PartyRecord,
    SealedCase,
};
use crate::store::rows::{
    CASE_COLUMNS, PARTY_COLUMNS, case_listing, case_record, correction_record, party_record,
};

fn sealed_case_query(filter: &str) -> String {
    format!(
        "SELECT {CASE_COLUMNS}, c.sealed, k.wrapped FROM cases c \
         LEFT JOIN keystore.content_keys k ON k.id = c.key_id WHERE {filter}"
    )
}

/// Rows per multi-row `INSERT` (15 parameters each, far below SQLite's limit).
pub(super) const INSERT_CHUNK: usize = 200;

/// Inserts the keys of new cases, one multi-row `INSERT` per chunk. The writer commits them
/// before the cases themselves (see `writer.rs`). Runs on the key writer's connection, whose
/// main database is the key store itself, so the table is named without a schema.
pub(super) async fn insert_case_keys(
    conn: &mut SqliteConnection,
    cases: &[&NewCase],
) -> Result<(), sqlx::Error> {
    for chunk in cases.chunks(INSERT_CHUNK) {
        let mut keys =
            sqlx::QueryBuilder::<sqlx::Sqlite>::new("INSERT INTO content_keys (id, wrapped) ");
        keys.push_values(chunk, |mut row, case| {
            row.push_bind(case.record.key_id.clone())
                .push_bind(case.wrapped_key.clone());
        });
        keys.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Inserts new cases (their keys already stored) with one multi-row `INSERT` per chunk.
pub(super) async fn insert_cases(
    conn: &mut SqliteConnection,
    cases: &[Box<NewCase>],
) -> Result<(), sqlx::Error> {
    for chunk in cases.chunks(INSERT_CHUNK) {
        let mut rows = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO cases (id, status, channel, category, raised_by, first_contact, opened_on, \
             termination_date, services, receipt_hash, assigned_to, intake_lang, recipient, key_id, \
             complaint_filed, sealed) ",
        );
        rows.push_values(chunk, |mut row, case| {
            let r = &case.record;
            row.push_bind(r.id.clone())
                .push_bind(r.status.code())
                .push_bind(r.channel.code())
                .push_bind(r.category.code())
                .push_bind(r.raised_by.code())
                .push_bind(day(r.first_contact))
                .push_bind(r.opened_on.map(day))
                .push_bind(r.termination_date.map(day))
                .push_bind(services_to_codes(&r.services))
                .push_bind(case.receipt_hash.map(|h| h.0.to_vec()))
                .push_bind(r.assigned_to.clone())
                .push_bind(r.intake_lang.clone())
                .push_bind(r.recipient.clone())
                .push_bind(r.key_id.clone())
                .push_bind(r.complaint_filed)
                .push_bind(case.sealed.clone());
        });
        rows.build().execute(&mut *conn).await?;
    }
    Ok(())
}

#[async_trait]
impl CaseRows for SqliteBackend {
    async fn insert_case(&self, case: NewCase) -> Result<(), StoreError> {
        self.writer.insert_case(case).await
    }

    async fn list_cases(&self, today: NaiveDate) -> Result<Vec<CaseListing>, StoreError> {
        let sql = format!(
            "SELECT {CASE_COLUMNS}, \
               (SELECT m.author FROM messages m WHERE m.case_id = c.id \
                ORDER BY m.seq DESC LIMIT 1) AS last_author, \
               (SELECT count(*) FROM notes n WHERE n.case_id = c.id AND n.kind = 'commitment' \
                AND n.done = 0 AND n.expires_on > ?) AS open_commitments \
             FROM cases c ORDER BY c.first_contact DESC, c.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(day(today))
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.iter().map(case_listing).collect::<Result<_, _>>()?)
    }

    async fn case(&self, id: &str) -> Result<Option<SealedCase>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(sealed_case_query("c.id = ?")))
            .bind(id)
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(sealed_case).transpose()?)
    }

    async fn case_by_receipt(
        &self,
        receipt: &ReceiptHash,
    ) -> Result<Option<SealedCase>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(sealed_case_query("c.receipt_hash = ?")))
            .bind(receipt.0.as_slice())
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(sealed_case).transpose()?)
    }

    async fn party_by_receipt(
        &self,
        receipt: &ReceiptHash,
    ) -> Result<Option<PartyRecord>, StoreError> {
        let sql = format!("SELECT {PARTY_COLUMNS} FROM parties p WHERE p.receipt_hash = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(receipt.0.as_slice())
            .fetch_optional(&self.readers)
            .await?;
        Ok(row.as_ref().map(party_record).transpose()?)
    }

    async fn insert_party(&self, party: NewPartyRecord) -> Result<Option<u32>, StoreError> {
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, Option<u32>> {
                Box::pin(async move {
                    let number: Option<i64> = sqlx::query_scalar(
                        "INSERT INTO parties (id, case_id, number, receipt_hash, sealed) \
                         SELECT ?1, c.id, \
                           (SELECT coalesce(max(p.number), 1) + 1 FROM parties p \
                            WHERE p.case_id = c.id), ?2, ?3 \
                         FROM cases c WHERE c.id = ?4 RETURNING number",
                    )
                    .bind(&party.id)
                    .bind(party.receipt_hash.map(|h| h.0.to_vec()))
                    .bind(&party.sealed)
                    .bind(&party.case_id)
                    .fetch_optional(&mut *conn)
                    .await?;
                    Ok(number.and_then(|n| u32::try_from(n).ok()))
                })
            })
            .await
    }

    async fn delete_party(&self, case_id: &str, party_id: &str) -> Result<Option<u32>, StoreError> {
        let (case_id, party_id) = (case_id.to_owned(), party_id.to_owned());
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, Option<u32>> {
                Box::pin(async move {
                    // Its messages go with it (the foreign key cascades).
                    let number: Option<i64> = sqlx::query_scalar(
                        "DELETE FROM parties WHERE id = ? AND case_id = ? RETURNING number",
                    )
                    .bind(&party_id)
                    .bind(&case_id)
                    .fetch_optional(&mut *conn)
                    .await?;
                    if let Some(number) = number {
                        sqlx::query("DELETE FROM plan_answers WHERE case_id = ? AND party = ?")
                            .bind(&case_id)
                            .bind(number)
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(number.and_then(|n| u32::try_from(n).ok()))
                })
            })
            .await
    }

    async fn replace_certificate(
        &self,
        case_id: &str,
        certificate_id: &str,
    ) -> Result<bool, StoreError> {
        let (case_id, certificate_id) = (case_id.to_owned(), certificate_id.to_owned());
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let Some(previous) = sqlx::query_scalar::<_, Option<String>>(
                        "SELECT certificate_id FROM cases WHERE id = ?",
                    )
                    .bind(&case_id)
                    .fetch_optional(&mut *conn)
                    .await?
                    else {
                        return Ok(false);
                    };
                    if let Some(previous) = previous.filter(|p| *p != certificate_id) {
                        sqlx::query(
                            "INSERT INTO superseded_certificates (id, replaced_by) VALUES (?, ?) \
                             ON CONFLICT (id) DO NOTHING",
                        )
                        .bind(&previous)
                        .bind(&certificate_id)
                        .execute(&mut *conn)
                        .await?;
                    }
                    sqlx::query("UPDATE cases SET certificate_id = ? WHERE id = ?")
                        .bind(&certificate_id)
                        .bind(&case_id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(true)
                })
            })
            .await
    }

    async fn superseded_by(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT replaced_by FROM superseded_certificates WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.readers)
                .await?,
        )
    }

    async fn parties(&self, case_id: &str) -> Result<Vec<PartyRecord>, StoreError> {
        let sql =
            format!("SELECT {PARTY_COLUMNS} FROM parties p WHERE p.case_id = ? ORDER BY p.number");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id)
            .fetch_all(&self.readers)
            .await?;
        Ok(rows.iter().map(party_record).collect::<Result<_, _>>()?)
    }

    async fn open_case(&self, id: &str, today: NaiveDate) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let exists = sqlx::query("SELECT 1 FROM cases WHERE id = ?")
                        .bind(&id)
                        .fetch_optional(&mut *conn)
                        .await?
                        .is_some();
                    sqlx::query(
                        "UPDATE cases SET status = 'open', opened_on = ? \
                         WHERE id = ? AND status = 'new'",
                    )
                    .bind(day(today))
                    .bind(&id)
                    .execute(&mut *conn)
                    .await?;
                    Ok(exists)
                })
            })
            .await
    }

    async fn set_services(&self, id: &str, services: &[Service]) -> Result<bool, StoreError> {
        let (id, codes) = (id.to_owned(), services_to_codes(services));
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = sqlx::query("UPDATE cases SET services = ? WHERE id = ?")
                        .bind(&codes)
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn assign_case(&self, id: &str, username: Option<&str>) -> Result<bool, StoreError> {
        let (id, username) = (id.to_owned(), username.map(str::to_owned));
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = sqlx::query("UPDATE cases SET assigned_to = ? WHERE id = ?")
                        .bind(&username)
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn set_complaint_filed(&self, id: &str, filed: bool) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = sqlx::query("UPDATE cases SET complaint_filed = ? WHERE id = ?")
                        .bind(filed)
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn touch_case(&self, id: &str, on: NaiveDate) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = sqlx::query("UPDATE cases SET touched_on = ? WHERE id = ?")
                        .bind(day(on))
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn set_case_receipt(
        &self,
        id: &str,
        receipt: &ReceiptHash,
    ) -> Result<Option<bool>, StoreError> {
        let (id, hash) = (id.to_owned(), receipt.0.to_vec());
        self.writer
            .write(
                move |conn: &mut SqliteConnection| -> Job<'_, Option<bool>> {
                    Box::pin(async move {
                        let held: Option<bool> = sqlx::query_scalar(
                            "SELECT receipt_hash IS NOT NULL FROM cases WHERE id = ?",
                        )
                        .bind(&id)
                        .fetch_optional(&mut *conn)
                        .await?;
                        match held {
                            None => return Ok(None),
                            Some(true) => return Ok(Some(false)),
                            Some(false) => {}
                        }
                        sqlx::query(
                        "UPDATE cases SET receipt_hash = ? WHERE id = ? AND receipt_hash IS NULL",
                    )
                    .bind(&hash)
                    .bind(&id)
                    .execute(&mut *conn)
                    .await?;
                        sqlx::query(
                            "UPDATE letters SET receipt_hash = ? WHERE case_id = ? \
                         AND party_id IS NULL AND receipt_hash IS NULL AND sent_on IS NULL",
                        )
                        .bind(&hash)
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                        Ok(Some(true))
                    })
                },
            )
            .await
    }

    async fn non_membership(&self, case_id: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, sealed FROM non_membership WHERE case_id = ?")
                .bind(case_id)
                .fetch_all(&self.readers)
                .await?,
        )
    }

    async fn insert_non_membership(
        &self,
        case_id: &str,
        id: &str,
        sealed: Vec<u8>,
    ) -> Result<bool, StoreError> {
        let (case_id, id) = (case_id.to_owned(), id.to_owned());
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done = sqlx::query(
                        "INSERT INTO non_membership (id, case_id, sealed) \
                         SELECT ?, id, ? FROM cases WHERE id = ?",
                    )
                    .bind(&id)
                    .bind(&sealed)
                    .bind(&case_id)
                    .execute(&mut *conn)
                    .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn delete_non_membership(&self, case_id: &str, id: &str) -> Result<bool, StoreError> {
        let (case_id, id) = (case_id.to_owned(), id.to_owned());
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let done =
                        sqlx::query("DELETE FROM non_membership WHERE id = ? AND case_id = ?")
                            .bind(&id)
                            .bind(&case_id)
                            .execute(&mut *conn)
                            .await?;
                    Ok(done.rows_affected() == 1)
                })
            })
            .await
    }

    async fn set_case_date(
        &self,
        case_id: &str,
        field: CaseDate,
        date: NaiveDate,
        correction: Option<CorrectionRecord>,
    ) -> Result<bool, StoreError> {
        let case_id = case_id.to_owned();
        self.writer
            .write(move |conn: &mut SqliteConnection| -> Job<'_, bool> {
                Box::pin(async move {
                    let sql = match field {
                        CaseDate::FirstContact => "UPDATE cases SET first_contact = ? WHERE id = ?",
                        CaseDate::Termination => {
                            "UPDATE cases SET termination_date = ? WHERE id = ?"
                        }
                    };
                    let changed = sqlx::query(sql)
                        .bind(day(date))
                        .bind(&case_id)
                        .execute(&mut *conn)
                        .await?;
                    if changed.rows_affected() == 0 {
                        return Ok(false);
                    }
                    if let Some(c) = correction {
                        sqlx::query(
                            "INSERT INTO date_corrections \
                             (case_id, field, old_date, new_date, corrected_on, sealed_reason) \
                             VALUES (?, ?, ?, ?, ?, ?)",
                        )
                        .bind(&case_id)
                        .bind(c.field.code())
                        .bind(c.old_date.map(day))
                        .bind(day(c.new_date))
                        .bind(day(c.corrected_on))
                        .bind(&c.sealed_reason)
                        .execute(&mut *conn)
                        .await?;
                    }
                    Ok(true)
                })
            })
            .await
    }

    async fn corrections(&self, case_id: &str) -> Result<Vec<CorrectionRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT field, old_date, new_date, corrected_on, sealed_reason FROM date_corrections \
             WHERE case_id = ? ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.readers)
        .await?;
        Ok(rows
            .iter()
            .map(correction_record)
            .collect::<Result<_, _>>()?)
    }

    async fn destroy_case(
        &self,
        id: &str,
        counters: Vec<(String, String)>,
    ) -> Result<Option<CaseRecord>, StoreError> {
        let id = id.to_owned();
        let destroyed = self
            .writer
            .write(
                move |conn: &mut SqliteConnection| -> Job<'_, Option<CaseRecord>> {
                    Box::pin(async move {
                        let sql = format!("SELECT {CASE_COLUMNS} FROM cases c WHERE c.id = ?");
                        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .bind(&id)
                            .fetch_optional(&mut *conn)
                            .await?
                        else {
                            return Ok(None);
                        };
                        let record = case_record(&row)?;
                        // Notes and messages go with the case (ON DELETE CASCADE).
                        sqlx::query("DELETE FROM cases WHERE id = ?")
                            .bind(&id)
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("DELETE FROM keystore.content_keys WHERE id = ?")
                            .bind(&record.key_id)
                            .execute(&mut *conn)
                            .await?;
                        for (key, month) in &counters {
                            sqlx::query(
                                "INSERT INTO trend_counters (key, month, count) VALUES (?, ?, 1) \
                                 ON CONFLICT (key) DO UPDATE SET count = count + 1",
                            )
                            .bind(key)
                            .bind(month)
                            .execute(&mut *conn)
                            .await?;
                        }
                        Ok(Some(record))
                    })
                },
            )
            .await?;
        if destroyed.is_some() {
            // Old page images in the WAL still hold the ciphertext and the key; push them out.
            if let Err(e) = self.writer.checkpoint().await {
                tracing::warn!("after destroying a case: {e}; the next checkpoint will finish it");
            }
        }
        Ok(destroyed)
    }
}
