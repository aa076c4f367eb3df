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
use crate::i18n::Lang;
use crate::store::{GrantRecord, SessionUser};
use crate::usecase::{Refusal, access};

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
    let grants = access::grants(&app.ctx()).await?;
    Ok(GrantsPage {
        site: app.site(),
        chrome: Chrome::new(app.site(), user),
        grants: grants.iter().map(GrantRow::from).collect(),
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

/// Confirms or refuses grant `id` as `user`: the grant as it stands afterwards.
async fn decide(
    app: &AppState,
    user: &SessionUser,
    id: &str,
    decision: &str,
) -> Result<GrantRecord, Refusal> {
    let decision = Decision::from_code(decision).ok_or(Refusal::NotFound)?;
    access::decide(&app.ctx(), &user.username, id, decision).await
}

async fn decide_form(
    State(app): State<AppState>,
    Path((id, decision)): Path<(String, String)>,
    StaffForm(user, _, _): StaffForm<OmbudsOnly>,
) -> Result<Response, PageError> {
    match decide(&app, &user, &id, &decision).await {
        Ok(_) => Ok(see_other("/console/access")),
        Err(Refusal::Invalid(errors)) => {
            let reason = errors
                .iter()
                .map(|e| Lang::En.say(&e.problem))
                .collect::<Vec<_>>()
                .join(" ");
            let page = grants_page(&app, &user, Some(reason)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(Problem::from(other).into()),
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
    let grants = access::grants(&app.ctx()).await?;
    Ok(Json(Value::Array(grants.iter().map(grant_json).collect())))
}

async fn api_decide(
    State(app): State<AppState>,
    Staff(user, _): Staff<OmbudsOnly>,
    Path((id, decision)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let grant = decide(&app, &user, &id, &decision)
        .await
        .map_err(Problem::from)?;
    Ok(Json(grant_json(&grant)))
}
