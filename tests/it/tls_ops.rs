//! TLS in operation: the certificate and key replaced while the server runs (on SIGHUP, and by
//! just rewriting the files), a broken replacement refused while the old pair keeps serving,
//! the plain-HTTP redirect listener, and Debian's `sslscan` run against the live server.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{Engine, Options, TestServer, on_both_engines};

/// A self-signed certificate for `localhost` with serial number `serial`: (certificate DER,
/// certificate PEM, key PEM).
fn certificate(serial: u64) -> (Vec<u8>, String, String) {
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.serial_number = Some(rcgen::SerialNumber::from(serial.to_be_bytes().to_vec()));
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.der().to_vec(), cert.pem(), key.serialize_pem())
}

/// A server serving TLS with `cert.pem` and `key.pem`, after `edit` changed its configuration.
fn tls_server(
    engine: Engine,
    cert_pem: String,
    key_pem: String,
    edit: fn(String) -> String,
) -> TestServer {
    TestServer::start_with(Options {
        engine,
        edit_config: Box::new(move |c| {
            edit(
                c.replace(
                    "# tls_certificate = \"tls/fullchain.pem\"",
                    "tls_certificate = \"cert.pem\"",
                )
                .replace(
                    "# tls_private_key = \"tls/privkey.pem\"",
                    "tls_private_key = \"key.pem\"",
                ),
            )
        }),
        ..Options::with_files(vec![("cert.pem", cert_pem), ("key.pem", key_pem)])
    })
}

fn port(server: &TestServer) -> u16 {
    server
        .url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The certificate a fresh TLS connection is shown now (DER), over a new connection each time.
async fn served_certificate(port: u16) -> Vec<u8> {
    let client = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .tls_info(true)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let response = client
        .get(format!("https://127.0.0.1:{port}/health"))
        .send()
        .await
        .unwrap();
    response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|info| info.peer_certificate())
        .expect("the TLS client saw a certificate")
        .to_vec()
}

/// Replaces `name` in `dir` the way renewal tools do: write beside it, then rename over it.
fn replace(dir: &Path, name: &str, contents: &str) {
    let partial = dir.join(format!("{name}.partial"));
    std::fs::write(&partial, contents).unwrap();
    std::fs::rename(&partial, dir.join(name)).unwrap();
}

