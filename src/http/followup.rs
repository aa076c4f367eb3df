//! The anonymous follow-up: with the receipt, a submitter reads the ombuds' replies and adds
//! messages; an added party's receipt opens that party's own thread, and nothing else. The receipt travels in a form field or an `Authorization: Receipt …` header,
//! never in an address, and no cookie is set.
//!
//! A receipt that opens nothing gets one answer, whether it never existed or its case was
//! closed. Failed look-ups spend a budget shared by everyone (no address is kept); while it is
//! spent, failures are answered 429. A right receipt is never held back.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use secrecy::ExposeSecret;
use serde::Serialize;
use serde_json::json;
use zeroize::Zeroizing;

use super::AppState;
use super::case_input;
use super::deadline_view::{self, DeadlineView};
use super::decode::{FormFields, form_fields, json_object};
use super::error::{ApiError, PageError, Problem};
use super::route_table::{Routes, routes};
use super::views::{
    DeadlineLines, FollowupClosedPage, FollowupPage, FollowupPartyPage, FollowupThreadPage,
    LetterView, MessageView, PlanView, Site,
};
use crate::crypto::Receipt;
use crate::domain::case::{CaseStatus, MAX_MESSAGE_CHARS};
use crate::domain::field::FieldError;
use crate::domain::parties::FIRST_PARTY;
use crate::domain::phrase::{Phrase, Said};
use crate::i18n::Lang;
use crate::store::{Followup, FollowupThread, Letter, PartyThread};
use crate::usecase;

/// Routes of the follow-up.
pub fn routes() -> Routes {
    routes! {
        "/followup" => get(page).post(open),
        "/followup/messages" => post(add),
        "/followup/letters/{id}" => post(print_letter),
        "/api/v1/followup" => get(api_show),
        "/api/v1/followup/messages" => post(api_add),
        "/followup/plan" => post(answer_plan),
        "/api/v1/followup/plan" => post(api_answer_plan),
    }
}

/// The answer for a receipt that opens nothing, after spending the failure budget.
fn no_match(app: &AppState) -> Problem {
    match app.failed_lookups.spend() {
        Ok(()) => Problem::NotFound,
        Err(retry_after) => Problem::TooManyRequests {
            retry_after,
            message: Phrase::new("error.too_many_receipts"),
        },
    }
}

async fn page(State(app): State<AppState>, lang: Lang) -> FollowupPage {
    FollowupPage {
        site: site(&app, lang),
        error: None,
    }
}

/// The association details for a follow-up page in `lang`.
fn site(app: &AppState, lang: Lang) -> Site {
    Site::public(&app.config, lang, "/followup")
}

fn receipt_problem_page(
    app: &AppState,
    lang: Lang,
    status: StatusCode,
    message: String,
) -> Response {
    let mut response = FollowupPage {
        site: site(app, lang),
        error: Some(message),
    }
    .into_response();
    *response.status_mut() = status;
    response
}

