//! Admission: which requests are served now, which wait a little, and which are answered
//! `503 Service Unavailable` with `Retry-After` at once, so that a flood costs bounded memory
//! and one audience cannot starve another.
//!
//! Every request belongs to one audience ([`Audience::of`], from its method and path alone):
//! the intake, the follow-up, signed-in staff, sign-in, or the other public pages. Each audience
//! has its own budget: a number served at once and a bounded queue of requests waiting (at most
//! `limits.queue_wait_ms`) for a turn. A flood on the intake fills the intake's budget only;
//! the console and the follow-up keep theirs. With proof of work on, intake submissions without
//! a valid proof must also find room in a smaller "unproven" budget ([`Admission::intake_turn`]).
//! Optional per-client limits ([`super::client_limit`]) come first, before any budget.
//!
//! This module owns the budgets and the shedding answers; it reads no body and keeps no address.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::AppState;
use super::client_limit::ClientLimits;
use super::error::{ApiError, PageError, Problem};
use super::pow::{Puzzles, Verdict};
use crate::config::limits::{Budget, Limits};
use crate::connections::Peer;

/// Who a request is for, which decides whose budget it spends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// New concerns.
    Intake,
    /// Follow-up with a receipt.
    Followup,
    /// Signed-in staff.
    Staff,
    /// Sign-in and enrolment.
    SignIn,
    /// Everything else.
    Public,
}

impl Audience {
    /// The audience of a request, from its method and path.
    pub fn of(method: &Method, path: &str) -> Self {
        let under = |prefix: &str| {
            path == prefix
                || path
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        if *method == Method::POST && (path == "/concerns" || path == "/api/v1/concerns") {
            Self::Intake
        } else if under("/followup") || under("/api/v1/followup") {
            Self::Followup
        } else if under("/signin")
            || path == "/api/v1/session"
            || under("/enrol")
            || under("/api/v1/enrolments")
        {
            Self::SignIn
        } else if [
            "/console",
            "/admin",
            "/board",
            "/account",
            "/signout",
            "/signout-everywhere",
            "/api/v1/cases",
            "/api/v1/commitments",
            "/api/v1/letters",
            "/api/v1/users",
            "/api/v1/reports",
            "/api/v1/retention",
            "/api/v1/session",
        ]
        .iter()
        .any(|prefix| under(prefix))
        {
            Self::Staff
        } else {
            Self::Public
        }
    }
}

/// One audience's budget: permits for requests served at once, and a count of those waiting.
#[derive(Debug)]
struct Gate {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
    shed: AtomicU64,
}

/// Leaves the queue when dropped, however the wait ends (a client may hang up while waiting).
struct InQueue<'a>(&'a AtomicUsize);

impl Drop for InQueue<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Gate {
    fn new(budget: Budget) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(budget.concurrent)),
            waiting: AtomicUsize::new(0),
            queue: budget.queue,
            shed: AtomicU64::new(0),
        }
    }

    /// A turn now, or after waiting at most `wait` in the queue; `None` if the queue is full or
    /// the wait ran out.
    async fn enter(&self, wait: Duration) -> Option<OwnedSemaphorePermit> {
        if let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() {
            return Some(permit);
        }
        let turn = if self.waiting.fetch_add(1, Ordering::AcqRel) < self.queue {
            let _queued = InQueue(&self.waiting);
            tokio::time::timeout(wait, Arc::clone(&self.permits).acquire_owned())
                .await
                .ok()
                .and_then(Result::ok)
        } else {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            None
        };
        if turn.is_none() {
            self.shed.fetch_add(1, Ordering::Relaxed);
        }
        turn
    }
}

/// The budgets of every audience, the per-client limits and the intake's puzzles.
#[derive(Debug)]
pub struct Admission {
    intake: Gate,
    followup: Gate,
    staff: Gate,
    sign_in: Gate,
    public: Gate,
    unproven: Option<Gate>,
    queue_wait: Duration,
    retry_after: u64,
    per_client: Option<ClientLimits>,
    puzzles: Option<Puzzles>,
}

/// A request that was turned away, with the seconds to wait before trying again.
#[derive(Debug, Clone, Copy)]
pub struct Shed(pub u64);

impl Admission {
    /// Budgets as `limits` say. Fails only if the system cannot supply randomness for the
    /// keys of the per-client hash and the puzzles.
    pub fn new(limits: &Limits) -> Result<Self, crate::crypto::CryptoError> {
        let per_client = limits
            .per_client
            .as_ref()
            .map(|settings| ClientLimits::new(settings.clone()));
        let puzzles = match &limits.proof_of_work {
            Some(settings) => Some(Puzzles::new(settings)?),
            None => None,
        };
        Ok(Self {
            intake: Gate::new(limits.intake),
            followup: Gate::new(limits.followup),
            staff: Gate::new(limits.staff),
            sign_in: Gate::new(limits.sign_in),
            public: Gate::new(limits.public),
            unproven: limits
                .proof_of_work
                .as_ref()
                .map(|settings| Gate::new(settings.unproven)),
            queue_wait: limits.queue_wait,
            retry_after: limits.retry_after_seconds,
            per_client,
            puzzles,
        })
    }

