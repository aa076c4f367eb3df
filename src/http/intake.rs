//! The public intake: the page that explains the ombuds and takes a concern, as an HTML form
//! (`POST /concerns`, works without JavaScript) and as JSON (`POST /api/v1/concerns`).
//!
//! With proof of work on ([`super::pow`]), the form carries a puzzle and the page loads the
//! script that solves it; the solution is checked on admission ([`super::admission`]), and a
//! submission without one is still taken, within a smaller budget.
//!
//! Nothing about the sender is read or kept: no address, user agent, referrer or time of day.
//! The only date recorded is today's date in the association's time zone. The one cookie is the
//! receipt page's own ([`receipt`]): the new receipt, sealed, for ten minutes, sent back only to
//! that page.
//!
//! [`draft_from_form`] and [`check_json`] are the handlers' decoding, without I/O; they are
//! public so that the fuzz targets in `fuzz/` exercise exactly what the handlers run.

use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use zeroize::Zeroizing;

use super::AppState;
use super::auth::{see_other, session_token};
use super::decode::{FormFields, JsonObject, form_fields, json_object};
use super::error::{ApiError, PageError, Problem};
use super::security_headers::OwnScript;
use super::views::{FormValues, IntakePage, Puzzle, RECEIPT_PATH, ReceiptGonePage, ReceiptPage};
use crate::domain::concern::{ConcernDraft, Limits, NewConcern, validate};
use crate::domain::dates::tidy_typed_date;
use crate::domain::field::FieldError;
use crate::i18n::Lang;
use crate::usecase;

/// `GET /`: the explanations and an empty form.
pub async fn page(State(app): State<AppState>, lang: Lang) -> Response {
    form_page(
        &app,
        IntakePage::new(&app.config, lang, FormValues::default(), Vec::new()),
        StatusCode::OK,
    )
}

/// The intake page with a fresh form token and, when proof of work is on, a fresh puzzle (and
/// leave to load the script that solves it).
fn form_page(app: &AppState, page: IntakePage, status: StatusCode) -> Response {
    // Without randomness there is no token; the form still works, without the protection
    // against being sent twice.
    let page = page.with_form_token(usecase::intake::form_token(&app.ctx()).unwrap_or_default());
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
/// each error beside its field. A stored concern is answered `303 See Other` to the receipt page,
/// with the receipt sealed in a cookie for that page alone: reloading the page or changing its
/// language shows the receipt again and sends nothing, and no address carries it.
pub async fn submit_form(
    State(app): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    let mut form = form_fields(&headers, body).await?;
    let draft = draft_from_form(&mut form);
    let token = form.take("form_token");
    let today = app.today();
    match validate(&draft, today, app.config.intake.limits()) {
        Err(errors) => {
            let page = IntakePage::new(&app.config, lang, FormValues::from_draft(&draft), errors);
            Ok(form_page(&app, page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Ok(concern) => {
            let ctx = app.ctx();
            let token = token.as_deref().map(String::as_str);
            let submitted = usecase::intake::submit_form(&ctx, &concern, lang, token).await?;
            let sealed = usecase::intake::seal_view(&ctx, &submitted)?;
            let mut answer = see_other(&format!("{RECEIPT_PATH}{}", lang.query()));
            set_receipt_cookie(&app, Some(&sealed), &mut answer);
            Ok(answer)
        }
    }
}

/// The receipt cookie's name: `__Secure-` (sent over TLS only) when clients use TLS.
fn receipt_cookie_name(app: &AppState) -> &'static str {
    if app.config.clients_use_tls() {
        "__Secure-ombuds_receipt"
    } else {
        "ombuds_receipt"
    }
}

/// Sets the receipt cookie to `sealed`, or removes it. It goes back only to the receipt page,
/// never to another site's request, never to a script, and (having no expiry date) is kept by
/// the browser in memory only; the seal stops opening after
/// [`usecase::intake::RECEIPT_VIEW_SECONDS`] whatever the browser keeps.
fn set_receipt_cookie(app: &AppState, sealed: Option<&str>, answer: &mut Response) {
    let secure = if app.config.clients_use_tls() {
        "; Secure"
    } else {
        ""
    };
    let (value, expiry) = match sealed {
        Some(sealed) => (sealed, ""),
        None => ("", "; Max-Age=0"),
    };
    let cookie = Zeroizing::new(format!(
        "{}={value}; Path={RECEIPT_PATH}; HttpOnly; SameSite=Strict{expiry}{secure}",
        receipt_cookie_name(app),
    ));
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        answer.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// `GET /receipt`: the new receipt, in the language asked for, for as long as the cookie set by
/// [`submit_form`] opens; otherwise a page that says why there is none (404), and the cookie is
/// removed.
pub async fn receipt(State(app): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    let sealed = session_token(&headers, receipt_cookie_name(&app));
    let shown = sealed
        .as_deref()
        .and_then(|sealed| usecase::intake::open_view(&app.ctx(), sealed));
    match shown {
        Some(submitted) => ReceiptPage::new(
            &app.config,
            lang,
            &submitted.receipt,
            submitted.first_contact,
        )
        .into_response(),
        None => {
            let mut answer = (
                StatusCode::NOT_FOUND,
                ReceiptGonePage::new(&app.config, lang),
            )
                .into_response();
            if sealed.is_some() {
                set_receipt_cookie(&app, None, &mut answer);
            }
            answer
        }
    }
}

/// `POST /receipt`: hides the receipt now (the person has written it down, or is on a shared
/// computer): removes the cookie and goes back to the intake page.
pub async fn hide_receipt(
    State(app): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    form_fields(&headers, body).await?;
    let mut answer = see_other(&format!("/{}", lang.query()));
    set_receipt_cookie(&app, None, &mut answer);
    Ok(answer)
}

/// `POST /api/v1/concerns`: the same, as JSON.
pub async fn submit_json(
    State(app): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let mut object = json_object(&headers, body, &JSON_FIELDS).await?;
    let today = app.today();
    let concern = check_json(&mut object, today, app.config.intake.limits())?;
    // The language is kept only when the request names one (`?lang=`).
    let lang = Lang::named_in(query.as_deref());
    let submitted = usecase::intake::submit(&app.ctx(), &concern, lang).await?;
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
        concluded_on: typed_date(form.take("concluded_on")),
        discovered_on: typed_date(form.take("discovered_on")),
        accept_conditions: form
            .take("accept_conditions")
            .is_some_and(|v| matches!(v.as_str(), "yes" | "on" | "true" | "1")),
    }
}

/// A date as typed in the form's text box, written `YYYY-MM-DD` when it is a year-month-day
/// ([`tidy_typed_date`]); anything else is left as typed, for the rules to refuse by its form.
fn typed_date(typed: Option<Zeroizing<String>>) -> Option<Zeroizing<String>> {
    typed.map(|text| match tidy_typed_date(&text) {
        Some(tidy) => Zeroizing::new(tidy),
        None => text,
    })
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