fn thread_page(
    app: &AppState,
    lang: Lang,
    receipt: &Receipt,
    thread: &FollowupThread,
    draft: Zeroizing<String>,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> FollowupThreadPage {
    FollowupThreadPage {
        site: site(app, lang),
        receipt: Zeroizing::new(receipt.expose().to_owned()),
        first_contact: thread.first_contact,
        first_contact_long: lang.long_date(thread.first_contact),
        opened: thread.status == CaseStatus::Open,
        ended: thread.termination_date.map(|d| lang.long_date(d)),
        description: Zeroizing::new(thread.concern.description.expose_secret().to_owned()),
        messages: thread
            .messages
            .iter()
            .map(|m| MessageView::for_submitter(m, lang))
            .collect(),
        letters: thread
            .letters
            .iter()
            .map(|l| LetterView::new(l, lang))
            .collect(),
        deadline: DeadlineLines::new(&thread_deadline(app, thread, lang), lang),
        complaint_filed: thread.complaint_filed,
        plan: thread
            .plan
            .as_ref()
            .map(|p| PlanView::for_party(p, FIRST_PARTY, lang)),
        plan_notice: None,
        draft,
        errors,
        notice,
        max_chars: MAX_MESSAGE_CHARS,
    }
}

/// Reads the receipt field; for a malformed one, says what is wrong with it in `lang`.
fn receipt_from(form: &mut FormFields, lang: Lang) -> Result<Receipt, String> {
    let typed = form.take("receipt").unwrap_or_default();
    Receipt::parse(&typed).map_err(|e| lang.say(&e.phrase()))
}

/// A form that carries a receipt: its other fields and the receipt, or the page that says the
/// receipt is not one (422).
async fn receipt_form(
    app: &AppState,
    lang: Lang,
    headers: &HeaderMap,
    body: Body,
) -> Result<Result<(FormFields, Receipt), Response>, PageError> {
    let mut form = form_fields(headers, body).await?;
    Ok(match receipt_from(&mut form, lang) {
        Ok(receipt) => Ok((form, receipt)),
        Err(problem) => Err(receipt_problem_page(
            app,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            problem,
        )),
    })
}

fn not_found_page(app: &AppState, lang: Lang) -> Result<Response, PageError> {
    match no_match(app) {
        Problem::NotFound => Ok(receipt_problem_page(
            app,
            lang,
            StatusCode::NOT_FOUND,
            lang.t("followup.not_found").to_owned(),
        )),
        other => Err(other.into()),
    }
}

async fn open(
    State(app): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    let (_, receipt) = match receipt_form(&app, lang, &headers, body).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    match usecase::thread::read(&app.ctx(), &receipt).await? {
        Some(Followup::Open(thread)) => Ok(thread_page(
            &app,
            lang,
            &receipt,
            &thread,
            Zeroizing::default(),
            Vec::new(),
            None,
        )
        .into_response()),
        Some(Followup::Party(thread)) => Ok(party_page(
            &app,
            lang,
            &receipt,
            &thread,
            Zeroizing::default(),
            Vec::new(),
            None,
        )
        .into_response()),
        Some(Followup::Closed(letters)) => {
            Ok(closed_page(&app, lang, &receipt, &letters).into_response())
        }
        None => not_found_page(&app, lang),
    }
}

/// An added party's own thread: nothing of the concern, the submitter's dates or another
/// party's thread is in it.
fn party_page(
    app: &AppState,
    lang: Lang,
    receipt: &Receipt,
    thread: &PartyThread,
    draft: Zeroizing<String>,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> FollowupPartyPage {
    FollowupPartyPage {
        site: site(app, lang),
        receipt: Zeroizing::new(receipt.expose().to_owned()),
        opened: thread.status == CaseStatus::Open,
        ended: thread.termination_date.map(|d| lang.long_date(d)),
        messages: thread
            .messages
            .iter()
            .map(|m| MessageView::for_submitter(m, lang))
            .collect(),
        plan: thread
            .plan
            .as_ref()
            .map(|p| PlanView::for_party(p, thread.number, lang)),
        letters: thread
            .letters
            .iter()
            .map(|l| LetterView::new(l, lang))
            .collect(),
        plan_notice: None,
        draft,
        errors,
        notice,
        max_chars: MAX_MESSAGE_CHARS,
    }
}

/// `POST /followup/plan`: the receipt holder accepts or declines the plan's current version;
/// the page comes back with the answer recorded, or with why it was refused.
async fn answer_plan(
    State(app): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    let (mut form, receipt) = match receipt_form(&app, lang, &headers, body).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let answered = match case_input::plan_answer(&mut form) {
        Ok((version, given)) => {
            usecase::plan::answer_with_receipt(&app.ctx(), &receipt, version, given).await
        }
        Err(errors) => Err(usecase::Refusal::Invalid(errors)),
    };
    let (status, plan_notice) = match answered {
        Ok(_) => (StatusCode::OK, lang.t("plan.answered").to_owned()),
        Err(usecase::Refusal::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors
                .iter()
                .map(|e| lang.say(&e.problem))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Err(usecase::Refusal::NotFound) => return not_found_page(&app, lang),
        Err(other) => return Err(other.into()),
    };
    let nothing = Zeroizing::default;
    let page = match usecase::thread::read(&app.ctx(), &receipt).await? {
        Some(Followup::Open(thread)) => {
            let mut page = thread_page(&app, lang, &receipt, &thread, nothing(), Vec::new(), None);
            page.plan_notice = Some(plan_notice);
            page.into_response()
        }
        Some(Followup::Party(thread)) => {
            let mut page = party_page(&app, lang, &receipt, &thread, nothing(), Vec::new(), None);
            page.plan_notice = Some(plan_notice);
            page.into_response()
        }
        Some(Followup::Closed(letters)) => {
            return Ok(closed_page(&app, lang, &receipt, &letters).into_response());
        }
        None => return not_found_page(&app, lang),
    };
    Ok((status, page).into_response())
}

/// `POST /api/v1/followup/plan`: the same, as JSON, with the receipt in the header.
async fn api_answer_plan(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let outcome = async {
        let receipt = receipt_header(&headers)?;
        let mut object = json_object(&headers, body, &["version", "answer"]).await?;
        if let Some(serde_json::Value::Number(n)) = object.0.get("version") {
            let n = n.to_string();
            object
                .0
                .insert("version".into(), serde_json::Value::String(n));
        }
        let (version, given) = case_input::plan_answer(&mut object).map_err(Problem::Invalid)?;
        match usecase::plan::answer_with_receipt(&app.ctx(), &receipt, version, given).await {
            Ok(answered) => Ok(Json(json!({
                "version": answered.version,
                "answer": given.code(),
                "agreed_on": answered.agreed_on,
            }))),
            Err(usecase::Refusal::NotFound) => Err(no_match(&app)),
            Err(other) => Err(other.into()),
        }
    };
    match outcome.await {
        Ok(answer) => answer.into_response(),
        Err(problem) => with_challenge(ApiError(problem)),
    }
}

fn closed_page(
    app: &AppState,
    lang: Lang,
    receipt: &Receipt,
    letters: &[Letter],
) -> FollowupClosedPage {
    FollowupClosedPage {
        site: site(app, lang),
        receipt: Zeroizing::new(receipt.expose().to_owned()),
        letters: letters.iter().map(|l| LetterView::new(l, lang)).collect(),
    }
}

/// `POST /followup/letters/{id}`: a letter's printable page, for the receipt that opens it.
async fn print_letter(
    State(app): State<AppState>,
    lang: Lang,
    axum::extract::Path(id): axum::extract::Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    let (_, receipt) = match receipt_form(&app, lang, &headers, body).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let letters = match usecase::thread::read(&app.ctx(), &receipt).await? {
        Some(Followup::Open(thread)) => thread.letters,
        Some(Followup::Party(thread)) => thread.letters,
        Some(Followup::Closed(letters)) => letters,
        None => return not_found_page(&app, lang),
    };
    match letters.into_iter().find(|l| l.id == id) {
        Some(letter) => {
            let html = crate::letters::stored::pick(letter.html.expose_secret(), lang)
                .ok_or_else(|| Problem::Internal("a stored letter could not be read".into()))?;
            Ok(axum::response::Html(html).into_response())
        }
        None => not_found_page(&app, lang),
    }
}

async fn add(
    State(app): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, PageError> {
    let (mut form, receipt) = match receipt_form(&app, lang, &headers, body).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    // The draft is kept for showing again if it breaks the message rules.
    let draft = form.take("text").unwrap_or_default();
    let checked = case_input::message(&mut SingleField(Some(draft.clone())));
    let (notice, errors, kept) = match checked {
        Ok(text) => {
            if !usecase::thread::write(&app.ctx(), &receipt, &text).await? {
                return not_found_page(&app, lang);
            }
            (
                Some(lang.t("followup.sent").to_owned()),
                Vec::new(),
                Zeroizing::default(),
            )
        }
        Err(errors) => (None, errors, draft),
    };
    match usecase::thread::read(&app.ctx(), &receipt).await? {
        Some(Followup::Open(thread)) => {
            let status = if errors.is_empty() {
                StatusCode::CREATED
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((
                status,
                thread_page(&app, lang, &receipt, &thread, kept, errors, notice),
            )
                .into_response())
        }
        Some(Followup::Party(thread)) => {
            let status = if errors.is_empty() {
                StatusCode::CREATED
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((
                status,
                party_page(&app, lang, &receipt, &thread, kept, errors, notice),
            )
                .into_response())
        }
        Some(Followup::Closed(letters)) => {
            Ok(closed_page(&app, lang, &receipt, &letters).into_response())
        }
        None => not_found_page(&app, lang),
    }
}

/// One text field, for running a lone form value through the shared input rules.
struct SingleField(Option<Zeroizing<String>>);

impl super::decode::Fields for SingleField {
    fn field(&mut self, _: &'static str, _: &mut Vec<FieldError>) -> Option<Zeroizing<String>> {
        self.0.take()
    }
}

/// Reads `Authorization: Receipt word-word-…`.
fn receipt_header(headers: &HeaderMap) -> Result<Receipt, Problem> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Problem::Unauthorized(Phrase::new("api.receipt_header")))?;
    let (scheme, words) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("receipt") {
        return Err(Problem::Unauthorized(Phrase::new("api.receipt_scheme")));
    }
    Receipt::parse(words).map_err(|e| Problem::Unauthorized(e.phrase()))
}

fn with_challenge(error: ApiError) -> Response {
    let unauthorized = matches!(error.0, Problem::Unauthorized(_));
    let mut response = error.into_response();
    if unauthorized {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Receipt"),
        );
    }
    response
}

/// A letter as the follow-up API shows it.
#[derive(Serialize)]
struct LetterJson {
    id: String,
    kind: &'static str,
    dated: NaiveDate,
    kept_until: NaiveDate,
    lang: &'static str,
    text: Zeroizing<String>,
}

fn letters_json(letters: &[Letter], lang: Lang) -> Vec<LetterJson> {
    letters
        .iter()
        .map(|l| {
            let view = LetterView::new(l, lang);
            LetterJson {
                id: view.id,
                kind: l.kind.code(),
                dated: view.dated,
                kept_until: view.expires_on,
                lang: view.lang,
                text: view.text,
            }
        })
        .collect()
}

/// A message of the thread as the follow-up API shows it.
#[derive(Serialize)]
struct MessageJson {
    author: &'static str,
    sent_on: NaiveDate,
    text: Zeroizing<String>,
}

/// The plan as the follow-up API shows it: the current version and the reader's own answer.
#[derive(Serialize)]
struct PlanJson<'a> {
    version: u32,
    written_on: NaiveDate,
    terms: &'a str,
    agreed_on: Option<NaiveDate>,
    answer: Option<&'static str>,
}

fn plan_json(plan: Option<&crate::store::Plan>, party: u32) -> Option<PlanJson<'_>> {
    plan.map(|p| PlanJson {
        version: p.version,
        written_on: p.written_on,
        terms: p.terms.expose_secret(),
        agreed_on: p.agreed_on,
        answer: p
            .answers
            .iter()
            .find(|a| a.party == party && a.version == p.version)
            .map(|a| a.answer.code()),
    })
}

/// The concern as the follow-up API shows it.
#[derive(Serialize)]
struct ConcernJson<'a> {
    description: &'a str,
}

