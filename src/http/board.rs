//! The board's pages, for the `board` role only: the released trend report periods, each as an
//! HTML page with SVG charts and as CSV and JSON downloads of exactly what the page shows.
//! Nothing here reads a case, a note or a date finer than a month.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::auth::{BoardOnly, Staff};
use super::error::{ApiError, PageError, Problem};
use super::route_table::{Routes, routes};
use super::staff_views::{BoardHome, Chrome, PeriodLink};
use crate::domain::phrase::Said as _;
use crate::domain::trends::{Period, Release, ReleaseError};
use crate::i18n::Lang;
use crate::report;
use crate::usecase;

/// Routes of the board's pages.
pub fn routes() -> Routes {
    routes! {
        "/board" => get(home),
        "/board/reports/{period}" => get(page),
        "/board/reports/{period}/csv" => get(csv),
        "/board/reports/{period}/json" => get(json_download),
        "/api/v1/reports" => get(api_list),
        "/api/v1/reports/{period}" => get(api_report),
    }
}

/// The periods the board may see, newest first.
async fn released(app: &AppState) -> Result<Vec<Period>, Problem> {
    Ok(usecase::reports::periods(&app.ctx()).await?)
}

/// The frozen release of a period the board may see.
async fn release(app: &AppState, period: &str) -> Result<Release, Problem> {
    let not_released = || {
        Problem::NotFoundMessage(crate::domain::phrase::Phrase::new(
            "staff.error.not_released",
        ))
    };
    let period: Period = period.parse().map_err(|_| not_released())?;
    if app.config.reports.admits(period).is_err() {
        return Err(not_released());
    }
    match usecase::reports::release(&app.ctx(), period, None).await? {
        Ok(release) => Ok(release),
        Err(ReleaseError::NotComplete { .. } | ReleaseError::BeforeStart { .. }) => {
            Err(not_released())
        }
        Err(
            e @ (ReleaseError::KindCommitted { .. }
            | ReleaseError::Exposed { .. }
            | ReleaseError::AuditFailed(_)),
        ) => Err(Problem::NotFoundMessage(
            crate::domain::phrase::Phrase::new("staff.error.cannot_release")
                .with("reason", e.phrase()),
        )),
        Err(e) => Err(Problem::Internal(Lang::En.say(&e.phrase()))),
    }
}

async fn home(
    State(app): State<AppState>,
    Staff(user, _): Staff<BoardOnly>,
) -> Result<BoardHome, PageError> {
    let periods = released(&app).await?;
    Ok(BoardHome {
        site: app.site(),
        chrome: Chrome::new(app.site(), &user),
        periods: periods
            .into_iter()
            .map(|p| PeriodLink {
                code: p.to_string(),
                label: Lang::En.period(p),
            })
            .collect(),
    })
}

async fn page(
    State(app): State<AppState>,
    Staff(_, _): Staff<BoardOnly>,
    Path(period): Path<String>,
) -> Result<Response, PageError> {
    let release = release(&app, &period).await?;
    let html =
        report::render_html_served(&release, &app.site(), &format!("/board/reports/{period}"));
    Ok(axum::response::Html(html).into_response())
}

fn download(body: String, content_type: &'static str, filename: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

async fn csv(
    State(app): State<AppState>,
    Staff(_, _): Staff<BoardOnly>,
    Path(period): Path<String>,
) -> Result<Response, PageError> {
    let release = release(&app, &period).await?;
    Ok(download(
        report::render_csv(&release),
        "text/csv; charset=utf-8",
        format!("ombuds-trends-{period}.csv"),
    ))
}

async fn json_download(
    State(app): State<AppState>,
    Staff(_, _): Staff<BoardOnly>,
    Path(period): Path<String>,
) -> Result<Response, PageError> {
    let release = release(&app, &period).await?;
    Ok(download(
        report::render_json(&release, &app.site()),
        "application/json",
        format!("ombuds-trends-{period}.json"),
    ))
}

async fn api_list(
    State(app): State<AppState>,
    Staff(_, _): Staff<BoardOnly>,
) -> Result<Json<Value>, ApiError> {
    let periods = released(&app).await?;
    Ok(Json(Value::Array(
        periods
            .into_iter()
            .map(|p| json!({ "period": p.to_string(), "label": Lang::En.period(p) }))
            .collect(),
    )))
}

async fn api_report(
    State(app): State<AppState>,
    Staff(_, _): Staff<BoardOnly>,
    Path(period): Path<String>,
) -> Result<Response, ApiError> {
    let release = release(&app, &period).await?;
    let mut response = report::render_json(&release, &app.site()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}
