//! 导入时开设账号 — the accounts of the support units and of the bases' directors, opened from
//! the same file as the bases (the columns 依托单位账号／手机／邮箱 and 负责人账号／手机／邮箱).
//!
//! Readings taken:
//! - a support unit's account belongs to the unit's organisation (its USCC), is named after the
//!   unit and works in the province of the row's policy, as a self-registered unit's does;
//! - the account model has no director role: a base's director (基地负责人) acts for the base
//!   within its support unit, so the director's account is a support-unit account of the same
//!   USCC, named after the director (the name in the 基地负责人 column);
//! - every account is opened with a random initial password that must be changed at the first
//!   sign-in; the password is handed back once (printed by the command line, shown on the page)
//!   and stored only as its Argon2id hash;
//! - phone and e-mail are the account's personal fields, sealed under its own data key
//!   ([`crate::personal`]); an account left alone keeps its own, and gets the file's only where it
//!   has none (so a re-run completes an interrupted one);
//! - an account that exists with the same role, organisation and name is left alone; a login
//!   held by another unit or person, or under another name, is the row's fault.
//!
//! Order of the writes (the accounts are in their own tables, not in the event log's
//! transaction): every row and every account cell is checked first, and nothing is written
//! unless all are good; then the bases' events are appended in one transaction; then the
//! accounts are opened one by one, each left alone if it already exists. A failure after the
//! events leaves bases without some of their accounts, never an account without its base, and
//! running the same file again opens whatever was not opened.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use guohe_store::{Account, AccountError, AccountRole, AccountStore, NewAccount};
use serde::Serialize;

use crate::import::{ImportReport, RowError};
use crate::import_columns::Column;
use crate::personal::AccountField;
use crate::{AppError, Guohe};

/// Whose account a row opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Holder {
    /// 依托单位.
    SupportUnit,
    /// 基地负责人 (a support-unit account named after the director).
    Director,
}

impl Holder {
    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Holder::SupportUnit => "依托单位",
            Holder::Director => "基地负责人",
        }
    }

    /// The login, phone and e-mail columns.
    fn columns(self) -> [Column; 3] {
        match self {
            Holder::SupportUnit => [Column::UnitLogin, Column::UnitPhone, Column::UnitEmail],
            Holder::Director => [Column::DirectorLogin, Column::DirectorPhone, Column::DirectorEmail],
        }
    }
}

/// An account an import opens (or, written, opened).
#[derive(Clone, PartialEq, Serialize)]
pub struct ImportedAccount {
    /// The sheet row that asks for it.
    pub row: u32,
    /// Login.
    pub login: String,
    /// Display name: the unit's, or the director's.
    pub display_name: String,
    /// Whose it is.
    pub holder: Holder,
    /// The unit's USCC.
    pub org_id: String,
    /// Province code.
    pub province: String,
    /// The base of the row.
    pub base: String,
    /// The initial password, once opened: to be handed over once, never kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_password: Option<String>,
    /// Phone and e-mail from the file (personal data: never in reports).
    #[serde(skip)]
    pub(crate) fields: Vec<(AccountField, String)>,
}

impl std::fmt::Debug for ImportedAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the password nor the personal fields go to logs.
        f.debug_struct("ImportedAccount")
            .field("row", &self.row)
            .field("login", &self.login)
            .field("holder", &self.holder)
            .field("org_id", &self.org_id)
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

fn fault(row: u32, col: Column, reason: impl Into<String>) -> RowError {
    RowError {
        row,
        column: col.heading().to_string(),
        reason: reason.into(),
    }
}

/// The cells of a row needed to open its accounts.
pub(crate) struct RowCells<'a> {
    pub row: u32,
    pub base: &'a str,
    pub unit_name: &'a str,
    pub director: &'a str,
    pub uscc: &'a str,
    pub province: &'a str,
}

