//! Who is asking, and may they: staff sessions from the cookie, the roles each route admits,
//! and protection against cross-site requests.
//!
//! Handlers never check roles themselves; they ask for [`Staff<A>`] (pages and the JSON API) or
//! [`StaffForm<A>`] (HTML form posts), where `A` names the roles admitted. A request from
//! someone not signed in is sent to the sign-in page (or answered 401 under `/api/`); a
//! signed-in account of another role gets 403 before anything is looked up, so the answer never
//! depends on whether the thing asked for exists. Every change needs the session's CSRF token:
//! in the `csrf` field of a form, or the `X-CSRF-Token` header of an API call.

use std::marker::PhantomData;

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::AppState;
use super::decode::{FormFields, MAX_BODY_BYTES, read_body, require_content_type};
use super::error::{ApiError, PageError, Problem};
use crate::domain::account::Role;
use crate::domain::phrase::Phrase;
use crate::store::SessionUser;

/// The roles a route admits.
pub trait Access: Send + Sync + 'static {
    /// Roles admitted.
    const ROLES: &'static [Role];
    /// Whether the route reads or changes cases, and so needs an account whose case access is
    /// confirmed (the two-person rule, [`crate::domain::access`]).
    const CASES: bool = false;
}

/// Ombuds only, with confirmed case access: cases, notes, replies, and the grants of case
/// access that wait for a confirmation.
pub enum OmbudsOnly {}
impl Access for OmbudsOnly {
    const ROLES: &'static [Role] = &[Role::Ombuds];
    const CASES: bool = true;
}

/// Ombuds only, whether or not their case access is confirmed: their own account's settings
/// (the e-mail digest). Nothing of a case is read through it.
pub enum OmbudsAccount {}
impl Access for OmbudsAccount {
    const ROLES: &'static [Role] = &[Role::Ombuds];
}

/// Administrators only: users and settings.
pub enum AdminOnly {}
impl Access for AdminOnly {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// Board members only: trend reports.
pub enum BoardOnly {}
impl Access for BoardOnly {
    const ROLES: &'static [Role] = &[Role::Board];
}

/// Any signed-in staff member (their own account and session).
pub enum AnyStaff {}
impl Access for AnyStaff {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Ombuds, Role::Board];
}

/// A signed-in staff member whose role `A` admits.
pub struct Staff<A: Access>(pub SessionUser, pub PhantomData<A>);

/// An HTML form post from a signed-in staff member whose role `A` admits, with a valid CSRF
/// token; carries the form's other fields.
pub struct StaffForm<A: Access>(pub SessionUser, pub FormFields, pub PhantomData<A>);

/// The session cookie's name: with the `__Host-` prefix (Secure, whole site, no domain) when
/// clients use TLS.
pub fn cookie_name(app: &AppState) -> &'static str {
    if app.config.clients_use_tls() {
        "__Host-ombuds"
    } else {
        "ombuds_session"
    }
}

/// A `Set-Cookie` value for a new session: HttpOnly, SameSite=Strict, Secure under TLS, and no
/// expiry, so the browser forgets it when closed.
pub fn session_cookie(app: &AppState, token: &str) -> HeaderValue {
    let secure = if app.config.clients_use_tls() {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict{secure}",
        cookie_name(app)
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(app: &AppState) -> HeaderValue {
    let secure = if app.config.clients_use_tls() {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        cookie_name(app)
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of the cookie `name`, if the request carries it.
pub(super) fn session_token(headers: &HeaderMap, name: &str) -> Option<Zeroizing<String>> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| Zeroizing::new(value.to_owned()))
}

/// The signed-in staff member, if any.
pub async fn current_user(
    headers: &HeaderMap,
    app: &AppState,
) -> Result<Option<SessionUser>, Problem> {
    let Some(token) = session_token(headers, cookie_name(app)) else {
        return Ok(None);
    };
    Ok(crate::usecase::sessions::session(&app.ctx(), &token).await?)
}

fn tokens_match(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

fn reject(api: bool, problem: Problem) -> Response {
    match (api, problem) {
        (false, Problem::Unauthorized(_)) => Redirect::to("/signin").into_response(),
        (false, problem) => PageError(problem).into_response(),
        (true, problem) => ApiError(problem).into_response(),
    }
}

fn wrong_role() -> Problem {
    Problem::Forbidden(Phrase::new("staff.error.wrong_role"))
}

async fn admitted<A: Access>(parts: &Parts, app: &AppState) -> Result<SessionUser, Problem> {
    let user = current_user(&parts.headers, app)
        .await?
        .ok_or_else(|| Problem::Unauthorized(Phrase::new("staff.error.sign_in_first")))?;
    if !A::ROLES.contains(&user.role) {
        return Err(wrong_role());
    }
    if A::CASES && !user.case_access {
        return Err(Problem::Forbidden(Phrase::new(
            "staff.error.awaiting_confirmation",
        )));
    }
    if !parts.method.is_safe() {
        super::decode::refuse_cross_site(&parts.headers)?;
    }
    Ok(user)
}

impl<A: Access> FromRequestParts<AppState> for Staff<A> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let api = parts.uri.path().starts_with("/api/");
        let user = admitted::<A>(parts, app)
            .await
            .map_err(|p| reject(api, p))?;
        if !parts.method.is_safe() {
            // HTML posts carry their token in the form and use `StaffForm`.
            let given = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if !api || !tokens_match(given, &user.csrf) {
                return Err(reject(
                    api,
                    Problem::Forbidden(Phrase::new("staff.error.csrf_header")),
                ));
            }
        }
        Ok(Self(user, PhantomData))
    }
}

impl<A: Access> FromRequest<AppState> for StaffForm<A> {
    type Rejection = Response;

    async fn from_request(request: Request<Body>, app: &AppState) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        let user = admitted::<A>(&parts, app)
            .await
            .map_err(|p| reject(false, p))?;
        let read = async {
            require_content_type(&parts.headers, "application/x-www-form-urlencoded")?;
            let body = read_body(&parts.headers, body, MAX_BODY_BYTES).await?;
            FormFields::parse(&body)
        };
        let mut fields = read.await.map_err(|p| reject(false, p))?;
        let given = fields.take("csrf").unwrap_or_default();
        if !tokens_match(&given, &user.csrf) {
            return Err(reject(
                false,
                Problem::Forbidden(Phrase::new("staff.error.csrf_form")),
            ));
        }
        Ok(Self(user, fields, PhantomData))
    }
}

/// A `303 See Other` to `location`, the answer to a successful form post.
pub fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}
