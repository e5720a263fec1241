//! 账号与会话 — accounts, recommender organisations and server-side sessions for the web.
//!
//! The tables live in the same database as the event log and share its connection pool
//! ([`AccountStore::open`]), so several servers on one PostgreSQL share sign-ins. They have
//! their own schema version (`accounts_schema_version`), so the event log's migrations are never
//! affected. Account *changes* are also audited on the hash chain by the caller; these tables
//! hold only the current state.
//!
//! Session ids are stored as their SM3 digest: a copy of the table cannot be replayed as cookies.
//! Times are Unix seconds (UTC) in both backends, so one SQL text serves both.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::{Backend, EventLog, StoreError, sm3_hex};

const SQLITE_MIGRATIONS: &[&str] = &[
    include_str!("../migrations/sqlite/accounts_0001.sql"),
    include_str!("../migrations/sqlite/accounts_0002.sql"),
    include_str!("../migrations/sqlite/accounts_0003.sql"),
    include_str!("../migrations/sqlite/accounts_0004.sql"),
    include_str!("../migrations/sqlite/accounts_0005.sql"),
    include_str!("../migrations/sqlite/accounts_0006.sql"),
    include_str!("../migrations/sqlite/accounts_0007.sql"),
];
const POSTGRES_MIGRATIONS: &[&str] = &[
    include_str!("../migrations/postgres/accounts_0001.sql"),
    include_str!("../migrations/postgres/accounts_0002.sql"),
    include_str!("../migrations/postgres/accounts_0003.sql"),
    include_str!("../migrations/postgres/accounts_0004.sql"),
    include_str!("../migrations/postgres/accounts_0005.sql"),
    include_str!("../migrations/postgres/accounts_0006.sql"),
    include_str!("../migrations/postgres/accounts_0007.sql"),
];

/// Advisory lock key serialising concurrent account migrations ("guoheA").
const MIGRATION_LOCK: i64 = 0x0000_6775_6f68_6541;

/// The family's migrations, run by [`crate::tables::TableFamily`].
const TABLES: crate::tables::TableFamily = crate::tables::TableFamily {
    version_table: "accounts_schema_version",
    lock: MIGRATION_LOCK,
    sqlite: SQLITE_MIGRATIONS,
    postgres: POSTGRES_MIGRATIONS,
};

/// 角色 — what an account acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRole {
    /// 省科技厅.
    Department,
    /// 推荐单位.
    Recommender,
    /// 依托单位.
    SupportUnit,
    /// 评审专家.
    Expert,
    /// 系统管理员 — organisations and accounts (等保 §8.1.5.1), no business step.
    SystemAdmin,
    /// 安全管理员 — password policy, lock-out, unlocking, sessions (等保 §8.1.5.3).
    SecurityAdmin,
    /// 审计管理员 — reads, exports and verifies the audit log (等保 §8.1.5.2).
    AuditAdmin,
}

impl AccountRole {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountRole::Department => "department",
            AccountRole::Recommender => "recommender",
            AccountRole::SupportUnit => "support_unit",
            AccountRole::Expert => "expert",
            AccountRole::SystemAdmin => "system_admin",
            AccountRole::SecurityAdmin => "security_admin",
            AccountRole::AuditAdmin => "audit_admin",
        }
    }

    /// Every role, business roles first.
    pub const ALL: [AccountRole; 7] = [
        AccountRole::Department,
        AccountRole::Recommender,
        AccountRole::SupportUnit,
        AccountRole::Expert,
        AccountRole::SystemAdmin,
        AccountRole::SecurityAdmin,
        AccountRole::AuditAdmin,
    ];

    /// One of the three administrators (三权分立): they administer the system and take no
    /// business step.
    pub fn is_administrator(self) -> bool {
        matches!(
            self,
            AccountRole::SystemAdmin | AccountRole::SecurityAdmin | AccountRole::AuditAdmin
        )
    }

    /// Parses the stored code.
    pub fn parse(code: &str) -> Option<AccountRole> {
        Some(match code {
            "department" => AccountRole::Department,
            "recommender" => AccountRole::Recommender,
            "support_unit" => AccountRole::SupportUnit,
            "expert" => AccountRole::Expert,
            "system_admin" => AccountRole::SystemAdmin,
            "security_admin" => AccountRole::SecurityAdmin,
            "audit_admin" => AccountRole::AuditAdmin,
            _ => return None,
        })
    }
}

