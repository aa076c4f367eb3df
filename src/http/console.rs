//! The ombuds console, as HTML pages: the case list with the inbox and commitments coming due
//! (every case, or the signed-in ombuds' own), logging a contact by hand, one case with its
//! concern, notes, threads, parties and services, assigning it to an ombuds, and closing. Only
//! the `ombuds` role is admitted.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::auth::{OmbudsOnly, Staff, StaffForm, see_other};
use super::case_input::{self, ContactInput};
use super::deadline_view;
use super::error::{PageError, Problem};
use super::route_table::{Routes, routes};
use super::staff_views::{
    CaseForm, CasePage, Chrome, ClosedPage, ConsoleHome, ContactForm, LettersPage, NewCasePage,
    NoticeView, sent_by_choices,
};
use super::views::{CallerReceiptPage, InvitationPage, Site};
use crate::domain::case::{CaseDate, Service};
use crate::domain::field::FieldError;
use crate::domain::phrase::Phrase;
use crate::i18n::Lang;
use crate::store::SessionUser;
use crate::usecase::cases::{DUE_WINDOW_DAYS, Show};
use crate::usecase::{self, Refusal};

/// Routes of the HTML console.
pub fn routes() -> Routes {
    routes! {
        "/console" => get(home),
        "/console/cases/new" => get(new_case),
        "/console/cases" => post(create),
        "/console/cases/{id}" => get(show),
        "/console/cases/{id}/open" => post(open),
        "/console/cases/{id}/services" => post(services),
        "/console/cases/{id}/assignee" => post(assign),
        "/console/cases/{id}/complaint-filed" => post(complaint_filed),
        "/console/cases/{id}/receipt" => post(issue_receipt),
        "/console/cases/{id}/non-membership" => post(add_non_membership),
        "/console/cases/{id}/non-membership/{period}/remove" => post(remove_non_membership),
        "/console/cases/{id}/notes" => post(add_note),
        "/console/cases/{id}/notes/{note}/done" => post(note_done),
        "/console/cases/{id}/notes/{note}/destroy" => post(destroy_note),
        "/console/cases/{id}/stays-open" => post(stays_open),
        "/console/cases/{id}/replies" => post(reply),
        "/console/cases/{id}/parties" => post(add_party),
        "/console/cases/{id}/parties/{party}/messages" => post(party_message),
        "/console/cases/{id}/parties/{party}/remove" => post(remove_party),
        "/console/cases/{id}/plan" => post(write_plan),
        "/console/cases/{id}/plan/answers" => post(record_answer),
        "/console/cases/{id}/close" => post(close),
        "/console/cases/{id}/dates/{field}" => post(dates),
        "/console/letters" => get(letters),
        "/console/letters/{id}" => get(letter),
        "/console/letters/{id}/sent" => post(letter_sent),
    }
}

/// `GET /console`; `?show=mine` for the cases assigned to the signed-in ombuds, `?show=stale`
/// for the open cases flagged as untouched for long.
async fn home(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsOnly>,
    RawQuery(query): RawQuery,
) -> Result<ConsoleHome, PageError> {
    let mine = query.as_deref() == Some("show=mine");
    let stale = query.as_deref() == Some("show=stale");
    let show = Show {
        assigned_to: mine.then_some(user.username.as_str()),
        untouched: stale,
    };
    let overview = usecase::cases::overview(&app.ctx(), show).await?;
    let waiting = usecase::access::waiting(&app.ctx()).await?;
    Ok(ConsoleHome::new(
        Chrome::new(app.site(), &user),
        &overview.cases,
        overview.due,
        app.today(),
        DUE_WINDOW_DAYS,
    )
    .with_waiting_grants(waiting)
    .showing_mine(mine)
    .with_untouched(
        overview.untouched,
        app.config.retention.stale_after_days,
        stale,
    ))
}

