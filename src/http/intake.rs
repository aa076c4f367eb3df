//! The public intake: the page that explains the ombuds and takes a concern, as an HTML form
//! (`POST /concerns`, works without JavaScript) and as JSON (`POST /api/v1/concerns`).
//!
//! With proof of work on ([`super::pow`]), the form carries a puzzle and the page loads the
//! script that solves it; the solution is checked on admission ([`super::admission`]), and a
//! submission without one is still taken, within a smaller budget.
//!
//! Nothing about the sender is read or kept: no address, user agent, referrer, cookie or time of
//! day. The only date recorded is today's date in the association's time zone.
//!
//! [`draft_from_form`] and [`check_json`] are the handlers' decoding, without I/O; they are
//! public so that the fuzz targets in `fuzz/` exercise exactly what the handlers run.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::decode::{FormFields, JsonObject, form_fields, json_object};
use super::error::{ApiError, PageError, Problem};
use super::security_headers::OwnScript;
use super::views::{FormValues, IntakePage, Puzzle, ReceiptPage};
use crate::domain::concern::{ConcernDraft, Limits, NewConcern, validate};
use crate::domain::field::FieldError;
use crate::i18n::Lang;
use crate::usecase;

/// `GET /`: the explanations and an empty form.
pub async fn page(State(app): State<AppState>, lang: Lang) -> Response {
    let today = app.today();
    with_puzzle(
        &app,
        IntakePage::new(&app.config, lang, today, FormValues::default(), Vec::new()),
        StatusCode::OK,
    )
}

/// Puts a fresh puzzle in the form when proof of work is on, and lets the page load the
/// script that solves it.
fn with_puzzle(app: &AppState, page: IntakePage, status: StatusCode) -> Response {
    let Some(puzzles) = app.admission.puzzles() else {
        return (status, page).into_response();
    };
    match puzzles.issue(app.now()) {
        Ok(challenge) => {
            let puzzle = Puzzle {
                challenge,
                bits: puzzles.bits(),
            };
            let mut response = (status, page.with_puzzle(Some(puzzle))).into_response();
            response.extensions_mut().insert(OwnScript);
            response
        }
        // Without randomness there is no puzzle; the form still works, unproven.
        Err(_) => (status, page).into_response(),
    }
}

/// `GET /static/pow.js`: the script that solves the intake's puzzle, cacheable for a day.
pub async fn script() -> Response {
    let mut response = Body::from(super::pow::SCRIPT).into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=86400"),
    );
    response
}

/// `POST /concerns`: the HTML form. Problems with fields show the form again, filled in, with
/// each error beside its field.
pub async fn submit_form(
    State(app): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    let mut form = form_fields(&headers, body).await?;
    let draft = draft_from_form(&mut form);
    let today = app.today();
    match validate(&draft, today, app.config.intake.limits()) {
        Err(errors) => {
            let page = IntakePage::new(
                &app.config,
                lang,
                today,
                FormValues::from_draft(&draft),
                errors,
            );
            Ok(with_puzzle(&app, page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Ok(concern) => {
            let submitted = usecase::intake::submit(&app.ctx(), &concern).await?;
            let page = ReceiptPage::new(
                &app.config,
                lang,
                &submitted.receipt,
                submitted.first_contact,
            );
            Ok((StatusCode::CREATED, page).into_response())
        }
    }
}

/// `POST /api/v1/concerns`: the same, as JSON.
pub async fn submit_json(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let mut object = json_object(&headers, body, &JSON_FIELDS).await?;
    let today = app.today();
    let concern = check_json(&mut object, today, app.config.intake.limits())?;
    let submitted = usecase::intake::submit(&app.ctx(), &concern).await?;
    let answer = json!({
        "receipt": submitted.receipt.expose(),
        "first_contact": submitted.first_contact.to_string(),
    });
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// The keys a JSON concern may have.
pub const JSON_FIELDS: [&str; 9] = [
    "category",
    "raised_by",
    "description",
    "contact",
    "concluded_on",
    "discovered_on",
    "accept_conditions",
    "pow_challenge",
    "pow_nonce",
];

/// Builds a draft from the fields of an intake form (`POST /concerns`). Fields the form does not
/// have are left in `form`, unread.
pub fn draft_from_form(form: &mut FormFields) -> ConcernDraft {
    ConcernDraft {
        category: form.take("category").map(|v| v.to_string()),
        raised_by: form.take("raised_by").map(|v| v.to_string()),
        description: form.take("description"),
        contact: form.take("contact"),
        concluded_on: form.take("concluded_on"),
        discovered_on: form.take("discovered_on"),
        accept_conditions: form
            .take("accept_conditions")
            .is_some_and(|v| matches!(v.as_str(), "yes" | "on" | "true" | "1")),
    }
}

/// Checks a JSON concern (`POST /api/v1/concerns`) whose keys were already limited to
/// [`JSON_FIELDS`]: every problem is reported once, a field of the wrong type by its type, in
/// the order of [`JSON_FIELDS`].
pub fn check_json(
    object: &mut JsonObject,
    today: chrono::NaiveDate,
    limits: Limits,
) -> Result<NewConcern, Problem> {
    let (draft, type_errors) = draft_from_json(object);
    match validate(&draft, today, limits) {
        Ok(concern) if type_errors.is_empty() => Ok(concern),
        Ok(_) => Err(Problem::Invalid(type_errors)),
        Err(rule_errors) => {
            // A field with the wrong type also fails the rules; report it once, by its type.
            let mut errors = type_errors;
            let typed: Vec<&str> = errors.iter().map(|e| e.field).collect();
            let rest: Vec<FieldError> = rule_errors
                .into_iter()
                .filter(|e| !typed.contains(&e.field))
                .collect();
            errors.extend(rest);
            errors.sort_by_key(|e| JSON_FIELDS.iter().position(|f| *f == e.field));
            Err(Problem::Invalid(errors))
        }
    }
}

/// Builds a draft from a JSON object. Unknown keys are refused; values of the wrong type are
/// reported per field.
fn draft_from_json(object: &mut JsonObject) -> (ConcernDraft, Vec<FieldError>) {
    let mut errors = Vec::new();
    let draft = ConcernDraft {
        category: object.text("category", &mut errors).map(|v| v.to_string()),
        raised_by: object.text("raised_by", &mut errors).map(|v| v.to_string()),
        description: object.text("description", &mut errors),
        contact: object.text("contact", &mut errors),
        concluded_on: object.text("concluded_on", &mut errors),
        discovered_on: object.text("discovered_on", &mut errors),
        accept_conditions: object
            .boolean("accept_conditions", &mut errors)
            .unwrap_or(false),
    };
    // The proof of work was checked on admission; here it only has to be text.
    object.text("pow_challenge", &mut errors);
    object.text("pow_nonce", &mut errors);
    (draft, errors)
}
