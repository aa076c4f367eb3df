//! The ombuds console as a JSON API under `/api/v1/`: the same operations as the HTML console,
//! for scripts and tests. Changes need the `X-CSRF-Token` header from the session.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::auth::{OmbudsOnly, Staff};
use super::case_input;
use super::deadline_view;
use super::decode::json_object;
use super::error::{ApiError, Problem};
use super::route_table::{Routes, routes};
use crate::domain::case::CaseDate;
use crate::domain::case::Service;
use crate::domain::field::FieldError;
use crate::domain::notes::days_left;
use crate::domain::phrase::Phrase;
use crate::store::Letter;
use crate::store::{CaseRecord, Message, Note, Party};
use crate::usecase;
use crate::usecase::cases::{DUE_WINDOW_DAYS, Listed, Show};

/// Routes of the JSON console.
pub fn routes() -> Routes {
    routes! {
        "/api/v1/cases" => get(list).post(create),
        "/api/v1/cases/{id}" => get(show),
        "/api/v1/cases/{id}/open" => post(open),
        "/api/v1/cases/{id}/services" => put(services),
        "/api/v1/cases/{id}/assignee" => put(assign),
        "/api/v1/cases/{id}/complaint-filed" => put(complaint_filed),
        "/api/v1/cases/{id}/receipt" => post(issue_receipt),
        "/api/v1/cases/{id}/non-membership" => post(add_non_membership),
        "/api/v1/cases/{id}/non-membership/{period}" => delete(remove_non_membership),
        "/api/v1/cases/{id}/notes" => post(add_note),
        "/api/v1/cases/{id}/notes/{note}" => delete(destroy_note),
        "/api/v1/cases/{id}/notes/{note}/done" => put(note_done),
        "/api/v1/cases/{id}/stays-open" => post(stays_open),
        "/api/v1/cases/{id}/replies" => post(reply),
        "/api/v1/cases/{id}/parties" => post(add_party),
        "/api/v1/cases/{id}/parties/{party}" => delete(remove_party),
        "/api/v1/cases/{id}/parties/{party}/messages" => post(party_message),
        "/api/v1/cases/{id}/plan" => put(write_plan),
        "/api/v1/cases/{id}/plan/answers" => post(record_answer),
        "/api/v1/cases/{id}/close" => post(close),
        "/api/v1/cases/{id}/dates/{field}" => post(dates),
        "/api/v1/commitments" => get(commitments),
        "/api/v1/letters" => get(letters),
        "/api/v1/letters/{id}" => get(letter),
        "/api/v1/letters/{id}/sent" => post(letter_sent),
    }
}

/// A case's clear fields, with the day it was last touched and whether it is flagged for
/// going untouched for long (`untouched_for`, from [`usecase::stale::flagged`]).
fn record_json(r: &CaseRecord, untouched_for: Option<u32>) -> Value {
    json!({
        "id": r.id,
        "status": r.status.code(),
        "channel": r.channel.code(),
        "category": r.category.code(),
        "raised_by": r.raised_by.code(),
        "first_contact": r.first_contact.to_string(),
        "opened_on": r.opened_on.map(|d| d.to_string()),
        "termination_date": r.termination_date.map(|d| d.to_string()),
        "services": r.services.iter().map(|s| s.code()).collect::<Vec<_>>(),
        "has_receipt": r.has_receipt,
        "assigned_to": r.assigned_to,
        "intake_lang": r.intake_lang,
        "complaint_filed": r.complaint_filed,
        "touched_on": usecase::stale::touched_on(r).map(|d| d.to_string()),
        "stale": untouched_for.is_some(),
    })
}

fn listing_json(listed: &Listed) -> Value {
    let listing = &listed.listing;
    let mut value = record_json(&listing.record, listed.untouched_for);
    value["awaiting_reply"] = listing.awaiting_reply.into();
    value["open_commitments"] = listing.open_commitments.into();
    value
}

fn note_json(note: &Note, today: chrono::NaiveDate) -> Value {
    use secrecy::ExposeSecret;
    json!({
        "id": note.id,
        "kind": note.kind.code(),
        "text": note.text.expose_secret(),
        "due_on": note.due_on.map(|d| d.to_string()),
        "expires_on": note.expires_on.to_string(),
        "expires_in_days": days_left(note.expires_on, today),
        "done": note.done,
        "written_by": note.author,
    })
}

