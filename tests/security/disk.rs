//! Storage faults on SQLite: the data directory on a small tmpfs that is filled to the last
//! byte while the server runs (intake, form and JSON, must answer 503 saying nothing was
//! stored; the log must say the disk is full; nothing half-written; no panic; writes work again
//! once space is freed), then remounted read-only before a start (start-up must stop with a
//! message naming the directory). Needs root, to mount (CI runs as root).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{Engine, TestServer, valid_concern};
use crate::tally::Tally;

/// Size of the tmpfs the data directory is moved to.
const TMPFS_SIZE: &str = "8m";

/// A tmpfs mounted over a directory, unmounted when dropped.
struct Mounted(PathBuf);

impl Mounted {
    fn tmpfs(dir: &Path) -> Self {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={TMPFS_SIZE},mode=0700"), "tmpfs"])
            .arg(dir)
            .output();
        match out {
            Ok(out) if out.status.success() => Self(dir.to_owned()),
            Ok(out) => panic!(
                "the disk-full scenario mounts a small tmpfs and needs root for it (CI runs as \
                 root; run `sudo -E cargo nextest run --test security`): {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => panic!("the disk-full scenario needs `mount` (util-linux): {e}"),
        }
    }

    fn remount(&self, mode: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success(), "remount {mode}");
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

pub async fn run(tally: &Tally) {
    let mut server = TestServer::start_on(Engine::Sqlite);
    let first = server.submit("disk: stored before the fault").await;
    tally.requests(1);

    // Move the data directory onto a small tmpfs of its own.
    server.stop();
    let data = server.data_dir();
    let aside = server.root.path().join("data-aside");
    std::fs::rename(&data, &aside).unwrap();
    std::fs::create_dir(&data).unwrap();
    let mount = Mounted::tmpfs(&data);
    for entry in std::fs::read_dir(&aside).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
    }
    server.restart();
    let second = server.submit("disk: stored on the small disk").await;
    tally.requests(1);
    let cases_before = cases(&server).await;

    // Fill it to the last byte.
    let filler = data.join("filler");
    let mut file = std::fs::File::create(&filler).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    while file.write_all(&chunk[..512]).is_ok() {}
    drop(file);
    tally.faults(1);

    let client = server.client();
    let json = client
        .post(server.at("/api/v1/concerns"))
        .json(&valid_concern())
        .send()
        .await
        .unwrap();
    tally.requests(1);
    assert_eq!(json.status(), StatusCode::SERVICE_UNAVAILABLE, "JSON intake, disk full");
    let body: Value = json.json().await.unwrap();
    let message = body["error"].as_str().unwrap();
    assert!(message.contains("Nothing was stored"), "{message}");
    assert!(body.get("receipt").is_none());

    let form = client
        .post(server.at("/concerns"))
        .form(&[
            ("category", "conduct"),
            ("raised_by", "public"),
            ("description", "disk: refused while the disk is full"),
            ("accept_conditions", "yes"),
        ])
        .send()
        .await
        .unwrap();
    tally.requests(1);
    assert_eq!(form.status(), StatusCode::SERVICE_UNAVAILABLE, "form intake, disk full");
    let page = form.text().await.unwrap();
    assert!(page.contains("Nothing was stored"), "{page}");
    assert!(!page.to_lowercase().contains("receipt:"), "no receipt shown");

    let reply = client
        .post(server.at("/api/v1/followup/messages"))
        .header("authorization", format!("Receipt {second}"))
        .json(&serde_json::json!({ "text": "disk: a reply while the disk is full" }))
        .send()
        .await
        .unwrap();
    tally.requests(1);
    assert_eq!(reply.status(), StatusCode::SERVICE_UNAVAILABLE, "follow-up reply, disk full");

    let logs = server.logs();
    assert!(logs.contains("the disk holding the database is full"), "{logs}");
    assert!(!logs.contains("panicked"), "{logs}");
    assert!(!server.has_exited(), "the server runs on:\n{logs}");
    assert_eq!(cases(&server).await, cases_before, "nothing half-written");
    integrity_ok(&server).await;

    // Space comes back: writes work again, with no restart.
    std::fs::remove_file(&filler).unwrap();
    let third = server.submit("disk: stored after space came back").await;
    tally.requests(1);
    assert_eq!(cases(&server).await, cases_before + 1);
    for receipt in [&first, &second, &third] {
        let opened = client
            .get(server.at("/api/v1/followup"))
            .header("authorization", format!("Receipt {receipt}"))
            .send()
            .await
            .unwrap();
        tally.requests(1);
        assert_eq!(opened.status(), StatusCode::OK);
    }
    tally.acknowledged(3);

    // A read-only data directory at start-up: refused, naming the directory.
    assert!(server.stop().success());
    mount.remount("ro");
    tally.faults(1);
    let config = data.join("ombuds.toml");
    let out = crate::support::run(
        server.root.path(),
        &["serve", "--config", config.to_str().unwrap(), "--listen", "127.0.0.1:0"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "start-up refused: {stderr}");
    assert!(stderr.contains(&data.display().to_string()), "names the directory: {stderr}");
    assert!(stderr.contains("not writable"), "{stderr}");
    assert!(stderr.contains("database.url"), "names the setting: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    // Writable again: it starts, and everything acknowledged is there.
    mount.remount("rw");
    server.restart();
    for receipt in [&first, &second, &third] {
        let opened = client
            .get(server.at("/api/v1/followup"))
            .header("authorization", format!("Receipt {receipt}"))
            .send()
            .await
            .unwrap();
        tally.requests(1);
        assert_eq!(opened.status(), StatusCode::OK);
    }
    integrity_ok(&server).await;
    assert!(server.stop().success());
    drop(mount);
}

async fn cases(server: &TestServer) -> i64 {
    let mut db = server.database().await;
    crate::support::count(&mut db, "cases").await
}

async fn integrity_ok(server: &TestServer) {
    for name in ["ombuds.db", "keys.db"] {
        let mut db = crate::support::open_sqlite_copy(&server.data_dir().join(name)).await;
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut db)
            .await
            .unwrap();
        assert_eq!(check, "ok", "{name}");
    }
}
