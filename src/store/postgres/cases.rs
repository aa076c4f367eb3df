//! Cases on PostgreSQL: intake (the key first, then the case), the console's list and reads,
//! opening, services, recorded dates and their corrections, and closing, which deletes the case
//! and counts it in the trends in one transaction, then destroys its key. Notes, the thread and
//! letters have files of their own. It must not store a case before its key nor destroy a key
//! before its case: `keys.rs` orders both.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::keys::content_keys;
use super::{FOREIGN_KEY_VIOLATION, PostgresBackend, UNIQUE_VIOLATION, inserted, is_sqlstate};
use crate::crypto::ReceiptHash;
use crate::domain::case::{CaseDate, Service, services_to_codes};
use crate::store::StoreError;
use crate::store::backend::{
    CaseListing, CaseRecord, CaseRows, CorrectionRecord, NewCase, NewPartyRecord, PartyRecord,
    SealedCase,
};
use crate::store::rows::{
    CASE_COLUMNS, Columns, PARTY_COLUMNS, case_listing, case_record, correction_record,
    party_record,
};

impl PostgresBackend {
    /// Reads one case and then its key.
    async fn sealed_case(
        &self,
        filter: &str,
        bind: SealedCaseBy<'_>,
    ) -> Result<Option<SealedCase>, StoreError> {
        let sql = format!("SELECT {CASE_COLUMNS}, c.sealed FROM cases c WHERE {filter}");
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = match bind {
            SealedCaseBy::Id(id) => query.bind(id.to_owned()),
            SealedCaseBy::Receipt(hash) => query.bind(hash.0.to_vec()),
        };
        let Some(row) = query.fetch_optional(&self.main).await? else {
            return Ok(None);
        };
        let record = case_record(&row)?;
        let sealed = row.bytes("sealed")?;
        let mut keys = content_keys(&self.keys, vec![record.key_id.clone()]).await?;
        Ok(Some(SealedCase {
            wrapped_key: keys.remove(&record.key_id),
            record,
            sealed,
        }))
    }
}