fn message_json(message: &Message) -> Value {
    json!({
        "author": message.author.code(),
        "sent_on": message.sent_on.to_string(),
        "text": super::views::message_text(message, crate::i18n::Lang::En).as_str(),
        "written_by": message.written_by,
    })
}

fn party_json(party: &Party) -> Value {
    use secrecy::ExposeSecret;
    let c = &party.content;
    json!({
        "id": party.id,
        "number": party.number,
        "role": c.role.code(),
        "name": c.name.as_ref().map(|s| s.expose_secret().to_owned()),
        "contact": c.contact.as_ref().map(|s| s.expose_secret().to_owned()),
        "lang": c.lang,
        "has_receipt": party.has_receipt,
        "messages": party.messages.iter().map(message_json).collect::<Vec<_>>(),
    })
}

/// A party refusal: a case that is gone (closed cases are destroyed) or a party it does not
/// have is a 404 that says so; nothing was changed.
fn party_refusal(refusal: usecase::Refusal, what: &'static str) -> ApiError {
    match refusal {
        usecase::Refusal::NotFound => ApiError(Problem::NotFoundMessage(Phrase::new(what))),
        other => other.into(),
    }
}

async fn add_party(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let mut object = json_object(
        &headers,
        body,
        &["role", "name", "contact", "lang", "receipt"],
    )
    .await?;
    let mut errors = Vec::new();
    let with_receipt = object.boolean("receipt", &mut errors);
    let party = case_input::party(&mut object);
    let with_receipt = match with_receipt {
        Some(with_receipt) => with_receipt,
        None => {
            if errors.is_empty() {
                errors.push(FieldError::new("receipt", "api.problem.required"));
            }
            false
        }
    };
    let party = match party {
        Ok(party) if errors.is_empty() => party,
        Ok(_) => return Err(Problem::Invalid(errors).into()),
        Err(more) => {
            errors.extend(more);
            return Err(Problem::Invalid(errors).into());
        }
    };
    let added = usecase::parties::add(&app.ctx(), &id, &party, with_receipt)
        .await
        .map_err(|r| party_refusal(r, "staff.error.no_open_case"))?;
    let mut answer = json!({
        "id": added.party.id,
        "number": added.party.number,
        "lang": party.language,
    });
    if let Some(receipt) = &added.receipt {
        answer["receipt"] = receipt.expose().into();
    }
    let mut response = (StatusCode::CREATED, Json(answer)).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

async fn party_message(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsOnly>,
    Path((id, party)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let mut object = json_object(&headers, body, &["text"]).await?;
    let text = case_input::message(&mut object).map_err(Problem::Invalid)?;
    usecase::parties::reply(&app.ctx(), &id, &party, &text, &user.username)
        .await
        .map_err(|r| party_refusal(r, "staff.error.no_party"))?;
    Ok((StatusCode::CREATED, Json(json!({ "sent": true }))).into_response())
}

fn plan_json(plan: &crate::store::Plan) -> Value {
    use secrecy::ExposeSecret;
    json!({
        "version": plan.version,
        "written_on": plan.written_on.to_string(),
        "agreed_on": plan.agreed_on.map(|d| d.to_string()),
        "terms": plan.terms.expose_secret(),
        "answers": plan.answers.iter().filter(|a| a.version == plan.version).map(|a| json!({
            "party": a.party,
            "answer": a.answer.code(),
            "channel": a.channel.code(),
            "on": a.on.to_string(),
        })).collect::<Vec<_>>(),
    })
}

/// Numbers may come as JSON numbers; the shared decoders read text.
fn numbers_as_text(object: &mut super::decode::JsonObject, names: &[&str]) {
    for name in names {
        if let Some(Value::Number(n)) = object.0.get(*name) {
            let n = n.to_string();
            object.0.insert((*name).into(), Value::String(n));
        }
    }
}

async fn write_plan(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let mut object = json_object(&headers, body, &["terms"]).await?;
    let terms = case_input::plan_terms(&mut object).map_err(Problem::Invalid)?;
    let version = usecase::plan::write(&app.ctx(), &id, &terms)
        .await
        .map_err(|r| party_refusal(r, "staff.error.no_open_case"))?;
    Ok(Json(json!({ "version": version })))
}

async fn record_answer(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let mut object = json_object(
        &headers,
        body,
        &["party", "version", "answer", "channel", "on"],
    )
    .await?;
    numbers_as_text(&mut object, &["party", "version"]);
    let a = case_input::recorded_answer(&mut object, app.today()).map_err(Problem::Invalid)?;
    let answered = usecase::plan::answer(
        &app.ctx(),
        &id,
        a.party,
        a.version,
        a.answer,
        a.channel,
        a.on,
    )
    .await
    .map_err(|r| party_refusal(r, "staff.error.no_open_case"))?;
    Ok(Json(json!({
        "version": answered.version,
        "agreed_on": answered.agreed_on.map(|d| d.to_string()),
    })))
}

/// `GET /api/v1/cases`; `?mine=true` for the cases assigned to the signed-in ombuds,
/// `?stale=true` for the open cases flagged as untouched for long (both may be given).
async fn list(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsOnly>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let asked = |wanted: &str| {
        query
            .as_deref()
            .unwrap_or_default()
            .split('&')
            .any(|pair| pair == wanted)
    };
    let show = Show {
        assigned_to: asked("mine=true").then_some(user.username.as_str()),
        untouched: asked("stale=true"),
    };
    let cases = usecase::cases::list(&app.ctx(), show).await?;
    Ok(Json(Value::Array(cases.iter().map(listing_json).collect())))
}

async fn create(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let mut object = json_object(
        &headers,
        body,
        &[
            "channel",
            "first_contact",
            "category",
            "raised_by",
            "description",
            "contact",
            "concluded_on",
            "discovered_on",
            "conditions_read",
            "complaint_filed",
        ],
    )
    .await?;
    let mut errors = Vec::new();
    let input = case_input::contact_input(&mut object, &mut errors);
    let today = app.today();
    let (channel, first_contact, concern) =
        case_input::check_contact(&input, today, app.config.intake.limits(), errors)
            .map_err(Problem::Invalid)?;
    let id = usecase::cases::log_contact(
        &app.ctx(),
        channel,
        first_contact,
        input.complaint_filed,
        &concern,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))).into_response())
}

