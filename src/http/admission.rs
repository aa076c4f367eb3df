//! Admission: which requests are served now, which wait a little, and which are answered
//! `503 Service Unavailable` with `Retry-After` at once, so that a flood costs bounded memory
//! and one audience cannot starve another.
//!
//! Every request belongs to one audience ([`Audience::of`], from its method and path alone):
//! the intake, the follow-up, signed-in staff, sign-in, or the other public pages. Each audience
//! has its own budget: a number served at once and a bounded queue of requests waiting (at most
//! `limits.queue_wait_ms`) for a turn. A flood on the intake fills the intake's budget only;
//! the console and the follow-up keep theirs. Optional per-client limits
//! ([`super::client_limit`]) come first, before any budget.
//!
//! A request's body is read before it takes a turn ([`super::body_first`]: bounded in time and
//! rate, counted against the audience's byte budget), so a client that trickles its body
//! holds no turn. With proof of work on, an intake submission's proof is then checked
//! ([`super::pow`]) and the submission sent to a budget: the intake's with a valid proof, the
//! smaller "unproven" one without. So a flood of submissions without proofs is turned away
//! after a cheap check, and never takes the turns of proven ones.
//!
//! This module owns the budgets and the shedding answers. It looks into an intake body only to
//! find the two proof fields, and keeps no address.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::AppState;
use super::body_first::{self, Refusal};
use super::client_limit::ClientLimits;
use super::decode::MAX_BODY_BYTES;
use super::error::{ApiError, PageError, Problem};
use super::pow::{Puzzles, Verdict};
use crate::config::limits::{Budget, Limits};
use crate::domain::phrase::Phrase;
use crate::server::connections::Peer;

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
            "/api/v1/access-grants",
            "/api/v1/reports",
            "/api/v1/retention",
            "/api/v1/session",
            "/api/v1/account",
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

/// One audience's budget: permits for requests served at once, a count of those waiting, and
/// the body bytes its requests may hold in memory before and during their turn.
#[derive(Debug)]
struct Gate {
    name: &'static str,
    permits: Arc<Semaphore>,
    bodies: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
    shed: AtomicU64,
    /// When shedding was last reported, and the count then.
    reported: Mutex<Option<(Instant, u64)>>,
}

/// Shedding is reported to the log at most this often per audience.
const REPORT_EVERY: Duration = Duration::from_secs(60);

/// Leaves the queue when dropped, however the wait ends (a client may hang up while waiting).
struct InQueue<'a>(&'a AtomicUsize);

impl Drop for InQueue<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Gate {
    fn new(name: &'static str, budget: Budget) -> Self {
        let bodies = (budget.concurrent + budget.queue)
            .saturating_mul(MAX_BODY_BYTES)
            .clamp(body_first::MIN_BUDGET_BYTES, Semaphore::MAX_PERMITS);
        Self {
            name,
            permits: Arc::new(Semaphore::new(budget.concurrent)),
            bodies: Arc::new(Semaphore::new(bodies)),
            waiting: AtomicUsize::new(0),
            queue: budget.queue,
            shed: AtomicU64::new(0),
            reported: Mutex::new(None),
        }
    }

