//! Secrets in memory: the running server cannot write a core dump, and the `Debug` form of
//! every type that holds a key, receipt, password, TOTP secret, session token or decrypted text
//! shows none of it (each is built with a known secret, then its `Debug` output is searched).

use std::path::Path;

use secrecy::SecretString;

use crate::support::{Engine, TestServer, on_both_engines};

/// Fails if `debug` holds `secret` (or, for text secrets, any word of it of 4 letters or more).
fn assert_hidden(what: &str, debug: &str, secret: &str) {
    assert!(!secret.is_empty());
    assert!(
        !debug.contains(secret),
        "{what}: Debug shows the secret: {debug}"
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every byte list form `{:?}` could print: `[1, 2, 3]`, the hex, and the bytes as they are.
fn assert_bytes_hidden(what: &str, debug: &str, bytes: &[u8]) {
    let listed = format!("{bytes:?}");
    assert_hidden(what, debug, &listed[1..listed.len() - 1]);
    assert_hidden(what, debug, &hex(bytes));
    assert_hidden(what, debug, &hex(bytes).to_uppercase());
}

on_both_engines!(the_running_server_cannot_dump_core);
async fn the_running_server_cannot_dump_core(engine: Engine) {
    let server = TestServer::start_on(engine);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.pid()))
        .expect("Linux /proc is readable");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or_else(|| panic!("no core limit listed:\n{limits}"));
    let values: Vec<&str> = line["Max core file size".len()..]
        .split_whitespace()
        .collect();
    assert_eq!(
        &values[..2],
        ["0", "0"],
        "soft and hard core limits are 0: {line}"
    );
    // PR_SET_DUMPABLE cannot be read from outside (as root, which CI is, the /proc owner
    // change it causes is invisible); a refusal would be logged as a warning instead.
    assert!(
        !server.logs().contains("could not"),
        "no hardening warning:\n{}",
        server.logs()
    );
}

#[test]
fn receipts_and_their_key_do_not_show_in_debug() {
    let receipt = ombuds::crypto::Receipt::generate().unwrap();
    let debug = format!("{receipt:?} {:#?}", receipt);
    assert_hidden("Receipt", &debug, receipt.expose());
    for word in receipt.expose().split('-') {
        assert_hidden("Receipt word", &debug.to_lowercase(), word);
    }
    let typed = ombuds::crypto::Receipt::parse(receipt.expose()).unwrap();
    assert_hidden("parsed Receipt", &format!("{typed:?}"), receipt.expose());

    let key = ombuds::crypto::ReceiptKey::generate().unwrap();
    let file = key.file_text();
    let debug = format!("{key:?} {:#?}", key);
    assert_hidden("ReceiptKey", &debug, file.trim());
    let hash = key.hash(&receipt);
    // The keyed hash is what is stored; it is not secret, but check the receipt is not in it.
    assert_hidden("ReceiptHash", &format!("{hash:?}"), receipt.expose());
}

#[test]
fn totp_secrets_do_not_show_in_debug() {
    let bytes: Vec<u8> = (0u8..20)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    let secret = ombuds::crypto::totp::TotpSecret::from_bytes(&bytes).unwrap();
    let debug = format!("{secret:?} {:#?}", secret);
    assert_hidden("TotpSecret", &debug, &secret.base32());
    assert_bytes_hidden("TotpSecret", &debug, &bytes);
}

#[test]
fn age_keys_and_signing_keys_do_not_show_in_debug() {
    let master = ombuds::crypto::MasterKey::generate().unwrap();
    let file = master.identity_file().unwrap();
    let secret_line = file
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .expect("an age identity");
    let debug = format!("{master:?} {:#?}", master);
    assert_hidden("MasterKey", &debug, secret_line);
    assert_hidden("MasterKey", &debug, "AGE-SECRET-KEY");

    let (content, _wrapped) = master.new_content_key().unwrap();
    assert_hidden(
        "ContentKey",
        &format!("{content:?} {:#?}", content),
        "AGE-SECRET-KEY",
    );

    let identity = ombuds::crypto::x25519::Identity::generate().unwrap();
    let secret = identity.to_secret_string().unwrap();
    let debug = format!("{identity:?} {:#?}", identity);
    assert_hidden("Identity", &debug, &secret);
    assert_hidden("Identity", &debug.to_uppercase(), "AGE-SECRET-KEY");

    let signing = ombuds::crypto::certificate::SigningKey::generate().unwrap();
    let file = signing.file_text();
    let debug = format!("{signing:?} {:#?}", signing);
    for line in file.lines().filter(|l| l.len() > 20) {
        assert_hidden("SigningKey", &debug, line.trim());
    }
}

