//! Two `guohe serve` processes on one PostgreSQL database taking commands themselves, through
//! the API, from one department session (sessions are shared in the database):
//!
//! * the same case created on A and on B at the same moment: exactly one is accepted, the
//!   other is refused with a clear problem (409), and both servers then show the same case;
//! * the verification service's rate limit is one count for both servers;
//! * A killed with SIGKILL while a client streams commands to it: B keeps answering and
//!   writing, every command A acknowledged is in the log as acknowledged, and
//!   `guohe audit verify` finds the chain intact.
//!
//! Set GUOHE_SKIP_POSTGRES=1 to skip where no server runs.

use crate::servers;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use servers::{
    Database, Reply, Session, call, carry_command, connect, exchange, guohe, request_text, serve, visible_after,
};

/// The same request sent to each port at the same moment: every connection is open before any
/// request is written.
fn at_once(ports: &[u16], session: &Session, body: &Value) -> Vec<Reply> {
    let text = request_text("POST", "/api/v1/commands", Some(session), Some(body));
    let barrier = Arc::new(Barrier::new(ports.len()));
    let threads: Vec<_> = ports
        .iter()
        .map(|&port| {
            let (barrier, text) = (barrier.clone(), text.clone());
            std::thread::spawn(move || {
                let s = connect(port).expect("the server listens");
                barrier.wait();
                exchange(s, &text).expect("an answer")
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

async fn events_of(db: &mut sqlx::PgConnection, stream: &str) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT seq, hash FROM events WHERE stream = $1 ORDER BY seq")
        .bind(stream)
        .fetch_all(db)
        .await
        .unwrap()
}

/// The first event a command's answer reports: (stream, seq, hash).
fn first_event(r: &Reply) -> (String, i64, String) {
    let e = &r.json()["events"][0];
    (
        e["stream"].as_str().expect("stream").to_string(),
        e["seq"].as_i64().expect("seq"),
        e["hash"].as_str().expect("hash").to_string(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_on_two_servers_conflict_cleanly_and_a_kill_loses_no_acknowledged_write() {
    if servers::skip_postgres() {
        return;
    }
    let database = Database::create("guohe_writes").await;
    let db = database.url.clone();
    let mut raw = database.connect().await;
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.json");
    let dept = servers::department(&db, &keys).await;
    let limit = ["--verify-per-minute", "4"];
    let mut a = serve(&db, &keys, &limit);
    let b = serve(&db, &keys, &limit);

    // Signed in on A, the session is good on B.
    let session = servers::sign_in(a.port, &dept);
    let me = call(b.port, "GET", "/api/v1/session", Some(&session), None).unwrap();
    assert_eq!(me.json()["account"]["login"], dept.login, "{}", me.body);

    // (a) One case created on both servers at once, a few times over: whichever way the race
    // goes (B appends while A decides, or A already sees B's case), one is accepted and the
    // other refused, with nothing half-written.
    for round in 1..=5 {
        let id = format!("HB-RACE-{round}");
        let replies = at_once(&[a.port, b.port], &session, &carry_command(&id));
        let accepted: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
        assert_eq!(
            accepted.len(),
            1,
            "exactly one of the two is accepted: {:?}",
            replies.iter().map(|r| (r.status, &r.body)).collect::<Vec<_>>()
        );
        let refused = replies.iter().find(|r| r.status != 200).expect("one refused");
        assert_eq!(refused.status, 409, "{}", refused.body);
        assert!(
            refused
                .header("content-type")
                .is_some_and(|c| c.starts_with("application/problem+json")),
            "{:?}",
            refused.headers
        );
        let p = refused.json();
        assert!(
            ["concurrent_modification", "duplicate"].contains(&p["code"].as_str().unwrap_or("")),
            "{p}"
        );
        assert!(
            p["detail"].as_str().is_some_and(|d| !d.is_empty())
                && p["detail_en"].as_str().is_some_and(|d| !d.is_empty()),
            "the refusal says why, in both languages: {p}"
        );
        let (stream, seq, hash) = first_event(accepted[0]);
        assert_eq!(stream, format!("base/{id}"));
        assert_eq!(
            events_of(&mut raw, &stream).await,
            vec![(seq, hash)],
            "one event, the accepted one"
        );
        // Both servers then show the same case.
        let path = format!("/api/v1/bases/{id}");
        visible_after(a.port, &path);
        visible_after(b.port, &path);
        let on_a = call(a.port, "GET", &path, Some(&session), None).unwrap().json();
        let on_b = call(b.port, "GET", &path, Some(&session), None).unwrap().json();
        assert_eq!(on_a, on_b);
    }

    // The verification service counts one client's requests on both servers together.
    let ask = "/api/v1/verify?uscc=91420100MA4K56786D";
    for port in [a.port, b.port, a.port, b.port] {
        let r = call(port, "GET", ask, None, None).unwrap();
        assert_eq!(r.status, 200, "{}", r.body);
    }
    for port in [a.port, b.port] {
        let r = call(port, "GET", ask, None, None).unwrap();
        assert_eq!(r.status, 429, "four a minute between the two servers: {}", r.body);
        assert!(
            r.header("retry-after")
                .is_some_and(|s| s.parse::<u64>().is_ok_and(|s| (1..=60).contains(&s)))
        );
    }

    // (b) A client streams commands to A over two connections; A is killed with SIGKILL (by its
    // PID: `Child::kill`) once it has acknowledged a dozen, with more in flight.
    let acknowledged: Arc<Mutex<Vec<Reply>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let (acknowledged, stop, session, port) = (acknowledged.clone(), stop.clone(), session.clone(), a.port);
            std::thread::spawn(move || {
                let mut unacknowledged = Vec::new();
                for i in 1..=400 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let id = format!("HB-K{w}-{i}");
                    match call(
                        port,
                        "POST",
                        "/api/v1/commands",
                        Some(&session),
                        Some(&carry_command(&id)),
                    ) {
                        Some(r) if r.status == 200 => acknowledged.lock().unwrap().push(r),
                        Some(r) => panic!("A refused {id}: {} {}", r.status, r.body),
                        // Sent (or not) when A died: no answer, no promise.
                        None => {
                            unacknowledged.push(id);
                            break;
                        }
                    }
                }
                unacknowledged
            })
        })
        .collect();
    let start = Instant::now();
    while acknowledged.lock().unwrap().len() < 12 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "A acknowledged too few commands"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let unacknowledged: Vec<String> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    assert!(acknowledged.len() >= 12);

    // B keeps answering.
    assert_eq!(servers::status(b.port, "/healthz"), Some(200));
    // Every acknowledged command is in the log, at the sequence number and with the hash A
    // reported; B shows its case.
    for r in &acknowledged {
        let (stream, seq, hash) = first_event(r);
        assert_eq!(events_of(&mut raw, &stream).await, vec![(seq, hash)], "{stream}");
        let id = stream.trim_start_matches("base/");
        visible_after(b.port, &format!("/api/v1/bases/{id}"));
    }
    // What A never answered is either whole in the log or not there at all.
    for id in &unacknowledged {
        assert!(events_of(&mut raw, &format!("base/{id}")).await.len() <= 1, "{id}");
    }
    // B takes new commands from the same session.
    let r = call(
        b.port,
        "POST",
        "/api/v1/commands",
        Some(&session),
        Some(&carry_command("HB-AFTER-KILL")),
    )
    .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    drop(b);
    drop(a);

    let verified = guohe(&db, &keys, &["audit", "verify"]);
    let out = String::from_utf8_lossy(&verified.stdout);
    assert!(out.contains("intact:"), "{out}");
    drop(raw);
    database.drop_now().await;
}
