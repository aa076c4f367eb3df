//! The OpenAPI document (`docs/openapi.json`) against the real router: served as kept, and
//! naming exactly the `/api/v1` paths and methods that the router serves, so that neither can
//! drift from the other.
//!
//! Two directions are checked. The router's routes are read from the `.route(...)` calls in
//! `src/http/*.rs` (axum cannot list a router's routes), and each must be in the document with
//! the same methods. Every path in the document is asked of the running server with a method it
//! does not take: the router answers 405 with an `Allow` header only for a path it serves, and
//! that header must list the document's methods.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::support::{Engine, TestServer, assert_security_headers, on_both_engines};

type Routes = BTreeMap<String, BTreeSet<String>>;

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

fn kept_document() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn documented(document: &Value) -> Routes {
    document["paths"]
        .as_object()
        .expect("the document has paths")
        .iter()
        .map(|(path, item)| {
            let methods = item
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| METHODS.contains(&k.as_str()))
                .cloned()
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

/// The `/api/v1` routes declared by `.route("PATH", get(..).post(..))` calls in `source`.
fn routes_in(source: &str, routes: &mut Routes) {
    let mut rest = source;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        // The call's arguments: up to the parenthesis that closes `.route(`.
        let mut depth = 1usize;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map(|(i, _)| i)
            .expect("a .route( call is closed");
        let call = &rest[..end];
        let Some(path) = call.split('"').nth(1).filter(|p| p.starts_with("/api/v1")) else {
            continue;
        };
        let after_path = &call[call.find(path).unwrap() + path.len() + 1..];
        let mut methods = BTreeSet::new();
        for method in METHODS {
            let call = format!("{method}(");
            let mut from = 0;
            while let Some(i) = after_path[from..].find(&call) {
                let start = from + i;
                let before = after_path[..start].chars().next_back();
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    methods.insert(method.to_owned());
                }
                from = start + call.len();
            }
        }
        assert!(
            !methods.is_empty(),
            "no method found for {path} in {call:?}"
        );
        let previous = routes.insert(path.to_owned(), methods);
        assert!(previous.is_none(), "{path} is routed twice");
    }
}

fn routed_in_source() -> Routes {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut routes = Routes::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    for file in files {
        routes_in(&std::fs::read_to_string(&file).unwrap(), &mut routes);
    }
    routes
}

#[test]
fn the_route_reader_reads_method_chains() {
    let mut routes = Routes::new();
    routes_in(
        r#"Router::new()
        .route("/api/v1/a/{id}", get(show).post(add))
        .route("/b", get(page))
        .route(
            "/api/v1/c",
            get(api_show).post(api_create).delete(api_delete),
        )
        .route("/api/v1/d", put(target(x)))"#,
        &mut routes,
    );
    let expected: Routes = [
        ("/api/v1/a/{id}", &["get", "post"][..]),
        ("/api/v1/c", &["delete", "get", "post"][..]),
        ("/api/v1/d", &["put"][..]),
    ]
    .into_iter()
    .map(|(p, m)| (p.to_owned(), m.iter().map(|s| (*s).to_owned()).collect()))
    .collect();
    assert_eq!(routes, expected);
}

#[test]
fn the_document_names_every_route_the_source_declares_and_no_other() {
    let source = routed_in_source();
    let document = documented(&kept_document());
    assert!(source.len() >= 20, "too few routes read: {source:?}");
    let only_source: Vec<_> = source
        .iter()
        .filter(|(p, m)| document.get(*p) != Some(m))
        .collect();
    let only_document: Vec<_> = document
        .iter()
        .filter(|(p, m)| source.get(*p) != Some(m))
        .collect();
    assert!(
        only_source.is_empty() && only_document.is_empty(),
        "docs/openapi.json and the router disagree.\nrouted but not documented (or other methods): \
         {only_source:?}\ndocumented but not routed (or other methods): {only_document:?}"
    );
}

on_both_engines!(the_server_serves_the_document_and_every_documented_path);

async fn the_server_serves_the_document_and_every_documented_path(engine: Engine) {
    let server = TestServer::start_on(engine);
    let client = server.client();

    let response = client
        .get(server.at("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_security_headers(response.headers(), "GET /api/v1/openapi.json");
    assert_eq!(response.headers()["content-type"], "application/json");
    let served: Value = response.json().await.unwrap();
    let kept = kept_document();
    assert_eq!(served, kept, "the served document is not docs/openapi.json");
    assert!(served["openapi"].as_str().unwrap().starts_with("3."));

    for (path, methods) in documented(&kept) {
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        let probe = if methods.contains("delete") {
            "PATCH"
        } else {
            "DELETE"
        };
        let response = client
            .request(probe.parse().unwrap(), server.at(&concrete))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            405,
            "{probe} {concrete}: the router does not serve the documented path {path}"
        );
        let allowed: BTreeSet<String> = response.headers()["allow"]
            .to_str()
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_ascii_lowercase())
            .filter(|m| m != "head")
            .collect();
        assert_eq!(allowed, methods, "methods of {path}");
    }
}