/// A login as stored — trimmed, lower-case, 3 to 32 of `a-z 0-9 . _ -` — or `None` when the
/// text is not one. Every way of making an account (pages, command line, import) checks with it.
pub fn normalise_login(login: &str) -> Option<String> {
    let l = login.trim().to_ascii_lowercase();
    let ok = (3..=32).contains(&l.len())
        && l.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    ok.then_some(l)
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Login name (lower-case ASCII).
    pub login: String,
    /// 姓名／单位名称 shown on pages.
    pub display_name: String,
    /// Role.
    pub role: AccountRole,
    /// 所属机构: a support unit's 统一社会信用代码, a recommender's organisation id, an expert's
    /// unit USCC; none for the department.
    pub org_id: Option<String>,
    /// PHC string of the password hash.
    pub password_hash: String,
    /// Consecutive failed sign-ins since the last success or lock.
    pub failed_logins: i64,
    /// Locked until then.
    pub locked_until: Option<DateTime<Utc>>,
    /// Disabled accounts cannot sign in.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Password last set.
    pub password_changed_at: DateTime<Utc>,
    /// 所属省份 — GB/T 2260 two-digit province code (`43` 湖南, `42` 湖北): the account works
    /// under that province's policies only. A support unit's is where it is registered.
    pub province: String,
    /// The password was set by someone else (or is the first one): it must be changed before
    /// anything else.
    pub must_change_password: bool,
    /// Professional details (an expert's title, unit name and domains).
    pub profile: AccountProfile,
    /// A support unit that registered itself, not yet approved by its province's department
    /// (it cannot sign in meanwhile).
    pub pending_approval: bool,
}

/// 专家信息 — an account's professional details. Only experts use them today; they are not
/// personal data (a title and a unit are public facts of a reviewer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountProfile {
    /// 职称, e.g. 教授、研究员、正高级工程师.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// 工作单位名称.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit_name: String,
    /// 熟悉的技术领域 (the policy's domain vocabulary codes or names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
}

impl Account {
    /// True while a lock-out is in force.
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|u| u > now)
    }
}

/// An account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// Login name.
    pub login: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: AccountRole,
    /// Organisation (see [`Account::org_id`]).
    pub org_id: Option<String>,
    /// PHC string of the password hash (hashing is the caller's business).
    pub password_hash: String,
    /// Province code (see [`Account::province`]).
    pub province: String,
    /// Must change the password at the next sign-in.
    pub must_change_password: bool,
    /// Professional details.
    pub profile: AccountProfile,
    /// Waits for approval (self-registration).
    pub pending_approval: bool,
}

/// 推荐单位 — a recommender organisation and its jurisdiction (管辖范围).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    /// Id, e.g. `rec-changsha`.
    pub id: String,
    /// Name, e.g. 长沙市科学技术局.
    pub name: String,
    /// Kind; `recommender` for now.
    pub kind: String,
    /// GB/T 2260 code prefixes it covers, e.g. `4301` (长沙市).
    pub region_prefixes: Vec<String>,
    /// Units it covers regardless of region (省直部门, 中央驻湘高校 …).
    pub unit_usccs: Vec<String>,
    /// Province code (GB/T 2260, two digits).
    pub province: String,
}

/// A server-side session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The account.
    pub login: String,
    /// The CSRF token every form of this session must carry.
    pub csrf_token: String,
    /// Signed in at.
    pub created_at: DateTime<Utc>,
    /// Last request.
    pub last_seen: DateTime<Utc>,
    /// Client IP at sign-in.
    pub client_ip: String,
    /// User agent at sign-in.
    pub user_agent: String,
}

/// What a failed sign-in did to the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedLogin {
    /// Failures counted so far (0 right after a lock).
    pub failures: i64,
    /// Set when this failure locked the account.
    pub locked_until: Option<DateTime<Utc>>,
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The login is taken.
    #[error("login {0} is already taken")]
    DuplicateLogin(String),
    /// The organisation id is taken.
    #[error("organisation {0} already exists")]
    DuplicateOrganisation(String),
    /// No such account.
    #[error("no account {0}")]
    NoSuchAccount(String),
    /// The database failed (the text never contains SQL).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Store(StoreError::Database(e))
    }
}

#[derive(Clone)]
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Accounts, organisations and sessions. Cheap to clone; shares the event log's pool.
#[derive(Clone)]
pub struct AccountStore {
    db: Db,
}

impl std::fmt::Debug for AccountStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        };
        f.debug_struct("AccountStore").field("backend", &kind).finish()
    }
}

