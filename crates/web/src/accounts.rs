//! 账号服务 — creating accounts and organisations, signing in (with throttling and the second
//! factor), changing passwords, locking and unlocking. Every change is written to the account tables AND audited on the hash chain
//! (`Guohe::audit`), so who changed which account, when, is tamper-evident.

use chrono::{DateTime, Utc};
use guohe_store::{Account, AccountProfile, AccountRole, NewAccount, Organisation};
use serde_json::json;

use crate::AppState;
use crate::error::{FieldError, WebError, WebResult};
use crate::security::{RequestCtx, audit};
use crate::{password, second_factor, throttle};

/// An account to create, with its password in clear (hashed here).
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login: 3–32 of `a-z 0-9 . _ -`.
    pub login: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: AccountRole,
    /// Organisation (unit USCC, recommender id, expert's unit USCC).
    pub org_id: Option<String>,
    /// Initial password (must meet the complexity rule).
    pub password: String,
    /// 所属省份, GB/T 2260 two-digit code. Empty for a support unit means "where its USCC says it
    /// is registered"; an administrator may have none (then it administers every province).
    pub province: String,
    /// The first sign-in must change the password (accounts created by an administrator).
    pub must_change_password: bool,
    /// An expert's title, unit name and domains.
    pub profile: AccountProfile,
    /// A self-registered support unit, inactive until its department approves it.
    pub pending_approval: bool,
}

/// The province an organisation code is registered in: digits 3–4 of a USCC (the first two of
/// its registration division, GB 32100 §4), when they are a province code.
pub fn province_of_uscc(uscc: &str) -> Option<String> {
    let parsed = guohe_reference::uscc::parse(uscc.trim()).ok()?;
    guohe_reference::region::province_code(parsed.division_code())
        .ok()
        .filter(|p| p.as_bytes()[0] != b'0' && p != &"10")
        .map(str::to_string)
}

/// Checks a province code: two digits of a province-level division (GB/T 2260: 11–82).
pub fn check_province(role: AccountRole, province: &str) -> Result<String, FieldError> {
    let p = province.trim();
    if p.is_empty() && role.is_administrator() {
        return Ok(String::new());
    }
    let ok = p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) && ("11".."83").contains(&p);
    if ok {
        Ok(p.to_string())
    } else {
        Err(FieldError::new(
            "province",
            "所属省份须为两位省级行政区划代码（如湖南 43、湖北 42）",
            "the province must be a two-digit province code (GB/T 2260, e.g. 43 for Hunan)",
        ))
    }
}

/// Normalises and checks a login name.
pub fn normalise_login(login: &str) -> Result<String, FieldError> {
    guohe_store::normalise_login(login).ok_or_else(|| {
        FieldError::new(
            "login",
            "用户名须为3至32位小写字母、数字或 . _ -",
            "3 to 32 of a-z, 0-9, . _ -",
        )
    })
}

/// Hashes off the async workers: Argon2 is deliberately slow.
pub async fn hash_password(state: &AppState, password: &str) -> WebResult<String> {
    guohe_app::passwords::hash_blocking(password, state.settings.argon2_memory_kib)
        .await
        .map_err(|e| WebError::Internal(format!("hashing: {e}")))
}

async fn verify_password(password: &str, phc: &str) -> WebResult<bool> {
    let (p, h) = (password.to_string(), phc.to_string());
    tokio::task::spawn_blocking(move || password::verify(&p, &h))
        .await
        .map_err(|e| WebError::Internal(format!("verifying task: {e}")))
}

/// Appends an account record to the chain outside a request (demo seeding, tools).
///
/// Every change to an account, a session or a second factor is audited here, so this is also
/// where the sessions loaded a moment ago are forgotten: the change is in force for the next
/// request even when it was not made by one (see `session_memo`).
pub async fn audit_plain(state: &AppState, actor: &str, kind: &str, mut payload: serde_json::Value) -> WebResult<()> {
    state.sessions.forget_all();
    if let Some(o) = payload.as_object_mut() {
        o.insert("at".into(), json!(Utc::now().to_rfc3339()));
    }
    state.guohe.audit(state.today(), actor, kind, payload).await?;
    Ok(())
}