/// How [`PostgresBackend::sealed_case`] finds its case.
enum SealedCaseBy<'a> {
    Id(&'a str),
    Receipt(&'a ReceiptHash),
}

#[async_trait]
impl CaseRows for PostgresBackend {
    async fn insert_case(&self, case: NewCase) -> Result<(), StoreError> {
        let r = &case.record;
        let insert = async {
            sqlx::query(
                "INSERT INTO cases (id, status, channel, category, raised_by, first_contact, \
                 opened_on, termination_date, services, receipt_hash, assigned_to, intake_lang, \
                 recipient, key_id, complaint_filed, sealed) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(&r.id)
            .bind(r.status.code())
            .bind(r.channel.code())
            .bind(r.category.code())
            .bind(r.raised_by.code())
            .bind(r.first_contact)
            .bind(r.opened_on)
            .bind(r.termination_date)
            .bind(services_to_codes(&r.services))
            .bind(case.receipt_hash.as_ref().map(|h| h.0.to_vec()))
            .bind(&r.assigned_to)
            .bind(&r.intake_lang)
            .bind(&r.recipient)
            .bind(&r.key_id)
            .bind(r.complaint_filed)
            .bind(&case.sealed)
            .execute(&self.main)
            .await?;
            Ok(true)
        };
        self.with_new_key(&r.key_id, &case.wrapped_key, insert)
            .await
            .map(|_| ())
    }

    async fn list_cases(&self, today: NaiveDate) -> Result<Vec<CaseListing>, StoreError> {
        let sql = format!(
            "SELECT {CASE_COLUMNS}, \
               (SELECT m.author FROM messages m WHERE m.case_id = c.id \
                ORDER BY m.seq DESC LIMIT 1) AS last_author, \
               (SELECT count(*) FROM notes n WHERE n.case_id = c.id AND n.kind = 'commitment' \
                AND NOT n.done AND n.expires_on > $1) AS open_commitments \
             FROM cases c ORDER BY c.first_contact DESC, c.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(today)
            .fetch_all(&self.main)
            .await?;
        Ok(rows.iter().map(case_listing).collect::<Result<_, _>>()?)
    }

    async fn case(&self, id: &str) -> Result<Option<SealedCase>, StoreError> {
        self.sealed_case("c.id = $1", SealedCaseBy::Id(id)).await
    }

    async fn case_by_receipt(
        &self,
        receipt: &ReceiptHash,
    ) -> Result<Option<SealedCase>, StoreError> {
        self.sealed_case("c.receipt_hash = $1", SealedCaseBy::Receipt(receipt))
            .await
    }

    async fn party_by_receipt(
        &self,
        receipt: &ReceiptHash,
    ) -> Result<Option<PartyRecord>, StoreError> {
        let sql = format!("SELECT {PARTY_COLUMNS} FROM parties p WHERE p.receipt_hash = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(receipt.0.to_vec())
            .fetch_optional(&self.main)
            .await?;
        Ok(row.as_ref().map(party_record).transpose()?)
    }

    async fn insert_party(&self, party: NewPartyRecord) -> Result<Option<u32>, StoreError> {
        // Two parties added to one case at once may both take the next number: the loser of
        // the race (a unique violation) tries again with the number after.
        for _ in 0..5 {
            let number: Result<Option<i64>, sqlx::Error> = sqlx::query_scalar(
                "INSERT INTO parties (id, case_id, number, receipt_hash, sealed) \
                 SELECT $1, c.id, \
                   (SELECT coalesce(max(p.number), 1) + 1 FROM parties p WHERE p.case_id = c.id), \
                   $2, $3 \
                 FROM cases c WHERE c.id = $4 RETURNING number",
            )
            .bind(&party.id)
            .bind(party.receipt_hash.map(|h| h.0.to_vec()))
            .bind(&party.sealed)
            .bind(&party.case_id)
            .fetch_optional(&self.main)
            .await;
            match number {
                Ok(number) => return Ok(number.and_then(|n| u32::try_from(n).ok())),
                Err(e) if is_sqlstate(&e, FOREIGN_KEY_VIOLATION) => return Ok(None),
                Err(e) if is_sqlstate(&e, UNIQUE_VIOLATION) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Database(
            "could not number a new party: too many added at once".into(),
        ))
    }

    async fn delete_party(&self, case_id: &str, party_id: &str) -> Result<Option<u32>, StoreError> {
        let mut tx = self.main.begin().await?;
        // Its messages go with it (the foreign key cascades).
        let number: Option<i64> = sqlx::query_scalar(
            "DELETE FROM parties WHERE id = $1 AND case_id = $2 RETURNING number",
        )
        .bind(party_id)
        .bind(case_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(number) = number {
            sqlx::query("DELETE FROM plan_answers WHERE case_id = $1 AND party = $2")
                .bind(case_id)
                .bind(number)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(number.and_then(|n| u32::try_from(n).ok()))
    }

    async fn replace_certificate(
        &self,
        case_id: &str,
        certificate_id: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.main.begin().await?;
        let Some(previous) = sqlx::query_scalar::<_, Option<String>>(
            "SELECT certificate_id FROM cases WHERE id = $1 FOR UPDATE",
        )
        .bind(case_id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(false);
        };
        if let Some(previous) = previous.filter(|p| p != certificate_id) {
            sqlx::query(
                "INSERT INTO superseded_certificates (id, replaced_by) VALUES ($1, $2) \
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(&previous)
            .bind(certificate_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE cases SET certificate_id = $1 WHERE id = $2")
            .bind(certificate_id)
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn superseded_by(&self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT replaced_by FROM superseded_certificates WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.main)
                .await?,
        )
    }

    async fn parties(&self, case_id: &str) -> Result<Vec<PartyRecord>, StoreError> {
        let sql =
            format!("SELECT {PARTY_COLUMNS} FROM parties p WHERE p.case_id = $1 ORDER BY p.number");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(case_id)
            .fetch_all(&self.main)
            .await?;
        Ok(rows.iter().map(party_record).collect::<Result<_, _>>()?)
    }

    async fn open_case(&self, id: &str, today: NaiveDate) -> Result<bool, StoreError> {
        let exists: Option<bool> = sqlx::query_scalar(
            "WITH opened AS (UPDATE cases SET status = 'open', opened_on = $1 \
                             WHERE id = $2 AND status = 'new' RETURNING id) \
             SELECT true FROM cases WHERE id = $2 UNION ALL SELECT true FROM opened LIMIT 1",
        )
        .bind(today)
        .bind(id)
        .fetch_optional(&self.main)
        .await?;
        Ok(exists.is_some())
    }

    async fn set_services(&self, id: &str, services: &[Service]) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE cases SET services = $1 WHERE id = $2")
            .bind(services_to_codes(services))
            .bind(id)
            .execute(&self.main)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn assign_case(&self, id: &str, username: Option<&str>) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE cases SET assigned_to = $1 WHERE id = $2")
            .bind(username)
            .bind(id)
            .execute(&self.main)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_complaint_filed(&self, id: &str, filed: bool) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE cases SET complaint_filed = $1 WHERE id = $2")
            .bind(filed)
            .bind(id)
            .execute(&self.main)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn touch_case(&self, id: &str, day: NaiveDate) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE cases SET touched_on = $1 WHERE id = $2")
            .bind(day)
            .bind(id)
            .execute(&self.main)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_case_receipt(
        &self,
        id: &str,
        receipt: &ReceiptHash,
    ) -> Result<Option<bool>, StoreError> {
        let mut tx = self.main.begin().await?;
        let held: Option<bool> = sqlx::query_scalar(
            "SELECT receipt_hash IS NOT NULL FROM cases WHERE id = $1 FOR UPDATE",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        match held {
            None => return Ok(None),
            Some(true) => return Ok(Some(false)),
            Some(false) => {}
        }
        let hash = receipt.0.to_vec();
        sqlx::query("UPDATE cases SET receipt_hash = $1 WHERE id = $2")
            .bind(&hash)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE letters SET receipt_hash = $1 WHERE case_id = $2 \
             AND party_id IS NULL AND receipt_hash IS NULL AND sent_on IS NULL",
        )
        .bind(&hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(true))
    }

    async fn non_membership(&self, case_id: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT id, sealed FROM non_membership WHERE case_id = $1")
                .bind(case_id)
                .fetch_all(&self.main)
                .await?,
        )
    }

    async fn insert_non_membership(
        &self,
        case_id: &str,
        id: &str,
        sealed: Vec<u8>,
    ) -> Result<bool, StoreError> {
        inserted(
            sqlx::query(
                "INSERT INTO non_membership (id, case_id, sealed) \
                 SELECT $1, id, $2 FROM cases WHERE id = $3",
            )
            .bind(id)
            .bind(&sealed)
            .bind(case_id)
            .execute(&self.main)
            .await,
        )
    }

    async fn delete_non_membership(&self, case_id: &str, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM non_membership WHERE id = $1 AND case_id = $2")
            .bind(id)
            .bind(case_id)
            .execute(&self.main)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_case_date(
        &self,
        case_id: &str,
        field: CaseDate,
        date: NaiveDate,
        correction: Option<CorrectionRecord>,
    ) -> Result<bool, StoreError> {
        let sql = match field {
            CaseDate::FirstContact => "UPDATE cases SET first_contact = $1 WHERE id = $2",
            CaseDate::Termination => "UPDATE cases SET termination_date = $1 WHERE id = $2",
        };
        let mut tx = self.main.begin().await?;
        let changed = sqlx::query(sql)
            .bind(date)
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        if changed.rows_affected() == 0 {
            return Ok(false);
        }
        if let Some(c) = correction {
            sqlx::query(
                "INSERT INTO date_corrections \
                 (case_id, field, old_date, new_date, corrected_on, sealed_reason) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(case_id)
            .bind(c.field.code())
            .bind(c.old_date)
            .bind(c.new_date)
            .bind(c.corrected_on)
            .bind(&c.sealed_reason)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn corrections(&self, case_id: &str) -> Result<Vec<CorrectionRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT field, old_date, new_date, corrected_on, sealed_reason FROM date_corrections \
             WHERE case_id = $1 ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.main)
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
        // One transaction on the main database: the case goes (its notes, thread and
        // corrections with it; its letters stay, without it) and the counters go up. Only one
        // of several processes closing the same case at once gets the row back.
        let mut tx = self.main.begin().await?;
        let sql = format!("DELETE FROM cases c WHERE c.id = $1 RETURNING {CASE_COLUMNS}");
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let record = case_record(&row)?;
        for (key, month) in &counters {
            sqlx::query(
                "INSERT INTO trend_counters (key, month, count) VALUES ($1, $2, 1) \
                 ON CONFLICT (key) DO UPDATE SET count = trend_counters.count + 1",
            )
            .bind(key)
            .bind(month)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        // Then the key. If this fails or the process dies first, the key is an orphan that
        // the sweeper destroys; the content it opened is already gone.
        if let Err(e) = self
            .destroy_keys(std::slice::from_ref(&record.key_id))
            .await
        {
            tracing::warn!("destroying a closed case's key failed: {e}; the sweeper will");
        }
        self.vacuum_after_closing().await;
        Ok(Some(record))
    }
}