/// Waits (at most 15 s) until the server shows certificate `der`.
async fn until_served(port: u16, der: &[u8], what: &str, server: &TestServer) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while served_certificate(port).await != der {
        assert!(Instant::now() < deadline, "{what}:\n{}", server.logs());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn hangup(server: &TestServer) {
    let sent = Command::new("kill")
        .args(["-HUP", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

on_both_engines!(tls_certificate_reloads_on_sighup_and_file_change_and_refuses_a_broken_pair);
async fn tls_certificate_reloads_on_sighup_and_file_change_and_refuses_a_broken_pair(
    engine: Engine,
) {
    let (der_1, cert_1, key_1) = certificate(0x0101);
    let (der_2, cert_2, key_2) = certificate(0x0202);
    let (der_3, cert_3, key_3) = certificate(0x0303);
    let mut server = tls_server(engine, cert_1, key_1.clone(), |c| c);
    let port = port(&server);
    let dir = server.data_dir();
    assert_eq!(
        served_certificate(port).await,
        der_1,
        "serial 0x0101 at start"
    );

    // A broken replacement: a certificate that does not match the key, then garbage. Each is
    // refused with a warning, and the first pair keeps serving, on SIGHUP and without.
    replace(&dir, "cert.pem", &cert_2);
    hangup(&server);
    server
        .eventually("the mismatched pair is refused", || async {
            server.logs().contains("TLS certificate reload refused")
        })
        .await;
    assert!(
        server.logs().contains("do not form a usable pair"),
        "the warning says why:\n{}",
        server.logs()
    );
    replace(
        &dir,
        "cert.pem",
        "-----BEGIN CERTIFICATE-----\nnot base64\n",
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    hangup(&server);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        served_certificate(port).await,
        der_1,
        "a broken replacement leaves serial 0x0101 serving"
    );
    assert!(
        !server.has_exited(),
        "the server runs on:\n{}",
        server.logs()
    );
    let answer = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .build()
        .unwrap()
        .get(format!("https://127.0.0.1:{port}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);

    // A good pair, then SIGHUP: the new certificate is served at once.
    replace(&dir, "key.pem", &key_2);
    replace(&dir, "cert.pem", &cert_2);
    hangup(&server);
    until_served(port, &der_2, "serial 0x0202 after SIGHUP", &server).await;
    assert!(server.logs().contains("TLS certificate reloaded"));

    // Just rewriting the files, with no signal, is noticed too.
    replace(&dir, "key.pem", &key_3);
    replace(&dir, "cert.pem", &cert_3);
    until_served(
        port,
        &der_3,
        "serial 0x0303 after the files changed",
        &server,
    )
    .await;
    assert!(server.logs().contains("(the files changed)"));

    // Nothing secret is logged on the way.
    for key in [&key_1, &key_2, &key_3] {
        let body = key.lines().nth(1).unwrap();
        assert!(!server.logs().contains(body), "a key reached the log");
    }
    let stopped = server.stop();
    assert!(stopped.success(), "SIGHUP did not disturb a clean stop");
}

on_both_engines!(http_redirect_listener_sends_308_to_https_and_nothing_else);
async fn http_redirect_listener_sends_308_to_https_and_nothing_else(engine: Engine) {
    let (_, cert, key) = certificate(7);
    let server = tls_server(engine, cert, key, |c| {
        c.replace(
            "# redirect_http_listen = \"0.0.0.0:80\"",
            "redirect_http_listen = \"127.0.0.1:0\"",
        )
        .replace(
            "# public_url = \"https://ombuds.example.org\"",
            "public_url = \"https://ombuds.example.org\"",
        )
    });
    let stdout = std::fs::read_to_string(server.root.path().join("stdout.log")).unwrap();
    let redirect = stdout
        .split("ombuds redirects ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no redirect listener announced:\n{stdout}"))
        .trim_end_matches('/')
        .to_owned();
    let client = server.client();
    for (method, path) in [
        (reqwest::Method::GET, "/"),
        (reqwest::Method::GET, "/followup?lang=en"),
        (reqwest::Method::POST, "/api/v1/concerns"),
        (reqwest::Method::HEAD, "/enrol/abc"),
    ] {
        // Redirects go to the configured public address, whatever host the request names.
        let response = client
            .request(method.clone(), format!("{redirect}{path}"))
            .header("host", "evil.example")
            .body("description=should+never+be+read")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 308, "{method} {path}");
        assert_eq!(
            response.headers()["location"],
            format!("https://ombuds.example.org{path}").as_str(),
            "{method} {path}"
        );
        assert!(!response.headers().contains_key("set-cookie"));
        assert!(response.bytes().await.unwrap().is_empty(), "no content");
    }
    // Not even a Host header that is no host name changes where it goes.
    let odd = client
        .get(format!("{redirect}/"))
        .header("host", "evil.example/@x")
        .send()
        .await
        .unwrap();
    assert_eq!(odd.status(), 308);
    assert_eq!(odd.headers()["location"], "https://ombuds.example.org/");
    // HSTS stays on the TLS answers.
    let page = reqwest::Client::builder()
        .tls_danger_accept_invalid_certs(true)
        .build()
        .unwrap()
        .get(server.at("/"))
        .send()
        .await
        .unwrap();
    assert!(page.headers().contains_key("strict-transport-security"));
}

#[test]
fn redirect_listener_needs_tls_served_here() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    crate::support::init(&data);
    let config = data.join("ombuds.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "# redirect_http_listen = \"0.0.0.0:80\"",
        "redirect_http_listen = \"127.0.0.1:0\"",
    );
    std::fs::write(&config, text).unwrap();
    let out = crate::support::run(
        root.path(),
        &["serve", "--config", config.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("server.redirect_http_listen"), "{stderr}");
}

/// Runs Debian's `sslscan` against the live server and checks what it found.
#[tokio::test]
async fn sslscan_finds_only_tls12_and_tls13_with_aead_forward_secret_ciphers() {
    let (_, cert, key) = certificate(9);
    let server = tls_server(Engine::Sqlite, cert, key, |c| c);
    let target = format!("127.0.0.1:{}", port(&server));
    let out = match Command::new("sslscan")
        .args(["--no-colour", "--xml=-", &target])
        .output()
    {
        Ok(out) => out,
        Err(e) => panic!(
            "this test needs Debian's `sslscan` ({e}): `apt-get install sslscan` (.ci/run \
             installs it)"
        ),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "sslscan failed:\n{text}");
    let xml = &text[text.find("<?xml").expect("sslscan printed XML")..];
    let document = roxmltree::Document::parse(xml).unwrap();
    let test = document
        .descendants()
        .find(|n| n.has_tag_name("ssltest"))
        .expect("sslscan tested the server");

    let mut enabled = Vec::new();
    for protocol in test.children().filter(|n| n.has_tag_name("protocol")) {
        let name = format!(
            "{} {}",
            protocol.attribute("type").unwrap(),
            protocol.attribute("version").unwrap()
        );
        if protocol.attribute("enabled") == Some("1") {
            enabled.push(name);
        }
    }
    assert_eq!(
        enabled,
        ["tls 1.2", "tls 1.3"],
        "only TLS 1.2 and 1.3 (SSLv2, SSLv3, TLS 1.0, TLS 1.1 disabled)"
    );
    let probed: Vec<_> = test
        .children()
        .filter(|n| n.has_tag_name("protocol"))
        .map(|n| n.attribute("version").unwrap())
        .collect();
    for version in ["2", "3", "1.0", "1.1"] {
        assert!(
            probed.contains(&version),
            "sslscan probed version {version}"
        );
    }

    let ciphers: Vec<_> = test
        .children()
        .filter(|n| n.has_tag_name("cipher"))
        .collect();
    assert!(ciphers.len() >= 4, "sslscan listed the accepted ciphers");
    for cipher in &ciphers {
        let name = cipher.attribute("cipher").unwrap();
        let version = cipher.attribute("sslversion").unwrap();
        assert!(
            name.contains("GCM")
                || name.contains("CHACHA20-POLY1305")
                || name.contains("CHACHA20_POLY1305"),
            "{version} {name} is not an AEAD cipher"
        );
        if version == "TLSv1.2" {
            assert!(
                name.starts_with("ECDHE-"),
                "{version} {name} has no forward secrecy"
            );
        } else {
            assert_eq!(version, "TLSv1.3", "{name}");
        }
        assert!(
            cipher.attribute("curve").is_some() || cipher.attribute("dhebits").is_some(),
            "{version} {name}: an ephemeral key exchange"
        );
        assert_ne!(cipher.attribute("strength"), Some("weak"), "{name}");
    }

    for heartbleed in test.children().filter(|n| n.has_tag_name("heartbleed")) {
        assert_eq!(heartbleed.attribute("vulnerable"), Some("0"), "heartbleed");
    }
    assert!(
        test.children().any(|n| n.has_tag_name("heartbleed")),
        "sslscan checked heartbleed"
    );
    for compression in test.children().filter(|n| n.has_tag_name("compression")) {
        assert_eq!(
            compression.attribute("supported"),
            Some("0"),
            "TLS compression"
        );
    }
    for renegotiation in test.children().filter(|n| n.has_tag_name("renegotiation")) {
        assert_eq!(
            renegotiation.attribute("supported"),
            Some("0"),
            "client-initiated renegotiation"
        );
    }
}
