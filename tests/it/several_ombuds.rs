//! The console with several ombuds (#21, item 6), through a real server on both engines: notes
//! and replies say which ombuds wrote them (sealed, never in the clear), cases are assigned and
//! each ombuds can list their own, the case list names who raised a concern in staff words, says
//! which language page it came through and that it is new, gives every row link its own name;
//! closing warns about a message still waiting for an answer, and a commitment due in the past
//! is refused in a full sentence.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Engine, Session, TestServer, on_both_engines};

/// The administrator and two ombuds who read cases: `olivia` (the first, who needs no
/// confirmation) and `omar`, whom olivia confirmed.
async fn team(server: &TestServer) -> (Session, Session, Session) {
    let admin = server.admin().await;
    let olivia = server.staff(&admin, "olivia", "ombuds").await;
    let omar = server.staff(&admin, "omar", "ombuds").await;
    let (_, grants) = server
        .api(&olivia, Method::GET, "/api/v1/access-grants", None)
        .await;
    let grant = grants
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["username"] == "omar" && g["state"] == "awaiting_confirmation")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = server
        .api(
            &olivia,
            Method::POST,
            &format!("/api/v1/access-grants/{grant}/confirm"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    (admin, olivia, omar)
}

/// A staff page as `session` sees it: its status and text.
async fn page(server: &TestServer, session: &Session, path: &str) -> (u16, String) {
    let answer = server
        .as_staff(session, Method::GET, path)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

/// Posts a console form as `session` (its CSRF token added): the status and the `Location` or
/// the page.
async fn post_form(
    server: &TestServer,
    session: &Session,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let answer = server.post_form(session, path, fields).await;
    let status = answer.status().as_u16();
    let location = answer
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let text = answer.text().await.unwrap();
    (status, location.unwrap_or(text))
}

/// The case list's rows' link names (the visually hidden part of each "Open" link).
fn link_names(page: &str) -> Vec<String> {
    page.split("<span class=\"visually-hidden\"> ")
        .skip(1)
        .map(|rest| rest.split("</span>").next().unwrap().to_owned())
        .collect()
}

/// The rows of the first case table on `page`.
fn first_table_rows(page: &str) -> Vec<String> {
    let body = page.split("<tbody>").nth(1).unwrap();
    let body = body.split("</tbody>").next().unwrap();
    body.split("<tr>").skip(1).map(str::to_owned).collect()
}

on_both_engines!(notes_and_replies_name_their_ombuds_sealed_and_cases_are_assigned);
async fn notes_and_replies_name_their_ombuds_sealed_and_cases_are_assigned(engine: Engine) {
    let server = TestServer::start_on(engine);
    let (admin, olivia, omar) = team(&server).await;

    // Two concerns of the same kind on the same day: one through the Spanish page, one through
    // the API without a language.
    let spanish = server
        .send_form(
            "?lang=es",
            &[
                ("category", "conduct"),
                ("raised_by", "member"),
                ("description", "El agente me gritó durante una visita."),
                ("contact", ""),
                ("concluded_on", ""),
                ("discovered_on", ""),
                ("accept_conditions", "yes"),
            ],
        )
        .await
        .receipt();
    let mut concern = crate::support::valid_concern();
    concern["category"] = "conduct".into();
    concern["raised_by"] = "member".into();
    let sent = server
        .client()
        .post(server.at("/api/v1/concerns"))
        .json(&concern)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);

    // The inbox: the status column says "New", who raised it is in staff words, the Spanish
    // page is named, and the two row links have names of their own.
    let (status, home) = page(&server, &olivia, "/console").await;
    assert_eq!(status, 200);
    let rows = first_table_rows(&home);
    assert_eq!(rows.len(), 2, "{home}");
    for row in &rows {
        assert!(row.contains("<td>New"), "the status column says New: {row}");
        assert!(row.contains("A REALTOR® member"), "{row}");
        assert!(!row.contains("I am a REALTOR"), "{row}");
    }
    assert_eq!(
        rows.iter()
            .filter(|r| r.contains("Español (es) page"))
            .count(),
        1,
        "the Spanish page is named on its row only"
    );
    let names = link_names(&home);
    assert_eq!(names.len(), 2);
    assert_eq!(
        names.iter().collect::<BTreeSet<_>>().len(),
        2,
        "every row link has its own name: {names:?}"
    );
    assert!(names[0].starts_with("Conduct that seems"), "{names:?}");

    let (_, cases) = server
        .api(&olivia, Method::GET, "/api/v1/cases", None)
        .await;
    let cases = cases.as_array().unwrap();
    let spanish_case = cases.iter().find(|c| c["intake_lang"] == "es").unwrap();
    assert!(
        cases.iter().any(|c| c["intake_lang"].is_null()),
        "no language is kept for an API concern that names none"
    );
    let id = spanish_case["id"].as_str().unwrap().to_owned();
    assert!(spanish_case["assigned_to"].is_null());

    // Olivia takes the case from its page.
    let (status, to) = post_form(
        &server,
        &olivia,
        &format!("/console/cases/{id}/assignee"),
        &[("assignee", "olivia")],
    )
    .await;
    assert_eq!(status, 303, "{to}");
    assert!(
        to.starts_with(&format!("/console/cases/{id}?done=assigned")),
        "{to}"
    );
    let (_, case_page) = page(&server, &olivia, &to).await;
    assert!(case_page.contains("Case assigned."));
    assert!(case_page.contains("<dd>olivia</dd>"), "assigned to olivia");
    assert!(
        case_page.contains("<dd>Español (es)</dd>"),
        "the intake page"
    );
    assert!(case_page.contains("A REALTOR® member"));
    assert!(
        !case_page.contains("Take this case"),
        "she holds it already; she may unassign it or give it to omar"
    );
    assert!(case_page.contains("Unassign") && case_page.contains("<option value=\"omar\""));

    // The list shows it; "mine" lists it for olivia and not for omar.
    let (_, mine) = page(&server, &olivia, "/console?show=mine").await;
    assert_eq!(first_table_rows(&mine).len(), 1, "{mine}");
    assert!(mine.contains("<td>olivia</td>"));
    let (_, his) = page(&server, &omar, "/console?show=mine").await;
    assert!(
        his.contains("New web concerns assigned to you (0)"),
        "{his}"
    );
    let (_, theirs) = server
        .api(&omar, Method::GET, "/api/v1/cases?mine=true", None)
        .await;
    assert_eq!(theirs, json!([]));
    let (_, hers) = server
        .api(&olivia, Method::GET, "/api/v1/cases?mine=true", None)
        .await;
    assert_eq!(hers.as_array().unwrap().len(), 1);
    assert_eq!(hers[0]["assigned_to"], "olivia");

    // Only an ombuds who reads cases can be assigned; nothing changes otherwise.
    for name in ["ada", "nobody"] {
        let (status, answer) = server
            .api(
                &omar,
                Method::PUT,
                &format!("/api/v1/cases/{id}/assignee"),
                Some(json!({ "username": name })),
            )
            .await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["fields"][0]["field"], "username");
        assert!(
            answer["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains(name)
        );
    }
    let (status, _) = server
        .api(
            &omar,
            Method::PUT,
            &format!("/api/v1/cases/{id}/assignee"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 422, "the username is required (null unassigns)");
    let (status, answer) = server
        .api(
            &omar,
            Method::PUT,
            "/api/v1/cases/no-such-case/assignee",
            Some(json!({ "username": "omar" })),
        )
        .await;
    assert_eq!(status, 404, "{answer}");
    let (_, case) = server
        .api(&omar, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(case["assigned_to"], "olivia");
    // Omar hands it to himself through the API, then unassigns it on the page.
    let (status, answer) = server
        .api(
            &omar,
            Method::PUT,
            &format!("/api/v1/cases/{id}/assignee"),
            Some(json!({ "username": "omar" })),
        )
        .await;
    assert_eq!((status, answer), (200, json!({ "assigned_to": "omar" })));
    let (status, _) = post_form(
        &server,
        &omar,
        &format!("/console/cases/{id}/assignee"),
        &[("assignee", "")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, case) = server
        .api(&omar, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert!(case["assigned_to"].is_null());
    let (status, _) = post_form(
        &server,
        &omar,
        &format!("/console/cases/{id}/assignee"),
        &[],
    )
    .await;
    assert_eq!(status, 422, "the form must say whom");
    drop(admin);

    // Each writes: the note, the commitment and the replies say who wrote them.
    server
        .api(
            &olivia,
            Method::POST,
            &format!("/api/v1/cases/{id}/open"),
            None,
        )
        .await;
    let (status, _) = post_form(
        &server,
        &olivia,
        &format!("/console/cases/{id}/notes"),
        &[("kind", "note"), ("text", "Olivia's working note")],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _) = server
        .api(
            &omar,
            Method::POST,
            &format!("/api/v1/cases/{id}/notes"),
            Some(json!({"kind": "commitment", "text": "Omar calls the broker", "due_on": "2026-03-05"})),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = post_form(
        &server,
        &olivia,
        &format!("/console/cases/{id}/replies"),
        &[("text", "Olivia's reply")],
    )
    .await;
    assert_eq!(status, 303);
    let (status, _) = server
        .api(
            &omar,
            Method::POST,
            &format!("/api/v1/cases/{id}/replies"),
            Some(json!({"text": "Omar's reply"})),
        )
        .await;
    assert_eq!(status, 201);
    let (_, case) = server
        .api(&omar, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    let notes: Vec<(&str, &str)> = case["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["text"].as_str().unwrap(),
                n["written_by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        notes,
        [
            ("Olivia's working note", "olivia"),
            ("Omar calls the broker", "omar")
        ]
    );
    let by: Vec<&str> = case["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m: &Value| m["written_by"].as_str().unwrap())
        .collect();
    assert_eq!(by, ["olivia", "omar"]);
    let (_, case_page) = page(&server, &olivia, &format!("/console/cases/{id}")).await;
    for shown in [
        "Working note</strong> · by olivia",
        "Commitment</strong> · by omar",
    ] {
        assert!(case_page.contains(shown), "{shown}");
    }
    assert!(case_page.contains("Ombuds</strong> · by olivia"));
    assert!(case_page.contains("Ombuds</strong> · by omar"));

    // The person reads the replies, never the ombuds' names.
    let thread = server.followup(&spanish, "").await;
    let text = thread.to_string();
    assert!(text.contains("Omar's reply"));
    assert!(
        !text.contains("olivia") && !text.contains("\"omar\""),
        "{text}"
    );
    let (_, public) = {
        let answer = server
            .client()
            .post(server.at("/followup"))
            .form(&[("receipt", spanish.as_str())])
            .send()
            .await
            .unwrap();
        (answer.status(), answer.text().await.unwrap())
    };
    assert!(public.contains("Olivia&#39;s reply"), "{public}");
    assert!(!public.contains("by olivia"));

    // Who wrote what is sealed with it: no author is in the clear in notes or messages.
    let mut db = server.database().await;
    let sealed: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT sealed_author FROM notes UNION ALL \
         SELECT sealed_author FROM messages WHERE sealed_author IS NOT NULL",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert_eq!(sealed.len(), 4);
    for blob in &sealed {
        assert!(blob.starts_with(b"age-encryption.org/v1\n"));
        assert!(
            !crate::support::contains(blob, "olivia") && !crate::support::contains(blob, "omar")
        );
    }
}

on_both_engines!(closing_warns_when_a_thread_waits_for_an_answer);
async fn closing_warns_when_a_thread_waits_for_an_answer(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let olivia = server.staff(&admin, "olivia", "ombuds").await;
    let (id, receipt) = server
        .submitted_and_opened(&olivia, "The broker keeps the deposit.")
        .await;
    let (_, quiet) = page(&server, &olivia, &format!("/console/cases/{id}")).await;
    assert!(
        !quiet.contains("confirm_unanswered"),
        "no warning without a waiting message"
    );

    let written = server
        .client()
        .post(server.at("/api/v1/followup/messages"))
        .header("authorization", format!("Receipt {receipt}"))
        .json(&json!({ "text": "Any news?" }))
        .send()
        .await
        .unwrap();
    assert_eq!(written.status(), 201);

    // The warning is beside the close form, naming the thread, with a box of its own.
    let (_, waiting) = page(&server, &olivia, &format!("/console/cases/{id}")).await;
    let close = waiting.split("id=\"close-heading\"").nth(1).unwrap();
    assert!(close.contains("A message waits for an answer"), "{close}");
    assert!(
        close.contains("Party 1: The person who raised it"),
        "{close}"
    );
    assert!(close.contains("name=\"confirm_unanswered\""));

    // Closing with the usual confirmation only is refused, naming why; nothing is destroyed.
    let (status, refused) = post_form(
        &server,
        &olivia,
        &format!("/console/cases/{id}/close"),
        &[("outcome", "withdrawn"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        refused.contains("party 1&#39;s thread has not been answered"),
        "{refused}"
    );
    let (status, _) = page(&server, &olivia, &format!("/console/cases/{id}")).await;
    assert_eq!(status, 200, "the case is still there");

    // With the extra box ticked, it closes.
    let (status, closed) = post_form(
        &server,
        &olivia,
        &format!("/console/cases/{id}/close"),
        &[
            ("outcome", "withdrawn"),
            ("confirm", "yes"),
            ("confirm_unanswered", "yes"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{closed}");
    let (status, _) = page(&server, &olivia, &format!("/console/cases/{id}")).await;
    assert_eq!(status, 404);
}

on_both_engines!(a_commitment_due_in_the_past_is_refused_naming_the_date_and_today);
async fn a_commitment_due_in_the_past_is_refused_naming_the_date_and_today(engine: Engine) {
    let server = TestServer::start_on(engine);
    let admin = server.admin().await;
    let olivia = server.staff(&admin, "olivia", "ombuds").await;
    let (id, _) = server
        .submitted_and_opened(&olivia, "A concern for a commitment.")
        .await;
    // Today is 2026-03-02 in the association's time zone.
    let (status, page) = post_form(
        &server,
        &olivia,
        &format!("/console/cases/{id}/notes"),
        &[
            ("kind", "commitment"),
            ("text", "Call back"),
            ("due_on", "2026-02-27"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    let sentence =
        "The due date 2026-02-27 is before today, 2026-03-02. A commitment is due today or later.";
    assert!(page.contains(sentence), "{page}");
    assert!(
        page.contains("min=\"2026-03-02\""),
        "the date field says so too"
    );
    let (status, answer) = server
        .api(
            &olivia,
            Method::POST,
            &format!("/api/v1/cases/{id}/notes"),
            Some(json!({"kind": "commitment", "text": "Call back", "due_on": "2026-02-27"})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(answer["fields"][0]["field"], "due_on");
    assert_eq!(answer["fields"][0]["message"], sentence);
    let (_, case) = server
        .api(&olivia, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(case["notes"], json!([]), "nothing was stored");
    let (status, _) = server
        .api(
            &olivia,
            Method::POST,
            &format!("/api/v1/cases/{id}/notes"),
            Some(json!({"kind": "commitment", "text": "Call back", "due_on": "2026-03-02"})),
        )
        .await;
    assert_eq!(status, 201, "due today is accepted");
}

on_both_engines!(disabling_an_account_returns_its_cases_to_the_pool);
async fn disabling_an_account_returns_its_cases_to_the_pool(engine: Engine) {
    let server = TestServer::start_on(engine);
    let (admin, olivia, omar) = team(&server).await;
    server.submit("A deposit kept by the agent.").await;
    server.submit("Nobody answers my calls.").await;
    let ids = server.case_ids(&olivia).await;
    let [id, kept] = <[String; 2]>::try_from(ids).unwrap();
    for (case, to) in [(&id, "omar"), (&kept, "olivia")] {
        let (status, _) = server
            .api(
                &olivia,
                Method::PUT,
                &format!("/api/v1/cases/{case}/assignee"),
                Some(json!({ "username": to })),
            )
            .await;
        assert_eq!(status, 200);
    }

    let (status, _) = server
        .api(&admin, Method::POST, "/api/v1/users/omar/disable", None)
        .await;
    assert_eq!(status, 200);
    let assigned = |case: Value| case["assigned_to"].clone();
    let (_, case) = server
        .api(&olivia, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert!(assigned(case).is_null(), "omar's case is nobody's now");
    let (_, case) = server
        .api(&olivia, Method::GET, &format!("/api/v1/cases/{kept}"), None)
        .await;
    assert_eq!(
        assigned(case),
        "olivia",
        "another ombuds' case is left alone"
    );

    // Enabling him again does not hand the case back.
    let (status, _) = server
        .api(&admin, Method::POST, "/api/v1/users/omar/enable", None)
        .await;
    assert_eq!(status, 200);
    let (_, case) = server
        .api(&olivia, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert!(assigned(case).is_null());
    drop(omar);
}