/// Runs the same expression against whichever pool backs the store: the SQL texts use `$n`
/// placeholders and plain types, which both drivers accept.
macro_rules! on_pool {
    ($self:ident, |$p:ident| $body:expr) => {
        match &$self.db {
            Db::Sqlite($p) => $body,
            Db::Postgres($p) => $body,
        }
    };
}

type AccountRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
    bool,
    i64,
    i64,
    String,
    bool,
    String,
    bool,
);

const ACCOUNT_COLUMNS: &str = "SELECT login, display_name, role, org_id, password_hash, failed_logins, locked_until, \
     active, created_at, password_changed_at, province, must_change_password, profile, pending_approval FROM accounts";

fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn from_ts(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(s, 0).unwrap_or_default()
}

fn account_from(row: AccountRow) -> Result<Account, StoreError> {
    let (
        login,
        display_name,
        role,
        org_id,
        password_hash,
        failed_logins,
        locked_until,
        active,
        created,
        changed,
        province,
        must_change_password,
        profile,
        pending_approval,
    ) = row;
    let role = AccountRole::parse(&role).ok_or_else(|| StoreError::Corrupt {
        seq: 0,
        detail: format!("account {login} has an unknown role"),
    })?;
    Ok(Account {
        login,
        display_name,
        role,
        org_id,
        password_hash,
        failed_logins,
        locked_until: locked_until.map(from_ts),
        active,
        created_at: from_ts(created),
        password_changed_at: from_ts(changed),
        province,
        must_change_password,
        profile: serde_json::from_str(&profile).unwrap_or_default(),
        pending_approval,
    })
}

type OrgRow = (String, String, String, String, String, String);

fn org_from((id, name, kind, regions, units, province): OrgRow) -> Organisation {
    Organisation {
        id,
        name,
        kind,
        region_prefixes: list_from(&regions),
        unit_usccs: list_from(&units),
        province,
    }
}

