//! The single writer of the SQLite database, with group commit.
//!
//! Every write is a job sent to one task that owns the one writing connection. The task takes
//! all jobs waiting (up to a bound), runs each inside its own savepoint of one transaction, and
//! commits once: one `fsync` acknowledges many writes. A job's caller hears back only after the
//! commit, so an acknowledged write is on disk. A job that fails is rolled back to its savepoint
//! without disturbing the others in its batch.
//!
//! New cases, the one write that comes in floods, take a faster path: every case waiting goes
//! into one multi-row `INSERT` per table, inside one savepoint. Each statement is a hop to the
//! database thread, and under load a hop costs far more than the insert itself.
//!
//! A transaction over two attached files in WAL mode is atomic in each file but not across them:
//! SQLite commits the main file first, so a crash between the two commits could leave a case
//! whose key was never stored, unreadable for good. New cases' keys are therefore committed
//! first, by a second task (the key writer) on a connection of their own; only then does the
//! writer insert the cases. A crash in between leaves only keys without a case, which the
//! sweeper removes. The two tasks form a pipeline: while the writer commits one batch of cases,
//! the key writer commits the next batch's keys, so the two `fsync`s overlap instead of adding
//! up. A batch of cases alone is one `INSERT` that writes only the main file, so the key writer
//! is never kept waiting for it.
//!
//! Keys committed but whose cases are not committed yet are "in flight" ([`KeysInFlight`]); the
//! sweeper must not take them for orphans.
//!
//! Both connections can write the key store, so they take turns through [`KeyStoreTurn`], an
//! async lock, rather than through SQLite's busy handler: that handler sleeps (up to 100 ms at a
//! time), and a sweep's writes then held new concerns back for most of a second.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use sqlx::SqliteConnection;
use tokio::sync::{mpsc, oneshot};

use super::cases::INSERT_CHUNK;
use crate::store::StoreError;
use crate::store::backend::NewCase;

/// Most jobs committed together.
///
/// No more than one multi-row `INSERT` holds, so that a batch's new cases (and, in the key
/// writer, their keys) are always a single statement, which is its own transaction.
const MAX_BATCH: usize = INSERT_CHUNK;
/// Jobs that may wait for the writer before senders are made to wait.
const QUEUE: usize = 4096;

/// Tells a job's caller how its batch ended.
type Completion = Box<dyn FnOnce(Result<(), &StoreError>) + Send>;

/// One unit of work for the writer.
trait Job: Send {
    /// Runs the work; says whether it succeeded and how to report the batch's outcome.
    fn run<'c>(
        self: Box<Self>,
        conn: &'c mut SqliteConnection,
    ) -> BoxFuture<'c, (bool, Completion)>;
    /// Reports a failure without running the work.
    fn fail(self: Box<Self>, error: &StoreError);
}

struct TypedJob<R, F> {
    work: F,
    reply: oneshot::Sender<Result<R, StoreError>>,
}

impl<R, F> Job for TypedJob<R, F>
where
    R: Send + 'static,
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<R, sqlx::Error>>
        + Send
        + 'static,
{
    fn run<'c>(
        self: Box<Self>,
        conn: &'c mut SqliteConnection,
    ) -> BoxFuture<'c, (bool, Completion)> {
        let TypedJob { work, reply } = *self;
        Box::pin(async move {
            match work(conn).await {
                Ok(value) => {
                    let complete: Completion = Box::new(move |committed| {
                        let _ = reply.send(committed.map(|()| value).map_err(StoreError::again));
                    });
                    (true, complete)
                }
                Err(e) => {
                    let error = StoreError::from(e);
                    let complete: Completion = Box::new(move |_| {
                        let _ = reply.send(Err(error));
                    });
                    (false, complete)
                }
            }
        })
    }

    fn fail(self: Box<Self>, error: &StoreError) {
        let _ = self.reply.send(Err(error.again()));
    }
}

enum Message {
    Job(Box<dyn Job>),
    /// A new case whose key the key writer has committed.
    Case(Box<NewCase>, oneshot::Sender<Result<(), StoreError>>),
    Checkpoint(oneshot::Sender<Result<(), StoreError>>),
    Close(oneshot::Sender<()>),
}

/// What the key writer is sent.
enum KeyMessage {
    /// A new case, whose key is still to be committed.
    Case(Box<NewCase>, oneshot::Sender<Result<(), StoreError>>),
    /// Finish what is queued, then close the writer behind.
    Close(oneshot::Sender<()>),
}

