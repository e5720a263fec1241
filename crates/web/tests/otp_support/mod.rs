//! One-time codes for the test clients, computed as an authenticator app would from the secret
//! that `guohe serve --demo` prints beside each department login.
#![allow(dead_code)]

use std::time::Duration;

use guohe_store::signin::SigninStore;
use guohe_web::{AppState, totp};

/// The secret printed for `login` by the demo's login list (`None`: the account has no second
/// factor, or has not enrolled yet).
pub async fn printed_secret(state: &AppState, login: &str) -> Option<String> {
    let text = guohe_web::demo::logins_text(state).await.expect("demo logins");
    text.lines().find_map(|l| {
        let (head, secret) = l.split_once("TOTP secret: ")?;
        head.split_whitespace()
            .any(|w| w == login)
            .then(|| secret.trim().to_string())
            .filter(|s| totp::base32_decode(s).is_some_and(|k| !k.is_empty()))
    })
}

/// A code for the next sign-in of `login`: the oldest step of the ±1-step window that the
/// server has not accepted yet and that will still be inside the window when the request lands
/// (the previous step only while at least five seconds of the current one remain); when all
/// are spent, waits for the next step. Empty for accounts without a second factor.
pub async fn code_for(state: &AppState, login: &str) -> String {
    let Some(secret) = printed_secret(state, login).await else {
        return String::new();
    };
    code_from_secret(state, login, &secret).await
}

/// Like [`code_for`], from a secret the test read itself (e.g. from the enrolment page).
pub async fn code_from_secret(state: &AppState, login: &str, secret: &str) -> String {
    let key = totp::base32_decode(secret).expect("the secret is base32");
    let store = SigninStore::new(state.guohe.log());
    loop {
        let last = store
            .second_factor(login)
            .await
            .expect("second factor")
            .and_then(|f| f.last_step);
        let now = chrono::Utc::now();
        let current = totp::step_of(now.timestamp());
        let left_ms = (current + 1) * totp::STEP_SECONDS * 1000 - now.timestamp_millis();
        let oldest = if left_ms >= 5000 { current - 1 } else { current };
        if let Some(step) = (oldest..=current + 1).find(|s| last.is_none_or(|l| *s > l)) {
            return totp::code_at_step(&key, step);
        }
        tokio::time::sleep(Duration::from_millis(left_ms.max(0) as u64 + 50)).await;
    }
}
