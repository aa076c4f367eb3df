//! The public certificate check: a page where anyone can paste a certificate of either kind
//! (suspension or resolution; `GET`/`POST /verify`, works without JavaScript) and the same check
//! as JSON (`POST /api/v1/certificates/verify`, which names the kind in `"kind"`).
//!
//! Certificates are checked against this service's signing key and any retired keys in its
//! configuration; nothing pasted is stored or logged, and no case data is consulted (there is
//! none to consult: the certificate carries everything). The one thing looked up is the
//! register of superseded certificate identifiers: a certificate a correction replaced is
//! genuine but no longer valid, and the answer names the one that replaced it. This module
//! decodes and presents; the check itself is [`crate::crypto::certificate::verify`], the wording
//! of the statement is [`crate::letters::statement`] (and [`crate::letters::verified_json`] for
//! JSON), and the reasons are worded from `[verify]` in the translations (English in the JSON
//! answer).

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::decode::{FormFields, JsonObject, read_body, require_content_type};
use super::error::{ApiError, PageError, Problem};
use crate::config::Config;
use crate::crypto::certificate::{self, Kind, PublicKey, Verified, VerifyError};
use crate::domain::field::FieldError;
use crate::domain::phrase::{Phrase, Said};
use crate::i18n::Lang;
use crate::i18n::Site;
use crate::letters::{statement, verified_json};

/// Largest body accepted here: a certificate is under 1 KiB, and this leaves room for the whole
/// e-mail it may be pasted with.
const MAX_VERIFY_BODY_BYTES: usize = 64 * 1024;

/// The one field of the form and of the JSON object.
const FIELD: &str = "certificate";

/// `GET /verify`: the explanation and an empty form.
pub async fn page(State(app): State<AppState>, lang: Lang) -> VerifyPage {
    VerifyPage::new(
        &app.config,
        lang,
        app.store.certificate_keys(),
        String::new(),
    )
}

/// `POST /verify`: checks the pasted certificate and shows what it states, or why it is not
/// accepted beside the field (422), with the pasted text kept.
///
/// Cross-site posts are not refused here, unlike the intake: a check changes nothing and its
/// answer goes only to the browser that asked.
pub async fn check_form(
    State(app): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    require_content_type(&headers, "application/x-www-form-urlencoded")?;
    let body = read_body(&headers, body, MAX_VERIFY_BODY_BYTES).await?;
    let mut form = FormFields::parse(&body)?;
    drop(body);
    let pasted = form.take(FIELD).unwrap_or_default();
    let keys = app.store.certificate_keys();
    let mut page = VerifyPage::new(&app.config, lang, keys, String::new());
    if pasted.trim().is_empty() {
        page.error = Some(lang.t("verify.nothing_pasted").to_owned());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    match certificate::verify(&pasted, keys) {
        Ok(certificate) => match app.store.superseded_by(certificate.id()).await? {
            Some(replacement) => {
                page.error = Some(superseded(&replacement, lang));
                page.certificate = pasted.to_string();
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            None => {
                page.verified = Some(VerifiedView::new(&certificate, lang));
                Ok(page.into_response())
            }
        },
        Err(error) => {
            page.error = Some(refusal(&error, lang));
            page.certificate = pasted.to_string();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `POST /api/v1/certificates/verify`: `{"certificate": "..."}` answers `200` with
/// `{"valid": true, ...fields}`, or `422` with `{"valid": false, "error": reason, "fields":
/// [{"field": "certificate", "message": reason}]}`.
pub async fn check_json(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    require_content_type(&headers, "application/json")?;
    let body = read_body(&headers, body, MAX_VERIFY_BODY_BYTES).await?;
    let object = JsonObject::parse(&body)?;
    drop(body);
    if let Some(unknown) = object.0.keys().find(|k| k.as_str() != FIELD) {
        return Err(Problem::BadRequest(
            Phrase::new("api.verify_unknown_field")
                .with("unknown", format!("{unknown:?}"))
                .with("field", FIELD),
        )
        .into());
    }
    let pasted = match object.0.get(FIELD) {
        Some(Value::String(text)) if !text.trim().is_empty() => text,
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(
                Problem::Invalid(vec![FieldError::new(FIELD, "verify.nothing_pasted")]).into(),
            );
        }
        Some(_) => {
            return Err(Problem::Invalid(vec![FieldError::new(
                FIELD,
                "api.problem.certificate_string",
            )])
            .into());
        }
    };
    match certificate::verify(pasted, app.store.certificate_keys()) {
        Ok(certificate) => match app.store.superseded_by(certificate.id()).await? {
            Some(replacement) => {
                let reason = superseded(&replacement, Lang::En);
                let answer = json!({
                    "valid": false,
                    "superseded_by": replacement,
                    "error": reason,
                    "fields": [{"field": FIELD, "message": reason}],
                });
                Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(answer)).into_response())
            }
            None => Ok(Json(verified_json(&certificate)).into_response()),
        },
        Err(error) => {
            let reason = sentence(&Lang::En.say(&error.phrase()));
            let answer = json!({
                "valid": false,
                "error": reason,
                "fields": [{"field": FIELD, "message": reason}],
            });
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(answer)).into_response())
        }
    }
}

