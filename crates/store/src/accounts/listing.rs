//! 账号管理 — the system administrator's list of accounts, a page at a time: the search, the
//! filters, the order and the page are the database's, so a page costs what its rows cost and a
//! count, not a read of every account in the country.

use chrono::{DateTime, Utc};

use super::{ACCOUNT_COLUMNS, Account, AccountRole, AccountRow, AccountStore, Db, account_from, ts};
use crate::StoreError;

/// An account's standing as the list shows and filters it, the first that applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// 待审核 — a self-registration waiting for its department.
    Pending,
    /// 已停用 — deactivated.
    Disabled,
    /// 已锁定 — sign-in held back after failures, or locked by an administrator, until a time.
    Locked,
    /// 正常.
    Active,
}

impl AccountStatus {
    /// Every status, in the order the list offers them.
    pub const ALL: [AccountStatus; 4] = [
        AccountStatus::Active,
        AccountStatus::Locked,
        AccountStatus::Disabled,
        AccountStatus::Pending,
    ];

    /// The code in URLs and CSS (`active`, `locked`, `disabled`, `pending`).
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Pending => "pending",
            AccountStatus::Disabled => "disabled",
            AccountStatus::Locked => "locked",
            AccountStatus::Active => "active",
        }
    }

    /// The status of a code, if it is one.
    pub fn parse(code: &str) -> Option<AccountStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == code)
    }

    /// The condition in SQL; `$n` is `now` as stored.
    fn condition(self, n: usize) -> String {
        let locked = format!("(locked_until IS NOT NULL AND locked_until > ${n})");
        match self {
            AccountStatus::Pending => "pending_approval".into(),
            AccountStatus::Disabled => "(NOT pending_approval AND NOT active)".into(),
            AccountStatus::Locked => format!("(NOT pending_approval AND active AND {locked})"),
            AccountStatus::Active => format!("(NOT pending_approval AND active AND NOT {locked})"),
        }
    }
}

impl Account {
    /// The account's standing at `now`.
    pub fn status(&self, now: DateTime<Utc>) -> AccountStatus {
        if self.pending_approval {
            AccountStatus::Pending
        } else if !self.active {
            AccountStatus::Disabled
        } else if self.is_locked(now) {
            AccountStatus::Locked
        } else {
            AccountStatus::Active
        }
    }
}

/// The column a list of accounts is ordered by (then by login).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AccountOrder {
    /// 用户名.
    #[default]
    Login,
    /// 名称.
    Name,
    /// 角色.
    Role,
    /// 省份.
    Province,
    /// 所属机构.
    Organisation,
}

impl AccountOrder {
    fn column(self) -> &'static str {
        match self {
            AccountOrder::Login => "login",
            AccountOrder::Name => "display_name",
            AccountOrder::Role => "role",
            AccountOrder::Province => "province",
            // NULL sorts first on SQLite and last on PostgreSQL: an empty text sorts alike.
            AccountOrder::Organisation => "COALESCE(org_id, '')",
        }
    }
}

/// What a page of the list asks for. Every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct AccountQuery {
    /// Text found, case aside, in the login, the name, the organisation or the province code.
    pub text: String,
    /// Accounts of these provinces only (the administrator's province, the province chosen).
    pub provinces: Vec<String>,
    /// Of this role only.
    pub role: Option<AccountRole>,
    /// Of this standing only, at `now`.
    pub status: Option<AccountStatus>,
    /// The time the standing is judged at.
    pub now: DateTime<Utc>,
    /// The order.
    pub order: AccountOrder,
    /// Reversed.
    pub descending: bool,
    /// Accounts skipped.
    pub offset: usize,
    /// Accounts wanted (`usize::MAX` for every one, as a download takes them).
    pub limit: usize,
}

/// One page of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPage {
    /// The page's accounts, in order.
    pub accounts: Vec<Account>,
    /// Accounts matching, all pages together.
    pub total: usize,
}

enum Bound {
    Text(String),
    Int(i64),
}

/// `LIKE` text matching `text` anywhere, `\` escaping the pattern's own characters.
fn contains_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

