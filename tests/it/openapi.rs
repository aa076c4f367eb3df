//! The OpenAPI document (`docs/openapi.json`) against the code: served as kept, naming exactly
//! the `/api/v1` paths and methods of the route table the router is built from
//! (`ombuds::http::routes()`), and listing in each `enum` exactly the codes of the domain type
//! it stands for, so that neither can drift from the other.
//!
//! The running server is asked too: every route of the table, with a method it does not take,
//! must answer 405 with an `Allow` header that lists the table's methods, which shows that the
//! table describes the router; every documented path must do the same with the document's.

use ombuds::crypto::certificate::Kind as CertificateKind;
use ombuds::domain::access::{Decision, GrantKind, GrantState, LinkAccess};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ombuds::domain::account::{AccountAction, AccountState, Role};
use ombuds::domain::case::{Author, CaseDate, CaseStatus, Channel, LetterKind, Outcome, Service};
use ombuds::domain::concern::{Category, RaisedBy};
use ombuds::domain::notes::NoteKind;
use ombuds::domain::notices::{Delivery, SentBy};
use ombuds::domain::parties::PartyRole;
use ombuds::domain::plan::{AnswerChannel, PlanAnswer, RECORDED_CHANNELS};
use ombuds::domain::retention::RetentionClass;
use ombuds::i18n::Lang;
use serde_json::Value;

use crate::support::{Engine, TestServer, assert_security_headers, on_both_engines};

/// Paths, each with its methods in lower case.
type Routes = BTreeMap<String, BTreeSet<String>>;

/// The operations OpenAPI knows, as keys of a path item.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

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

/// Every route of the table the router is built from, `/api/v1` or not.
fn routed() -> Routes {
    let mut routes = Routes::new();
    for route in ombuds::http::routes().table() {
        let methods = routes.entry(route.path.to_owned()).or_default();
        for method in route.methods {
            assert!(
                methods.insert((*method).to_owned()),
                "{method} {} is routed twice",
                route.path
            );
        }
    }
    routes
}

#[test]
fn the_document_names_every_api_route_of_the_table_and_no_other() {
    let table: Routes = routed()
        .into_iter()
        .filter(|(path, _)| path.starts_with("/api/v1/"))
        .collect();
    let document = documented(&kept_document());
    assert!(table.len() >= 20, "too few routes in the table: {table:?}");
    let only_table: Vec<_> = table
        .iter()
        .filter(|(p, m)| document.get(*p) != Some(m))
        .collect();
    let only_document: Vec<_> = document
        .iter()
        .filter(|(p, m)| table.get(*p) != Some(m))
        .collect();
    assert!(
        only_table.is_empty() && only_document.is_empty(),
        "docs/openapi.json and the router disagree.\nrouted but not documented (or other methods): \
         {only_table:?}\ndocumented but not routed (or other methods): {only_document:?}"
    );
}

/// The codes of every domain type the document enumerates, by where its values appear: a
/// property or parameter name, or `Schema.name` / `/path.name` where one name means different
/// things in different places (the more specific wins).
fn code_sets() -> BTreeMap<&'static str, Vec<&'static str>> {
    fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().copied().map(code).collect()
    }
    BTreeMap::from([
        ("category", codes(Category::ALL, Category::code)),
        ("raised_by", codes(RaisedBy::ALL, RaisedBy::code)),
        ("channel", codes(Channel::ALL, Channel::code)),
        ("outcome", codes(Outcome::ALL, Outcome::code)),
        ("services", codes(Service::ALL, Service::code)),
        ("role", codes(Role::ALL, Role::code)),
        ("author", codes(Author::ALL, Author::code)),
        ("kind", codes(NoteKind::ALL, NoteKind::code)),
        ("Letter.kind", codes(LetterKind::ALL, LetterKind::code)),
        // Each kind of verified certificate has a schema of its own that names it.
        (
            "SuspensionCertificateValid.kind",
            vec![CertificateKind::Suspension.code()],
        ),
        (
            "ResolutionCertificateValid.kind",
            vec![CertificateKind::Resolution.code()],
        ),
        (
            "CaseRecord.status",
            codes(CaseStatus::ALL, CaseStatus::code),
        ),
        ("class", codes(RetentionClass::ALL, RetentionClass::code)),
        (
            "/api/v1/cases/{id}/dates/{field}.field",
            codes(CaseDate::ALL, CaseDate::code),
        ),
        ("action", codes(AccountAction::ALL, AccountAction::code)),
        ("state", codes(AccountState::ALL, AccountState::code)),
        ("lang", codes(&Lang::ALL, Lang::code)),
        ("intake_lang", codes(&Lang::ALL, Lang::code)),
        ("Grant.kind", codes(GrantKind::ALL, GrantKind::code)),
        ("Grant.state", codes(GrantState::ALL, GrantState::code)),
        (
            "/api/v1/access-grants/{id}/{decision}.decision",
            codes(Decision::ALL, Decision::code),
        ),
        ("case_access", codes(LinkAccess::ALL, LinkAccess::code)),
        ("Party.role", codes(PartyRole::ALL, PartyRole::code)),
        ("PartyIn.role", codes(PartyRole::ALL, PartyRole::code)),
        ("answer", codes(PlanAnswer::ALL, PlanAnswer::code)),
        (
            "PlanAnswer.channel",
            codes(AnswerChannel::ALL, AnswerChannel::code),
        ),
        ("Letter.role", codes(PartyRole::ALL, PartyRole::code)),
        ("Letter.status", Delivery::CODES.to_vec()),
        ("sent_by", codes(SentBy::ALL, SentBy::code)),
        (
            "RecordedAnswerIn.channel",
            codes(&RECORDED_CHANNELS, AnswerChannel::code),
        ),
    ])
}

