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
use crate::domain::trends::{Period, Release};
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

/// The frozen release of a period the board may see; otherwise a 404 that says why there is
/// none (and, for a period not over yet, when it comes).
async fn release(app: &AppState, period: &str) -> Result<Release, Problem> {
    match usecase::reports::board_release(&app.ctx(), period).await? {
        Ok(release) => Ok(release),
        Err(unavailable) => Err(Problem::NotFoundMessage(unavailable.phrase())),
    }
}

async fn home(
    State(app): State<AppState>,
    Staff(user, _): Staff<BoardOnly>,
) -> Result<BoardHome, PageError> {
    let periods = released(&app).await?;
    let next = usecase::reports::next_release(&app.ctx()).await?;
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
        next: next.map(|(period, on)| PeriodLink {
            code: period.to_string(),
            label: Lang::En.f(
                "staff.board.next",
                &[
                    ("period", &Lang::En.period(period)),
                    ("date", &Lang::En.long_date(on)),
                ],
            ),
        }),
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