    /// Counts one shed request, and tells the operator (counts only) at most once a minute.
    fn note_shed(&self) {
        let total = self.shed.fetch_add(1, Ordering::Relaxed) + 1;
        let Ok(mut reported) = self.reported.try_lock() else {
            return;
        };
        let now = Instant::now();
        match *reported {
            Some((at, _)) if now.duration_since(at) < REPORT_EVERY => {}
            Some((_, before)) => {
                tracing::warn!(
                    audience = self.name,
                    shed = total - before,
                    "overloaded: requests answered 503 in the last minute or so"
                );
                *reported = Some((now, total));
            }
            None => {
                tracing::warn!(
                    audience = self.name,
                    "overloaded: answering 503 with Retry-After (counts follow each minute)"
                );
                *reported = Some((now, total));
            }
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
            self.note_shed();
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
    /// With proof of work on: submissions without a valid proof.
    unproven: Option<Gate>,
    queue_wait: Duration,
    retry_after: u64,
    per_client: Option<ClientLimits>,
    puzzles: Option<Puzzles>,
}

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
            intake: Gate::new("intake", limits.intake),
            followup: Gate::new("follow-up", limits.followup),
            staff: Gate::new("staff", limits.staff),
            sign_in: Gate::new("sign-in", limits.sign_in),
            public: Gate::new("public", limits.public),
            unproven: limits
                .proof_of_work
                .as_ref()
                .map(|settings| Gate::new("intake without proof of work", settings.unproven)),
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

    /// The intake's puzzles, when proof of work is on.
    pub fn puzzles(&self) -> Option<&Puzzles> {
        self.puzzles.as_ref()
    }

    /// For each budget: its name, the requests it has shed since start-up, and the requests
    /// waiting in its queue now. Counts only; nothing about who sent them.
    pub fn gauges(&self) -> Vec<(&'static str, u64, usize)> {
        [
            Some(&self.intake),
            Some(&self.followup),
            Some(&self.staff),
            Some(&self.sign_in),
            Some(&self.public),
            self.unproven.as_ref(),
        ]
        .into_iter()
        .flatten()
        .map(|gate| {
            (
                gate.name,
                gate.shed.load(Ordering::Relaxed),
                gate.waiting.load(Ordering::Relaxed).min(gate.queue),
            )
        })
        .collect()
    }
}

/// The middleware: per-client limits, then the whole body, then the audience's budget; 429,
/// 408 or 503 when refused.
pub async fn admit(State(app): State<AppState>, request: Request, next: Next) -> Response {
    // A load balancer's probes spend no budget: a flood must not make a healthy server look
    // dead ([`super::probes`]).
    if super::probes::is_probe(request.uri().path()) {
        return next.run(request).await;
    }
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
    let mut gate = admission.gate(audience);
    let (parts, body) = request.into_parts();
    let (body, _held) =
        match body_first::read(&parts.headers, body, MAX_BODY_BYTES, &gate.bodies).await {
            Ok(read) => read,
            Err(Refusal::Busy) => {
                gate.note_shed();
                return busy(api, admission.retry_after);
            }
            Err(Refusal::Problem(problem)) if api => return ApiError(problem).into_response(),
            Err(Refusal::Problem(problem)) => return PageError(problem).into_response(),
        };
    if audience == Audience::Intake
        && let (Some(puzzles), Some(unproven)) = (&admission.puzzles, &admission.unproven)
    {
        let (challenge, nonce) = proof_fields(&parts.headers, &body);
        // Not logged: under a flood that would be a line per request.
        if puzzles.check(challenge.as_deref(), nonce.as_deref(), app.now()) != Verdict::Proven {
            gate = unproven;
        }
    }
    let Some(_turn) = gate.enter(admission.queue_wait).await else {
        return busy(api, admission.retry_after);
    };
    next.run(Request::from_parts(parts, body.into_body())).await
}

/// The proof fields of an intake body, found without decoding the rest: `pow_challenge` and
/// `pow_nonce` of a form (whose values need no percent-decoding: letters, digits and dots), or
/// of a JSON object. Anything else, or anything malformed, is no proof; the intake's own
/// decoding then reports what is wrong with the body.
fn proof_fields(headers: &axum::http::HeaderMap, body: &[u8]) -> (Option<String>, Option<String>) {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match kind.as_str() {
        "application/x-www-form-urlencoded" => {
            let field = |name: &str| {
                body.split(|&b| b == b'&')
                    .find_map(|pair| pair.strip_prefix(name.as_bytes())?.strip_prefix(b"="))
                    .filter(|value| value.len() <= 128)
                    .and_then(|value| std::str::from_utf8(value).ok())
                    .map(str::to_owned)
            };
            (field("pow_challenge"), field("pow_nonce"))
        }
        "application/json" => {
            #[derive(serde::Deserialize)]
            struct Proof {
                pow_challenge: Option<serde_json::Value>,
                pow_nonce: Option<serde_json::Value>,
            }
            let text = |value: Option<serde_json::Value>| match value {
                Some(serde_json::Value::String(text)) => Some(text),
                _ => None,
            };
            match serde_json::from_slice::<Proof>(body) {
                Ok(proof) => (text(proof.pow_challenge), text(proof.pow_nonce)),
                Err(_) => (None, None),
            }
        }
        _ => (None, None),
    }
}

/// `503` with `Retry-After`, as JSON under `/api/` and as a page elsewhere.
pub fn busy(api: bool, retry_after: u64) -> Response {
    let problem = Problem::Unavailable(Phrase::new("error.busy"));
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
        message: Phrase::new("error.too_many_from_network"),
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
        let gate = Gate::new(
            "test",
            Budget {
                concurrent: 1,
                queue: 1,
            },
        );
        let held = gate.enter(Duration::ZERO).await.unwrap();
        // The queue has room, but the wait runs out.
        assert!(gate.enter(Duration::from_millis(10)).await.is_none());
        assert_eq!(gate.waiting.load(Ordering::Acquire), 0);
        drop(held);
        assert!(gate.enter(Duration::ZERO).await.is_some());
        assert_eq!(gate.shed.load(Ordering::Relaxed), 1);
    }
}
