//! Reading a request's body before it takes a turn: a client that trickles its body holds its
//! own connection and the bytes it has sent, never one of its audience's turns.
//!
//! The body must arrive within a time and rate bound: [`GRACE`] from the head, and after that
//! at an average of at least [`MIN_RATE`] since the head (so a 4 KiB concern has ten seconds
//! whatever the line, and a full 192 KiB body about three minutes, which the request timeout
//! cuts to its own). A sender that falls behind is answered 408. What has arrived is counted
//! against its audience's byte budget as it arrives, and released when the answer is sent; a
//! request that would overdraw it is answered 503, like any request over its audience's budget.
//!
//! This module owns only the reading; [`super::admission`] decides what it is for.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, header};
use bytes::BytesMut;
use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use zeroize::Zeroize;

use super::decode::SensitiveBody;
use super::error::Problem;
use crate::domain::phrase::Phrase;

/// Time a body may take whatever its size.
pub const GRACE: Duration = Duration::from_secs(10);
/// After [`GRACE`], the average rate a body must keep up since the head, in bytes a second.
pub const MIN_RATE: u64 = 1024;
/// Body bytes an audience may hold in memory at once, at least: above its turns' worth.
pub const MIN_BUDGET_BYTES: usize = 8 * 1024 * 1024;

/// Why a body was not read.
pub enum Refusal {
    /// The body is malformed, too large or too slow: answered with this problem.
    Problem(Problem),
    /// The audience's byte budget is spent: answered 503 with `Retry-After`.
    Busy,
}

/// A buffer that is wiped if reading stops half-way.
struct Partial(BytesMut);

impl Drop for Partial {
    fn drop(&mut self) {
        self.0.as_mut().zeroize();
    }
}

/// Reads the whole `body` (at most `limit` bytes), counting what arrives against `budget`.
/// Returns the body and the bytes it holds of the budget, which go back when that is dropped.
pub async fn read(
    headers: &HeaderMap,
    mut body: Body,
    limit: usize,
    budget: &Arc<Semaphore>,
) -> Result<(SensitiveBody, Option<OwnedSemaphorePermit>), Refusal> {
    let too_large = || Refusal::Problem(Problem::TooLarge { limit });
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let started = Instant::now();
    let mut partial = Partial(BytesMut::new());
    let mut held: Option<OwnedSemaphorePermit> = None;
    loop {
        let received = partial.0.len() as u64;
        let deadline = started + GRACE + Duration::from_millis(received * 1000 / MIN_RATE);
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => {
                return Err(Refusal::Problem(Problem::TooSlow(Phrase::new(
                    "error.too_slow",
                ))));
            }
            Ok(None) => break,
            Ok(Some(Err(_))) => {
                return Err(Refusal::Problem(Problem::BadRequest(Phrase::new(
                    "error.body_incomplete",
                ))));
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if partial.0.len() + data.len() > limit {
            return Err(too_large());
        }
        let bytes = u32::try_from(data.len()).map_err(|_| too_large())?;
        if bytes == 0 {
            continue;
        }
        let Ok(permit) = Arc::clone(budget).try_acquire_many_owned(bytes) else {
            return Err(Refusal::Busy);
        };
        match &mut held {
            Some(all) => all.merge(permit),
            None => held = Some(permit),
        }
        partial.0.extend_from_slice(&data);
    }
    let bytes: Bytes = std::mem::take(&mut partial.0).freeze();
    Ok((SensitiveBody::new(bytes), held))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(bytes: usize) -> Arc<Semaphore> {
        Arc::new(Semaphore::new(bytes))
    }

    #[tokio::test]
    async fn a_whole_body_is_read_and_holds_its_bytes_of_the_budget() {
        let budget = budget(100);
        let (body, held) = read(&HeaderMap::new(), Body::from("twelve bytes"), 50, &budget)
            .await
            .ok()
            .unwrap();
        assert_eq!(&*body, b"twelve bytes");
        assert_eq!(budget.available_permits(), 88);
        drop(held);
        assert_eq!(budget.available_permits(), 100);
    }

    #[tokio::test]
    async fn too_large_and_over_budget_are_refused() {
        let refused = read(
            &HeaderMap::new(),
            Body::from("x".repeat(51)),
            50,
            &budget(100),
        )
        .await;
        assert!(matches!(
            refused,
            Err(Refusal::Problem(Problem::TooLarge { limit: 50 }))
        ));
        let refused = read(
            &HeaderMap::new(),
            Body::from("x".repeat(20)),
            50,
            &budget(10),
        )
        .await;
        assert!(matches!(refused, Err(Refusal::Busy)));
    }

    /// A body that sends `chunks` of `size` bytes, one every `every`, then (if `stall`)
    /// nothing for an hour.
    fn trickling(chunks: usize, size: usize, every: Duration, stall: bool) -> Body {
        use futures_util::StreamExt;
        let sent = futures_util::stream::iter(0..chunks).then(move |i| async move {
            if i > 0 {
                tokio::time::sleep(every).await;
            }
            Ok::<_, std::io::Error>(Bytes::from(vec![b'x'; size]))
        });
        let stalled = futures_util::stream::iter(stall.then_some(())).then(|()| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(Bytes::new())
        });
        Body::from_stream(sent.chain(stalled))
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_falls_behind_the_rate_is_cut_off() {
        let started = Instant::now();
        // One byte, then nothing: cut off once the grace is over (a byte buys under 1 ms).
        let body = trickling(1, 1, Duration::ZERO, true);
        let refused = read(&HeaderMap::new(), body, 100, &budget(1000)).await;
        assert!(matches!(
            refused,
            Err(Refusal::Problem(Problem::TooSlow(_)))
        ));
        assert_eq!(started.elapsed(), GRACE);
        // A byte a second falls behind in the same way, however long it keeps going.
        let started = Instant::now();
        let body = trickling(1000, 1, Duration::from_secs(1), false);
        let refused = read(&HeaderMap::new(), body, 10_000, &budget(10_000)).await;
        assert!(matches!(
            refused,
            Err(Refusal::Problem(Problem::TooSlow(_)))
        ));
        assert!(started.elapsed() < GRACE + Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_keeps_the_rate_is_read_however_long_it_takes() {
        // 40 KiB at 1.1 KiB a second: 36 s, all of it taken.
        let body = trickling(40, 1024, Duration::from_millis(900), false);
        let (body, _) = read(&HeaderMap::new(), body, 64 * 1024, &budget(1 << 20))
            .await
            .ok()
            .unwrap();
        assert_eq!(body.len(), 40 * 1024);
    }
}
