//! 存量基地导入 — the department uploads a spreadsheet of existing bases (xlsx or CSV, the
//! template downloadable here), sees a dry-run report (every bad row by row number, column and
//! reason; every new base with the transitional article it comes under, Hunan 第二十二条 mapping
//! the old categories), and confirms. Carrying bases over cannot be undone, so the confirmation
//! submits the same file again: the server checks it is the file the report was made of, checks
//! every row again and writes all or nothing.
//!
//! The file may open accounts for the support units and the bases' directors: the report lists
//! them, and the confirmation shows each one's initial password once (the page is not cached;
//! the password is nowhere else).

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use guohe_app::import::{self, ImportOptions, ImportReport};
use sm3::{Digest, Sm3};

use super::work::render_status;
use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{WebError, WebResult};
use crate::security::RequestCtx;
use crate::upload;
use crate::view::{self, Chrome};

/// Largest file accepted (4 MiB: some twenty thousand rows).
pub const MAX_FILE: usize = 4 * 1024 * 1024;

/// Body limit of the upload routes.
pub const MAX_BODY: usize = MAX_FILE + 64 * 1024;

fn dept_of(ctx: &RequestCtx) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Department)?;
    authz::may(&p, Action::RunProcedure)?;
    Ok(p)
}

/// A new base in the report.
#[derive(Debug, Clone)]
pub struct NewRow {
    /// Sheet row.
    pub row: u32,
    /// Base id.
    pub base: String,
    /// Name.
    pub name: String,
    /// 旧类型 → 新类型, when mapped.
    pub mapped: String,
    /// The articles: (label, text).
    pub articles: Vec<(String, String)>,
    /// The status after the carry-over (empty for 正常运行).
    pub status: String,
}

/// An account in the report.
#[derive(Debug, Clone)]
pub struct AccountRow {
    /// Sheet row.
    pub row: u32,
    /// Login.
    pub login: String,
    /// 依托单位 / 基地负责人.
    pub holder: String,
    /// Display name.
    pub name: String,
    /// The row's base.
    pub base: String,
    /// The initial password, once opened (shown this once).
    pub password: String,
}

/// `GET /dept/import`, and the report after an upload.
#[derive(Template)]
#[template(path = "dept_import.html")]
pub struct DeptImportTpl {
    /// Layout.
    pub c: Chrome,
    /// Upload action (the CSRF token in the URL, as for every upload).
    pub upload_action: String,
    /// Confirm action.
    pub confirm_action: String,
    /// Why the file could not be read at all.
    pub alert: String,
    /// The file's name.
    pub file_name: String,
    /// Whether a report is shown.
    pub reported: bool,
    /// Data rows read.
    pub rows: usize,
    /// Faults: (row, column, reason).
    pub errors: Vec<(u32, String, String)>,
    /// New bases.
    pub new: Vec<NewRow>,
    /// Rows already on the register.
    pub unchanged: usize,
    /// Accounts to open, or opened (with their initial passwords).
    pub accounts: Vec<AccountRow>,
    /// Accounts already there, left alone.
    pub accounts_unchanged: usize,
    /// Whether the bases were written.
    pub written: bool,
    /// Whether the import wrote something (bases or accounts): the accounts listed were opened.
    pub done: bool,
    /// The digest of the file checked, for the confirmation.
    pub checked: String,
}

fn page(ctx: &RequestCtx) -> DeptImportTpl {
    DeptImportTpl {
        c: ctx.chrome("/dept"),
        upload_action: format!("/dept/import?_csrf={}", ctx.csrf),
        confirm_action: format!("/dept/import/confirm?_csrf={}", ctx.csrf),
        alert: String::new(),
        file_name: String::new(),
        reported: false,
        rows: 0,
        errors: Vec::new(),
        new: Vec::new(),
        unchanged: 0,
        accounts: Vec::new(),
        accounts_unchanged: 0,
        written: false,
        done: false,
        checked: String::new(),
    }
}

/// `GET /dept/import`.
pub async fn show(ctx: RequestCtx) -> WebResult<Response> {
    dept_of(&ctx)?;
    view::render(&page(&ctx))
}

/// `GET /dept/import/template.xlsx` — the template: the province's policies, categories (and
/// the old names its transitional article maps), the domains on its register as drop-downs.
pub async fn template(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    let body = state
        .guohe
        .import_template(&|id| p.works_under(id), state.today())
        .await
        .map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
    Ok(super::download(body, super::XLSX, "guohe-import-template.xlsx"))
}

fn digest(data: &[u8]) -> String {
    hex::encode(Sm3::digest(data))
}