    fn gate(&self, audience: Audience) -> &Gate {
        match audience {
            Audience::Intake => &self.intake,
            Audience::Followup => &self.followup,
            Audience::Staff => &self.staff,
            Audience::SignIn => &self.sign_in,
            Audience::Public => &self.public,
        }
    }

    /// Requests turned away so far, per audience (intake, follow-up, staff, sign-in, public,
    /// unproven intake).
    pub fn shed_counts(&self) -> [u64; 6] {
        let count = |gate: &Gate| gate.shed.load(Ordering::Relaxed);
        [
            count(&self.intake),
            count(&self.followup),
            count(&self.staff),
            count(&self.sign_in),
            count(&self.public),
            self.unproven.as_ref().map_or(0, count),
        ]
    }

    /// The intake's puzzles, when proof of work is on.
    pub fn puzzles(&self) -> Option<&Puzzles> {
        self.puzzles.as_ref()
    }

    /// Decides whether a valid intake submission may be stored now: with a valid proof of work
    /// (or with proof of work off) at once; without one, only if the smaller "unproven" budget
    /// has room. The permit returned must be held until the concern is stored.
    pub async fn intake_turn(
        &self,
        challenge: Option<&str>,
        nonce: Option<&str>,
        now: i64,
    ) -> Result<Option<OwnedSemaphorePermit>, Shed> {
        let (Some(puzzles), Some(unproven)) = (&self.puzzles, &self.unproven) else {
            return Ok(None);
        };
        match puzzles.check(challenge, nonce, now) {
            Verdict::Proven => Ok(None),
            verdict => {
                tracing::debug!(?verdict, "intake submission without a valid proof of work");
                unproven
                    .enter(self.queue_wait)
                    .await
                    .map(Some)
                    .ok_or(Shed(self.retry_after))
            }
        }
    }
}

/// The middleware: per-client limits, then the audience's budget; 429 or 503 when refused.
pub async fn admit(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let audience = Audience::of(request.method(), request.uri().path());
    let api = request.uri().path().starts_with("/api/");
    let admission = &app.admission;
    if audience != Audience::Staff
        && let Some(limits) = &admission.per_client
    {
        let peer = request.extensions().get::<Peer>().copied();
        if let Err(wait) = limits.spend(request.headers(), peer, &app.clock.now()) {
            return too_many(api, wait);
        }
    }
    let Some(permit) = admission.gate(audience).enter(admission.queue_wait).await else {
        return busy(api, admission.retry_after);
    };
    let response = next.run(request).await;
    drop(permit);
    response
}

/// The message of a shed request.
pub const BUSY: &str = "The ombuds service is very busy at the moment and could not take your \
     request. Nothing was stored. Please try again in a minute; what you typed is still in \
     your browser if you go back.";

/// `503` with `Retry-After`, as JSON under `/api/` and as a page elsewhere.
pub fn busy(api: bool, retry_after: u64) -> Response {
    let problem = Problem::Unavailable(BUSY.into());
    let mut response = if api {
        ApiError(problem).into_response()
    } else {
        PageError(problem).into_response()
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

fn too_many(api: bool, retry_after: u64) -> Response {
    let problem = Problem::TooManyRequests {
        retry_after,
        message: "Too many requests have come from your network in a short time. Please wait a \
                  minute and try again."
            .into(),
    };
    if api {
        ApiError(problem).into_response()
    } else {
        PageError(problem).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_are_told_apart_by_method_and_path() {
        let of = |method: Method, path: &str| Audience::of(&method, path);
        assert_eq!(of(Method::POST, "/concerns"), Audience::Intake);
        assert_eq!(of(Method::POST, "/api/v1/concerns"), Audience::Intake);
        assert_eq!(of(Method::GET, "/"), Audience::Public);
        assert_eq!(of(Method::GET, "/api/v1/followup"), Audience::Followup);
        assert_eq!(of(Method::POST, "/followup/messages"), Audience::Followup);
        assert_eq!(of(Method::GET, "/console/cases/x"), Audience::Staff);
        assert_eq!(of(Method::GET, "/api/v1/cases"), Audience::Staff);
        assert_eq!(of(Method::POST, "/api/v1/session"), Audience::SignIn);
        assert_eq!(
            of(Method::POST, "/api/v1/session/revoke-all"),
            Audience::Staff
        );
        assert_eq!(of(Method::GET, "/consoles"), Audience::Public);
        assert_eq!(of(Method::GET, "/verify"), Audience::Public);
    }

    #[tokio::test]
    async fn a_full_gate_queues_then_sheds() {
        let gate = Gate::new(Budget {
            concurrent: 1,
            queue: 1,
        });
        let held = gate.enter(Duration::ZERO).await.unwrap();
        // The queue has room, but the wait runs out.
        assert!(gate.enter(Duration::from_millis(10)).await.is_none());
        assert_eq!(gate.waiting.load(Ordering::Acquire), 0);
        drop(held);
        assert!(gate.enter(Duration::ZERO).await.is_some());
        assert_eq!(gate.shed.load(Ordering::Relaxed), 1);
    }
}
