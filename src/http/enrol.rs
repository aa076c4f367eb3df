//! One-time enrolment links: a new account (or one being reset) chooses its password, adds the
//! TOTP secret to an authenticator app, and proves it with a code; it is then signed in, as a
//! sign-in would do, and taken to its home page.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use zeroize::Zeroizing;

use super::AppState;
use super::auth::see_other;
use super::decode::{form_fields, json_object};
use super::error::{ApiError, PageError, Problem};
use super::route_table::{Routes, routes};
use super::signin::{home, signed_in};
use super::staff_views::EnrolPage;
use crate::crypto::totp::qr_svg;
use crate::domain::account::{ABSOLUTE_TIMEOUT_SECS, IDLE_TIMEOUT_SECS, check_username};
use crate::domain::field::FieldError;
use crate::store::{EnrolError, EnrolmentView};
use crate::usecase::enrolment::{self, Answers};

/// Routes for enrolment links.
pub fn routes() -> Routes {
    routes! {
        "/enrol/{token}" => get(page).post(submit),
        "/api/v1/enrolments/{token}" => get(api_show).post(api_submit),
    }
}

fn gone() -> Problem {
    Problem::NotFound
}

async fn view(app: &AppState, token: &str) -> Result<EnrolmentView, Problem> {
    enrolment::show(&app.ctx(), token).await?.ok_or_else(gone)
}

fn render(
    app: &AppState,
    token: String,
    view: &EnrolmentView,
    username_value: String,
    errors: Vec<FieldError>,
) -> Result<EnrolPage, Problem> {
    // The authenticator's label: the name typed, once it is a valid one (a refused name can
    // be too long for the QR code to hold).
    let shown_name = view.username.clone().unwrap_or_else(|| {
        if check_username(&username_value).is_ok() {
            username_value.clone()
        } else {
            "admin".to_owned()
        }
    });
    let otpauth_uri = enrolment::authenticator_uri(&app.ctx(), view, &shown_name)?;
    let svg = qr_svg(&otpauth_uri)?;
    // The SVG is drawn here from rectangles only; drop any XML prologue before inlining it.
    let qr_svg = match svg.find("<svg") {
        Some(at) => svg[at..].to_owned(),
        None => svg,
    };
    Ok(EnrolPage {
        site: app.site(),
        token,
        fixed_username: view.username.clone(),
        username_value,
        role_label: crate::i18n::Lang::En.label(view.role),
        secret: view.totp.base32(),
        otpauth_uri,
        qr_svg,
        errors,
    })
}

async fn page(
    State(app): State<AppState>,
    Path(token): Path<String>,
) -> Result<EnrolPage, PageError> {
    let view = view(&app, &token).await?;
    Ok(render(&app, token, &view, String::new(), Vec::new())?)
}

async fn submit(
    State(app): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    let mut form = form_fields(&headers, body).await?;
    let username = form.take("username").map(|u| u.trim().to_owned());
    let password = form.take("password").unwrap_or_default();
    let confirmation = form.take("confirmation").unwrap_or_default();
    let code = form.take("code").unwrap_or_default();
    let outcome = enrolment::complete(
        &app.ctx(),
        &token,
        Answers {
            username: username.as_deref(),
            password,
            confirmation: &confirmation,
            code: &code,
        },
    )
    .await;
    match outcome {
        Ok(signed) => Ok(signed_in(
            &app,
            &signed,
            "/signin",
            see_other(home(signed.user.role)),
        )),
        Err(EnrolError::Invalid(errors)) => {
            let view = view(&app, &token).await?;
            let page = render(&app, token, &view, username.unwrap_or_default(), errors)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(EnrolError::Gone) => Err(gone().into()),
        Err(EnrolError::Store(e)) => Err(e.into()),
    }
}

async fn api_show(
    State(app): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let view = view(&app, &token).await?;
    let name = view.username.clone().unwrap_or_else(|| "admin".to_owned());
    let uri = enrolment::authenticator_uri(&app.ctx(), &view, &name)?;
    Ok(Json(json!({
        "username": view.username,
        "role": view.role.code(),
        "otpauth_uri": uri.as_str(),
        "totp_secret": view.totp.base32().as_str(),
    })))
}

async fn api_submit(
    State(app): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let mut object = json_object(&headers, body, &["username", "password", "totp"]).await?;
    let mut errors = Vec::new();
    let username = object
        .text("username", &mut errors)
        .map(|u| u.trim().to_owned());
    let password = object.text("password", &mut errors).unwrap_or_default();
    let code = object.text("totp", &mut errors).unwrap_or_default();
    if !errors.is_empty() {
        return Err(Problem::Invalid(errors).into());
    }
    let confirmation = Zeroizing::new(password.as_str().to_owned());
    match enrolment::complete(
        &app.ctx(),
        &token,
        Answers {
            username: username.as_deref(),
            password,
            confirmation: &confirmation,
            code: &code,
        },
    )
    .await
    {
        Ok(signed) => {
            let answer = (
                StatusCode::CREATED,
                Json(json!({
                    "enrolled": true,
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
        Err(EnrolError::Invalid(errors)) => Err(Problem::Invalid(errors).into()),
        Err(EnrolError::Gone) => Err(gone().into()),
        Err(EnrolError::Store(e)) => Err(e.into()),
    }
}