/// The certificate check page.
#[derive(Template, WebTemplate)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    /// Association details.
    pub site: Site,
    /// The text to show in the field (what was pasted, when it was refused).
    pub certificate: String,
    /// Why the pasted certificate was not accepted.
    pub error: Option<String>,
    /// What an accepted certificate states.
    pub verified: Option<VerifiedView>,
    /// The fingerprint of the key certificates are issued under now.
    pub fingerprint: String,
    /// That key, as `ombuds certificate verify --public-key` takes it.
    pub public_key: String,
}

impl VerifyPage {
    /// The page with `certificate` in the field and nothing checked yet.
    pub fn new(config: &Config, lang: Lang, keys: &[PublicKey], certificate: String) -> Self {
        let current = keys.first();
        Self {
            site: Site::public(config, lang, "/verify"),
            certificate,
            error: None,
            verified: None,
            fingerprint: current
                .map(|k| k.fingerprint().to_string())
                .unwrap_or_default(),
            public_key: current.map(ToString::to_string).unwrap_or_default(),
        }
    }
}

/// An accepted certificate as the page shows it.
pub struct VerifiedView {
    /// Which kind of certificate it is, in words.
    pub kind: &'static str,
    /// The statement in plain words.
    pub statement: String,
    /// The certificate's identifier.
    pub id: String,
    /// The date it was issued, in words.
    pub issued: String,
    /// The fingerprint of the key that signed it.
    pub fingerprint: String,
}

impl VerifiedView {
    fn new(certificate: &Verified, lang: Lang) -> Self {
        Self {
            kind: lang.t(match certificate.kind() {
                Kind::Suspension => "verify.kind_suspension",
                Kind::Resolution => "verify.kind_resolution",
            }),
            statement: statement(certificate, lang),
            id: certificate.id().to_owned(),
            issued: lang.long_date(certificate.issued()),
            fingerprint: certificate.key_fingerprint().to_string(),
        }
    }
}

/// Why a pasted certificate is not accepted, as one sentence for the page in `lang`: the
/// reason, framed by `[verify] not_genuine`.
fn refusal(error: &VerifyError, lang: Lang) -> String {
    sentence(&lang.f(
        "verify.not_genuine",
        &[("reason", &lang.say(&error.phrase()))],
    ))
}

/// Why a genuine certificate is not valid any more: a correction replaced it.
fn superseded(replacement: &str, lang: Lang) -> String {
    lang.f("verify.superseded", &[("id", &replacement)])
}

/// A reason as a sentence: capital first letter, full stop at the end.
fn sentence(reason: &str) -> String {
    let mut sentence = crate::i18n::capitalize(reason);
    if !sentence.ends_with('.') {
        sentence.push('.');
    }
    sentence
}
