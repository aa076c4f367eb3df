//! Starting the service: `ombuds init`, the zero-setup first run, refusing unsafe transport and
//! bad settings, serving TLS, and stopping cleanly.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{
    self, BIN, Engine, Options, TestServer, assert_security_headers, count, on_both_engines, run,
    valid_concern,
};

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn init_creates_a_complete_private_data_directory_and_never_overwrites() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("assoc");
    let out = run(root.path(), &["init", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("age1"), "prints the public key: {said}");

    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("identity.key")), 0o600);
    assert_eq!(mode(&dir.join("receipt.key")), 0o600);
    assert_eq!(mode(&dir.join("ombuds.db")), 0o600);
    assert_eq!(mode(&dir.join("keys.db")), 0o600);
    let identity = std::fs::read_to_string(dir.join("identity.key")).unwrap();
    assert!(identity.contains("AGE-SECRET-KEY-1"));
    let config = std::fs::read_to_string(dir.join("ombuds.toml")).unwrap();
    assert!(config.contains("[association]") && config.contains("time_zone"));
    ombuds::config::Config::load(&dir.join("ombuds.toml")).unwrap();

    let again = run(root.path(), &["init", dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.join("identity.key")).unwrap(),
        identity
    );
}

#[tokio::test]
async fn serve_with_no_configuration_initialises_the_embedded_default() {
    let cwd = tempfile::tempdir().unwrap();
    let stdout = cwd.path().join("stdout.log");
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(cwd.path())
        .stdout(Stdio::from(std::fs::File::create(&stdout).unwrap()))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let url = loop {
        let out = std::fs::read_to_string(&stdout).unwrap_or_default();
        if let Some(rest) = out.split("ombuds is listening on ").nth(1) {
            break rest.lines().next().unwrap().to_owned();
        }
        assert!(Instant::now() < deadline, "no URL printed: {out}");
        assert!(child.try_wait().unwrap().is_none(), "server exited: {out}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let data = cwd.path().join("ombuds-data");
    for file in [
        "ombuds.toml",
        "identity.key",
        "receipt.key",
        "ombuds.db",
        "keys.db",
    ] {
        assert!(data.join(file).exists(), "{file} was not created");
    }
    assert_eq!(mode(&data.join("identity.key")), 0o600);
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn plain_http_off_loopback_is_refused_before_binding() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("d");
    support::init(&dir);
    let config = dir.join("ombuds.toml");
    let out = run(
        root.path(),
        &[
            "serve",
            "--config",
            config.to_str().unwrap(),
            "--listen",
            "0.0.0.0:0",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refusing to serve plain HTTP on 0.0.0.0"),
        "{err}"
    );
    assert!(out.stdout.is_empty() || !String::from_utf8_lossy(&out.stdout).contains("listening"));
}

#[test]
fn a_bad_setting_stops_start_up_and_names_the_setting() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("d");
    support::init(&dir);
    let config = dir.join("ombuds.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    for (from, to, named) in [
        ("America/Phoenix", "Phoenix Time", "association.time_zone"),
        (
            "listen = \"127.0.0.1:8080\"",
            "listen = \"here\"",
            "server.listen",
        ),
        (
            "[intake]",
            "[intake]\nmax_descripton_chars = 5",
            "max_descripton_chars",
        ),
        ("sqlite:ombuds.db", "mysql://x", "database.url"),
    ] {
        std::fs::write(&config, text.replace(from, to)).unwrap();
        let out = run(
            root.path(),
            &["serve", "--config", config.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(2), "{named}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(named), "{named}: {err}");
    }
    // A readable identity file is refused too.
    std::fs::write(&config, &text).unwrap();
    std::fs::set_permissions(
        dir.join("identity.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let out = run(
        root.path(),
        &["serve", "--config", config.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("chmod 600"));
}

on_both_engines!(tls_serves_http2_and_http11_with_hsts_and_tls12_or_newer);
async fn tls_serves_http2_and_http11_with_hsts_and_tls12_or_newer(engine: Engine) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert_pem = certified.cert.pem();
    let key_pem = certified.signing_key.serialize_pem();
    let server = TestServer::start_with(Options {
        engine,
        edit_config: Box::new(move |c| {
            c.replace(
                "# tls_certificate = \"tls/fullchain.pem\"",
                "tls_certificate = \"cert.pem\"",
            )
            .replace(
                "# tls_private_key = \"tls/privkey.pem\"",
                "tls_private_key = \"key.pem\"",
            )
        }),
        ..Options::with_files(vec![("cert.pem", cert_pem.clone()), ("key.pem", key_pem)])
    });
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let port = server
        .url
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let address: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let url = format!("https://localhost:{port}/");
    let certificate = reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap();
    let client = |builder: reqwest::ClientBuilder| {
        builder
            .tls_certs_only([certificate.clone()])
            .resolve("localhost", address)
            .build()
            .unwrap()
    };

    let h2 = client(reqwest::Client::builder())
        .get(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(h2.status(), 200);
    assert_eq!(
        h2.version(),
        reqwest::Version::HTTP_2,
        "ALPN should pick HTTP/2"
    );
    assert_security_headers(h2.headers(), "TLS page");
    assert!(
        h2.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age="),
        "HSTS under TLS"
    );

    let h1 = client(reqwest::Client::builder().http1_only())
        .get(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(h1.status(), 200);
    assert_eq!(h1.version(), reqwest::Version::HTTP_11);

    let tls12 = client(
        reqwest::Client::builder()
            .tls_version_max(reqwest::tls::Version::TLS_1_2)
            .tls_version_min(reqwest::tls::Version::TLS_1_2),
    );
    let posted = tls12
        .post(format!("{url}api/v1/concerns"))
        .json(&valid_concern())
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 201, "TLS 1.2 works");

    // Staff sessions over TLS get a Secure, host-only cookie.
    let setup = std::fs::read_to_string(server.root.path().join("stdout.log")).unwrap();
    let token = setup
        .rsplit("/enrol/")
        .next()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let https = client(reqwest::Client::builder());
    let shown: serde_json::Value = https
        .get(format!("{url}api/v1/enrolments/{token}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = ombuds::crypto::totp::TotpSecret::from_bytes(
        &data_encoding::BASE32_NOPAD
            .decode(shown["totp_secret"].as_str().unwrap().as_bytes())
            .unwrap(),
    )
    .unwrap();
    let enrolled = https
        .post(format!("{url}api/v1/enrolments/{token}"))
        .json(&serde_json::json!({ "username": "ada", "password": crate::support::PASSWORD, "totp": server.code(&secret) }))
        .send()
        .await
        .unwrap();
    assert_eq!(enrolled.status(), 201);
    server.advance(30);
    let signed = https
        .post(format!("{url}api/v1/session"))
        .json(&serde_json::json!({ "username": "ada", "password": crate::support::PASSWORD, "totp": server.code(&secret) }))
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 201);
    let cookie = signed.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-ombuds="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");

    // Plain HTTP on the TLS port gets no page.
    let plain = reqwest::get(format!("http://127.0.0.1:{port}/")).await;
    assert!(plain.map(|r| r.status() != 200).unwrap_or(true));
}

on_both_engines!(plain_http_on_loopback_sends_no_hsts);
async fn plain_http_on_loopback_sends_no_hsts(engine: Engine) {
    let server = TestServer::start_on(engine);
    let page = server.client().get(server.at("/")).send().await.unwrap();
    assert!(!page.headers().contains_key("strict-transport-security"));
    let proxied = TestServer::start_with(Options {
        engine,
        edit_config: Box::new(|c| {
            c.replace(
                "behind_tls_proxy = false",
                "behind_tls_proxy = true\npublic_url = \"https://ombuds.example.org\"",
            )
        }),
        ..Default::default()
    });
    let page = proxied.client().get(proxied.at("/")).send().await.unwrap();
    assert!(
        page.headers().contains_key("strict-transport-security"),
        "HSTS behind a TLS proxy"
    );
}

on_both_engines!(acknowledged_concerns_survive_a_restart_and_a_clean_stop_empties_the_wal);
async fn acknowledged_concerns_survive_a_restart_and_a_clean_stop_empties_the_wal(engine: Engine) {
    let mut server = TestServer::start_on(engine);
    for _ in 0..3 {
        let response = server
            .client()
            .post(server.at("/api/v1/concerns"))
            .json(&valid_concern())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
    }
    let status = server.stop();
    assert!(status.success());
    if engine == Engine::Sqlite {
        for wal in ["ombuds.db-wal", "keys.db-wal"] {
            let path = server.data_dir().join(wal);
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            assert_eq!(
                size, 0,
                "{wal} should be checkpointed and truncated on stop"
            );
        }
    }
    server.restart();
    let mut db = server.database().await;
    assert_eq!(count(&mut db, "cases").await, 3);
    let health = server
        .client()
        .get(server.at("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}
