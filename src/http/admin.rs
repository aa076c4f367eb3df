//! Administration of staff accounts, for the `admin` role only: list, add (an enrolment link),
//! disable, enable, reset (a new enrolment link), and see or revoke the links not used yet.
//! Administrators never see case content.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::auth::{AdminOnly, Staff, StaffForm, see_other};
use super::decode::json_object;
use super::error::{ApiError, PageError, Problem};
use super::route_table::{Routes, routes};
use super::staff_views::{Chrome, HoldingRow, LinkPage, RetentionPage, UsersPage};
use crate::domain::access::{GrantState, LinkAccess};
use crate::domain::account::{AccountAction, Role};
use crate::domain::field::FieldError;
use crate::i18n::Lang;
use crate::store::SessionUser;
use crate::usecase::accounts::{self, Acted, NewLink, Requested};
use crate::usecase::{self, Refusal};

/// Routes of user administration.
pub fn routes() -> Routes {
    routes! {
        "/admin" => get(page),
        "/admin/users" => post(add),
        "/admin/users/{name}/{action}" => post(act),
        "/admin/invitations/{name}/revoke" => post(revoke),
        "/admin/retention" => get(retention_page),
        "/api/v1/retention" => get(api_retention),
        "/api/v1/users" => get(api_list).post(api_add),
        "/api/v1/users/{name}/{action}" => post(api_act),
    }
}

async fn users_page(
    app: &AppState,
    user: &SessionUser,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let users = accounts::list(&app.ctx()).await?;
    let pending = accounts::pending(&app.ctx()).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let chrome = Chrome::new(app.site(), user);
    Ok((
        status,
        UsersPage::new(chrome, &users, &pending, errors, notice),
    )
        .into_response())
}

async fn page(
    State(app): State<AppState>,
    Staff(user, _): Staff<AdminOnly>,
) -> Result<Response, PageError> {
    users_page(&app, &user, Vec::new(), None).await
}

fn role_from(code: Option<&str>) -> Result<Role, FieldError> {
    code.and_then(Role::from_code)
        .ok_or_else(|| FieldError::new("role", "staff.problem.choose_role"))
}

async fn add(
    State(app): State<AppState>,
    StaffForm(user, mut form, _): StaffForm<AdminOnly>,
) -> Result<Response, PageError> {
    let username = form
        .take("username")
        .map(|u| u.trim().to_owned())
        .unwrap_or_default();
    let role = match role_from(form.take("role").as_deref().map(|r| r.as_str())) {
        Ok(role) => role,
        Err(error) => return users_page(&app, &user, vec![error], None).await,
    };
    let by = Requested::administrator(&user.username);
    match accounts::add(&app.ctx(), by, &username, role).await {
        Ok(made) => {
            let page = link_page(&app, &user, username, &made);
            Ok((StatusCode::CREATED, page).into_response())
        }
        Err(Refusal::Invalid(errors)) => users_page(&app, &user, errors, None).await,
        Err(other) => Err(Problem::from(other).into()),
    }
}

fn link_page(app: &AppState, user: &SessionUser, username: String, made: &NewLink) -> LinkPage {
    let grant = made.grant;
    LinkPage {
        site: app.site(),
        chrome: Chrome::new(app.site(), user),
        username,
        link: zeroize::Zeroizing::new(app.link(&made.path())),
        awaits_confirmation: grant == Some(GrantState::AwaitingEnrolment),
        case_access: grant.map(|state| Lang::En.label(LinkAccess::of(state))),
    }
}

/// What a new link means for case access, for the API: `null` for an account that reads no
/// cases, else whether an ombuds must confirm it once the link is used.
fn case_access(grant: Option<GrantState>) -> Value {
    grant.map_or(Value::Null, |state| LinkAccess::of(state).code().into())
}

/// Carries out `action` (a code from the path) on the account `name`.
async fn perform(
    app: &AppState,
    by: &SessionUser,
    name: &str,
    action: &str,
) -> Result<Acted, Refusal> {
    let act = AccountAction::from_code(action).ok_or(Refusal::NotFound)?;
    accounts::act(
        &app.ctx(),
        Requested::administrator(&by.username),
        name,
        act,
    )
    .await
}

async fn act(
    State(app): State<AppState>,
    Path((name, action)): Path<(String, String)>,
    StaffForm(user, _, _): StaffForm<AdminOnly>,
) -> Result<Response, PageError> {
    match perform(&app, &user, &name, &action).await {
        Ok(Acted::Done(_)) => Ok(see_other("/admin")),
        Ok(Acted::Link(made)) => Ok(link_page(&app, &user, name, &made).into_response()),
        Err(Refusal::Invalid(errors)) => users_page(&app, &user, errors, None).await,
        Err(other) => Err(Problem::from(other).into()),
    }
}