fn list_json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn list_from(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// The stored key of a session id.
fn digest(session_id: &str) -> String {
    sm3_hex(session_id.as_bytes())
}

fn is_unique(e: &sqlx::Error) -> bool {
    crate::error::is_unique_violation(e)
}

impl AccountStore {
    /// The account store in the event log's database, migrated on first use.
    pub async fn open(log: &EventLog) -> Result<AccountStore, StoreError> {
        let db = match &log.backend {
            Backend::Sqlite(b) => Db::Sqlite(b.pool().clone()),
            Backend::Postgres(b) => Db::Postgres(b.pool().clone()),
        };
        let store = AccountStore { db };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(p) => TABLES.migrate_sqlite(p).await,
            Db::Postgres(p) => TABLES.migrate_postgres(p).await,
        }
    }

    // ---------- organisations ----------

    /// Creates an organisation.
    pub async fn create_organisation(&self, org: &Organisation, now: DateTime<Utc>) -> Result<(), AccountError> {
        let r = on_pool!(self, |p| sqlx::query(
            "INSERT INTO organisations (id, name, kind, region_prefixes, unit_usccs, created_at, province) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(&org.id)
        .bind(&org.name)
        .bind(&org.kind)
        .bind(list_json(&org.region_prefixes))
        .bind(list_json(&org.unit_usccs))
        .bind(ts(now))
        .bind(&org.province)
        .execute(p)
        .await
        .map(|_| ()));
        match r {
            Err(e) if is_unique(&e) => Err(AccountError::DuplicateOrganisation(org.id.clone())),
            other => Ok(other?),
        }
    }

    /// An organisation by id.
    pub async fn organisation(&self, id: &str) -> Result<Option<Organisation>, StoreError> {
        let row: Option<OrgRow> = on_pool!(self, |p| sqlx::query_as(
            "SELECT id, name, kind, region_prefixes, unit_usccs, province FROM organisations WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(p)
        .await?);
        Ok(row.map(org_from))
    }

    /// All organisations, by id.
    pub async fn organisations(&self) -> Result<Vec<Organisation>, StoreError> {
        let rows: Vec<OrgRow> = on_pool!(self, |p| sqlx::query_as(
            "SELECT id, name, kind, region_prefixes, unit_usccs, province FROM organisations ORDER BY id"
        )
        .fetch_all(p)
        .await?);
        Ok(rows.into_iter().map(org_from).collect())
    }

    // ---------- accounts ----------

    /// Creates an account.
    pub async fn create_account(&self, a: &NewAccount, now: DateTime<Utc>) -> Result<Account, AccountError> {
        let r = on_pool!(self, |p| sqlx::query(
            "INSERT INTO accounts (login, display_name, role, org_id, password_hash, failed_logins, locked_until, \
             active, created_at, password_changed_at, province, must_change_password, profile, pending_approval) \
             VALUES ($1, $2, $3, $4, $5, 0, NULL, $10, $6, $6, $7, $8, $9, $11)"
        )
        .bind(&a.login)
        .bind(&a.display_name)
        .bind(a.role.as_str())
        .bind(&a.org_id)
        .bind(&a.password_hash)
        .bind(ts(now))
        .bind(&a.province)
        .bind(a.must_change_password)
        .bind(serde_json::to_string(&a.profile).unwrap_or_else(|_| "{}".into()))
        .bind(!a.pending_approval)
        .bind(a.pending_approval)
        .execute(p)
        .await
        .map(|_| ()));
        match r {
            Err(e) if is_unique(&e) => return Err(AccountError::DuplicateLogin(a.login.clone())),
            other => other?,
        }
        self.account(&a.login)
            .await?
            .ok_or_else(|| AccountError::NoSuchAccount(a.login.clone()))
    }

    /// An account by login.
    pub async fn account(&self, login: &str) -> Result<Option<Account>, StoreError> {
        let sql = format!("{ACCOUNT_COLUMNS} WHERE login = $1");
        let row: Option<AccountRow> = on_pool!(self, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(login)
            .fetch_optional(p)
            .await?);
        row.map(account_from).transpose()
    }

    /// All accounts, by login.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let sql = format!("{ACCOUNT_COLUMNS} ORDER BY login");
        let rows: Vec<AccountRow> = on_pool!(self, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?);
        rows.into_iter().map(account_from).collect()
    }

    /// Replaces the password hash and clears failures and locks.
    pub async fn set_password(&self, login: &str, hash: &str, now: DateTime<Utc>) -> Result<(), AccountError> {
        let n = on_pool!(self, |p| {
            sqlx::query(
            "UPDATE accounts SET password_hash = $2, password_changed_at = $3, failed_logins = 0, locked_until = NULL, \
             must_change_password = FALSE WHERE login = $1"
        )
        .bind(login)
        .bind(hash)
        .bind(ts(now))
        .execute(p)
        .await?
        .rows_affected()
        });
        one_account(n, login)
    }

    /// Sets a password chosen by an administrator: the owner must change it at the next
    /// sign-in. Clears failures and locks.
    pub async fn reset_password(&self, login: &str, hash: &str, now: DateTime<Utc>) -> Result<(), AccountError> {
        let n = on_pool!(self, |p| {
            sqlx::query(
                "UPDATE accounts SET password_hash = $2, password_changed_at = $3, failed_logins = 0, \
                 locked_until = NULL, must_change_password = TRUE WHERE login = $1",
            )
            .bind(login)
            .bind(hash)
            .bind(ts(now))
            .execute(p)
            .await?
            .rows_affected()
        });
        one_account(n, login)
    }

    /// Changes an account's display name, organisation, province and profile (the role never
    /// changes: a new duty is a new account).
    pub async fn update_account(
        &self,
        login: &str,
        display_name: &str,
        org_id: Option<&str>,
        province: &str,
        profile: &AccountProfile,
    ) -> Result<(), AccountError> {
        let n = on_pool!(self, |p| {
            sqlx::query(
                "UPDATE accounts SET display_name = $2, org_id = $3, province = $4, profile = $5 WHERE login = $1",
            )
            .bind(login)
            .bind(display_name)
            .bind(org_id)
            .bind(province)
            .bind(serde_json::to_string(profile).unwrap_or_else(|_| "{}".into()))
            .execute(p)
            .await?
            .rows_affected()
        });
        one_account(n, login)
    }
}

/// The outcome of an update of one account by its login: none changed means there is no such
/// account.
fn one_account(changed: u64, login: &str) -> Result<(), AccountError> {
    if changed == 0 {
        Err(AccountError::NoSuchAccount(login.into()))
    } else {
        Ok(())
    }
}

// Locks (登录失败处理), sessions (会话) and administration (三权分立: settings, the list of live
// sessions, registrations). Below the macro they use.
mod admin;
mod directory;
mod listing;
mod locks;
#[cfg(test)]
mod plans;
mod sessions;

pub use admin::{SecuritySettings, SessionInfo};
pub use listing::{AccountOrder, AccountPage, AccountQuery, AccountStatus};