async fn show(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    use secrecy::ExposeSecret;
    let today = app.today();
    let detail = usecase::cases::detail(&app.ctx(), &id).await?;
    let untouched_for = usecase::stale::flagged(&app.ctx(), &detail.record);
    let mut value = record_json(&detail.record, untouched_for);
    let c = &detail.concern;
    value["concern"] = json!({
        "description": c.description.expose_secret(),
        "contact": c.contact.as_ref().map(|s| s.expose_secret().to_owned()),
        "concluded_on": c.concluded_on.map(|d| d.to_string()),
        "discovered_on": c.discovered_on.map(|d| d.to_string()),
    });
    value["notes"] = detail.notes.iter().map(|n| note_json(n, today)).collect();
    value["messages"] = detail.messages.iter().map(message_json).collect();
    value["parties"] = detail.parties.iter().map(party_json).collect();
    value["plan"] = detail.plan.as_ref().map_or(Value::Null, plan_json);
    value["corrections"] = detail
        .corrections
        .iter()
        .map(|c| {
            json!({
                "field": c.field.code(),
                "old_date": c.old_date.map(|d| d.to_string()),
                "new_date": c.new_date.to_string(),
                "corrected_on": c.corrected_on.to_string(),
                "reason": c.reason.expose_secret(),
            })
        })
        .collect();
    value["letters"] = detail.letters.iter().map(letter_json).collect();
    value["non_membership"] = detail
        .non_membership
        .iter()
        .map(|(id, p)| json!({ "id": id, "from": p.from.to_string(), "to": p.to.to_string() }))
        .collect();
    // A complaint already filed suspends no deadline: there is none to show.
    value["deadline"] = match detail.record.complaint_filed {
        true => Value::Null,
        false => deadline_view::of_case(&app.config, &detail, today).json(),
    };
    Ok(Json(value))
}

async fn open(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    usecase::cases::open(&app.ctx(), &id).await?;
    Ok(Json(json!({ "status": "open" })))
}