async fn new_case(State(app): State<AppState>, Staff(user, _): Staff<OmbudsOnly>) -> NewCasePage {
    let today = app.today();
    let form = ContactForm {
        first_contact: today.to_string(),
        ..ContactForm::default()
    };
    NewCasePage::new(Chrome::new(app.site(), &user), form, Vec::new(), today)
}

fn contact_form(input: &ContactInput) -> ContactForm {
    let text = |v: &Option<zeroize::Zeroizing<String>>| {
        zeroize::Zeroizing::new(v.as_deref().cloned().unwrap_or_default())
    };
    let d = &input.draft;
    ContactForm {
        channel: input.channel.clone().unwrap_or_default(),
        category: d.category.clone().unwrap_or_default(),
        raised_by: d.raised_by.clone().unwrap_or_default(),
        first_contact: input.first_contact.clone().unwrap_or_default(),
        description: text(&d.description),
        contact: text(&d.contact),
        concluded_on: d.concluded_on.as_deref().cloned().unwrap_or_default(),
        discovered_on: d.discovered_on.as_deref().cloned().unwrap_or_default(),
        complaint_filed: input.complaint_filed,
    }
}

async fn create(
    State(app): State<AppState>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let today = app.today();
    let mut errors = Vec::new();
    let input = case_input::contact_input(&mut form, &mut errors);
    match case_input::check_contact(&input, today, app.config.intake.limits(), errors) {
        Ok((channel, first_contact, concern)) => {
            let id = usecase::cases::log_contact(
                &app.ctx(),
                channel,
                first_contact,
                input.complaint_filed,
                &concern,
            )
            .await?;
            Ok(see_other(&format!("/console/cases/{id}?done=logged")))
        }
        Err(errors) => {
            let page = NewCasePage::new(
                Chrome::new(app.site(), &user),
                contact_form(&input),
                errors,
                today,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// A page that holds a receipt, shown this once: `201 Created`, and no cache may keep it.
fn shown_once(page: impl IntoResponse) -> Response {
    let mut response = (StatusCode::CREATED, page).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// The confirmation a `?done=…` redirect asks for, from `[staff.done]`.
fn notice(query: Option<&str>) -> Option<String> {
    let key = match query?.strip_prefix("done=")? {
        "logged" => "staff.done.logged",
        "opened" => "staff.done.opened",
        "services" => "staff.done.services",
        "assigned" => "staff.done.assigned",
        "complaint_filed" => "staff.done.complaint_filed",
        "non_member" => "staff.done.non_member",
        "non_member_removed" => "staff.done.non_member_removed",
        "unassigned" => "staff.done.unassigned",
        "note" => "staff.done.note",
        "commitment" => "staff.done.commitment",
        "reply" => "staff.done.reply",
        "dates" => "staff.done.dates",
        "notice" => "staff.done.notice",
        "party" => "staff.done.party",
        "party_reply" => "staff.done.party_reply",
        "plan" => "staff.done.plan",
        "plan_answer" => "staff.done.plan_answer",
        "plan_agreed" => "staff.done.plan_agreed",
        "sent" => "staff.done.sent",
        "note_destroyed" => "staff.done.note_destroyed",
        "stays_open" => "staff.done.stays_open",
        "party_removed" => "staff.done.party_removed",
        _ => return None,
    };
    Some(Lang::En.t(key).to_owned())
}

/// Draws a case page, with `errors` from a form that could not be saved.
async fn case_page(
    app: &AppState,
    user: &SessionUser,
    id: &str,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    case_view(app, user, id, errors, None, notice).await
}

/// [`case_page`] for errors in `form`, one of the forms that share field names with another.
async fn case_page_after(
    app: &AppState,
    user: &SessionUser,
    id: &str,
    errors: Vec<FieldError>,
    form: CaseForm,
) -> Result<Response, PageError> {
    case_view(app, user, id, errors, Some(form), None).await
}

/// The case page (`422` when it shows errors).
async fn case_view(
    app: &AppState,
    user: &SessionUser,
    id: &str,
    errors: Vec<FieldError>,
    sent_form: Option<CaseForm>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let today = app.today();
    let detail = usecase::cases::detail(&app.ctx(), id).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let retention = app.config.retention;
    let deadline = deadline_view::of_case(&app.config, &detail, today);
    let assignable = usecase::cases::assignable(&app.ctx()).await?;
    let unanswered = usecase::cases::unanswered_threads(&detail);
    let mut page = CasePage::new(
        Chrome::new(app.site(), user),
        &detail,
        today,
        (retention.note_days, retention.note_max_days),
        &deadline,
        errors,
        notice,
    )
    .with_assignment(&assignable)
    .with_unanswered(&unanswered, &detail)
    .with_unread(&usecase::cases::unread_threads(&detail), &detail)
    .with_untouched(usecase::stale::flagged(&app.ctx(), &detail.record));
    page.sent_form = sent_form;
    Ok((status, page).into_response())
}

async fn show(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsOnly>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    case_page(&app, &user, &id, Vec::new(), notice(query.as_deref())).await
}

async fn open(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(_, _, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    usecase::cases::open(&app.ctx(), &id).await?;
    Ok(see_other(&format!("/console/cases/{id}?done=opened")))
}

async fn services(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(_, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let chosen: Vec<Service> = Service::ALL
        .iter()
        .copied()
        .filter(|s| form.take(&format!("service_{}", s.code())).is_some())
        .collect();
    usecase::cases::set_services(&app.ctx(), &id, chosen).await?;
    Ok(see_other(&format!("/console/cases/{id}?done=services")))
}

/// `POST /console/cases/{id}/receipt`: issues a receipt for a contact logged by hand and answers
/// with it, this once, above a printable page in the language chosen (`lang`, English by
/// default). Refused on the case page, naming why, for a case that holds one already.
async fn issue_receipt(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let lang = match form.take("lang").as_deref().map(|l| l.trim()) {
        None | Some("") => Lang::En,
        Some(code) => match Lang::from_code(code) {
            Some(lang) => lang,
            None => {
                let errors = vec![FieldError::new(
                    "receipt_lang",
                    "staff.problem.unknown_language",
                )];
                return case_page(&app, &user, &id, errors, None).await;
            }
        },
    };
    let issued = match usecase::cases::issue_receipt(&app.ctx(), &id).await {
        Ok(issued) => issued,
        Err(Refusal::Invalid(errors)) => return case_page(&app, &user, &id, errors, None).await,
        Err(other) => return Err(party_refusal(other, "staff.error.no_open_case")),
    };
    let receipt = issued.receipt.expose();
    let page = CallerReceiptPage {
        site: Site { lang, ..app.site() },
        staff_title: Lang::En.t("staff.caller_receipt.title"),
        staff_once: Lang::En.t("staff.caller_receipt.once"),
        staff_words: Lang::En.t("staff.caller_receipt.words"),
        staff_back: Lang::En.t("staff.caller_receipt.back"),
        case_id: id,
        receipt: zeroize::Zeroizing::new(receipt.to_owned()),
        words: receipt
            .split('-')
            .map(|w| zeroize::Zeroizing::new(w.to_owned()))
            .collect(),
        first_contact: issued.first_contact,
        first_contact_long: lang.long_date(issued.first_contact),
        followup_url: app.link(&format!("/followup{}", lang.query())),
    };
    Ok(shown_once(page))
}

/// `POST /console/cases/{id}/non-membership`: records a period (`from`, `to`) in which the
/// respondent held no REALTOR® membership; the case's deadline counts it.
async fn add_non_membership(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let from = form.take("from");
    let to = form.take("to");
    let added = usecase::non_membership::add(
        &app.ctx(),
        &id,
        from.as_deref().map(|v| v.as_str()),
        to.as_deref().map(|v| v.as_str()),
    )
    .await;
    match added {
        Ok(_) => Ok(see_other(&format!(
            "/console/cases/{id}?done=non_member#non-member-heading"
        ))),
        Err(Refusal::Invalid(errors)) => case_page(&app, &user, &id, errors, None).await,
        Err(other) => Err(other.into()),
    }
}

/// `POST /console/cases/{id}/non-membership/{period}/remove`: removes a period recorded by
/// mistake.
async fn remove_non_membership(
    State(app): State<AppState>,
    Path((id, period)): Path<(String, String)>,
    StaffForm(_, _, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    usecase::non_membership::remove(&app.ctx(), &id, &period).await?;
    Ok(see_other(&format!(
        "/console/cases/{id}?done=non_member_removed#non-member-heading"
    )))
}

/// `POST /console/cases/{id}/assignee`: assigns the case to the ombuds named in `assignee`
/// ("take this case" sends the signed-in ombuds' own name), or to nobody when it is empty.
async fn assign(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let Some(typed) = form.take("assignee") else {
        let errors = vec![FieldError::new("assignee", "staff.problem.choose_assignee")];
        return case_page(&app, &user, &id, errors, None).await;
    };
    let name = Some(typed.trim()).filter(|n| !n.is_empty());
    match usecase::cases::assign(&app.ctx(), &id, name).await {
        Ok(()) if name.is_some() => Ok(see_other(&format!(
            "/console/cases/{id}?done=assigned#assignment-heading"
        ))),
        Ok(()) => Ok(see_other(&format!(
            "/console/cases/{id}?done=unassigned#assignment-heading"
        ))),
        Err(Refusal::Invalid(errors)) => case_page(&app, &user, &id, errors, None).await,
        Err(other) => Err(other.into()),
    }
}

/// `POST /console/cases/{id}/complaint-filed`: records whether a formal complaint was already
/// filed (the checkbox `complaint_filed`).
async fn complaint_filed(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let filed = form
        .take("complaint_filed")
        .is_some_and(|v| v.as_str() == "yes");
    match usecase::cases::mark_complaint_filed(&app.ctx(), &id, filed).await {
        Ok(()) => Ok(see_other(&format!(
            "/console/cases/{id}?done=complaint_filed#complaint-heading"
        ))),
        Err(Refusal::Invalid(errors)) => case_page(&app, &user, &id, errors, None).await,
        Err(other) => Err(other.into()),
    }
}

async fn add_note(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    match case_input::note(&mut form, app.today(), app.config.retention.note_policy()) {
        Ok(note) => {
            usecase::notes::add(&app.ctx(), &id, &note, &user.username).await?;
            Ok(see_other(&format!("/console/cases/{id}?done=note")))
        }
        Err(errors) => case_page(&app, &user, &id, errors, None).await,
    }
}

/// `POST /console/cases/{id}/stays-open`: records why the case stays open (`stay_open_reason`),
/// kept as a working note; the case counts as touched today, so its flag goes. An empty reason
/// answers 422 on the case page, naming the field, and changes nothing.
async fn stays_open(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let reason = form.take("stay_open_reason");
    let recorded = usecase::stale::stays_open(
        &app.ctx(),
        &id,
        reason.as_deref().map(|r| r.as_str()),
        &user.username,
    )
    .await;
    match recorded {
        Ok(_) => Ok(see_other(&format!(
            "/console/cases/{id}?done=stays_open#notes-heading"
        ))),
        // The form's field is `stay_open_reason` (the dates' `reason` is another).
        Err(Refusal::Invalid(errors)) => {
            let errors = errors
                .into_iter()
                .map(|e| FieldError::new("stay_open_reason", e.problem))
                .collect();
            case_page(&app, &user, &id, errors, None).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /console/cases/{id}/notes/{note}/destroy`: destroys a note at once.
async fn destroy_note(
    State(app): State<AppState>,
    Path((id, note)): Path<(String, String)>,
    StaffForm(_, _, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    usecase::notes::destroy(&app.ctx(), &id, &note).await?;
    Ok(see_other(&format!(
        "/console/cases/{id}?done=note_destroyed"
    )))
}

async fn note_done(
    State(app): State<AppState>,
    Path((id, note)): Path<(String, String)>,
    StaffForm(_, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let done = form.take("done").is_some_and(|v| v.as_str() == "yes");
    usecase::notes::set_done(&app.ctx(), &id, &note, done).await?;
    Ok(see_other(&format!("/console/cases/{id}?done=commitment")))
}

async fn reply(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let text = match case_input::message(&mut form) {
        Ok(text) => text,
        Err(errors) => return case_page_after(&app, &user, &id, errors, CaseForm::Reply).await,
    };
    match usecase::thread::reply(&app.ctx(), &id, &text, &user.username).await {
        Ok(()) => Ok(see_other(&format!("/console/cases/{id}?done=reply"))),
        Err(Refusal::Invalid(errors)) => {
            case_page_after(&app, &user, &id, errors, CaseForm::Reply).await
        }
        Err(other) => Err(other.into()),
    }
}

/// What a party form is refused with when its case is gone (closed cases are destroyed) or
/// has no such party: a clear 404, nothing changed.
fn party_refusal(refusal: Refusal, what: &'static str) -> PageError {
    match refusal {
        Refusal::NotFound => Problem::NotFoundMessage(Phrase::new(what)).into(),
        other => other.into(),
    }
}

/// `POST /console/cases/{id}/parties`: adds a party. With a receipt, answers with the receipt
/// (shown this once) above the party's printable invitation, in the party's language.
async fn add_party(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let checked = case_input::party(&mut form);
    let with_receipt = match form.take("channel").as_deref().map(|c| c.as_str()) {
        Some("receipt") => Ok(true),
        Some("none") => Ok(false),
        _ => Err(FieldError::new(
            "channel",
            "staff.problem.choose_party_channel",
        )),
    };
    let (party, with_receipt) = match (checked, with_receipt) {
        (Ok(party), Ok(with_receipt)) => (party, with_receipt),
        (checked, with_receipt) => {
            let mut errors = checked.err().unwrap_or_default();
            errors.extend(with_receipt.err());
            // A closed case shows its refusal, not the form's problems.
            usecase::cases::detail(&app.ctx(), &id)
                .await
                .map_err(|r| party_refusal(r, "staff.error.no_open_case"))?;
            return case_page(&app, &user, &id, errors, None).await;
        }
    };
    let added = match usecase::parties::add(&app.ctx(), &id, &party, with_receipt).await {
        Ok(added) => added,
        Err(Refusal::Invalid(errors)) => return case_page(&app, &user, &id, errors, None).await,
        Err(other) => return Err(party_refusal(other, "staff.error.no_open_case")),
    };
    let Some(receipt) = added.receipt else {
        return Ok(see_other(&format!(
            "/console/cases/{id}?done=party#party-{}",
            added.party.number
        )));
    };
    let lang = Lang::from_code(party.language).unwrap_or(Lang::En);
    let page = InvitationPage {
        site: Site { lang, ..app.site() },
        staff_title: Lang::En.f(
            "staff.thread.invitation_title",
            &[("number", &added.party.number)],
        ),
        staff_once: Lang::En.t("staff.thread.invitation_once"),
        staff_back: Lang::En.t("staff.thread.invitation_back"),
        case_id: id,
        receipt: zeroize::Zeroizing::new(receipt.expose().to_owned()),
        followup_url: app.link(&format!("/followup{}", lang.query())),
    };
    Ok(shown_once(page))
}

/// `POST /console/cases/{id}/parties/{party}/remove`: removes a party and its thread; refused
/// on the case page, naming why, once it accepted the plan or was sent its notice.
async fn remove_party(
    State(app): State<AppState>,
    Path((id, party)): Path<(String, String)>,
    StaffForm(user, _, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    match usecase::parties::remove(&app.ctx(), &id, &party).await {
        Ok(_) => Ok(see_other(&format!(
            "/console/cases/{id}?done=party_removed"
        ))),
        Err(Refusal::Invalid(errors)) => case_page(&app, &user, &id, errors, None).await,
        Err(other) => Err(party_refusal(other, "staff.error.no_party")),
    }
}

/// `POST /console/cases/{id}/parties/{party}/messages`: the ombuds writes in a party's thread.
async fn party_message(
    State(app): State<AppState>,
    Path((id, party)): Path<(String, String)>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let text = match case_input::message(&mut form) {
        Ok(text) => text,
        Err(errors) => {
            let sent = CaseForm::PartyMessage(party);
            return case_page_after(&app, &user, &id, errors, sent).await;
        }
    };
    usecase::parties::reply(&app.ctx(), &id, &party, &text, &user.username)
        .await
        .map_err(|r| party_refusal(r, "staff.error.no_party"))?;
    Ok(see_other(&format!("/console/cases/{id}?done=party_reply")))
}

/// `POST /console/cases/{id}/plan`: writes or revises the plan's terms.
async fn write_plan(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let written = match case_input::plan_terms(&mut form) {
        Ok(terms) => usecase::plan::write(&app.ctx(), &id, &terms).await,
        Err(errors) => Err(Refusal::Invalid(errors)),
    };
    match written {
        Ok(_) => Ok(see_other(&format!(
            "/console/cases/{id}?done=plan#plan-heading"
        ))),
        Err(Refusal::Invalid(errors)) => case_page(&app, &user, &id, errors, None).await,
        Err(other) => Err(party_refusal(other, "staff.error.no_open_case")),
    }
}

/// `POST /console/cases/{id}/plan/answers`: records a party's answer given by telephone, post,
/// e-mail or in person.
async fn record_answer(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let recorded = match case_input::recorded_answer(&mut form, app.today()) {
        Ok(a) => {
            usecase::plan::answer(
                &app.ctx(),
                &id,
                a.party,
                a.version,
                a.answer,
                a.channel,
                a.on,
            )
            .await
        }
        Err(errors) => Err(Refusal::Invalid(errors)),
    };
    match recorded {
        Ok(answered) if answered.agreed_on.is_some() => Ok(see_other(&format!(
            "/console/cases/{id}?done=plan_agreed#plan-heading"
        ))),
        Ok(_) => Ok(see_other(&format!(
            "/console/cases/{id}?done=plan_answer#plan-heading"
        ))),
        Err(Refusal::Invalid(errors)) => {
            case_page_after(&app, &user, &id, errors, CaseForm::RecordAnswer).await
        }
        Err(other) => Err(party_refusal(other, "staff.error.no_open_case")),
    }
}

async fn dates(
    State(app): State<AppState>,
    Path((id, field)): Path<(String, String)>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let field = CaseDate::from_code(&field).ok_or(Problem::NotFound)?;
    let typed = form.take("date");
    let reason = form.take("reason");
    let base = app.link("/");
    let recorded = usecase::termination::record(
        &app.ctx(),
        &id,
        field,
        typed.as_deref().map(|d| d.as_str()),
        reason.as_deref().map(|r| r.as_str()),
        &base,
    )
    .await;
    match recorded {
        Ok(done) if done.notice.is_some() => {
            Ok(see_other(&format!("/console/cases/{id}?done=notice")))
        }
        Ok(_) => Ok(see_other(&format!("/console/cases/{id}?done=dates"))),
        Err(Refusal::Invalid(errors)) => case_page(&app, &user, &id, errors, None).await,
        Err(other) => Err(other.into()),
    }
}

async fn letters(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsOnly>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    letters_page(&app, &user, (Vec::new(), None), notice(query.as_deref())).await
}

/// Draws the letters page, with the errors of the mark-sent form of one letter.
async fn letters_page(
    app: &AppState,
    user: &SessionUser,
    (errors, failed): (Vec<FieldError>, Option<String>),
    notice: Option<String>,
) -> Result<Response, PageError> {
    let letters = usecase::letters::all(&app.ctx()).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = LettersPage {
        site: app.site(),
        chrome: Chrome::new(app.site(), user),
        letters: letters.iter().map(NoticeView::new).collect(),
        certificate_days: app.config.letters.certificate_days,
        sent_by: sent_by_choices(),
        today: app.today(),
        back_to_case: None,
        failed,
        errors,
        notice,
    };
    Ok((status, page).into_response())
}

/// `POST /console/letters/{id}/sent`: records that a notice to a party without a receipt was
/// sent on a day, by post, e-mail or in person; back to the case (form field `case`) or to the
/// letters page. Bad input answers 422 with the form's errors, nothing changed.
async fn letter_sent(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let case = form
        .take("case")
        .map(|c| c.as_str().to_owned())
        .filter(|c| !c.is_empty());
    let date = form.take("sent_on");
    let by = form.take("sent_by");
    let done = usecase::letters::mark_sent(
        &app.ctx(),
        &id,
        date.as_deref().map(|v| v.as_str()),
        by.as_deref().map(|v| v.as_str()),
    )
    .await;
    match (done, case) {
        (Ok(_), Some(case)) => Ok(see_other(&format!(
            "/console/cases/{case}?done=sent#letter-{id}"
        ))),
        (Ok(_), None) => Ok(see_other(&format!(
            "/console/letters?done=sent#letter-{id}"
        ))),
        (Err(Refusal::Invalid(errors)), Some(case)) => {
            case_page_after(&app, &user, &case, errors, CaseForm::MarkSent(id)).await
        }
        (Err(Refusal::Invalid(errors)), None) => {
            letters_page(&app, &user, (errors, Some(id)), None).await
        }
        (Err(Refusal::NotFound), _) => {
            Err(Problem::NotFoundMessage(Phrase::new("staff.error.no_letter_to_send")).into())
        }
        (Err(other), _) => Err(other.into()),
    }
}

/// A letter's printable page, exactly as it was issued, in the language `?lang=` asks for
/// (English by default), so that the ombuds can print it for a party in that party's language.
async fn letter(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
    lang: Lang,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    use secrecy::ExposeSecret;
    let letter = usecase::letters::one(&app.ctx(), &id).await?;
    let html = crate::letters::stored::pick(letter.html.expose_secret(), lang)
        .ok_or_else(|| Problem::Internal("a stored letter could not be read".into()))?;
    Ok(axum::response::Html(html).into_response())
}

async fn close(
    State(app): State<AppState>,
    Path(id): Path<String>,
    StaffForm(user, mut form, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    let outcome = case_input::outcome(form.take("outcome").as_deref().map(|v| v.as_str()));
    let confirmed = form.take("confirm").is_some_and(|v| v.as_str() == "yes");
    let unanswered_seen = form
        .take("confirm_unanswered")
        .is_some_and(|v| v.as_str() == "yes");
    let outcome = match (outcome, confirmed) {
        (Ok(outcome), true) => outcome,
        (outcome, confirmed) => {
            let mut errors = outcome.err().unwrap_or_default();
            if !confirmed {
                errors.push(FieldError::new("confirm", "staff.problem.confirm_closing"));
            }
            return case_page(&app, &user, &id, errors, None).await;
        }
    };
    let closed =
        usecase::cases::close(&app.ctx(), &id, outcome, &app.link("/"), unanswered_seen).await;
    match closed {
        Ok(()) => {}
        Err(Refusal::Invalid(errors)) => return case_page(&app, &user, &id, errors, None).await,
        Err(other) => return Err(other.into()),
    }
    Ok(ClosedPage {
        site: app.site(),
        chrome: Chrome::new(app.site(), &user),
        outcome: Lang::En.label(outcome),
    }
    .into_response())
}
