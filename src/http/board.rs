//! The board's pages, for the `board` role only: aggregate trend reports and nothing else.

use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::AppState;
use super::auth::{BoardOnly, Staff};
use super::staff_views::{BoardHome, Chrome};

/// Routes of the board's pages.
pub fn router() -> Router<AppState> {
    Router::new().route("/board", get(home))
}

async fn home(State(app): State<AppState>, Staff(user, _): Staff<BoardOnly>) -> BoardHome {
    BoardHome {
        site: app.site(),
        chrome: Chrome::new(app.site(), &user),
    }
}