/// The submitter's filing deadline today, explained in `lang`.
fn thread_deadline(app: &AppState, thread: &FollowupThread, lang: Lang) -> DeadlineView {
    deadline_view::build(
        &app.config,
        deadline_view::CaseDates {
            concluded: thread.concern.concluded_on,
            discovered: thread.concern.discovered_on,
            first_contact: thread.first_contact,
            termination: thread.termination_date,
            // What the ombuds recorded about the respondent's membership stays on staff pages.
            non_membership: &[],
        },
        app.today(),
        lang,
    )
}

/// The follow-up API's answer. Typed and borrowing, so the opened text is written straight into
/// the answer instead of being copied into an intermediate JSON tree first.
#[derive(Serialize)]
#[serde(untagged)]
enum FollowupJson<'a> {
    Closed {
        status: &'static str,
        letters: Vec<LetterJson>,
    },
    Open {
        first_contact: NaiveDate,
        termination_date: Option<NaiveDate>,
        status: &'static str,
        concern: ConcernJson<'a>,
        messages: Vec<MessageJson>,
        letters: Vec<LetterJson>,
        /// Absent for a complaint already filed: no deadline is suspended.
        #[serde(skip_serializing_if = "Option::is_none")]
        deadline: Option<DeadlineView>,
        complaint_filed: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        plan: Option<PlanJson<'a>>,
    },
    Party {
        status: &'static str,
        party: u32,
        messages: Vec<MessageJson>,
        letters: Vec<LetterJson>,
        #[serde(skip_serializing_if = "Option::is_none")]
        plan: Option<PlanJson<'a>>,
    },
}

