//! Follow-up look-ups, gathered: look-ups that arrive together share one statement and one trip
//! to a reading connection.
//!
//! Each trip to one of sqlx's SQLite connections is a hand-off to that connection's thread and
//! back; under load those hand-offs (futex wake-ups and context switches) cost more than the
//! indexed reads themselves. One gatherer task takes every look-up waiting in the queue (up to
//! [`BATCH`]), reads them all with one statement, and hands each caller its own row; while its
//! statement runs, the next batch collects in the queue. With a single caller nothing waits: a
//! batch of one is read at once. (Two gatherers were measured too: more batches of one, and
//! about 4 % fewer look-ups per second.)
//!
//! Right and wrong receipts travel the same way, in the same statements.

use chrono::NaiveDate;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use super::rows::{day, folded_letters, folded_thread, sealed_case};
use crate::crypto::ReceiptHash;
use crate::store::StoreError;
use crate::store::backend::{FollowupRecord, PartyRecord};
use crate::store::rows::CASE_COLUMNS;

/// Most look-ups read by one statement.
pub(super) const BATCH: usize = 64;

struct Wanted {
    receipt: ReceiptHash,
    today: NaiveDate,
    answer: oneshot::Sender<Result<FollowupRecord, StoreError>>,
}

/// The queue of waiting look-ups, and the gatherer that serves it.
pub(super) struct Lookups {
    queue: mpsc::Sender<Wanted>,
}

impl Lookups {
    /// Starts the gatherer on `readers`. It stops when this value is dropped.
    pub(super) fn start(readers: SqlitePool) -> Self {
        let (queue, waiting) = mpsc::channel(16 * BATCH);
        tokio::spawn(gather(waiting, readers));
        Self { queue }
    }

    /// The open case, thread and unexpired letters for `receipt`, as of `today`.
    pub(super) async fn followup(
        &self,
        receipt: &ReceiptHash,
        today: NaiveDate,
    ) -> Result<FollowupRecord, StoreError> {
        let (answer, answered) = oneshot::channel();
        let wanted = Wanted {
            receipt: *receipt,
            today,
            answer,
        };
        let stopped = || StoreError::Database("the database is closing".into());
        self.queue.send(wanted).await.map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

async fn gather(mut waiting: mpsc::Receiver<Wanted>, readers: SqlitePool) {
    let sql = statement();
    let mut batch = Vec::with_capacity(BATCH);
    while waiting.recv_many(&mut batch, BATCH).await > 0 {
        tracing::trace!(count = batch.len(), "look-ups read together");
        match read(&readers, &sql, &batch).await {
            Ok(mut records) => {
                for (n, wanted) in batch.drain(..).enumerate() {
                    let record = records.get_mut(n).and_then(Option::take).ok_or_else(|| {
                        StoreError::Database("a look-up's row is missing from its batch".into())
                    });
                    // A caller that has gone away no longer needs its answer.
                    let _ = wanted.answer.send(record);
                }
            }
            Err(e) => {
                let message = StoreError::from(e).to_string();
                for wanted in batch.drain(..) {
                    let _ = wanted
                        .answer
                        .send(Err(StoreError::Database(message.clone())));
                }
            }
        }
    }
}

/// The statement that reads a batch: one row per look-up, in the batch's order, with the case's
/// columns (NULL when no open case has the receipt), the added party the receipt is of (NULL
/// when it is the submitter's; the case is then the party's), and the thread and the letters folded into
/// JSON arrays with the sealed bytes in hex. Its one parameter is the batch as a JSON array of
/// `[hex(receipt hash), today]`; `has_plan` says whether the case has a resolution plan (read
/// separately, only then). (`+m.party_id` keeps SQLite reading a thread by its case's index,
/// never by the party index, which would scan every submitter's message.)
fn statement() -> String {
    format!(
        "SELECT w.key AS wanted, {CASE_COLUMNS}, c.sealed, k.wrapped, \
           p.id AS party_id, p.number AS party_number, p.sealed AS party_sealed, \
           (SELECT json_group_array(json_array(m.seq, m.author, m.sent_on, hex(m.sealed), m.opened) \
              ORDER BY m.seq) FROM messages m WHERE m.case_id = c.id AND +m.party_id IS p.id) \
              AS thread, \
           (SELECT json_group_array(json_array(l.id, l.case_id, l.kind, l.dated, l.expires_on, \
              l.key_id, hex(l.sealed_html), hex(l.sealed_text), iif(lk.wrapped IS NULL, NULL, hex(lk.wrapped)), \
              json(iif(l.opened, 'true', 'false'))) \
              ORDER BY l.dated DESC, l.rowid DESC) FROM letters l \
              LEFT JOIN keystore.content_keys lk ON lk.id = l.key_id \
              WHERE l.receipt_hash = unhex(w.value ->> 0) AND l.expires_on > w.value ->> 1) AS letters, \
           EXISTS (SELECT 1 FROM plans pl WHERE pl.case_id = c.id) AS has_plan \
         FROM json_each(?1) w \
         LEFT JOIN parties p ON p.receipt_hash = unhex(w.value ->> 0) \
         LEFT JOIN cases c ON c.id = coalesce(p.case_id, \
           (SELECT c1.id FROM cases c1 WHERE c1.receipt_hash = unhex(w.value ->> 0))) \
         LEFT JOIN keystore.content_keys k ON k.id = c.key_id"
    )
}

/// Reads every look-up of `batch` with `sql` (see [`statement`]); a record per look-up, in order.
async fn read(
    readers: &SqlitePool,
    sql: &str,
    batch: &[Wanted],
) -> Result<Vec<Option<FollowupRecord>>, sqlx::Error> {
    let wanted = serde_json::Value::Array(
        batch
            .iter()
            .map(|w| {
                serde_json::json!([data_encoding::HEXUPPER.encode(&w.receipt.0), day(w.today)])
            })
            .collect(),
    )
    .to_string();
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(wanted)
        .fetch_all(readers)
        .await?;
    let mut records: Vec<Option<FollowupRecord>> = batch.iter().map(|_| None).collect();
    for row in &rows {
        let n: i64 = row.try_get("wanted")?;
        if let Some(slot) = usize::try_from(n).ok().and_then(|n| records.get_mut(n)) {
            *slot = Some(record(row)?);
        }
    }
    Ok(records)
}

fn record(row: &SqliteRow) -> Result<FollowupRecord, sqlx::Error> {
    let case_id: Option<String> = row.try_get("id")?;
    let thread: Option<String> = row.try_get("thread")?;
    let letters: String = row.try_get("letters")?;
    let party_id: Option<String> = row.try_get("party_id")?;
    let party = match (party_id, &case_id) {
        (Some(id), Some(case_id)) => {
            let number: i64 = row.try_get("party_number")?;
            Some(PartyRecord {
                id,
                case_id: case_id.clone(),
                number: u32::try_from(number).unwrap_or(0),
                has_receipt: true,
                sealed: row.try_get("party_sealed")?,
            })
        }
        _ => None,
    };
    Ok(FollowupRecord {
        case: case_id.map(|_| sealed_case(row)).transpose()?,
        party,
        messages: folded_thread(thread.as_deref().unwrap_or("[]"))?,
        letters: folded_letters(&letters)?,
        may_have_plan: row.try_get("has_plan")?,
    })
}
