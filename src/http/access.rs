//! The two-person rule in the console ([`crate::domain::access`]): every grant of case access
//! listed for every ombuds, and confirming or refusing the ones that wait, as HTML forms (no
//! script) and as JSON. Only an ombuds whose own case access is confirmed is admitted.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::auth::{OmbudsOnly, Staff, StaffForm, see_other};
use super::error::{ApiError, PageError, Problem};
use super::route_table::{Routes, routes};
use super::staff_views::{Chrome, GrantRow, GrantsPage};
use crate::domain::access::{Decision, LISTED_DAYS};
use crate::domain::field::FieldError;
use crate::domain::phrase::Phrase;
use crate::i18n::Lang;
use crate::store::{GrantDecision, GrantRecord, SessionUser};

/// Routes of the grants of case access.
pub fn routes() -> Routes {
    routes! {
        "/console/access" => get(page),
        "/console/access/{id}/{decision}" => post(decide_form),
        "/api/v1/access-grants" => get(api_list),
        "/api/v1/access-grants/{id}/{decision}" => post(api_decide),
    }
}

async fn grants_page(
    app: &AppState,
    user: &SessionUser,
    error: Option<String>,
) -> Result<GrantsPage, Problem> {
    let grants = app.store.grants(app.today()).await?;
    let (mut waiting, decided): (Vec<_>, Vec<_>) = grants
        .iter()
        .map(GrantRow::from)
        .partition(|row| row.waiting);
    waiting.extend(decided);
    Ok(GrantsPage {
        site: app.site(),
        chrome: Chrome::new(app.site(), user),
        grants: waiting,
        listed_days: LISTED_DAYS,
        error,
        confirm_label: Lang::En.label(Decision::Confirm),
        refuse_label: Lang::En.label(Decision::Refuse),
    })
}

async fn page(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsOnly>,
) -> Result<GrantsPage, PageError> {
    Ok(grants_page(&app, &user, None).await?)
}

/// Confirms or refuses grant `id` as `user`; `Err` says why not, in a sentence.
async fn decide(
    app: &AppState,
    user: &SessionUser,
    id: &str,
    decision: &str,
) -> Result<Result<(), Phrase>, Problem> {
    let confirm = match Decision::from_code(decision) {
        Some(Decision::Confirm) => true,
        Some(Decision::Refuse) => false,
        None => return Err(Problem::NotFound),
    };
    Ok(
        match app
            .store
            .decide_grant(id, &user.username, confirm, app.today())
            .await?
        {
            GrantDecision::Done => Ok(()),
            GrantDecision::NotFound => return Err(Problem::NotFound),
            GrantDecision::NotWaiting => Err(Phrase::new("staff.problem.grant_not_waiting")),
            GrantDecision::OwnAccount => Err(Phrase::new("staff.problem.grant_own_account")),
        },
    )
}

async fn decide_form(
    State(app): State<AppState>,
    Path((id, decision)): Path<(String, String)>,
    StaffForm(user, _, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    match decide(&app, &user, &id, &decision).await? {
        Ok(()) => Ok(see_other("/console/access")),
        Err(reason) => {
            let page = grants_page(&app, &user, Some(Lang::En.say(&reason))).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn grant_json(grant: &GrantRecord) -> Value {
    json!({
        "id": grant.id,
        "username": grant.username,
        "kind": grant.kind.code(),
        "state": grant.state.code(),
        "requested_by": grant.requested_by,
        "requested_on": grant.requested_on.to_string(),
        "enrolled_on": grant.enrolled_on.map(|d| d.to_string()),
        "decided_by": grant.decided_by,
        "decided_on": grant.decided_on.map(|d| d.to_string()),
    })
}

async fn api_list(
    State(app): State<AppState>,
    Staff(_, _): Staff<OmbudsOnly>,
) -> Result<Json<Value>, ApiError> {
    let grants = app.store.grants(app.today()).await?;
    Ok(Json(Value::Array(grants.iter().map(grant_json).collect())))
}

async fn api_decide(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsOnly>,
    Path((id, decision)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    match decide(&app, &user, &id, &decision).await? {
        Ok(()) => {
            let grants = app.store.grants(app.today()).await?;
            let grant = grants
                .iter()
                .find(|g| g.id == id)
                .ok_or(Problem::NotFound)?;
            Ok(Json(grant_json(grant)))
        }
        Err(reason) => Err(Problem::Invalid(vec![FieldError::new("id", reason)]).into()),
    }
}
