//! Signing in and out: the staff sign-in page and its JSON twin, the account page, and ending
//! one session or all of them.

use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::auth::{
    AnyStaff, OmbudsAccount, Staff, StaffForm, clear_cookie, current_user, see_other,
    session_cookie, session_token,
};
use super::decode::{form_fields, json_object};
use super::error::{ApiError, PageError, Problem};
use super::route_table::{Routes, routes};
use super::staff_views::{AccountPage, Chrome, DigestForm, SignInPage};
use crate::domain::account::{ABSOLUTE_TIMEOUT_SECS, IDLE_TIMEOUT_SECS, Role};
use crate::domain::field::FieldError;
use crate::domain::phrase::Phrase;
use crate::i18n::Lang;
use crate::store::{SessionUser, SignInError, SignedIn};
use crate::usecase::{Refusal, digest, sessions};

/// Routes for signing in and out.
pub fn routes() -> Routes {
    routes! {
        "/signin" => get(page).post(submit),
        "/signout" => post(sign_out),
        "/signout-everywhere" => post(sign_out_everywhere),
        "/account" => get(account),
        "/account/digest" => post(set_digest),
        "/api/v1/account/digest" => get(api_digest).put(api_set_digest),
        "/api/v1/session" => get(api_show).post(api_create).delete(api_delete),
        "/api/v1/session/revoke-all" => post(api_revoke_all),
    }
}

/// Where each role starts.
pub fn home(role: Role) -> &'static str {
    match role {
        Role::Ombuds => "/console",
        Role::Admin => "/admin",
        Role::Board => "/board",
    }
}

fn notice(query: Option<&str>) -> Option<String> {
    let key = match query {
        Some("signed-out") => "staff.signin.signed_out",
        _ => return None,
    };
    Some(Lang::En.t(key).to_owned())
}

async fn page(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    if let Some(user) = current_user(&headers, &app).await? {
        return Ok(see_other(home(user.role)));
    }
    Ok(SignInPage {
        site: app.site(),
        username: String::new(),
        error: None,
        notice: notice(query.as_deref()),
    }
    .into_response())
}

fn refused(app: &AppState, username: String, error: SignInError) -> Result<Response, PageError> {
    let (status, message) = match error {
        SignInError::Refused => (
            StatusCode::UNAUTHORIZED,
            Lang::En.t("staff.signin.refused").to_owned(),
        ),
        SignInError::Throttled(wait) => {
            return Err(PageError(Problem::TooManyRequests {
                retry_after: u64::try_from(wait).unwrap_or(60),
                message: Phrase::new("staff.signin.throttled_page")
                    .with("minutes", (wait + 59) / 60),
            }));
        }
        SignInError::Store(e) => return Err(e.into()),
    };
    let page = SignInPage {
        site: app.site(),
        username,
        error: Some(message),
        notice: None,
    };
    Ok((status, page).into_response())
}

/// How long a browser keeps the device cookie of an account it signed in to (180 days).
const DEVICE_COOKIE_SECONDS: u32 = 180 * 24 * 60 * 60;

/// The device cookie's name: `__Secure-` (sent over TLS only) when clients use TLS. Its path is
/// the sign-in address that set it, so no other request carries it.
fn device_cookie_name(app: &AppState) -> &'static str {
    if app.config.clients_use_tls() {
        "__Secure-ombuds_device"
    } else {
        "ombuds_device"
    }
}

/// Adds the device cookie `token` for the sign-in address `path` (`/signin` for the form,
/// `/api/v1/session` for the API) to `answer`.
fn with_device_cookie(app: &AppState, token: &str, path: &str, answer: &mut Response) {
    let secure = if app.config.clients_use_tls() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={token}; Path={path}; Max-Age={DEVICE_COOKIE_SECONDS}; HttpOnly; SameSite=Strict{secure}",
        device_cookie_name(app),
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        answer.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// `answer` with the session cookie of `signed` and its device cookie for the sign-in address
/// `path`.
pub(super) fn signed_in(
    app: &AppState,
    signed: &SignedIn,
    path: &str,
    answer: Response,
) -> Response {
    let mut answer = answer;
    answer
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(app, &signed.token));
    with_device_cookie(app, &signed.device, path, &mut answer);
    answer
}

/// One sign-in attempt, with the device token the browser or client sent, if any.
async fn attempt(
    app: &AppState,
    headers: &HeaderMap,
    username: &str,
    password: zeroize::Zeroizing<String>,
    code: &str,
) -> Result<crate::store::SignedIn, SignInError> {
    let device = session_token(headers, device_cookie_name(app));
    let device = device.as_deref().map(String::as_str);
    sessions::sign_in(&app.ctx(), username, password, code, device).await
}

async fn submit(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    let mut form = form_fields(&headers, body).await?;
    let username = form
        .take("username")
        .map(|u| u.trim().to_owned())
        .unwrap_or_default();
    let password = form.take("password").unwrap_or_default();
    let code = form.take("code").unwrap_or_default();
    match attempt(&app, &headers, &username, password, &code).await {
        Ok(signed) => Ok(signed_in(
            &app,
            &signed,
            "/signin",
            see_other(home(signed.user.role)),
        )),
        Err(error) => refused(&app, username, error),
    }
}

fn signed_out(app: &AppState) -> Response {
    let mut answer = see_other("/signin?signed-out");
    answer
        .headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(app));
    answer
}

async fn sign_out(
    State(app): State<AppState>,
    StaffForm(user, _, _): StaffForm<AnyStaff>,
) -> Result<Response, PageError> {
    sessions::sign_out(&app.ctx(), &user).await?;
    Ok(signed_out(&app))
}