/// The right to write the key store: the key writer holds it while it commits keys, the writer
/// while it runs jobs (which may write keys) or checkpoints.
type KeyStoreTurn = Arc<tokio::sync::Mutex<()>>;

/// Ids of keys the key writer has committed (or is committing) for cases the writer has not
/// committed yet.
#[derive(Clone, Default)]
pub struct KeysInFlight(Arc<Mutex<HashSet<String>>>);

impl KeysInFlight {
    fn ids(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn add(&self, ids: &[String]) {
        self.ids().extend(ids.iter().cloned());
    }

    pub(super) fn remove(&self, ids: &[String]) {
        let mut held = self.ids();
        for id in ids {
            held.remove(id);
        }
    }

    /// The ids as a JSON array of strings, for `json_each` in the sweeper's orphan search.
    /// Read it inside the writer's transaction: a key committed before that transaction's
    /// snapshot is either listed here or has its case visible in the snapshot.
    pub fn json(&self) -> String {
        serde_json::Value::from(self.ids().iter().cloned().collect::<Vec<_>>()).to_string()
    }
}

/// Copies the WAL of both files into the databases and truncates it, so that no old page
/// image (holding deleted content) stays in a WAL file. Reports a checkpoint that readers
/// kept from completing.
async fn checkpoint(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    for sql in [
        "PRAGMA main.wal_checkpoint(TRUNCATE)",
        "PRAGMA keystore.wal_checkpoint(TRUNCATE)",
    ] {
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as(sql).fetch_one(&mut *conn).await?;
        if busy != 0 {
            return Err(StoreError::Database(
                "a WAL checkpoint could not complete while readers were active".into(),
            ));
        }
    }
    Ok(())
}

/// A handle for sending writes to the writer task.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Message>,
    keys: mpsc::Sender<KeyMessage>,
    in_flight: KeysInFlight,
}

impl Writer {
    /// Jobs waiting for the writer, and how many may wait.
    pub fn queued(&self) -> (usize, usize) {
        let max = self.jobs.max_capacity();
        (max - self.jobs.capacity(), max)
    }

    /// Whether the writer task has stopped (nothing can be written any more).
    pub fn stopped(&self) -> bool {
        self.jobs.is_closed()
    }

    /// Starts the writer task on `conn` and the key writer on `key_conn`, a connection whose
    /// main database is the key store.
    pub fn start(conn: SqliteConnection, key_conn: SqliteConnection) -> Self {
        let (jobs, receiver) = mpsc::channel(QUEUE);
        let (keys, key_receiver) = mpsc::channel(QUEUE);
        let in_flight = KeysInFlight::default();
        let turn = KeyStoreTurn::default();
        tokio::spawn(run(conn, receiver, in_flight.clone(), turn.clone()));
        tokio::spawn(run_keys(
            key_conn,
            key_receiver,
            jobs.clone(),
            in_flight.clone(),
            turn,
        ));
        Self {
            jobs,
            keys,
            in_flight,
        }
    }

    /// The keys in flight, for the sweeper's orphan search.
    pub fn keys_in_flight(&self) -> KeysInFlight {
        self.in_flight.clone()
    }

    /// Runs `work` in the next batch and returns its result once the batch is committed.
    pub async fn write<R, F>(&self, work: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<R, sqlx::Error>>
            + Send
            + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Message::Job(Box::new(TypedJob { work, reply })))
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// Stores a new case (and its key, first) and returns once both are committed.
    pub async fn insert_case(&self, case: NewCase) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.keys
            .send(KeyMessage::Case(Box::new(case), reply))
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        answer.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// Checkpoints and truncates both WAL files once the writes queued before it are committed.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        let (done, finished) = oneshot::channel();
        self.jobs
            .send(Message::Checkpoint(done))
            .await
            .map_err(|_| StoreError::WriterStopped)?;
        finished.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// Lets queued jobs finish, checkpoints the WAL into the database and closes the connection.
    pub async fn close(&self) {
        let (done, finished) = oneshot::channel();
        // The key writer finishes its queue, then closes the writer behind it.
        let sent = match self.keys.send(KeyMessage::Close(done)).await {
            Ok(()) => true,
            Err(mpsc::error::SendError(KeyMessage::Close(done))) => {
                self.jobs.send(Message::Close(done)).await.is_ok()
            }
            Err(_) => false,
        };
        if sent {
            let _ = finished.await;
        }
    }
}

