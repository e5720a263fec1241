//! 系统管理 — the administrators' services (三权分立, GB/T 22239-2019 §8.1.4.2 and §8.1.5): the
//! system administrator keeps organisations and accounts, the security administrator the
//! password and lock-out settings, locks and sessions, and the department approves the support
//! units that registered themselves. Each service asks [`crate::authz`] first, checks its input
//! naming the field, and puts the act on the hash chain; no administrator reaches a business
//! step (that is refused in [`crate::authz::may_command`]).
//!
//! Administrator accounts themselves are created only from the command line (`guohe account
//! create`), so that no administrator can make another one and hold two duties.

use chrono::Utc;
use guohe_store::{Account, AccountProfile, AccountRole, Organisation, SecuritySettings};
use serde_json::json;

use crate::AppState;
use crate::accounts::{self, NewUser, check_province, normalise_login};
use crate::authz::{self, Action, Principal};
use crate::error::{FieldError, WebError, WebResult};

/// The account form of the system administrator, as typed.
#[derive(Debug, Clone, Default)]
pub struct AccountForm {
    /// Login (new accounts only).
    pub login: String,
    /// Display name.
    pub display_name: String,
    /// Role code (new accounts only).
    pub role: String,
    /// Province code.
    pub province: String,
    /// Organisation: a unit's or expert unit's USCC, or a recommender's organisation id.
    pub org_id: String,
    /// An expert's title.
    pub title: String,
    /// An expert's unit name.
    pub unit_name: String,
    /// An expert's domains, separated by 、 , ; or new lines.
    pub domains: String,
    /// The initial password (new accounts only); it must be changed at the first sign-in.
    pub password: String,
}

/// The business roles an administrator may create (administrators come from the command line).
pub const BUSINESS_ROLES: [AccountRole; 4] = [
    AccountRole::Department,
    AccountRole::Recommender,
    AccountRole::SupportUnit,
    AccountRole::Expert,
];

fn field(name: &str, zh: impl Into<String>, en: impl Into<String>) -> FieldError {
    FieldError::new(name, zh, en)
}

fn text(v: &str, name: &str, label: &str, max: usize, required: bool, errs: &mut Vec<FieldError>) -> String {
    let t = v.trim();
    if required && t.is_empty() {
        errs.push(field(name, format!("请填写{label}"), format!("{name} is required")));
    } else if t.chars().count() > max {
        errs.push(field(
            name,
            format!("{label}不得超过{max}个字符"),
            format!("{name} is longer than {max} characters"),
        ));
    }
    t.to_string()
}

/// Whether an administrator's province covers an account's (an administrator without a
/// province administers every province of the deployment).
fn covers(admin: &Principal, province: &str) -> bool {
    admin.province.is_empty() || admin.province == province
}

fn outside_province() -> WebError {
    WebError::Forbidden {
        zh: "该账号不属于您管理的省份。".into(),
        en: "This account is not in the province you administer.".into(),
    }
}

/// Checks the organisation of an account for its role, naming the field.
async fn check_org(
    state: &AppState,
    role: AccountRole,
    province: &str,
    org: &str,
) -> Result<Option<String>, FieldError> {
    let org = org.trim();
    match role {
        AccountRole::Department => Ok(None),
        AccountRole::SupportUnit | AccountRole::Expert => {
            if let Err(e) = guohe_reference::uscc::parse(org) {
                let label = if role == AccountRole::Expert {
                    "专家所在单位的统一社会信用代码"
                } else {
                    "统一社会信用代码"
                };
                return Err(field(
                    "org_id",
                    format!("{label}无效：{e}"),
                    format!("invalid USCC: {e}"),
                ));
            }
            Ok(Some(org.to_ascii_uppercase()))
        }
        AccountRole::Recommender => match state.accounts.organisation(org).await {
            Ok(Some(o)) if o.province == province => Ok(Some(o.id)),
            Ok(Some(_)) => Err(field(
                "org_id",
                "该推荐单位不属于所选省份",
                "the recommender organisation is in another province",
            )),
            _ => Err(field(
                "org_id",
                "请选择已登记的推荐单位（先在“机构”中登记）",
                "choose a registered recommender organisation",
            )),
        },
        _ => Err(field(
            "role",
            "管理员账号只能通过命令行创建",
            "administrators are created from the command line",
        )),
    }
}

