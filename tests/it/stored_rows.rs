//! What the engines read back, through the rows both decode alike: a stored value the program
//! does not know is an error naming its column (logged, never shown to the reader), not a guess,
//! and reading it changes nothing, on both engines.

use reqwest::Method;
use serde_json::Value;
use sqlx::Connection;

use crate::support::{Engine, TestServer, on_both_engines};

const UNKNOWN: &str = "no-such-category-5e0c";

/// The running server's main database, open for writing (`TestServer::database` opens SQLite
/// read-only).
async fn writable_database(server: &TestServer) -> sqlx::AnyConnection {
    if server.postgres().is_some() {
        return server.database().await;
    }
    sqlx::any::install_default_drivers();
    let path = server.data_dir().join("ombuds.db");
    sqlx::AnyConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

on_both_engines!(a_stored_value_the_program_cannot_read_is_an_error_naming_its_column);
async fn a_stored_value_the_program_cannot_read_is_an_error_naming_its_column(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let ombuds = server.staff(&admin, "olivia", "ombuds").await;
    server
        .submit("The buyer's agent stopped answering after the appraisal.")
        .await;
    let list = || async {
        server
            .as_staff(&ombuds, Method::GET, "/api/v1/cases")
            .send()
            .await
            .unwrap()
    };
    let before: Value = list().await.json().await.unwrap();
    assert_eq!(before[0]["category"], "communication", "{before}");

    let mut db = writable_database(&server).await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE cases SET category = '{UNKNOWN}'"
    )))
    .execute(&mut db)
    .await
    .unwrap();
    let refused = list().await;
    assert_eq!(refused.status(), 500);
    let body = refused.text().await.unwrap();
    assert!(!body.contains(UNKNOWN), "{body}");
    let named = format!("unexpected value \\\"{UNKNOWN}\\\" in column category");
    server
        .eventually("the unreadable value is logged with its column", || {
            let logs = server.logs();
            let found = logs.contains(&named) || logs.contains(&named.replace('\\', ""));
            async move { found }
        })
        .await;

    // The failed read changed nothing: with the value put back, the case reads as before.
    sqlx::query("UPDATE cases SET category = 'communication'")
        .execute(&mut db)
        .await
        .unwrap();
    let after: Value = list().await.json().await.unwrap();
    assert_eq!(after, before);

    // SQLite keeps dates as text, which it decodes itself: a date it cannot read is refused too.
    if engine == Engine::Sqlite {
        sqlx::query("UPDATE cases SET first_contact = '2026-13-45'")
            .execute(&mut db)
            .await
            .unwrap();
        assert_eq!(list().await.status(), 500);
        server
            .eventually("the unreadable date is logged with its column", || {
                let found = server.logs().contains("in column first_contact");
                async move { found }
            })
            .await;
    }
}