async fn services(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let object = json_object(&headers, body, &["services"]).await?;
    let codes = match object.0.get("services") {
        Some(Value::Array(items)) => items,
        _ => {
            return Err(Problem::Invalid(vec![FieldError::new(
                "services",
                "api.problem.services_list",
            )])
            .into());
        }
    };
    let mut chosen = Vec::new();
    for code in codes {
        match code.as_str().and_then(Service::from_code) {
            Some(service) => chosen.push(service),
            None => {
                let known: Vec<&str> = Service::ALL.iter().map(|s| s.code()).collect();
                return Err(Problem::Invalid(vec![FieldError::new(
                    "services",
                    Phrase::new("api.problem.unknown_service")
                        .with("code", code.to_string())
                        .with("codes", known.join(", ")),
                )])
                .into());
            }
        }
    }
    let chosen = usecase::cases::set_services(&app.ctx(), &id, chosen).await?;
    Ok(Json(
        json!({ "services": chosen.iter().map(|s| s.code()).collect::<Vec<_>>() }),
    ))
}

/// `PUT /api/v1/cases/{id}/complaint-filed` with `{"complaint_filed": true|false}`.
async fn complaint_filed(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let object = json_object(&headers, body, &["complaint_filed"]).await?;
    let mut errors = Vec::new();
    let filed = object.boolean("complaint_filed", &mut errors);
    let filed = match filed {
        Some(filed) => filed,
        None if !errors.is_empty() => return Err(Problem::Invalid(errors).into()),
        None => {
            errors.push(FieldError::new("complaint_filed", "api.problem.required"));
            return Err(Problem::Invalid(errors).into());
        }
    };
    usecase::cases::mark_complaint_filed(&app.ctx(), &id, filed).await?;
    Ok(Json(json!({ "complaint_filed": filed })))
}

/// `PUT /api/v1/cases/{id}/assignee`: `{"username": "…"}` assigns the case to that ombuds,
/// `{"username": null}` to nobody.
async fn assign(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let mut object = json_object(&headers, body, &["username"]).await?;
    let mut errors = Vec::new();
    if !object.0.contains_key("username") {
        errors.push(FieldError::new("username", "api.problem.required"));
    }
    let name = object.text("username", &mut errors);
    if !errors.is_empty() {
        return Err(Problem::Invalid(errors).into());
    }
    let name = name.as_deref().map(|n| n.trim()).filter(|n| !n.is_empty());
    usecase::cases::assign(&app.ctx(), &id, name)
        .await
        .map_err(|refusal| match refusal {
            // The form's field is `assignee`; the API's is `username`.
            usecase::Refusal::Invalid(errors) => Problem::Invalid(
                errors
                    .into_iter()
                    .map(|e| FieldError::new("username", e.problem))
                    .collect(),
            ),
            other => other.into(),
        })?;
    Ok(Json(json!({ "assigned_to": name })))
}