fn profile_of(f: &AccountForm, role: AccountRole, errs: &mut Vec<FieldError>) -> AccountProfile {
    if role != AccountRole::Expert {
        return AccountProfile::default();
    }
    expert_profile(&f.title, &f.unit_name, &f.domains, errs)
}

/// 专家信息 — an expert's title, unit name and domains (separated by 、 , ; or new lines), as
/// the account page and `guohe account create` both require them; errors name the field
/// (`title`, `unit_name`, `domains`).
pub fn expert_profile(title: &str, unit_name: &str, domains: &str, errs: &mut Vec<FieldError>) -> AccountProfile {
    let domains: Vec<String> = domains
        .split(['、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .collect();
    if domains.len() > 20 || domains.iter().any(|d| d.chars().count() > 40) {
        errs.push(field(
            "domains",
            "技术领域至多20项，每项不超过40字",
            "at most 20 domains of 40 characters",
        ));
    }
    AccountProfile {
        title: text(title, "title", "职称", 40, true, errs),
        unit_name: text(unit_name, "unit_name", "工作单位", 100, true, errs),
        domains,
    }
}

fn bad(fields: Vec<FieldError>) -> WebError {
    WebError::BadRequest {
        zh: "提交的内容有误，请按提示修改。".into(),
        en: "Some fields need correcting.".into(),
        fields,
    }
}

/// 系统管理员 creates a business account; its first sign-in must change the password.
pub async fn create_account(state: &AppState, admin: &Principal, f: &AccountForm) -> WebResult<Account> {
    authz::may(admin, Action::ManageAccounts)?;
    let mut errs = Vec::new();
    let role = AccountRole::parse(f.role.trim()).filter(|r| BUSINESS_ROLES.contains(r));
    if role.is_none() {
        errs.push(field("role", "请选择角色", "choose a role"));
    }
    if let Err(e) = normalise_login(&f.login) {
        errs.push(e);
    }
    let display_name = text(&f.display_name, "display_name", "名称", 64, true, &mut errs);
    let role = role.unwrap_or(AccountRole::Department);
    let province = match check_province(role, &f.province) {
        Ok(p) => p,
        Err(e) => {
            errs.push(e);
            String::new()
        }
    };
    if !province.is_empty() && !covers(admin, &province) {
        return Err(outside_province());
    }
    let org = match check_org(state, role, &province, &f.org_id).await {
        Ok(o) => o,
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let profile = profile_of(f, role, &mut errs);
    if !errs.is_empty() {
        return Err(bad(errs));
    }
    accounts::create_account(
        state,
        &admin.audit_id(),
        NewUser {
            login: f.login.clone(),
            display_name,
            role,
            org_id: org,
            password: f.password.clone(),
            province,
            must_change_password: true,
            profile,
            pending_approval: false,
        },
    )
    .await
}

/// 系统管理员 changes an account's name, organisation, province and profile.
pub async fn update_account(state: &AppState, admin: &Principal, login: &str, f: &AccountForm) -> WebResult<()> {
    authz::may(admin, Action::ManageAccounts)?;
    let a = state.accounts.account(login).await?.ok_or(WebError::NotFound)?;
    if a.role.is_administrator() || !covers(admin, &a.province) {
        return Err(outside_province());
    }
    let mut errs = Vec::new();
    let display_name = text(&f.display_name, "display_name", "名称", 64, true, &mut errs);
    let province = check_province(a.role, &f.province).unwrap_or_else(|e| {
        errs.push(e);
        String::new()
    });
    if !province.is_empty() && !covers(admin, &province) {
        return Err(outside_province());
    }
    let org = check_org(state, a.role, &province, &f.org_id)
        .await
        .unwrap_or_else(|e| {
            errs.push(e);
            None
        });
    let profile = profile_of(f, a.role, &mut errs);
    if !errs.is_empty() {
        return Err(bad(errs));
    }
    state
        .accounts
        .update_account(login, &display_name, org.as_deref(), &province, &profile)
        .await?;
    accounts::audit_plain(
        state,
        &admin.audit_id(),
        "AccountChanged",
        json!({ "account": login, "display_name": display_name, "org": org, "province": province, "profile": profile }),
    )
    .await
}

/// 系统管理员 deactivates or reactivates an account (never deletes it); deactivating ends its
/// sessions.
pub async fn set_active(state: &AppState, admin: &Principal, login: &str, active: bool) -> WebResult<()> {
    authz::may(admin, Action::ManageAccounts)?;
    let a = state.accounts.account(login).await?.ok_or(WebError::NotFound)?;
    if a.role.is_administrator() || !covers(admin, &a.province) {
        return Err(outside_province());
    }
    state.accounts.set_active(login, active).await?;
    let kind = if active { "AccountEnabled" } else { "AccountDisabled" };
    accounts::audit_plain(state, &admin.audit_id(), kind, json!({ "account": login })).await
}

/// 系统管理员 sets a new initial password, to be changed at the next sign-in.
pub async fn reset_password(state: &AppState, admin: &Principal, login: &str, password: &str) -> WebResult<()> {
    authz::may(admin, Action::ManageAccounts)?;
    let a = state.accounts.account(login).await?.ok_or(WebError::NotFound)?;
    if a.role.is_administrator() || !covers(admin, &a.province) {
        return Err(outside_province());
    }
    crate::password::check_complexity(login, password, "password").map_err(|e| bad(vec![e]))?;
    let hash = accounts::hash_password(state, password).await?;
    state.accounts.reset_password(login, &hash, Utc::now()).await?;
    state.accounts.delete_sessions_of(login).await?;
    accounts::audit_plain(state, &admin.audit_id(), "PasswordReset", json!({ "account": login })).await
}

/// The organisation form, as typed.
#[derive(Debug, Clone, Default)]
pub struct OrganisationForm {
    /// Id, e.g. `rec-changsha`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Province code.
    pub province: String,
    /// GB/T 2260 codes or prefixes it covers, separated by spaces, commas or 、.
    pub regions: String,
    /// USCCs of units it covers wherever they are registered.
    pub units: String,
}

fn list_of(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|x| !x.is_empty())
        .map(|x| x.to_ascii_uppercase())
        .collect()
}

/// 系统管理员 registers a recommender organisation with its jurisdiction (GB/T 2260 codes).
pub async fn create_organisation(state: &AppState, admin: &Principal, f: &OrganisationForm) -> WebResult<()> {
    authz::may(admin, Action::ManageAccounts)?;
    let mut errs = Vec::new();
    let id = normalise_login(&f.id).map_err(|_| {
        field(
            "id",
            "机构代号须为3至32位小写字母、数字或 . _ -",
            "3 to 32 of a-z, 0-9, . _ -",
        )
    });
    let id = id.unwrap_or_else(|e| {
        errs.push(e);
        String::new()
    });
    let name = text(&f.name, "name", "机构名称", 64, true, &mut errs);
    let province = check_province(AccountRole::Recommender, &f.province).unwrap_or_else(|e| {
        errs.push(e);
        String::new()
    });
    let regions = list_of(&f.regions);
    // The built-in table lists Hunan's and Hubei's divisions; elsewhere only the shape is checked.
    let table = guohe_reference::region::all();
    let tabled = table.iter().any(|x| x.code.starts_with(province.as_str()));
    for r in &regions {
        let ok = (2..=6).contains(&r.len())
            && r.len() % 2 == 0
            && r.bytes().all(|b| b.is_ascii_digit())
            && r.starts_with(province.as_str())
            && (!tabled || table.iter().any(|x| x.code.starts_with(r.as_str())));
        if !ok {
            errs.push(field(
                "regions",
                format!("“{r}”不是所选省份的行政区划代码（GB/T 2260，2、4 或 6 位）"),
                format!("`{r}` is not a GB/T 2260 code (2, 4 or 6 digits) of the province"),
            ));
        }
    }
    let units = list_of(&f.units);
    for u in &units {
        if let Err(e) = guohe_reference::uscc::parse(u) {
            errs.push(field("units", format!("“{u}”：{e}"), format!("`{u}`: {e}")));
        }
    }
    if regions.is_empty() && units.is_empty() && errs.iter().all(|e| e.field != "regions") {
        errs.push(field(
            "regions",
            "请填写管辖的行政区划代码或所辖单位",
            "give the region codes or the units it covers",
        ));
    }
    if !province.is_empty() && !covers(admin, &province) {
        return Err(outside_province());
    }
    if !errs.is_empty() {
        return Err(bad(errs));
    }
    let org = Organisation {
        id,
        name,
        kind: "recommender".into(),
        region_prefixes: regions,
        unit_usccs: units,
        province,
    };
    accounts::create_organisation(state, &admin.audit_id(), &org).await
}

/// What is wrong with a security policy, field by field (each setting within the range
/// GB/T 22239 practice allows: the idle timeout at most 30 minutes).
pub fn settings_errors(s: &SecuritySettings) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut range = |name: &str, v: u32, lo: u32, hi: u32, zh: &str| {
        if !(lo..=hi).contains(&v) {
            errs.push(field(
                name,
                format!("{zh}须在 {lo} 至 {hi} 之间"),
                format!("{name} must be between {lo} and {hi}"),
            ));
        }
    };
    range(
        "password_expiry_days",
        s.password_expiry_days,
        1,
        365,
        "口令有效期（天）",
    );
    range("throttle_after", s.throttle_after, 3, 10, "须等待前的连续失败次数");
    range(
        "throttle_cap_minutes",
        s.throttle_cap_minutes,
        5,
        1440,
        "最长等待时间（分钟）",
    );
    range("idle_minutes", s.idle_minutes, 5, 30, "会话空闲超时（分钟）");
    errs
}

/// 安全管理员 sets the password and lock-out policy.
pub async fn save_settings(state: &AppState, admin: &Principal, s: &SecuritySettings) -> WebResult<()> {
    authz::may(admin, Action::ManageSecurity)?;
    let errs = settings_errors(s);
    if !errs.is_empty() {
        return Err(bad(errs));
    }
    state
        .accounts
        .set_security_settings(s, &admin.account, Utc::now())
        .await?;
    accounts::audit_plain(
        state,
        &admin.audit_id(),
        "SecuritySettingsChanged",
        serde_json::to_value(s).unwrap_or_default(),
    )
    .await
}

/// 安全管理员 lifts a lock-out.
pub async fn unlock(state: &AppState, admin: &Principal, login: &str) -> WebResult<()> {
    authz::may(admin, Action::ManageSecurity)?;
    state.accounts.account(login).await?.ok_or(WebError::NotFound)?;
    accounts::unlock(state, &admin.audit_id(), login).await
}

/// 安全管理员 ends one session (by its digest) or every session of an account.
pub async fn end_sessions(
    state: &AppState,
    admin: &Principal,
    key: Option<&str>,
    login: Option<&str>,
) -> WebResult<u64> {
    authz::may(admin, Action::ManageSecurity)?;
    let n = match (key, login) {
        (Some(k), _) => u64::from(state.accounts.end_session(k).await?),
        (None, Some(l)) => state.accounts.delete_sessions_of(l).await?,
        (None, None) => 0,
    };
    accounts::audit_plain(
        state,
        &admin.audit_id(),
        "SessionsEnded",
        json!({ "session": key.map(|k| &k[..k.len().min(16)]), "account": login, "ended": n }),
    )
    .await?;
    Ok(n)
}

/// The department approves (or refuses) a support unit that registered itself, in its
/// province only.
pub async fn decide_registration(state: &AppState, dept: &Principal, login: &str, approve: bool) -> WebResult<()> {
    authz::may(dept, Action::ApproveRegistration)?;
    let a = state.accounts.account(login).await?.ok_or(WebError::NotFound)?;
    if !a.pending_approval {
        return Err(WebError::Conflict {
            zh: "该注册申请已处理。".into(),
            en: "This registration was already decided.".into(),
        });
    }
    if a.province != dept.province {
        return Err(outside_province());
    }
    if approve {
        state.accounts.approve_registration(login).await?;
    } else {
        state.accounts.refuse_registration(login).await?;
    }
    let kind = if approve {
        "RegistrationApproved"
    } else {
        "RegistrationRefused"
    };
    accounts::audit_plain(
        state,
        &dept.audit_id(),
        kind,
        json!({ "account": login, "org": a.org_id }),
    )
    .await
}