/// The key writer: commits new cases' keys, a batch at a time, then hands the cases on.
async fn run_keys(
    mut conn: SqliteConnection,
    mut receiver: mpsc::Receiver<KeyMessage>,
    writer: mpsc::Sender<Message>,
    in_flight: KeysInFlight,
    turn: KeyStoreTurn,
) {
    let mut messages = Vec::with_capacity(MAX_BATCH);
    let mut closing = Vec::new();
    // After a close, the queue takes nothing new, but what it holds is still committed.
    while receiver.recv_many(&mut messages, MAX_BATCH).await > 0 {
        let mut cases = Vec::with_capacity(messages.len());
        for message in messages.drain(..) {
            match message {
                KeyMessage::Case(case, reply) => cases.push((case, reply)),
                KeyMessage::Close(done) => closing.push(done),
            }
        }
        if !closing.is_empty() {
            receiver.close();
        }
        hand_on(&mut conn, &writer, &in_flight, &turn, cases).await;
    }
    let _ = sqlx::Connection::close(conn).await;
    for done in closing {
        let _ = writer.send(Message::Close(done)).await;
    }
}

/// Commits the keys of `cases` and sends the cases to the writer.
async fn hand_on(
    conn: &mut SqliteConnection,
    writer: &mpsc::Sender<Message>,
    in_flight: &KeysInFlight,
    turn: &KeyStoreTurn,
    cases: Vec<CaseWrite>,
) {
    if cases.is_empty() {
        return;
    }
    let ids = key_ids(&cases);
    // Listed before the commit, so that no sweep can see the keys without seeing them listed.
    in_flight.add(&ids);
    let stored = {
        let _turn = turn.lock().await;
        commit_case_keys(conn, cases).await
    };
    if stored.is_empty() {
        in_flight.remove(&ids);
        return;
    }
    for (case, reply) in stored {
        // A stopped writer drops the reply, and its caller hears `WriterStopped`.
        if writer.send(Message::Case(case, reply)).await.is_err() {
            return;
        }
    }
}

async fn run(
    mut conn: SqliteConnection,
    mut receiver: mpsc::Receiver<Message>,
    in_flight: KeysInFlight,
    turn: KeyStoreTurn,
) {
    let mut messages = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut messages, MAX_BATCH).await > 0 {
        let mut jobs = Vec::with_capacity(messages.len());
        let mut cases = Vec::new();
        let mut checkpoints = Vec::new();
        let mut closing = None;
        for message in messages.drain(..) {
            match message {
                Message::Job(job) => jobs.push(job),
                Message::Case(case, reply) => cases.push((case, reply)),
                Message::Checkpoint(done) => checkpoints.push(done),
                Message::Close(done) => closing = Some(done),
            }
        }
        if !jobs.is_empty() || !cases.is_empty() {
            let size = jobs.len() + cases.len();
            let started = std::time::Instant::now();
            let ids = key_ids(&cases);
            // Cases alone write only the main file and need no turn.
            let _turn = if jobs.is_empty() {
                None
            } else {
                Some(turn.lock().await)
            };
            commit_batch(&mut conn, jobs, cases).await;
            // Committed or failed, these keys are no longer in flight: a failed case's key is
            // an orphan now, for the sweeper.
            in_flight.remove(&ids);
            tracing::trace!(
                size,
                micros = started.elapsed().as_micros() as u64,
                "write batch committed"
            );
        }
        if !checkpoints.is_empty() {
            let result = {
                let _turn = turn.lock().await;
                checkpoint(&mut conn).await
            };
            for done in checkpoints {
                let _ = done.send(result.as_ref().map(|_| ()).map_err(StoreError::again));
            }
        }
        if let Some(done) = closing {
            receiver.close();
            while let Some(message) = receiver.recv().await {
                match message {
                    Message::Job(job) => job.fail(&StoreError::WriterStopped),
                    Message::Case(_, reply) => {
                        let _ = reply.send(Err(StoreError::WriterStopped));
                    }
                    Message::Checkpoint(done) => {
                        let _ = done.send(Err(StoreError::WriterStopped));
                    }
                    Message::Close(_) => {}
                }
            }
            let _turn = turn.lock().await;
            if let Err(e) = checkpoint(&mut conn).await {
                tracing::warn!("final checkpoint: {e}");
            }
            let _ = sqlx::Connection::close(conn).await;
            let _ = done.send(());
            return;
        }
    }
}