/// `POST /api/v1/cases/{id}/receipt`: issues a receipt for a contact logged by hand; `201
/// {receipt, first_contact}`, shown this once. `422` for a case that holds one already.
async fn issue_receipt(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let issued = usecase::cases::issue_receipt(&app.ctx(), &id)
        .await
        .map_err(|r| party_refusal(r, "staff.error.no_open_case"))?;
    let answer = json!({
        "receipt": issued.receipt.expose(),
        "first_contact": issued.first_contact.to_string(),
    });
    let mut response = (StatusCode::CREATED, Json(answer)).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// `POST /api/v1/cases/{id}/non-membership`: `{from, to}` records a period in which the
/// respondent held no REALTOR® membership; `201 {id, from, to}`.
async fn add_non_membership(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let mut object = json_object(&headers, body, &["from", "to"]).await?;
    let mut errors = Vec::new();
    let from = object.text("from", &mut errors);
    let to = object.text("to", &mut errors);
    if !errors.is_empty() {
        return Err(Problem::Invalid(errors).into());
    }
    let (period, dates) = usecase::non_membership::add(
        &app.ctx(),
        &id,
        from.as_deref().map(|v| v.as_str()),
        to.as_deref().map(|v| v.as_str()),
    )
    .await?;
    let answer = json!({
        "id": period,
        "from": dates.from.to_string(),
        "to": dates.to.to_string(),
    });
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `DELETE /api/v1/cases/{id}/non-membership/{period}`: removes a period recorded by mistake.
async fn remove_non_membership(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path((id, period)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    usecase::non_membership::remove(&app.ctx(), &id, &period).await?;
    Ok(Json(json!({ "removed": true })))
}

async fn add_note(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let mut object = json_object(
        &headers,
        body,
        &["kind", "text", "due_on", "expires_in_days"],
    )
    .await?;
    // A number of days may come as a JSON number; the form decoder reads text.
    if let Some(Value::Number(days)) = object.0.get("expires_in_days") {
        let days = days.to_string();
        object
            .0
            .insert("expires_in_days".into(), Value::String(days));
    }
    let note = case_input::note(&mut object, app.today(), app.config.retention.note_policy())
        .map_err(Problem::Invalid)?;
    let note_id = usecase::notes::add(&app.ctx(), &id, &note, &user.username).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": note_id, "expires_on": note.expires_on.to_string() })),
    )
        .into_response())
}

async fn note_done(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path((id, note)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let object = json_object(&headers, body, &["done"]).await?;
    let mut errors = Vec::new();
    let done = object.boolean("done", &mut errors);
    let Some(done) = done else {
        if errors.is_empty() {
            errors.push(FieldError::new("done", "api.problem.required"));
        }
        return Err(Problem::Invalid(errors).into());
    };
    usecase::notes::set_done(&app.ctx(), &id, &note, done).await?;
    Ok(Json(json!({ "done": done })))
}

async fn reply(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let mut object = json_object(&headers, body, &["text"]).await?;
    let text = case_input::message(&mut object).map_err(Problem::Invalid)?;
    usecase::thread::reply(&app.ctx(), &id, &text, &user.username).await?;
    Ok((StatusCode::CREATED, Json(json!({ "sent": true }))).into_response())
}

async fn close(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let mut object = json_object(&headers, body, &["outcome", "confirm_unanswered"]).await?;
    let mut errors = Vec::new();
    let code = object.text("outcome", &mut errors);
    let unanswered_seen = object.boolean("confirm_unanswered", &mut errors);
    if !errors.is_empty() {
        return Err(Problem::Invalid(errors).into());
    }
    let outcome =
        case_input::outcome(code.as_deref().map(|c| c.as_str())).map_err(Problem::Invalid)?;
    usecase::cases::close(
        &app.ctx(),
        &id,
        outcome,
        &app.link("/"),
        unanswered_seen.unwrap_or(false),
    )
    .await?;
    Ok(Json(json!({ "closed": true, "outcome": outcome.code() })))
}

fn letter_json(letter: &Letter) -> Value {
    use crate::letters::stored::Label;
    use secrecy::ExposeSecret;
    let label = letter
        .label
        .as_ref()
        .and_then(|l| Label::decode(l.expose_secret()));
    let sent = letter.delivery.sent();
    let (sent_on, sent_by) = (
        sent.map(|(on, _)| on.to_string()),
        sent.map(|(_, by)| by.code()),
    );
    let status = letter.delivery.code();
    json!({
        "id": letter.id,
        "kind": letter.kind.code(),
        "dated": letter.dated.to_string(),
        "kept_until": letter.expires_on.to_string(),
        "case_id": letter.case_id,
        "reference": label.as_ref().map(|l| l.reference.clone()),
        "party": label.as_ref().map(|l| l.party),
        "role": label.as_ref().and_then(|l| l.role.clone()),
        "delivery": { "status": status, "sent_on": sent_on, "sent_by": sent_by },
        "text": super::views::LetterView::from(letter).text.as_str(),
    })
}

/// `POST /api/v1/letters/{id}/sent`: records that a notice to a party without a receipt was
/// sent (`{"sent_on": "YYYY-MM-DD" (optional, today), "sent_by": "post"|"email"|"in_person"}`).
async fn letter_sent(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let mut object = json_object(&headers, body, &["sent_on", "sent_by"]).await?;
    let mut errors = Vec::new();
    let on = object.text("sent_on", &mut errors);
    let by = object.text("sent_by", &mut errors);
    if !errors.is_empty() {
        return Err(Problem::Invalid(errors).into());
    }
    let done = usecase::letters::mark_sent(
        &app.ctx(),
        &id,
        on.as_deref().map(|v| v.as_str()),
        by.as_deref().map(|v| v.as_str()),
    )
    .await;
    match done {
        Ok(_) => {
            let letter = usecase::letters::one(&app.ctx(), &id).await?;
            Ok(Json(letter_json(&letter)))
        }
        Err(usecase::Refusal::NotFound) => Err(ApiError(Problem::NotFoundMessage(Phrase::new(
            "staff.error.no_letter_to_send",
        )))),
        Err(other) => Err(other.into()),
    }
}

/// `POST /api/v1/cases/{id}/stays-open`: `{"reason": "…"}` records why the case stays open
/// (kept as a working note); the case counts as touched today, so its flag goes. `201 {id,
/// expires_on}`, the note's.
async fn stays_open(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let mut object = json_object(&headers, body, &["reason"]).await?;
    let mut errors = Vec::new();
    let reason = object.text("reason", &mut errors);
    if !errors.is_empty() {
        return Err(Problem::Invalid(errors).into());
    }
    let (note_id, expires_on) = usecase::stale::stays_open(
        &app.ctx(),
        &id,
        reason.as_deref().map(|r| r.as_str()),
        &user.username,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": note_id, "expires_on": expires_on.to_string() })),
    )
        .into_response())
}

/// `DELETE /api/v1/cases/{id}/notes/{note}`: destroys a note at once.
async fn destroy_note(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path((id, note)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    usecase::notes::destroy(&app.ctx(), &id, &note).await?;
    Ok(Json(json!({ "destroyed": true })))
}

/// `DELETE /api/v1/cases/{id}/parties/{party}`: removes a party with its thread.
async fn remove_party(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path((id, party)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let number = usecase::parties::remove(&app.ctx(), &id, &party)
        .await
        .map_err(|r| party_refusal(r, "staff.error.no_party"))?;
    Ok(Json(json!({ "removed": number })))
}

async fn dates(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path((id, field)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let field = CaseDate::from_code(&field).ok_or(Problem::NotFound)?;
    let mut object = json_object(&headers, body, &["date", "reason"]).await?;
    let mut errors = Vec::new();
    let typed = object.text("date", &mut errors);
    let reason = object.text("reason", &mut errors);
    if !errors.is_empty() {
        return Err(Problem::Invalid(errors).into());
    }
    let base = app.link("/");
    let recorded = usecase::termination::record(
        &app.ctx(),
        &id,
        field,
        typed.as_deref().map(|t| t.as_str()),
        reason.as_deref().map(|r| r.as_str()),
        &base,
    )
    .await?;
    let mut answer = json!({ "field": field.code(), "date": recorded.date.to_string() });
    if let Some((letter, certificate)) = recorded.notice {
        answer["letter_id"] = letter.into();
        answer["certificate"] = certificate.into();
    }
    Ok(Json(answer))
}

async fn letters(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
) -> Result<Json<Value>, ApiError> {
    let letters = usecase::letters::all(&app.ctx()).await?;
    Ok(Json(Value::Array(
        letters.iter().map(letter_json).collect(),
    )))
}

async fn letter(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    use secrecy::ExposeSecret;
    let letter = usecase::letters::one(&app.ctx(), &id).await?;
    let mut value = letter_json(&letter);
    let html = crate::letters::stored::pick(letter.html.expose_secret(), crate::i18n::Lang::En)
        .ok_or_else(|| Problem::Internal("a stored letter could not be read".into()))?;
    value["html"] = html.into();
    Ok(Json(value))
}

/// The longest window `GET /api/v1/commitments?days=` takes.
const MAX_DUE_DAYS: u64 = 366;

/// `?days=N` of `GET /api/v1/commitments`: a whole number from 0 to [`MAX_DUE_DAYS`], or
/// [`DUE_WINDOW_DAYS`] when absent; anything else is refused naming `days`.
fn due_days(query: Option<&str>) -> Result<u64, Problem> {
    let typed = query
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("days="));
    match typed.map(str::parse::<u64>) {
        None => Ok(DUE_WINDOW_DAYS),
        Some(Ok(days)) if days <= MAX_DUE_DAYS => Ok(days),
        Some(_) => Err(Problem::Invalid(vec![FieldError::new(
            "days",
            Phrase::new("api.problem.due_days").with("max", MAX_DUE_DAYS),
        )])),
    }
}

async fn commitments(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let today = app.today();
    let days = due_days(query.as_deref())?;
    let due = usecase::notes::due_within(&app.ctx(), days).await?;
    Ok(Json(Value::Array(
        due.iter()
            .map(|c| {
                let mut value = note_json(&c.note, today);
                value["case_id"] = c.case_id.clone().into();
                value
            })
            .collect(),
    )))
}