/// Reads and checks a row's account cells; faults go to `errors`.
pub(crate) fn read_row(
    r: &RowCells<'_>,
    text: &dyn Fn(Column) -> String,
    errors: &mut Vec<RowError>,
) -> Vec<ImportedAccount> {
    let mut out: Vec<ImportedAccount> = Vec::new();
    for holder in [Holder::SupportUnit, Holder::Director] {
        let [login_col, phone_col, email_col] = holder.columns();
        let login = text(login_col);
        let mut fields = Vec::new();
        for (col, field) in [(phone_col, AccountField::Phone), (email_col, AccountField::Email)] {
            let v = text(col);
            if v.is_empty() {
                continue;
            }
            if login.is_empty() {
                errors.push(fault(
                    r.row,
                    col,
                    format!("填写了“{}”，但未填写“{}”", col.heading(), login_col.heading()),
                ));
                continue;
            }
            match field.validate(&v) {
                Ok(v) => fields.push((field, v)),
                Err(e) => errors.push(fault(r.row, col, e.message_zh)),
            }
        }
        if login.is_empty() {
            continue;
        }
        let Some(login) = guohe_store::normalise_login(&login) else {
            errors.push(fault(
                r.row,
                login_col,
                format!("账号“{login}”须为3至32位小写字母、数字或 . _ -"),
            ));
            continue;
        };
        if out.iter().any(|a| a.login == login) {
            errors.push(fault(
                r.row,
                login_col,
                format!(
                    "“{}”与“{}”相同；依托单位和基地负责人须各用一个账号",
                    login_col.heading(),
                    Column::UnitLogin.heading()
                ),
            ));
            continue;
        }
        let display_name = match holder {
            Holder::SupportUnit => r.unit_name,
            Holder::Director => r.director,
        };
        out.push(ImportedAccount {
            row: r.row,
            login,
            display_name: display_name.trim().to_string(),
            holder,
            org_id: r.uscc.trim().to_ascii_uppercase(),
            province: r.province.to_string(),
            base: r.base.to_string(),
            initial_password: None,
            fields,
        });
    }
    out
}

/// Whether an existing account is the one a row asks for.
fn same_account(a: &Account, x: &ImportedAccount) -> bool {
    a.role == AccountRole::SupportUnit
        && a.org_id.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(&x.org_id))
        && a.display_name == x.display_name
}

/// Why an existing account is not the one a row asks for.
fn clash(a: &Account, x: &ImportedAccount) -> String {
    if a.role == AccountRole::SupportUnit && a.org_id.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(&x.org_id)) {
        format!(
            "账号“{}”已存在，名称为“{}”，与本行的“{}”不同",
            x.login, a.display_name, x.display_name
        )
    } else {
        format!("账号“{}”已被其他单位或人员使用，请换一个账号", x.login)
    }
}

/// The accounts of the whole file, checked against each other and against those that exist:
/// (to open, already there). A login asked for twice with the same particulars (a unit with
/// two bases) is opened once.
pub(crate) fn check(
    asked: Vec<ImportedAccount>,
    existing: &HashMap<String, Account>,
    errors: &mut Vec<RowError>,
) -> (Vec<ImportedAccount>, Vec<ImportedAccount>) {
    let mut first: BTreeMap<String, ImportedAccount> = BTreeMap::new();
    let (mut new, mut unchanged) = (Vec::new(), Vec::new());
    for x in asked {
        let col = x.holder.columns()[0];
        if let Some(f) = first.get(&x.login) {
            if f.holder != x.holder || f.org_id != x.org_id || f.display_name != x.display_name {
                errors.push(fault(
                    x.row,
                    col,
                    format!(
                        "账号“{}”在第 {} 行已用于{}“{}”，本行不能再用于{}“{}”",
                        x.login,
                        f.row,
                        f.holder.zh(),
                        f.display_name,
                        x.holder.zh(),
                        x.display_name
                    ),
                ));
            }
            continue;
        }
        first.insert(x.login.clone(), x.clone());
        match existing.get(&x.login) {
            Some(a) if same_account(a, &x) => unchanged.push(x),
            Some(a) => errors.push(fault(x.row, col, clash(a, &x))),
            None => new.push(x),
        }
    }
    (new, unchanged)
}

/// Why an account could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CreateAccountError {
    /// The account tables refused it (a login taken).
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The audit record could not be written.
    #[error(transparent)]
    App(#[from] AppError),
}