type CaseWrite = (Box<NewCase>, oneshot::Sender<Result<(), StoreError>>);

fn key_ids(cases: &[CaseWrite]) -> Vec<String> {
    cases
        .iter()
        .map(|(case, _)| case.record.key_id.clone())
        .collect()
}

async fn commit_batch(conn: &mut SqliteConnection, jobs: Vec<Box<dyn Job>>, cases: Vec<CaseWrite>) {
    if jobs.is_empty() {
        // Cases alone: one multi-row `INSERT` (see `MAX_BATCH`) is its own transaction, atomic
        // and (with `synchronous = FULL`) on disk when it returns. It writes only the main file,
        // and takes one trip to the database thread instead of four.
        let (rows, replies): (Vec<_>, Vec<_>) = cases.into_iter().unzip();
        let result = super::cases::insert_cases(conn, &rows)
            .await
            .map_err(StoreError::from);
        for reply in replies {
            let _ = reply.send(result.as_ref().map(|_| ()).map_err(StoreError::again));
        }
        return;
    }
    if let Err(e) = sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await {
        let error = StoreError::from(e);
        for job in jobs {
            job.fail(&error);
        }
        for (_, reply) in cases {
            let _ = reply.send(Err(error.again()));
        }
        return;
    }
    // New cases first, all at once, in one savepoint: if that fails they all fail, alone.
    let (rows, replies): (Vec<_>, Vec<_>) = cases.into_iter().unzip();
    let mut case_replies = Vec::new();
    if !rows.is_empty() {
        let inserted = async {
            sqlx::raw_sql("SAVEPOINT cases").execute(&mut *conn).await?;
            match super::cases::insert_cases(conn, &rows).await {
                Ok(()) => sqlx::raw_sql("RELEASE cases")
                    .execute(&mut *conn)
                    .await
                    .map(|_| ()),
                Err(e) => {
                    sqlx::raw_sql("ROLLBACK TO cases; RELEASE cases")
                        .execute(&mut *conn)
                        .await?;
                    Err(e)
                }
            }
        }
        .await;
        match inserted {
            Ok(()) => case_replies = replies,
            Err(e) => {
                let error = StoreError::from(e);
                for reply in replies {
                    let _ = reply.send(Err(error.again()));
                }
            }
        }
    }
    let mut completions: Vec<Completion> = Vec::with_capacity(jobs.len());
    let mut jobs = jobs.into_iter();
    let mut broken = None;
    for job in jobs.by_ref() {
        if let Err(e) = sqlx::raw_sql("SAVEPOINT job").execute(&mut *conn).await {
            job.fail(&StoreError::from(e));
            continue;
        }
        let (ok, complete) = job.run(conn).await;
        let end = if ok {
            "RELEASE job"
        } else {
            "ROLLBACK TO job; RELEASE job"
        };
        completions.push(complete);
        if let Err(e) = sqlx::raw_sql(end).execute(&mut *conn).await {
            broken = Some(StoreError::from(e));
            break;
        }
    }
    let result = match broken {
        // The transaction is in an unknown state: abandon the whole batch.
        Some(error) => Err(error),
        None => sqlx::raw_sql("COMMIT")
            .execute(&mut *conn)
            .await
            .map(|_| ())
            .map_err(StoreError::from),
    };
    if result.is_err() {
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    }
    for job in jobs {
        job.fail(result.as_ref().err().unwrap_or(&StoreError::WriterStopped));
    }
    for complete in completions {
        complete(result.as_ref().map(|_| ()));
    }
    for reply in case_replies {
        let _ = reply.send(result.as_ref().map(|_| ()).map_err(StoreError::again));
    }
}

/// Commits the keys of `cases` on their own; returns the cases whose keys are stored (all, or
/// none after telling every caller why).
async fn commit_case_keys(conn: &mut SqliteConnection, cases: Vec<CaseWrite>) -> Vec<CaseWrite> {
    if cases.is_empty() {
        return cases;
    }
    let rows: Vec<&NewCase> = cases.iter().map(|(case, _)| case.as_ref()).collect();
    // At most `MAX_BATCH` rows: one statement, its own transaction.
    match super::cases::insert_case_keys(conn, &rows).await {
        Ok(()) => cases,
        Err(e) => {
            let error = StoreError::from(e);
            for (_, reply) in cases {
                let _ = reply.send(Err(error.again()));
            }
            Vec::new()
        }
    }
}