/// Creates an organisation (推荐单位 and its jurisdiction); audited.
pub async fn create_organisation(state: &AppState, by: &str, org: &Organisation) -> WebResult<()> {
    state.accounts.create_organisation(org, Utc::now()).await?;
    audit_plain(
        state,
        by,
        "OrganisationCreated",
        json!({ "organisation": org.id, "name": org.name, "region_prefixes": org.region_prefixes, "unit_usccs": org.unit_usccs, "province": org.province }),
    )
    .await
}

/// Creates an account after checking the login and the password rule; audited.
pub async fn create_account(state: &AppState, by: &str, u: NewUser) -> WebResult<Account> {
    let login = normalise_login(&u.login).map_err(|e| bad(vec![e]))?;
    password::check_complexity(&login, &u.password, "password").map_err(|e| bad(vec![e]))?;
    if let Some(org) = &u.org_id
        && matches!(u.role, AccountRole::SupportUnit | AccountRole::Expert)
        && !guohe_reference::uscc::is_valid(org)
    {
        return Err(bad(vec![FieldError::new(
            "org_id",
            "统一社会信用代码无效",
            "invalid unified social credit code",
        )]));
    }
    let province = match (u.role, &u.org_id) {
        (AccountRole::SupportUnit, Some(uscc)) if u.province.trim().is_empty() => {
            province_of_uscc(uscc).unwrap_or_default()
        }
        _ => u.province.trim().to_string(),
    };
    let province = check_province(u.role, &province).map_err(|e| bad(vec![e]))?;
    let hash = hash_password(state, &u.password).await?;
    let account = state
        .guohe
        .create_account(
            &state.accounts,
            &NewAccount {
                login,
                display_name: u.display_name.trim().to_string(),
                role: u.role,
                org_id: u.org_id.clone(),
                password_hash: hash,
                province,
                must_change_password: u.must_change_password,
                profile: u.profile.clone(),
                pending_approval: u.pending_approval,
            },
            by,
            state.today(),
        )
        .await?;
    Ok(account)
}

fn bad(fields: Vec<FieldError>) -> WebError {
    WebError::BadRequest {
        zh: "提交的内容有误，请按提示修改。".into(),
        en: "Some fields need correcting.".into(),
        fields,
    }
}

/// Why a sign-in failed. The page says the same thing for every reason but throttling, so
/// nobody learns whether a login exists; the reason goes to the audit trail only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    /// No such login.
    UnknownLogin,
    /// Wrong password.
    BadPassword,
    /// Locked by an administrator.
    Locked,
    /// Disabled.
    Inactive,
    /// The password was right but the second-factor code was missing, wrong or used.
    SecondFactor,
    /// Too many failures: this attempt was not even checked. Try again after this many seconds.
    Throttled(u64),
}

impl LoginFailure {
    fn code(self) -> &'static str {
        match self {
            LoginFailure::UnknownLogin => "unknown_login",
            LoginFailure::BadPassword => "bad_password",
            LoginFailure::Locked => "locked",
            LoginFailure::Inactive => "inactive",
            LoginFailure::SecondFactor => "second_factor",
            LoginFailure::Throttled(_) => "throttled",
        }
    }
}

