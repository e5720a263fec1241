//! 双因素认证 — the second factor (TOTP, RFC 6238) of the accounts that must have one.
//!
//! * [`requires_second_factor`] says which roles must enrol; it is the one place to extend when
//!   administrator roles are added.
//! * An account of such a role that has not confirmed a second factor signs in with its
//!   password alone but can then do nothing except enrol (scan the QR code, confirm with a
//!   code) or sign out: the request frame sends it to `/account/2fa`.
//! * An enrolled account signs in only with a valid code (±1 step of clock drift; a step once
//!   accepted is spent, so a code cannot be replayed) or an unused recovery code, which is then
//!   spent.
//! * Secrets are stored server-side; recovery codes only as digests. Every enrolment, use of a
//!   recovery code and failure is audited on the hash chain.

use chrono::Utc;
use guohe_store::AccountRole;
use guohe_store::signin::{SecondFactor, SigninStore};
use serde_json::json;

use crate::AppState;
use crate::accounts::audit_plain;
use crate::error::{WebError, WebResult};
use crate::security::{RequestCtx, audit};
use crate::totp;

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "国合 Guohe";

/// Whether accounts of a role must sign in with a second factor: the department and the three
/// administrators (等保 level 3 asks two factors of administrators and of those who decide).
pub fn requires_second_factor(role: AccountRole) -> bool {
    matches!(role, AccountRole::Department) || role.is_administrator()
}

fn store(state: &AppState) -> SigninStore {
    state.guohe.signin()
}

/// An account's second factor, if it has confirmed one.
pub async fn confirmed(state: &AppState, login: &str) -> WebResult<Option<SecondFactor>> {
    Ok(store(state)
        .second_factor(login)
        .await?
        .filter(|f| f.confirmed_at.is_some()))
}

/// Whether an account must still enrol before it may do anything else.
pub async fn must_enrol(state: &AppState, login: &str, role: AccountRole) -> WebResult<bool> {
    Ok(requires_second_factor(role) && confirmed(state, login).await?.is_none())
}

/// Enrols an account at once, without a confirming code (the demo, tools run by the
/// department's administrators): a new secret, confirmed, and new recovery codes. Returns the
/// base32 secret and the recovery codes. Audited as `SecondFactorEnrolled`.
pub async fn enrol_confirmed(state: &AppState, by: &str, login: &str) -> WebResult<(String, Vec<String>)> {
    if state.accounts.account(login).await?.is_none() {
        return Err(WebError::NotFound);
    }
    let secret = totp::new_secret();
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_code_hash(login, c)).collect();
    store(state)
        .confirm_enrolment(login, &secret, None, &hashes, Utc::now())
        .await?;
    audit_plain(
        state,
        by,
        "SecondFactorEnrolled",
        json!({ "account": login, "method": "totp", "confirmed_by": "administrator", "recovery_codes": codes.len() }),
    )
    .await?;
    Ok((secret, codes))
}

/// The secret of an enrolment in progress (created on first call; the same until confirmed).
pub async fn pending_secret(state: &AppState, login: &str) -> WebResult<SecondFactor> {
    Ok(store(state)
        .start_enrolment(login, &totp::new_secret(), Utc::now())
        .await?)
}

/// Confirms the enrolment in progress with a code from the authenticator. On success returns
/// the new recovery codes (to be shown once); the code's step is spent. Audited either way.
pub async fn confirm(state: &AppState, ctx: &RequestCtx, login: &str, code: &str) -> WebResult<Option<Vec<String>>> {
    let f = pending_secret(state, login).await?;
    let key = totp::base32_decode(&f.secret)
        .ok_or_else(|| WebError::Internal(format!("stored secret of {login} is not base32")))?;
    let actor = format!("user:{login}");
    let Some(step) = totp::matching_step(&key, code, Utc::now().timestamp()) else {
        audit(
            state,
            ctx,
            &actor,
            "SecondFactorFailed",
            json!({ "account": login, "during": "enrolment" }),
        )
        .await;
        return Ok(None);
    };
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::recovery_code_hash(login, c)).collect();
    store(state)
        .confirm_enrolment(login, &f.secret, Some(step), &hashes, Utc::now())
        .await?;
    audit(
        state,
        ctx,
        &actor,
        "SecondFactorEnrolled",
        json!({ "account": login, "method": "totp", "confirmed_by": "code", "recovery_codes": codes.len() }),
    )
    .await;
    Ok(Some(codes))
}

/// What the second-factor check at sign-in found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The role needs none, or the account has not enrolled yet (it must enrol next).
    NotRequired,
    /// A valid, unused code.
    Code,
    /// An unused recovery code, now spent.
    RecoveryCode,
    /// No code, a wrong one, or one already used.
    Failed,
}

/// Checks `otp` (a TOTP code or a recovery code) for an account whose password was right.
/// Failures and uses of recovery codes are audited.
pub async fn check_at_sign_in(
    state: &AppState,
    ctx: &RequestCtx,
    login: &str,
    role: AccountRole,
    otp: &str,
) -> WebResult<Check> {
    if !requires_second_factor(role) {
        return Ok(Check::NotRequired);
    }
    let Some(f) = confirmed(state, login).await? else {
        return Ok(Check::NotRequired);
    };
    let actor = format!("user:{login}");
    let otp = otp.trim();
    let s = store(state);
    let now = Utc::now();
    let key = totp::base32_decode(&f.secret)
        .ok_or_else(|| WebError::Internal(format!("stored secret of {login} is not base32")))?;
    let mut reason = if otp.is_empty() { "missing" } else { "wrong" };
    if otp.len() == totp::DIGITS as usize && otp.bytes().all(|b| b.is_ascii_digit()) {
        // Any step in the drift window that is later than the last one accepted will do.
        let current = totp::step_of(now.timestamp());
        for step in current - totp::DRIFT_STEPS..=current + totp::DRIFT_STEPS {
            if crate::security::same_secret(&totp::code_at_step(&key, step), otp) {
                if s.accept_step(login, step).await? {
                    return Ok(Check::Code);
                }
                reason = "replayed";
            }
        }
    } else if otp.len() <= 64
        && !otp.is_empty()
        && s.spend_recovery_code(login, &totp::recovery_code_hash(login, otp), now)
            .await?
    {
        let left = s.unused_recovery_codes(login).await?;
        audit(
            state,
            ctx,
            &actor,
            "RecoveryCodeUsed",
            json!({ "account": login, "remaining": left }),
        )
        .await;
        return Ok(Check::RecoveryCode);
    }
    audit(
        state,
        ctx,
        &format!("public:{}", ctx.client.ip),
        "SecondFactorFailed",
        json!({ "account": login, "during": "sign_in", "reason": reason }),
    )
    .await;
    Ok(Check::Failed)
}

/// Removes an account's second factor (lost phone and recovery codes): the owner must enrol
/// again at the next sign-in. Audited.
pub async fn reset(state: &AppState, by: &str, login: &str) -> WebResult<()> {
    store(state).reset_second_factor(login).await?;
    audit_plain(state, by, "SecondFactorReset", json!({ "account": login })).await
}

/// Unused recovery codes of an account.
pub async fn recovery_codes_left(state: &AppState, login: &str) -> WebResult<i64> {
    Ok(store(state).unused_recovery_codes(login).await?)
}
