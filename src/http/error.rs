//! The one error type of the web layer, [`Problem`], and how it is shown: as JSON under
//! `/api/` ([`ApiError`]) and as an HTML page elsewhere ([`PageError`]).
//!
//! Status codes are chosen in one place ([`Problem::status`]). Users see a clear message for
//! their own mistakes and a generic one for ours; ours are logged with a random reference and
//! nothing from the request.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::crypto::random;
use crate::domain::field::FieldError;
use crate::domain::phrase::Phrase;
use crate::i18n::Lang;
use crate::store::StoreError;

/// Why a request could not be served. Messages are phrases, worded where they are shown: in
/// the page's language on an HTML page, in English in the JSON API.
#[derive(Debug)]
pub enum Problem {
    /// The request is malformed (400).
    BadRequest(Phrase),
    /// The request needs a signed-in staff member, or their credentials were refused (401).
    Unauthorized(Phrase),
    /// The request is not allowed from where it came, or for this account (403).
    Forbidden(Phrase),
    /// Nothing is at this address (404).
    NotFound,
    /// The request arrived too slowly (408).
    TooSlow(Phrase),
    /// Nothing is at this address, for a reason worth saying (404).
    NotFoundMessage(Phrase),
    /// The body is larger than allowed (413).
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body is in a format this endpoint does not take (415).
    UnsupportedMediaType(Phrase),
    /// Fields failed the rules (422).
    Invalid(Vec<FieldError>),
    /// Too many attempts; try again after this many seconds (429).
    TooManyRequests {
        /// Seconds to wait.
        retry_after: u64,
        /// What was refused.
        message: Phrase,
    },
    /// The service cannot do this right now, through no fault of the request (503).
    Unavailable(Phrase),
    /// Something failed on our side (500); the detail is logged, never shown.
    Internal(String),
}

impl Problem {
    /// The HTTP status for this problem.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound | Self::NotFoundMessage(_) => StatusCode::NOT_FOUND,
            Self::TooSlow(_) => StatusCode::REQUEST_TIMEOUT,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Seconds a client should wait before retrying, for a 429.
    fn retry_after(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// A message for the person who sent the request, and for an internal error the reference
    /// under which its detail was logged.
    fn explain(self) -> (Phrase, Option<String>) {
        match self {
            Self::BadRequest(m)
            | Self::Unauthorized(m)
            | Self::Forbidden(m)
            | Self::UnsupportedMediaType(m)
            | Self::TooSlow(m)
            | Self::NotFoundMessage(m) => (m, None),
            Self::Unavailable(m) | Self::TooManyRequests { message: m, .. } => (m, None),
            Self::NotFound => (Phrase::new("error.not_found"), None),
            Self::TooLarge { limit } => (
                Phrase::new("error.too_large").with("kib", limit / 1024),
                None,
            ),
            Self::Invalid(errors) => (Phrase::counted("error.invalid", errors.len() as u64), None),
            Self::Internal(detail) => {
                let reference = random::new_id()
                    .map(|id| id.chars().take(10).collect::<String>())
                    .unwrap_or_else(|_| "unavailable".into());
                tracing::error!(%reference, %detail, "internal error");
                (Phrase::new("error.internal"), Some(reference))
            }
        }
    }

    fn heading(&self) -> Phrase {
        Phrase::new(match self {
            Self::BadRequest(_) | Self::Invalid(_) => "error.heading.bad_request",
            Self::Unauthorized(_) => "error.heading.unauthorized",
            Self::Forbidden(_) => "error.heading.forbidden",
            Self::TooManyRequests { .. } => "error.heading.too_many",
            Self::NotFound | Self::NotFoundMessage(_) => "error.heading.not_found",
            Self::TooLarge { .. } => "error.heading.too_large",
            Self::TooSlow(_) => "error.heading.too_slow",
            Self::UnsupportedMediaType(_) => "error.heading.unsupported",
            Self::Unavailable(_) => "error.heading.unavailable",
            Self::Internal(_) => "error.heading.internal",
        })
    }
}

impl From<crate::usecase::Refusal> for Problem {
    fn from(refusal: crate::usecase::Refusal) -> Self {
        use crate::usecase::Refusal;
        match refusal {
            Refusal::NotFound => Self::NotFound,
            Refusal::Invalid(errors) => Self::Invalid(errors),
            Refusal::Store(error) => error.into(),
            Refusal::Internal(detail) => Self::Internal(detail),
        }
    }
}

impl From<StoreError> for Problem {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::DiskFull => {
                tracing::error!(
                    "the disk holding the database is full: this write was refused and rolled \
                     back, nothing of it was kept; writes work again as soon as space is freed"
                );
                Self::Unavailable(Phrase::new("error.disk_full"))
            }
            StoreError::Crypto(crate::crypto::CryptoError::PublicKeyOnly) => {
                Self::Unavailable(Phrase::new("error.public_key_only"))
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<crate::crypto::CryptoError> for Problem {
    fn from(error: crate::crypto::CryptoError) -> Self {
        Self::Internal(error.to_string())
    }
}

/// A problem answered as JSON, in English: `{"error": "...", "fields": [{"field", "message"}]}`.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl<E: Into<Problem>> From<E> for ApiError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

/// Adds `Retry-After` to a 429 answer.
fn with_retry_after(mut response: Response, retry_after: Option<u64>) -> Response {
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(seconds),
        );
    }
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let retry_after = self.0.retry_after();
        let fields = match &self.0 {
            Problem::Invalid(errors) => errors
                .iter()
                .map(|e| json!({"field": e.field, "message": Lang::En.say(&e.problem)}))
                .collect(),
            _ => Vec::new(),
        };
        let (message, reference) = self.0.explain();
        let mut body = json!({ "error": Lang::En.say(&message) });
        if !fields.is_empty() {
            body["fields"] = fields.into();
        }
        if let Some(reference) = reference {
            body["reference"] = reference.into();
        }
        with_retry_after((status, Json(body)).into_response(), retry_after)
    }
}

/// A problem answered as an HTML page. The page itself is drawn by
/// [`super::pages::render_error_pages`], which knows the association's details.
#[derive(Debug)]
pub struct PageError(pub Problem);

impl<E: Into<Problem>> From<E> for PageError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

/// The content of an error page, left on the response for the page renderer, which words it
/// in the page's language.
#[derive(Clone, Debug)]
pub struct ErrorPageContent {
    /// Short title.
    pub heading: Phrase,
    /// What went wrong.
    pub message: Phrase,
    /// Reference of a logged internal error.
    pub reference: Option<String>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let retry_after = self.0.retry_after();
        let heading = self.0.heading();
        let (message, reference) = self.0.explain();
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorPageContent {
            heading,
            message,
            reference,
        });
        with_retry_after(response, retry_after)
    }
}