/// The uploaded file, or what is wrong with the upload.
fn file_of(ctx: &RequestCtx, headers: &HeaderMap, body: &Bytes) -> Result<(String, Vec<u8>, String), String> {
    let l = ctx.lang;
    let fail = |zh: &str, en: &str| l.t(zh, en).to_string();
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(boundary) = upload::boundary(ct) else {
        return Err(fail("请以文件上传表单提交。", "Use the upload form."));
    };
    let parts = upload::parse_multipart(body, &boundary).map_err(|r| l.pick(r.zh, r.en))?;
    let Some(file) = parts
        .iter()
        .find(|p| p.name == "file" && p.file_name.is_some() && !p.data.is_empty())
    else {
        return Err(fail("请选择要导入的文件（xlsx 或 CSV）", "choose a file (xlsx or CSV)"));
    };
    if file.data.len() > MAX_FILE {
        return Err(fail(
            "文件超过 4 MiB，请分批导入",
            "the file is over 4 MiB; import it in parts",
        ));
    }
    let checked = parts
        .iter()
        .find(|p| p.name == "checked")
        .map(|p| p.text())
        .unwrap_or_default();
    let name: String = file
        .file_name
        .as_deref()
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    Ok((name, file.data.clone(), checked))
}

/// The page with the upload's fault (400).
fn refused(ctx: &RequestCtx, alert: String) -> WebResult<Response> {
    render_status(&DeptImportTpl { alert, ..page(ctx) }, StatusCode::BAD_REQUEST)
}

async fn run(
    ctx: &RequestCtx,
    state: &AppState,
    p: &Principal,
    name: String,
    data: &[u8],
    dry_run: bool,
) -> WebResult<Response> {
    let l = ctx.lang;
    let grid = match import::read_file(&name, data) {
        Ok(g) => g,
        Err(e) => {
            let tpl = DeptImportTpl {
                alert: l.pick(e.message_zh(), e.to_string()),
                file_name: name,
                ..page(ctx)
            };
            return render_status(&tpl, StatusCode::BAD_REQUEST);
        }
    };
    let within = |id: &str| p.works_under(id);
    let opts = ImportOptions {
        file: &name,
        dry_run,
        within: &within,
        argon2_memory_kib: state.settings.argon2_memory_kib,
    };
    // The application service audits who imported what.
    let report: ImportReport = match state.guohe.import(&p.actor(), state.today(), &grid, &opts).await {
        Ok(r) => r,
        Err(import::ImportError::App(e)) => return Err(WebError::App(e)),
        Err(e) => {
            let tpl = DeptImportTpl {
                alert: l.pick(e.message_zh(), e.to_string()),
                file_name: name,
                ..page(ctx)
            };
            return render_status(&tpl, StatusCode::BAD_REQUEST);
        }
    };
    let policies = state.guohe.policies();
    let status = if report.is_clean() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let tpl = DeptImportTpl {
        file_name: name,
        reported: true,
        rows: report.rows,
        errors: report
            .errors
            .iter()
            .map(|e| (e.row, e.column.clone(), e.reason.clone()))
            .collect(),
        new: report
            .new
            .iter()
            .map(|n| NewRow {
                row: n.row,
                base: n.base.clone(),
                name: n.official_name.clone(),
                mapped: n
                    .reclassified
                    .as_ref()
                    .map(|(old, new)| {
                        let label = policies
                            .get(&n.policy)
                            .map_or_else(|| new.clone(), |x| guohe_app::import_columns::category_label(x, new));
                        format!("{old} → {label}")
                    })
                    .unwrap_or_default(),
                articles: n
                    .articles
                    .iter()
                    .map(|a| view::citation_label(policies, a, l))
                    .collect(),
                status: n
                    .status
                    .as_ref()
                    .map(|(s, since)| format!("{s}（{} {since}）", l.t("自", "from")))
                    .unwrap_or_default(),
            })
            .collect(),
        unchanged: report.unchanged.len(),
        accounts: report
            .accounts
            .iter()
            .map(|a| AccountRow {
                row: a.row,
                login: a.login.clone(),
                holder: match a.holder {
                    guohe_app::import_accounts::Holder::SupportUnit => l.t("依托单位", "Support unit"),
                    guohe_app::import_accounts::Holder::Director => l.t("基地负责人", "Base director"),
                }
                .to_string(),
                name: a.display_name.clone(),
                base: a.base.clone(),
                password: a.initial_password.clone().unwrap_or_default(),
            })
            .collect(),
        accounts_unchanged: report.accounts_unchanged.len(),
        written: report.written,
        done: report.written || report.accounts.iter().any(|a| a.initial_password.is_some()),
        checked: if dry_run { digest(data) } else { String::new() },
        ..page(ctx)
    };
    render_status(&tpl, status)
}

/// `POST /dept/import` (multipart: `file`) — the dry run: nothing is written.
pub async fn check(
    ctx: RequestCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    match file_of(&ctx, &headers, &body) {
        Ok((name, data, _)) => run(&ctx, &state, &p, name, &data, true).await,
        Err(alert) => refused(&ctx, alert),
    }
}

/// `POST /dept/import/confirm` (multipart: `file`, `checked`) — the same file again: imported
/// if it is the file the report was made of and every row is still good.
pub async fn confirm(
    ctx: RequestCtx,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    let (name, data, checked) = match file_of(&ctx, &headers, &body) {
        Ok(x) => x,
        Err(alert) => return refused(&ctx, alert),
    };
    if checked != digest(&data) {
        // Another file than the one checked: check this one and report, write nothing.
        return run(&ctx, &state, &p, name, &data, true).await;
    }
    run(&ctx, &state, &p, name, &data, false).await
}