/// Revokes the unused enrolment link for `name`; back to the list, which no longer shows it.
async fn revoke(
    State(app): State<AppState>,
    Path(name): Path<String>,
    StaffForm(user, _, _): StaffForm<AdminOnly>,
) -> Result<Response, PageError> {
    let by = Requested::administrator(&user.username);
    accounts::revoke(&app.ctx(), by, &name)
        .await
        .map_err(Problem::from)?;
    Ok(see_other("/admin"))
}

async fn api_list(
    State(app): State<AppState>,
    Staff(_, _): Staff<AdminOnly>,
) -> Result<Json<Value>, ApiError> {
    let users = accounts::list(&app.ctx()).await?;
    Ok(Json(Value::Array(
        users
            .iter()
            .map(|u| {
                json!({
                    "username": u.username,
                    "role": u.role.code(),
                    "disabled": u.disabled,
                    "reads_cases": u.role == Role::Ombuds && u.case_access,
                })
            })
            .collect(),
    )))
}

async fn api_add(
    State(app): State<AppState>,
    Staff(user, _): Staff<AdminOnly>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let mut object = json_object(&headers, body, &["username", "role"]).await?;
    let mut errors = Vec::new();
    let username = object
        .text("username", &mut errors)
        .map(|u| u.trim().to_owned())
        .unwrap_or_default();
    let role = object.text("role", &mut errors);
    let role = match role_from(role.as_deref().map(|r| r.as_str())) {
        Ok(role) if errors.is_empty() => role,
        Ok(_) => return Err(Problem::Invalid(errors).into()),
        Err(e) => {
            errors.push(e);
            return Err(Problem::Invalid(errors).into());
        }
    };
    let made = accounts::add(
        &app.ctx(),
        Requested::administrator(&user.username),
        &username,
        role,
    )
    .await
    .map_err(Problem::from)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "username": username,
            "role": role.code(),
            "enrolment_url": app.link(&made.path()),
            "case_access": case_access(made.grant),
        })),
    )
        .into_response())
}

async fn api_act(
    State(app): State<AppState>,
    Staff(user, _): Staff<AdminOnly>,
    Path((name, action)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    match perform(&app, &user, &name, &action)
        .await
        .map_err(Problem::from)?
    {
        Acted::Done(state) => {
            Ok(Json(json!({ "username": name, "state": state.code() })).into_response())
        }
        Acted::Link(made) => Ok((
            StatusCode::CREATED,
            Json(json!({
                "username": name,
                "enrolment_url": app.link(&made.path()),
                "case_access": case_access(made.grant),
            })),
        )
            .into_response()),
    }
}

fn holding_rows(
    app: &AppState,
    holdings: &[(
        crate::domain::retention::RetentionClass,
        crate::store::Holding,
    )],
) -> Vec<HoldingRow> {
    let today = app.today();
    let retention = app.config.retention;
    let table = crate::domain::retention::table(
        retention.note_days,
        retention.note_max_days,
        app.config.letters.certificate_days,
    );
    holdings
        .iter()
        .map(|(class, h)| HoldingRow {
            label: Lang::En.label(*class),
            count: h.count,
            next_expiry: h.next_expiry.map_or("-".to_owned(), |d| d.to_string()),
            oldest: h.oldest.map_or("-".to_owned(), |d| {
                let age = (today - d).num_days().max(0);
                Lang::En.f("staff.retention.oldest", &[("date", &d), ("days", &age)])
            }),
            lifetime: table
                .iter()
                .find(|rule| rule.class == *class)
                .map(|rule| Lang::En.say(&rule.lifetime))
                .unwrap_or_default(),
        })
        .collect()
}

async fn retention_page(
    State(app): State<AppState>,
    Staff(user, _): Staff<AdminOnly>,
) -> Result<RetentionPage, PageError> {
    let holdings = usecase::retention::holdings(&app.ctx()).await?;
    Ok(RetentionPage {
        site: app.site(),
        chrome: Chrome::new(app.site(), &user),
        rows: holding_rows(&app, &holdings),
        sweep_seconds: app.config.retention.sweep_interval.as_secs(),
    })
}

async fn api_retention(
    State(app): State<AppState>,
    Staff(_, _): Staff<AdminOnly>,
) -> Result<Json<Value>, ApiError> {
    let holdings = usecase::retention::holdings(&app.ctx()).await?;
    Ok(Json(Value::Array(
        holdings
            .iter()
            .map(|(class, h)| {
                json!({
                    "class": class.code(),
                    "held": h.count,
                    "next_expiry": h.next_expiry.map(|d| d.to_string()),
                    "oldest": h.oldest.map(|d| d.to_string()),
                })
            })
            .collect(),
    )))
}
