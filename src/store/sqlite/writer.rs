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
//! whose key was never stored, unreadable for good. New cases' keys are therefore committed in
//! a transaction of their own before the batch that inserts the cases; a crash in between
//! leaves only keys without a case, which the sweeper removes.

use futures_util::future::BoxFuture;
use sqlx::SqliteConnection;
use tokio::sync::{mpsc, oneshot};

use crate::store::StoreError;
use crate::store::backend::NewCase;

/// Most jobs committed together.
const MAX_BATCH: usize = 256;
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
    Case(Box<NewCase>, oneshot::Sender<Result<(), StoreError>>),
    Checkpoint(oneshot::Sender<Result<(), StoreError>>),
    Close(oneshot::Sender<()>),
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
}

impl Writer {
    /// Starts the writer task on `conn`.
    pub fn start(conn: SqliteConnection) -> Self {
        let (jobs, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(run(conn, receiver));
        Self { jobs }
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

    /// Stores a new case (and its key) in the next batch, once committed.
    pub async fn insert_case(&self, case: NewCase) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Message::Case(Box::new(case), reply))
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
        if self.jobs.send(Message::Close(done)).await.is_ok() {
            let _ = finished.await;
        }
    }
}

async fn run(mut conn: SqliteConnection, mut receiver: mpsc::Receiver<Message>) {
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
            commit_batch(&mut conn, jobs, cases).await;
            tracing::trace!(
                size,
                micros = started.elapsed().as_micros() as u64,
                "write batch committed"
            );
        }
        if !checkpoints.is_empty() {
            let result = checkpoint(&mut conn).await;
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

async fn commit_batch(conn: &mut SqliteConnection, jobs: Vec<Box<dyn Job>>, cases: Vec<CaseWrite>) {
    let cases = commit_case_keys(conn, cases).await;
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
            match super::queries::insert_cases(conn, &rows).await {
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
    let stored = async {
        sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        let written = super::queries::insert_case_keys(conn, &rows).await;
        match written {
            Ok(()) => sqlx::raw_sql("COMMIT")
                .execute(&mut *conn)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        }
    }
    .await;
    match stored {
        Ok(()) => cases,
        Err(e) => {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            let error = StoreError::from(e);
            for (_, reply) in cases {
                let _ = reply.send(Err(error.again()));
            }
            Vec::new()
        }
    }
}