impl Guohe {
    /// Creates an account (its password already hashed) and puts the act on the hash chain
    /// (`AccountCreated`: who, which account, role, organisation, province — no password, no
    /// personal data). Every way of making accounts goes through here.
    pub async fn create_account(
        &self,
        store: &AccountStore,
        a: &NewAccount,
        by: &str,
        on: NaiveDate,
    ) -> Result<Account, CreateAccountError> {
        let account = store.create_account(a, Utc::now()).await?;
        self.audit(
            on,
            by,
            "AccountCreated",
            serde_json::json!({
                "account": account.login,
                "role": account.role.as_str(),
                "org": account.org_id,
                "display_name": account.display_name,
                "province": account.province,
                "at": Utc::now().to_rfc3339(),
            }),
        )
        .await?;
        Ok(account)
    }

    /// Opens the accounts an import asked for (after its events were appended): each with a
    /// fresh initial password, handed back in the report; one that meanwhile came to exist is
    /// left alone when it is the same. Personal fields are sealed and set; an account left
    /// alone gets the file's only where it has none. Faults go to the report's errors.
    pub(crate) async fn open_import_accounts(
        &self,
        store: &AccountStore,
        report: &mut ImportReport,
        by: &str,
        on: NaiveDate,
        argon2_memory_kib: u32,
    ) -> Result<(), AppError> {
        let (unchanged, errors) = (&mut report.accounts_unchanged, &mut report.errors);
        let mut opened = Vec::new();
        for mut x in std::mem::take(&mut report.accounts) {
            let password = crate::passwords::initial_password().map_err(AppError::Corrupt)?;
            let hash = crate::passwords::hash_blocking(&password, argon2_memory_kib)
                .await
                .map_err(AppError::Corrupt)?;
            let account = NewAccount {
                login: x.login.clone(),
                display_name: x.display_name.clone(),
                role: AccountRole::SupportUnit,
                org_id: Some(x.org_id.clone()),
                password_hash: hash,
                province: x.province.clone(),
                must_change_password: true,
                profile: Default::default(),
                pending_approval: false,
            };
            match self.create_account(store, &account, by, on).await {
                Ok(_) => {
                    self.set_fields(&x, errors, by, on, &[]).await?;
                    x.initial_password = Some(password);
                    opened.push(x);
                }
                Err(CreateAccountError::Account(AccountError::DuplicateLogin(_))) => {
                    // Someone opened it since the check.
                    match store.account(&x.login).await? {
                        Some(a) if same_account(&a, &x) => unchanged.push(x),
                        Some(a) => errors.push(fault(x.row, x.holder.columns()[0], clash(&a, &x))),
                        None => errors.push(fault(x.row, x.holder.columns()[0], "账号未能开设，请重新导入")),
                    }
                }
                Err(CreateAccountError::Account(AccountError::Store(e))) => return Err(e.into()),
                Err(CreateAccountError::Account(e)) => {
                    errors.push(fault(x.row, x.holder.columns()[0], format!("账号未能开设：{e}")))
                }
                Err(CreateAccountError::App(e)) => return Err(e),
            }
        }
        report.accounts = opened;
        for x in report.accounts_unchanged.iter() {
            let has: Vec<String> = self
                .vault()
                .store()
                .account_fields(&x.login)
                .await?
                .into_iter()
                .map(|(f, _)| f)
                .collect();
            self.set_fields(x, &mut report.errors, by, on, &has).await?;
        }
        Ok(())
    }

    /// Sets an imported account's phone and e-mail, except the fields it already has.
    async fn set_fields(
        &self,
        x: &ImportedAccount,
        errors: &mut Vec<RowError>,
        by: &str,
        on: NaiveDate,
        has: &[String],
    ) -> Result<(), AppError> {
        let [_, phone_col, email_col] = x.holder.columns();
        for (field, value) in &x.fields {
            if has.iter().any(|f| f == field.as_str()) {
                continue;
            }
            match self.set_account_field(&x.login, *field, value, by, on).await {
                Ok(()) => {}
                Err(AppError::Refused(r)) => {
                    let col = if *field == AccountField::Phone {
                        phone_col
                    } else {
                        email_col
                    };
                    errors.push(fault(x.row, col, r.message_zh));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
