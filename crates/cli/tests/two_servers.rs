//! Two `guohe serve` processes on one PostgreSQL database: a case written by another process
//! (here `guohe apply`) is visible on both within moments, without either giving a command;
//! one server killed with SIGKILL leaves the other serving and following new writes; the chain
//! verifies afterwards. Set GUOHE_SKIP_POSTGRES=1 to skip where no server runs. Commands given
//! to the servers themselves, at once and while one is killed: `two_servers_writes.rs`.

use crate::servers;

use std::time::Duration;

use servers::{Database, carry, guohe, serve, status, visible_after};

#[tokio::test(flavor = "multi_thread")]
async fn two_servers_on_one_database_see_each_others_writes_and_survive_a_kill() {
    if servers::skip_postgres() {
        return;
    }
    let database = Database::create("guohe_two").await;
    let db = database.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.json");

    // The first start creates the key file; the second server shares it.
    let a = serve(&db, &keys, &[]);
    let mut b = serve(&db, &keys, &[]);
    assert_eq!(status(a.port, "/api/v1/bases/HB-OLD-1"), Some(404));
    assert_eq!(status(b.port, "/api/v1/bases/HB-OLD-1"), Some(404));

    guohe(
        &db,
        &keys,
        &[
            "apply",
            &carry(dir.path(), "HB-OLD-1"),
            "--as",
            "dept:zhang",
            "--on",
            "2026-06-01",
        ],
    );
    // The servers look for new events every 250 ms; allow for a loaded machine.
    let on_a = visible_after(a.port, "/api/v1/bases/HB-OLD-1");
    let on_b = visible_after(b.port, "/api/v1/bases/HB-OLD-1");
    assert!(
        on_a < Duration::from_secs(3) && on_b < Duration::from_secs(3),
        "{on_a:?} {on_b:?}"
    );

    // B dies without a chance to clean up; A keeps serving and following.
    b.child.kill().unwrap();
    b.child.wait().unwrap();
    guohe(
        &db,
        &keys,
        &[
            "apply",
            &carry(dir.path(), "HB-OLD-2"),
            "--as",
            "dept:zhang",
            "--on",
            "2026-06-02",
        ],
    );
    assert!(visible_after(a.port, "/api/v1/bases/HB-OLD-2") < Duration::from_secs(3));
    assert_eq!(status(a.port, "/bases"), Some(200));
    drop(b);
    drop(a);

    let verified = guohe(&db, &keys, &["audit", "verify"]);
    assert!(String::from_utf8_lossy(&verified.stdout).contains("intact:"));
    database.drop_now().await;
}