async fn sign_out_everywhere(
    State(app): State<AppState>,
    StaffForm(user, _, _): StaffForm<AnyStaff>,
) -> Result<Response, PageError> {
    sessions::sign_out_everywhere(&app.ctx(), &user).await?;
    Ok(signed_out(&app))
}

/// The account page; for an ombuds, with the digest's form (its address as `typed` and the
/// `errors` after a refusal, or a notice after saving).
async fn account_page(
    app: &AppState,
    user: &SessionUser,
    typed: Option<String>,
    errors: &[FieldError],
    saved: bool,
) -> Result<AccountPage, PageError> {
    let digest = if user.role == Role::Ombuds {
        let setting = digest::setting(&app.ctx(), user).await?;
        Some(DigestForm::new(&setting, typed, errors, saved))
    } else {
        None
    };
    Ok(AccountPage {
        site: app.site(),
        chrome: Chrome::new(app.site(), user),
        digest,
    })
}

async fn account(
    State(app): State<AppState>,
    Staff(user, _): Staff<AnyStaff>,
    RawQuery(query): RawQuery,
) -> Result<AccountPage, PageError> {
    let saved = query.as_deref() == Some("digest-saved");
    account_page(&app, &user, None, &[], saved).await
}

async fn set_digest(
    State(app): State<AppState>,
    StaffForm(user, mut form, _): StaffForm<OmbudsAccount>,
) -> Result<Response, PageError> {
    let typed = form.take("address").unwrap_or_default();
    match digest::set(&app.ctx(), &user, &typed).await {
        Ok(_) => Ok(see_other("/account?digest-saved#digest")),
        Err(Refusal::Invalid(errors)) => {
            let page =
                account_page(&app, &user, Some(typed.as_str().to_owned()), &errors, false).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(Problem::from(other).into()),
    }
}

/// The digest setting as the API shows it.
fn digest_json(setting: &digest::DigestSetting) -> Json<serde_json::Value> {
    Json(json!({
        "address": setting.address,
        "sending": setting.schedule.is_some(),
        "hour": setting.schedule.map(|s| s.hour),
        "interval_hours": setting.schedule.map(|s| s.interval_hours),
    }))
}

async fn api_digest(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsAccount>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let setting = digest::setting(&app.ctx(), &user)
        .await
        .map_err(Problem::from)?;
    Ok(digest_json(&setting))
}

async fn api_set_digest(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsAccount>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let mut object = json_object(&headers, body, &["address"]).await?;
    let mut errors = Vec::new();
    if !object.has("address") {
        errors.push(FieldError::new("address", "api.problem.required"));
    }
    let address = object.text("address", &mut errors).unwrap_or_default();
    if !errors.is_empty() {
        return Err(Problem::Invalid(errors).into());
    }
    let setting = digest::set(&app.ctx(), &user, &address)
        .await
        .map_err(Problem::from)?;
    Ok(digest_json(&setting))
}

async fn api_create(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let mut object = json_object(&headers, body, &["username", "password", "totp"]).await?;
    let mut errors = Vec::new();
    let username = object
        .text("username", &mut errors)
        .map(|u| u.trim().to_owned());
    let password = object.text("password", &mut errors);
    let code = object.text("totp", &mut errors);
    for (field, value) in [
        ("username", username.is_some()),
        ("password", password.is_some()),
        ("totp", code.is_some()),
    ] {
        if !value && !errors.iter().any(|e| e.field == field) {
            errors.push(crate::domain::field::FieldError::new(
                field,
                "api.problem.required",
            ));
        }
    }
    let (Some(username), Some(password), Some(code)) = (username, password, code) else {
        return Err(Problem::Invalid(errors).into());
    };
    match attempt(&app, &headers, &username, password, &code).await {
        Ok(signed) => {
            let answer = (
                StatusCode::CREATED,
                Json(json!({
                    "username": signed.user.username,
                    "role": signed.user.role.code(),
                    "csrf_token": signed.user.csrf,
                    "idle_timeout_seconds": IDLE_TIMEOUT_SECS,
                    "absolute_timeout_seconds": ABSOLUTE_TIMEOUT_SECS,
                })),
            )
                .into_response();
            Ok(signed_in(&app, &signed, "/api/v1/session", answer))
        }
        Err(SignInError::Refused) => Err(ApiError(Problem::Unauthorized(Phrase::new(
            "api.signin_refused",
        )))),
        Err(SignInError::Throttled(wait)) => Err(Problem::TooManyRequests {
            retry_after: u64::try_from(wait).unwrap_or(60),
            message: Phrase::new("api.signin_throttled"),
        }
        .into()),
        Err(SignInError::Store(e)) => Err(e.into()),
    }
}

async fn api_show(Staff(user, _): Staff<AnyStaff>) -> Json<serde_json::Value> {
    Json(json!({
        "username": user.username,
        "role": user.role.code(),
        "csrf_token": user.csrf,
    }))
}

async fn api_delete(
    State(app): State<AppState>,
    Staff(user, _): Staff<AnyStaff>,
) -> Result<Response, ApiError> {
    sessions::sign_out(&app.ctx(), &user).await?;
    let mut answer = StatusCode::NO_CONTENT.into_response();
    answer
        .headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&app));
    Ok(answer)
}

async fn api_revoke_all(
    State(app): State<AppState>,
    Staff(user, _): Staff<AnyStaff>,
) -> Result<Response, ApiError> {
    let ended = sessions::sign_out_everywhere(&app.ctx(), &user).await?;
    let mut answer = Json(json!({ "ended": ended })).into_response();
    answer
        .headers_mut()
        .insert(header::SET_COOKIE, clear_cookie(&app));
    Ok(answer)
}