/// A property or parameter of the document: where its schema is, whose it is (the component
/// schema or the path it belongs to), its name, and its schema.
struct Named<'a> {
    pointer: String,
    owner: String,
    name: String,
    schema: &'a Value,
}

/// What the document holds below `value` (which is at `pointer` and belongs to `owner`): every
/// property and parameter, and the pointer of every `enum`.
fn survey<'a>(
    value: &'a Value,
    pointer: &str,
    owner: &str,
    named: &mut Vec<Named<'a>>,
    enums: &mut BTreeSet<String>,
) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => return,
    };
    if value.get("enum").is_some() {
        enums.insert(pointer.to_owned());
    }
    for (key, child) in children {
        let at = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
        let owner = if pointer == "/paths" || pointer == "/components/schemas" {
            key.as_str()
        } else {
            owner
        };
        let mut add = |pointer: String, name: &str, schema| {
            named.push(Named {
                pointer,
                owner: owner.to_owned(),
                name: name.to_owned(),
                schema,
            });
        };
        match (key.as_str(), child) {
            ("properties", Value::Object(properties)) => {
                for (name, schema) in properties {
                    add(format!("{at}/{name}"), name, schema);
                }
            }
            ("parameters", Value::Array(parameters)) => {
                for (i, parameter) in parameters.iter().enumerate() {
                    let name = parameter["name"].as_str().unwrap();
                    add(format!("{at}/{i}/schema"), name, &parameter["schema"]);
                }
            }
            _ => {}
        }
        survey(child, &at, owner, named, enums);
    }
}

#[test]
fn every_enum_in_the_document_is_a_domain_types_codes() {
    let document = kept_document();
    let sets = code_sets();
    let (mut places, mut all) = (Vec::new(), BTreeSet::new());
    survey(&document, "", "", &mut places, &mut all);
    let mut checked = BTreeSet::new();
    let mut used = BTreeSet::new();
    let mut problems = Vec::new();
    for place in &places {
        // An array's values are its items'.
        let (schema, pointer) = if place.schema["type"] == "array" {
            (&place.schema["items"], format!("{}/items", place.pointer))
        } else {
            (place.schema, place.pointer.clone())
        };
        let qualified = format!("{}.{}", place.owner, place.name);
        let codes = match sets.get(qualified.as_str()) {
            Some(codes) => {
                used.insert(qualified.clone());
                Some(codes)
            }
            None => sets.get(place.name.as_str()).inspect(|_| {
                used.insert(place.name.clone());
            }),
        };
        let listed = schema.get("enum").and_then(Value::as_array);
        match (codes, listed) {
            (None, None) => {}
            (None, Some(_)) => problems.push(format!(
                "{pointer}: an enum of `{qualified}`, which names no domain type in code_sets()"
            )),
            (Some(codes), None) => problems.push(format!(
                "{pointer}: `{qualified}` takes the codes {codes:?} but lists no enum"
            )),
            (Some(codes), Some(listed)) => {
                checked.insert(pointer.clone());
                // `null` stands for "may be left out", and only where the type allows it.
                let nullable = schema["type"]
                    .as_array()
                    .is_some_and(|types| types.contains(&Value::from("null")));
                let values: Vec<&str> = listed.iter().filter_map(Value::as_str).collect();
                if listed.contains(&Value::Null) != nullable {
                    problems.push(format!(
                        "{pointer}: null in the enum and in the type differ"
                    ));
                }
                if listed.len() != values.len() + usize::from(listed.contains(&Value::Null)) {
                    problems.push(format!("{pointer}: a value that is not a string"));
                }
                if values != *codes {
                    problems.push(format!(
                        "{pointer}: lists {values:?}, the code has {codes:?}"
                    ));
                }
            }
        }
    }
    for pointer in all.difference(&checked) {
        problems.push(format!(
            "{pointer}: an enum outside any property or parameter checked"
        ));
    }
    for unused in sets.keys().filter(|k| !used.contains(**k)) {
        problems.push(format!(
            "code_sets() names `{unused}`, which the document never has"
        ));
    }
    assert!(checked.len() >= 20, "too few enums checked: {checked:?}");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

on_both_engines!(the_server_serves_the_document_and_answers_every_route_as_listed);

async fn the_server_serves_the_document_and_answers_every_route_as_listed(engine: Engine) {
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

    for (what, routes) in [("routed", routed()), ("documented", documented(&kept))] {
        for (path, methods) in routes {
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
                "{probe} {concrete}: the router does not serve the {what} path {path}"
            );
            let allowed: BTreeSet<String> = response.headers()["allow"]
                .to_str()
                .unwrap()
                .split(',')
                .map(|m| m.trim().to_ascii_lowercase())
                .filter(|m| m != "head")
                .collect();
            assert_eq!(allowed, methods, "methods of the {what} path {path}");
        }
    }
}