/// Checks a login, password and (for roles that need one) second-factor code; throttles
/// repeated failures (see [`crate::throttle`]: an attempt made too early is refused without
/// running Argon2); audits everything. Failures never lock the account nor end its sessions.
pub async fn authenticate(
    state: &AppState,
    ctx: &RequestCtx,
    login: &str,
    password: &str,
    otp: &str,
) -> WebResult<Result<Account, LoginFailure>> {
    let now = Utc::now();
    let login = login.trim().to_ascii_lowercase();
    let attempted: String = login.chars().take(64).collect();
    let keys = throttle::Keys::new(&attempted, &ctx.client.ip);
    let mut wait = throttle::wait(state, &keys, now).await?;
    if wait.is_zero() {
        wait = throttle::reserve(state, &keys, now).await?;
    }
    if !wait.is_zero() {
        let secs = throttle::seconds(wait);
        audit(
            state,
            ctx,
            &format!("public:{}", ctx.client.ip),
            "LoginThrottled",
            json!({ "login": attempted, "retry_after_seconds": secs }),
        )
        .await;
        return Ok(Err(LoginFailure::Throttled(secs)));
    }
    let account = if login.is_empty() || login.len() > 64 {
        None
    } else {
        state.accounts.account(&login).await?
    };
    let failure = match &account {
        None => {
            // Same work as a real check, so timing does not tell whether the login exists.
            let decoy = password::decoy_hash(state.settings.argon2_memory_kib);
            verify_password(password, &decoy).await?;
            Some(LoginFailure::UnknownLogin)
        }
        Some(a) => {
            let ok = verify_password(password, &a.password_hash).await?;
            if a.is_locked(now) {
                Some(LoginFailure::Locked)
            } else if !a.active {
                Some(LoginFailure::Inactive)
            } else if !ok {
                Some(LoginFailure::BadPassword)
            } else if second_factor::check_at_sign_in(state, ctx, &a.login, a.role, otp).await?
                == second_factor::Check::Failed
            {
                Some(LoginFailure::SecondFactor)
            } else {
                None
            }
        }
    };
    match (failure, account) {
        (None, Some(a)) => {
            state.accounts.record_successful_login(&a.login).await?;
            throttle::record_success(state, &keys).await?;
            audit(
                state,
                ctx,
                &format!("user:{}", a.login),
                "LoginSucceeded",
                json!({ "account": a.login, "role": a.role.as_str() }),
            )
            .await;
            Ok(Ok(a))
        }
        (Some(f), _) => {
            // Already counted by `throttle::reserve`.
            audit(
                state,
                ctx,
                &format!("public:{}", ctx.client.ip),
                "LoginFailed",
                json!({ "login": attempted, "reason": f.code() }),
            )
            .await;
            Ok(Err(f))
        }
        (None, None) => Ok(Err(LoginFailure::UnknownLogin)),
    }
}

/// Changes one's own password after checking the current one and the rule; ends every other
/// session of the account; audited.
pub async fn change_password(
    state: &AppState,
    ctx: &RequestCtx,
    login: &str,
    current: &str,
    new: &str,
    confirm: &str,
) -> WebResult<Result<(), Vec<FieldError>>> {
    let Some(a) = state.accounts.account(login).await? else {
        return Err(WebError::NotFound);
    };
    let mut errors = Vec::new();
    if !verify_password(current, &a.password_hash).await? {
        errors.push(FieldError::new(
            "current",
            "当前口令不正确。",
            "The current password is wrong.",
        ));
    }
    if let Err(e) = password::check_complexity(login, new, "new") {
        errors.push(e);
    } else if new == current {
        errors.push(FieldError::new(
            "new",
            "新口令不能与当前口令相同。",
            "The new password must differ from the current one.",
        ));
    }
    if new != confirm {
        errors.push(FieldError::new(
            "confirm",
            "两次输入的新口令不一致。",
            "The two new passwords differ.",
        ));
    }
    if !errors.is_empty() {
        audit(
            state,
            ctx,
            &format!("user:{login}"),
            "PasswordChangeRefused",
            json!({ "fields": errors.iter().map(|e| e.field.clone()).collect::<Vec<_>>() }),
        )
        .await;
        return Ok(Err(errors));
    }
    let hash = hash_password(state, new).await?;
    state.accounts.set_password(login, &hash, Utc::now()).await?;
    state.accounts.delete_sessions_of(login).await?;
    audit(
        state,
        ctx,
        &format!("user:{login}"),
        "PasswordChanged",
        json!({ "account": login }),
    )
    .await;
    Ok(Ok(()))
}

/// Locks an account until a time (administrative); ends its sessions; audited.
pub async fn lock(state: &AppState, by: &str, login: &str, until: DateTime<Utc>) -> WebResult<()> {
    state.accounts.lock(login, until).await?;
    state.accounts.delete_sessions_of(login).await?;
    audit_plain(
        state,
        by,
        "AccountLocked",
        json!({ "account": login, "locked_until": until.to_rfc3339() }),
    )
    .await
}

/// Lifts a lock and clears the account's sign-in throttle counters (its own and those of every
/// client address with it); audited.
pub async fn unlock(state: &AppState, by: &str, login: &str) -> WebResult<()> {
    state.accounts.unlock(login).await?;
    let cleared = throttle::clear_account(state, login).await?;
    audit_plain(
        state,
        by,
        "AccountUnlocked",
        json!({ "account": login, "throttle_counters_cleared": cleared }),
    )
    .await
}