fn followup_json<'a>(app: &AppState, followup: &'a Followup, lang: Lang) -> FollowupJson<'a> {
    let thread = match followup {
        Followup::Closed(letters) => {
            return FollowupJson::Closed {
                status: "closed",
                letters: letters_json(letters, lang),
            };
        }
        Followup::Party(thread) => {
            return FollowupJson::Party {
                status: thread.status.code(),
                party: thread.number,
                messages: thread
                    .messages
                    .iter()
                    .map(|m| MessageJson {
                        author: m.author.code(),
                        sent_on: m.sent_on,
                        text: super::views::message_text(m, lang),
                    })
                    .collect(),
                letters: letters_json(&thread.letters, lang),
                plan: plan_json(thread.plan.as_ref(), thread.number),
            };
        }
        Followup::Open(thread) => thread,
    };
    let deadline = (!thread.complaint_filed).then(|| thread_deadline(app, thread, lang));
    FollowupJson::Open {
        first_contact: thread.first_contact,
        termination_date: thread.termination_date,
        status: thread.status.code(),
        concern: ConcernJson {
            description: thread.concern.description.expose_secret(),
        },
        messages: thread
            .messages
            .iter()
            .map(|m| MessageJson {
                author: m.author.code(),
                sent_on: m.sent_on,
                text: super::views::message_text(m, lang),
            })
            .collect(),
        letters: letters_json(&thread.letters, lang),
        deadline,
        complaint_filed: thread.complaint_filed,
        plan: plan_json(thread.plan.as_ref(), FIRST_PARTY),
    }
}

async fn api_show(State(app): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    let outcome = async {
        let receipt = receipt_header(&headers)?;
        match usecase::thread::read(&app.ctx(), &receipt).await? {
            Some(followup) => Ok(Json(followup_json(&app, &followup, lang)).into_response()),
            None => Err(no_match(&app)),
        }
    };
    match outcome.await {
        Ok(answer) => answer,
        Err(problem) => with_challenge(ApiError(problem)),
    }
}

async fn api_add(State(app): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let outcome = async {
        let receipt = receipt_header(&headers)?;
        let mut object = json_object(&headers, body, &["text"]).await?;
        let text = case_input::message(&mut object).map_err(Problem::Invalid)?;
        if usecase::thread::write(&app.ctx(), &receipt, &text).await? {
            Ok((StatusCode::CREATED, Json(json!({ "sent": true }))))
        } else {
            Err(no_match(&app))
        }
    };
    match outcome.await {
        Ok(answer) => answer.into_response(),
        Err(problem) => with_challenge(ApiError(problem)),
    }
}