#[test]
fn decrypted_text_and_session_secrets_do_not_show_in_debug() {
    let concern = ombuds::store::Concern {
        description: SecretString::from("CANARY-debug-description-7fq"),
        contact: Some(SecretString::from("CANARY-debug-contact@example.net")),
        concluded_on: None,
        discovered_on: None,
    };
    let debug = format!("{concern:?} {:#?}", concern);
    assert_hidden("Concern", &debug, "CANARY-debug-description-7fq");
    assert_hidden("Concern", &debug, "CANARY-debug-contact");

    let hash = [0xA7u8; 32];
    let user = ombuds::store::SessionUser {
        user_id: "u1".into(),
        username: "ada".into(),
        role: ombuds::domain::account::Role::Admin,
        csrf: "CSRF-TOKEN-debug-9x".into(),
        session_hash: hash,
        case_access: false,
    };
    let debug = format!("{user:?} {:#?}", user);
    assert_hidden("SessionUser", &debug, "CSRF-TOKEN-debug-9x");
    assert_bytes_hidden("SessionUser", &debug, &hash);
    assert_hidden("SessionUser", &debug, "167, 167");
}

#[test]
fn configuration_debug_hides_database_passwords() {
    let url = ombuds::config::PostgresUrl::parse(
        "postgres://ombuds:Pa55-debug-secret@db.example.org/ombuds?password=Pa55-query-secret",
    )
    .unwrap();
    for shown in [format!("{url:?}"), url.to_string()] {
        assert_hidden("PostgresUrl", &shown, "Pa55-debug-secret");
        assert_hidden("PostgresUrl", &shown, "Pa55-query-secret");
    }

    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    crate::support::init(&data);
    let text = std::fs::read_to_string(data.join("ombuds.toml"))
        .unwrap()
        .replace(
            "url = \"sqlite:ombuds.db\"",
            "url = \"postgres://ombuds:Pa55-debug-secret@db.example.org/ombuds\"",
        )
        .replace(
            "store = \"keys.db\"",
            "store = \"postgres://keys:Pa55-keys-secret@db.example.org/keys\"",
        );
    let config = ombuds::config::Config::parse(&data.join("ombuds.toml"), &text).unwrap();
    let debug = format!("{config:?} {:#?}", config);
    assert_hidden("Config", &debug, "Pa55-debug-secret");
    assert_hidden("Config", &debug, "Pa55-keys-secret");
}

/// The store, which holds the association's identity, the receipt key and the signing key,
/// and the application state around it.
#[tokio::test]
async fn an_open_store_shows_no_key_in_debug() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    crate::support::init(&data);
    let config = ombuds::config::Config::load(&data.join("ombuds.toml")).unwrap();
    let store = ombuds::store::Store::open(&config).await.unwrap();
    let debug = format!("{store:?} {:#?}", store);
    let app = ombuds::http::App::new(config, store.clone(), ombuds::clock::Clock::from_env());
    let debug = format!("{debug} {app:?} {:#?}", app);
    for name in ["identity.key", "receipt.key", "signing.key"] {
        let file = std::fs::read_to_string(Path::new(&data).join(name)).unwrap();
        for line in file.lines().filter(|l| !l.starts_with('#') && l.len() > 20) {
            assert_hidden(name, &debug, line.trim());
        }
    }
    assert_hidden("Store", &debug, "AGE-SECRET-KEY");
    store.close().await;
}