impl AccountQuery {
    /// The `WHERE` clause (empty when nothing is asked) and its values, numbered from `$1`.
    fn filter(&self) -> (String, Vec<Bound>) {
        let mut conds = Vec::new();
        let mut binds = Vec::new();
        // Each value is bound as the next `$n`.
        fn next(b: Bound, binds: &mut Vec<Bound>) -> usize {
            binds.push(b);
            binds.len()
        }
        let text = self.text.trim();
        if !text.is_empty() {
            let n = next(Bound::Text(contains_pattern(text)), &mut binds);
            conds.push(format!(
                "(LOWER(login) LIKE ${n} ESCAPE '\\' OR LOWER(display_name) LIKE ${n} ESCAPE '\\' \
                 OR LOWER(COALESCE(org_id, '')) LIKE ${n} ESCAPE '\\' OR LOWER(province) LIKE ${n} ESCAPE '\\')"
            ));
        }
        for province in &self.provinces {
            let n = next(Bound::Text(province.clone()), &mut binds);
            conds.push(format!("province = ${n}"));
        }
        if let Some(role) = self.role {
            let n = next(Bound::Text(role.as_str().to_string()), &mut binds);
            conds.push(format!("role = ${n}"));
        }
        if let Some(status) = self.status {
            let n = next(Bound::Int(ts(self.now)), &mut binds);
            conds.push(status.condition(n));
        }
        let clause = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        (clause, binds)
    }
}

/// The count and the page of a query, with the values both bind (the page binds its limit and
/// offset after them).
struct Statements {
    count: String,
    page: String,
    binds: Vec<Bound>,
}

impl AccountQuery {
    fn statements(&self) -> Statements {
        let (clause, binds) = self.filter();
        let dir = if self.descending { "DESC" } else { "ASC" };
        let order = match self.order {
            AccountOrder::Login => format!("login {dir}"),
            o => format!("{} {dir}, login {dir}", o.column()),
        };
        let (l, o) = (binds.len() + 1, binds.len() + 2);
        Statements {
            count: format!("SELECT COUNT(*) FROM accounts{clause}"),
            page: format!("{ACCOUNT_COLUMNS}{clause} ORDER BY {order} LIMIT ${l} OFFSET ${o}"),
            binds,
        }
    }
}

macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bound::Text(t) => q.bind(t.clone()),
                Bound::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}

impl AccountStore {
    /// A page of the accounts `query` asks for, with how many match in all. A page past the last
    /// is empty; the total says where the last is.
    pub async fn account_page(&self, query: &AccountQuery) -> Result<AccountPage, StoreError> {
        let Statements {
            count: count_sql,
            page: sql,
            binds,
        } = query.statements();
        let (total,): (i64,) = on_pool!(self, |p| bind_all!(
            sqlx::query_as(sqlx::AssertSqlSafe(count_sql.clone())),
            &binds
        )
        .fetch_one(p)
        .await?);
        let total = usize::try_from(total).unwrap_or(0);
        if query.limit == 0 || query.offset >= total {
            return Ok(AccountPage {
                accounts: Vec::new(),
                total,
            });
        }
        let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(query.offset).unwrap_or(i64::MAX);
        let rows: Vec<AccountRow> = on_pool!(self, |p| bind_all!(
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())),
            &binds
        )
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?);
        Ok(AccountPage {
            accounts: rows.into_iter().map(account_from).collect::<Result<_, _>>()?,
            total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::plans::{plan, sqlite_store};

    /// A province's list and its count go through `accounts_province`, with a role through
    /// `accounts_role`, and the whole list in login order through the logins: what
    /// `EXPLAIN QUERY PLAN` says of the statements `account_page` sends, on SQLite.
    #[tokio::test]
    async fn a_provinces_page_and_count_go_through_their_index() {
        let (_dir, log, store) = sqlite_store().await;
        let province = AccountQuery {
            provinces: vec!["43".into()],
            ..AccountQuery::default()
        };
        let experts = AccountQuery {
            role: Some(AccountRole::Expert),
            ..province.clone()
        };
        let by_province = "SEARCH accounts USING INDEX accounts_province (province=?)";
        let by_role = "SEARCH accounts USING INDEX accounts_role (role=? AND province=?)";
        for (q, count, page) in [
            (
                &province,
                "SEARCH accounts USING COVERING INDEX accounts_province (province=?)",
                by_province,
            ),
            (
                &experts,
                "SEARCH accounts USING COVERING INDEX accounts_role (role=? AND province=?)",
                by_role,
            ),
            (
                &AccountQuery::default(),
                "SCAN accounts USING COVERING INDEX sqlite_autoindex_accounts_1",
                "SCAN accounts USING INDEX sqlite_autoindex_accounts_1",
            ),
        ] {
            let st = q.statements();
            for (sql, wanted) in [(st.count, count), (st.page, page)] {
                assert_eq!(plan(&store, &sql).await, [wanted], "{sql}");
            }
        }
        log.close().await;
    }
}
