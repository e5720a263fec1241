//! Signed-in readings reuse the session loaded a moment ago (`session_memo`), yet a lock, an
//! ended session or a deactivation is in force for the very next request, and a change made
//! behind the server's back (another server, the command line) within the memo's second.

use crate::common;

use common::*;
use guohe_store::AccountRole;

const UNIT_USCC: &str = "91430100MA4L12346D";

async fn signed_in_unit() -> TestApp {
    let app = spawn_app().await;
    app.add_user("memo-unit", AccountRole::SupportUnit, Some(UNIT_USCC))
        .await;
    app.login("memo-unit", PASSWORD).await;
    assert_eq!(app.get("/unit").await.status, 200, "signed in");
    app
}

#[tokio::test]
async fn a_lock_made_by_the_server_ends_the_next_reading_at_once() {
    let app = signed_in_unit().await;
    // Two readings in a row: the second is answered from the memo.
    assert_eq!(app.get("/unit").await.status, 200);
    let until = chrono::Utc::now() + chrono::Duration::minutes(15);
    guohe_web::accounts::lock(&app.state, "system:test", "memo-unit", until)
        .await
        .unwrap();
    let r = app.get("/unit").await;
    assert_eq!(r.status, 303, "a locked account's session is refused at once");
    assert!(r.location().starts_with("/login"), "{}", r.location());
}

#[tokio::test]
async fn signing_out_is_in_force_for_the_next_reading() {
    let app = signed_in_unit().await;
    assert_eq!(app.get("/unit").await.status, 200);
    let cookies = app.cookies.lock().unwrap().clone();
    let r = app.post_form("/unit", "/logout", &[]).await;
    assert!(r.status < 400, "signed out: {}", r.status);
    // The old cookie, replayed, no longer names a session, memo or not.
    *app.cookies.lock().unwrap() = cookies;
    assert_eq!(app.get("/unit").await.status, 303);
}

#[tokio::test]
async fn a_change_behind_the_servers_back_is_seen_within_the_memos_second() {
    let app = signed_in_unit().await;
    assert_eq!(app.get("/unit").await.status, 200);
    // Straight to the table, as another server or the command line would: no audit, no
    // forgetting on this server.
    app.state.accounts.set_active("memo-unit", false).await.unwrap();
    tokio::time::sleep(guohe_web::session_memo::TTL + std::time::Duration::from_millis(100)).await;
    assert_eq!(
        app.get("/unit").await.status,
        303,
        "after the memo's lifetime the deactivated account is refused"
    );
}

#[tokio::test]
async fn a_write_does_not_use_the_memo() {
    let app = signed_in_unit().await;
    assert_eq!(app.get("/unit").await.status, 200);
    app.state.accounts.set_active("memo-unit", false).await.unwrap();
    // A form post loads the session afresh: the deactivated account cannot write, even within
    // the second in which its readings might still be answered. Its form's token belonged to the
    // session, which no longer counts: the post is refused before any handler runs.
    let r = app.post_form("/unit", "/unit/drafts", &[("kind", "application")]).await;
    assert_eq!(r.status, 403, "refused: {}", r.body);
    // And the post emptied the memo: the next reading is refused too.
    assert_eq!(app.get("/unit").await.status, 303);
}
