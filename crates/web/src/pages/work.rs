//! 工作页面的共用部分 — what the role work areas share: form values, domain refusals next to
//! their fields, list tables (sort, filter, search, pages, CSV), confirmation pages that quote
//! the article before an irreversible step, and the case view of an application with its
//! timeline and articles.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use guohe_app::{AppError, Guohe};
use guohe_domain::{ApplicationCase, ApplicationStatus, Command};
use guohe_policy::{Citation, PolicySet};
use serde_json::Value;

use crate::AppState;
use crate::authz::{self, Principal};
use crate::error::{FieldError, WebError, WebResult};
use crate::i18n::Lang;
use crate::view::{self, Chrome, FormErrors};

/// The values of a submitted form, by name (the last value wins; lists use [`Vals::all`]).
#[derive(Debug, Clone, Default)]
pub struct Vals {
    pairs: Vec<(String, String)>,
}

impl Vals {
    /// From decoded pairs; the CSRF token is dropped so it is never echoed into a stored draft.
    pub fn new(pairs: Vec<(String, String)>) -> Vals {
        Vals {
            pairs: pairs.into_iter().filter(|(k, _)| k != "_csrf").collect(),
        }
    }
    /// From a map.
    pub fn from_map(m: BTreeMap<String, String>) -> Vals {
        Vals {
            pairs: m.into_iter().collect(),
        }
    }
    /// A value, or empty.
    pub fn get(&self, k: &str) -> &str {
        self.pairs
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
    /// A value, trimmed.
    pub fn t(&self, k: &str) -> String {
        self.get(k).trim().to_string()
    }
    /// Every value of a repeated field.
    pub fn all(&self, k: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    }
    /// Whether a checkbox is ticked or a multi-select includes `v`.
    pub fn on(&self, k: &str) -> bool {
        matches!(self.get(k), "on" | "true" | "1" | "yes")
    }
    /// Whether a select has `v` (for `selected` attributes).
    pub fn is(&self, k: &str, v: &str) -> bool {
        self.pairs.iter().any(|(n, x)| n == k && x == v)
    }
    /// Sets a value.
    pub fn set(&mut self, k: &str, v: impl Into<String>) {
        self.pairs.retain(|(n, _)| n != k);
        self.pairs.push((k.to_string(), v.into()));
    }
    /// The pairs.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }
    /// As JSON text (drafts).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.pairs).unwrap_or_else(|_| "[]".into())
    }
    /// From JSON text (drafts).
    pub fn from_json(s: &str) -> Vals {
        Vals::new(serde_json::from_str(s).unwrap_or_default())
    }
}

/// What a form shows after a refused or failed step: errors by field and a message on top.
#[derive(Debug, Clone)]
pub struct Feedback {
    /// Field errors.
    pub errors: FormErrors,
    /// Message above the form (refusals without a field, conflicts).
    pub alert: String,
    /// Success message.
    pub ok: String,
    /// Status of the response.
    pub status: StatusCode,
}

impl Feedback {
    /// Nothing to report.
    pub fn none(l: Lang) -> Feedback {
        Feedback {
            errors: FormErrors::new(l),
            alert: String::new(),
            ok: String::new(),
            status: StatusCode::OK,
        }
    }
    /// A success message.
    pub fn ok(l: Lang, msg: String) -> Feedback {
        Feedback {
            ok: msg,
            ..Feedback::none(l)
        }
    }
    /// Field errors found before anything was executed.
    pub fn invalid(l: Lang, errors: Vec<FieldError>) -> Feedback {
        let mut f = Feedback::none(l);
        for e in errors {
            f.errors.push(e);
        }
        f.alert = l
            .t(
                "请按提示更正后重新提交，本次未保存任何内容。",
                "Correct the fields shown; nothing was saved.",
            )
            .into();
        f.status = StatusCode::BAD_REQUEST;
        f
    }
    /// A refusal or a conflict from the application service, shown beside the form; any other
    /// error stays an error page.
    pub fn from_app(
        l: Lang,
        policies: &PolicySet,
        e: AppError,
        field_map: &dyn Fn(&str) -> String,
    ) -> WebResult<Feedback> {
        match e {
            AppError::Refused(r) => {
                let status = WebError::App(AppError::Refused(r.clone())).status();
                let mut f = Feedback::none(l);
                let cite = r
                    .citation
                    .as_ref()
                    .map(|c| view::citation_label(policies, &c.to_string(), l).0);
                let msg = match (&cite, l) {
                    (Some(c), Lang::Zh) => format!("{}（依据：{c}）", r.message_zh),
                    (Some(c), Lang::En) => format!("{} (under {c})", r.message_en),
                    (None, _) => l.pick(r.message_zh.clone(), r.message_en.clone()),
                };
                if let Some(field) = &r.field {
                    f.errors.push(FieldError::new(
                        field_map(field),
                        match &cite {
                            Some(c) => format!("{}（{c}）", r.message_zh),
                            None => r.message_zh.clone(),
                        },
                        match &cite {
                            Some(c) => format!("{} ({c})", r.message_en),
                            None => r.message_en.clone(),
                        },
                    ));
                    f.alert = format!(
                        "{}{msg}",
                        l.t("未办理（见字段旁提示）：", "Not done (see beside the field): ")
                    );
                } else {
                    f.alert = format!("{}{msg}", l.t("未办理：", "Not done: "));
                }
                f.status = status;
                Ok(f)
            }
            AppError::Conflict { .. } => {
                let mut f = Feedback::none(l);
                f.alert = l
                    .t(
                        "该案件刚被他人修改，本次操作未保存；页面已按最新情况显示，您填写的内容已保留，请核对后重新提交。",
                        "Someone else changed this case first; nothing was saved. The page shows the latest state and keeps what you typed; check and submit again.",
                    )
                    .into();
                f.status = StatusCode::CONFLICT;
                Ok(f)
            }
            other => Err(WebError::App(other)),
        }
    }
}

/// The identity map for refusal fields (form fields named as the command's fields).
pub fn same_field(f: &str) -> String {
    f.to_string()
}

/// Runs a command written as JSON (`{"type": "Decide", ...}`) as the signed-in principal,
/// through the same gate as the API ([`authz::authorize`]). A refusal of permission is the
/// outer error (a 403 page); the regulation's refusal is the inner one, for the form.
pub async fn run(state: &AppState, p: &Principal, cmd: Value) -> WebResult<Result<(), AppError>> {
    let cmd = match parse_command(cmd) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    authz::authorize(state, p, &cmd).await?;
    Ok(state.guohe.execute(&p.actor(), state.today(), cmd).await.map(|_| ()))
}

/// What [`run`] would do, without doing it: the command decided by the domain against the world
/// as it is (the same authorization, the same refusals), its events for a confirmation page to
/// show. Nothing is appended.
pub async fn preview(state: &AppState, p: &Principal, cmd: Value) -> WebResult<Result<guohe_app::Decided, AppError>> {
    let cmd = match parse_command(cmd) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    authz::authorize(state, p, &cmd).await?;
    Ok(state.guohe.decide(&p.actor(), state.today(), cmd).await)
}

/// A command built by a page, read as the domain's; a field of the wrong shape is a refusal.
fn parse_command(cmd: Value) -> Result<Command, AppError> {
    let what = cmd.get("type").and_then(Value::as_str).unwrap_or("?").to_string();
    serde_json::from_value(cmd).map_err(|e| {
        AppError::Refused(guohe_domain::Refusal::new(
            guohe_domain::RefusalCode::InvalidInput,
            format!("指令“{what}”的内容无效：{e}"),
            format!("command {what} is invalid: {e}"),
        ))
    })
}

/// A 303 redirect.
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// Renders a page with a status.
pub fn render_status<T: Template>(t: &T, status: StatusCode) -> WebResult<Response> {
    let mut r = view::render(t)?;
    *r.status_mut() = status;
    Ok(r)
}

/// Parses an ISO date field.
pub fn date_field(v: &Vals, k: &str, errs: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let s = v.t(k);
    if s.is_empty() {
        errs.push(FieldError::new(k, "请填写日期", "enter a date"));
        return None;
    }
    match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new(
                k,
                format!("“{s}”不是有效日期（格式：2026-01-15）"),
                format!("`{s}` is not a date (YYYY-MM-DD)"),
            ));
            None
        }
    }
}

/// A required text field.
/// An optional free-text field, limited in length.
pub fn optional(v: &Vals, k: &str, max: usize, errs: &mut Vec<FieldError>) -> String {
    let s = v.t(k);
    if s.chars().count() > max {
        errs.push(FieldError::new(
            k,
            format!("最多{max}字"),
            format!("at most {max} characters"),
        ));
    }
    s
}

/// A required free-text field, limited in length.
pub fn required(v: &Vals, k: &str, max: usize, errs: &mut Vec<FieldError>) -> String {
    let s = v.t(k);
    if s.is_empty() {
        errs.push(FieldError::new(k, "此项为必填项", "this field is required"));
    } else if s.chars().count() > max {
        errs.push(FieldError::new(
            k,
            format!("最多{max}字"),
            format!("at most {max} characters"),
        ));
    }
    s
}

/// The errors of a major-change decision form (`decision` = `approve` | `reject`, `reason`
/// required for a refusal, at most 2000 characters), if any. No choice is no decision.
pub fn change_decision_errors(v: &Vals) -> Option<Vec<FieldError>> {
    let mut errs = Vec::new();
    let decision = v.get("decision");
    if decision != "approve" && decision != "reject" {
        errs.push(FieldError::new(
            "decision",
            "请选择同意或不同意",
            "choose approve or reject",
        ));
    }
    let reason = v.t("reason");
    if decision == "reject" && reason.is_empty() {
        errs.push(FieldError::new(
            "reason",
            "不同意须说明理由",
            "a refusal needs a reason",
        ));
    } else if reason.chars().count() > 2000 {
        errs.push(FieldError::new("reason", "最多2000字", "at most 2000 characters"));
    }
    (!errs.is_empty()).then_some(errs)
}

/// An exact decimal typed by a person (`85`, `85.5`): digits, at most one point.
pub fn is_exact_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let mut parts = s.split('.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    parts.next().is_none()
        && !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.len() <= 4 && f.bytes().all(|b| b.is_ascii_digit()))
}

// ---------- articles ----------

/// An article quoted on a page: its citation and its text.
#[derive(Debug, Clone)]
pub struct Quote {
    /// `湘科发〔2026〕27号 第十五条`.
    pub cite: String,
    /// The text from the policy.
    pub text: String,
}

/// The quotes of machine citations (`hubei-2022:28.1`).
pub fn quotes(policies: &PolicySet, cites: &[String], l: Lang) -> Vec<Quote> {
    let mut seen = BTreeSet::new();
    cites
        .iter()
        .filter(|c| seen.insert((*c).clone()))
        .map(|c| {
            let (cite, _) = view::citation_label(policies, c, l);
            let text = Citation::parse(c)
                .ok()
                .and_then(|x| policies.get(&x.policy).and_then(|p| p.text(x.at)).map(str::to_string))
                .unwrap_or_default();
            Quote { cite, text }
        })
        .collect()
}

/// The machine citation of an article of a policy.
pub fn cite(policy: &guohe_policy::Policy, at: guohe_policy::ArticleRef) -> String {
    policy.cite(at).to_string()
}

// ---------- confirmation ----------

/// 确认 — the page between a form and an irreversible step: what will be done, under which
/// article (quoted), and a button that posts the same values with `confirmed=yes`.
#[derive(Template)]
#[template(path = "dept_shared_confirm.html")]
pub struct ConfirmTpl {
    /// Layout.
    pub c: Chrome,
    /// Heading.
    pub title: String,
    /// What will happen: (label, value).
    pub facts: Vec<(String, String)>,
    /// The consequence, stated plainly.
    pub consequence: String,
    /// Articles applied, with their text.
    pub articles: Vec<Quote>,
    /// Where the confirmation posts.
    pub action: String,
    /// The values to post again.
    pub hidden: Vec<(String, String)>,
    /// Back to the form.
    pub back: String,
}

impl ConfirmTpl {
    /// The hidden values from a form, plus `confirmed=yes`.
    pub fn hidden_of(v: &Vals) -> Vec<(String, String)> {
        let mut h: Vec<(String, String)> = v.pairs().iter().filter(|(k, _)| k != "confirmed").cloned().collect();
        h.push(("confirmed".into(), "yes".into()));
        h
    }
}

// ---------- lists ----------

/// A table cell.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    /// Text.
    pub text: String,
    /// Link, if any.
    pub href: String,
    /// CSS class (`status s-active`, `num`).
    pub class: String,
}

impl Cell {
    /// Plain text.
    pub fn text(t: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            ..Cell::default()
        }
    }
    /// A link.
    pub fn link(t: impl Into<String>, href: impl Into<String>) -> Cell {
        Cell {
            text: t.into(),
            href: href.into(),
            ..Cell::default()
        }
    }
    /// With a class.
    pub fn class(mut self, c: &str) -> Cell {
        self.class = c.into();
        self
    }
}

/// A row before sorting and filtering.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// Cells, one per column.
    pub cells: Vec<Cell>,
    /// Sort keys, one per column (defaults to the cell text).
    pub keys: Vec<String>,
    /// Filter values by filter name.
    pub tags: BTreeMap<String, String>,
}

/// A filter as a list declares it: (query parameter, label, options as (value, label)).
pub type FilterSpec = (String, String, Vec<(String, String)>);

/// A filter select.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Query parameter.
    pub name: String,
    /// Label.
    pub label: String,
    /// Options: (value, label).
    pub options: Vec<(String, String)>,
    /// Chosen value.
    pub value: String,
}

/// A column heading with its sort link.
#[derive(Debug, Clone)]
pub struct Col {
    /// Label.
    pub label: String,
    /// Sort link.
    pub href: String,
    /// `ascending`, `descending` or `none`.
    pub aria: String,
}

/// A pagination link.
#[derive(Debug, Clone)]
pub struct PageLink {
    /// Number.
    pub n: usize,
    /// Link.
    pub href: String,
    /// Current.
    pub current: bool,
}

/// A sorted, filtered, searched and paged table.
#[derive(Debug, Clone)]
pub struct Table {
    /// Path of the list.
    pub path: String,
    /// Search text.
    pub q: String,
    /// Filters.
    pub filters: Vec<Filter>,
    /// Headings.
    pub cols: Vec<Col>,
    /// Rows of this page.
    pub rows: Vec<Vec<Cell>>,
    /// Matching rows.
    pub total: usize,
    /// Page links.
    pub pages: Vec<PageLink>,
    /// CSV of the filtered list.
    pub csv_href: String,
    /// Sort column and direction, kept by the filter form.
    pub sort: String,
    /// `asc` / `desc`.
    pub dir: String,
}

/// Rows per page.
pub const PAGE_SIZE: usize = 20;

pub(crate) fn query_string(params: &BTreeMap<String, String>, set: &[(&str, String)]) -> String {
    let mut p = params.clone();
    for (k, v) in set {
        p.insert((*k).to_string(), v.clone());
    }
    p.retain(|k, v| !v.is_empty() && k != "format");
    serde_urlencoded::to_string(&p).unwrap_or_default()
}

/// A list's query parameters as the lists read them: trimmed, at most 100 characters, without
/// the language.
pub(crate) fn list_params(params: &HashMap<String, String>) -> BTreeMap<String, String> {
    params
        .iter()
        .filter(|(k, _)| k.as_str() != "lang")
        .map(|(k, v)| (k.clone(), v.trim().chars().take(100).collect()))
        .collect()
}

/// The filters with the values chosen in `params`.
pub(crate) fn chosen_filters(filters: Vec<FilterSpec>, params: &BTreeMap<String, String>) -> Vec<Filter> {
    filters
        .into_iter()
        .map(|(name, label, options)| Filter {
            value: params.get(&name).cloned().unwrap_or_default(),
            name,
            label,
            options,
        })
        .collect()
}

/// The column sorted by (`sort`, an index below `columns`) and whether descending (`dir`).
pub(crate) fn sort_asked(params: &BTreeMap<String, String>, columns: usize) -> (Option<usize>, bool) {
    let sort = params.get("sort").and_then(|s| s.parse().ok()).filter(|i| *i < columns);
    (sort, params.get("dir").is_some_and(|d| d == "desc"))
}

/// The column headings, each a link sorting by it (the next direction) when `sortable` says so;
/// `sort` is the column sorted by now.
pub(crate) fn heading_links(
    path: &str,
    params: &BTreeMap<String, String>,
    headings: &[String],
    sort: Option<usize>,
    desc: bool,
    sortable: impl Fn(usize) -> bool,
) -> Vec<Col> {
    headings
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let (aria, next) = match (sort == Some(i), desc) {
                (true, false) => ("ascending", "desc"),
                (true, true) => ("descending", "asc"),
                _ => ("none", "asc"),
            };
            Col {
                label: label.clone(),
                href: if sortable(i) {
                    format!(
                        "{path}?{}",
                        query_string(
                            params,
                            &[("sort", i.to_string()), ("dir", next.into()), ("page", String::new())]
                        )
                    )
                } else {
                    String::new()
                },
                aria: aria.into(),
            }
        })
        .collect()
}

/// The link to the CSV of the list as filtered (every page).
pub(crate) fn csv_link(path: &str, params: &BTreeMap<String, String>) -> String {
    let href = format!(
        "{path}?{}",
        query_string(params, &[("format", String::new()), ("page", String::new())])
    );
    format!("{}{}format=csv", href, if href.ends_with('?') { "" } else { "&" })
}

impl Table {
    /// Builds the table from every row: search (`q`, over all cells), filters, sort (`sort` =
    /// column index, `dir`), page (`page`).
    pub fn build(
        path: &str,
        params: &HashMap<String, String>,
        headings: &[String],
        filters: Vec<FilterSpec>,
        rows: Vec<Row>,
    ) -> (Table, Vec<Row>) {
        let params = list_params(params);
        let q = params.get("q").cloned().unwrap_or_default();
        let ql = q.to_lowercase();
        let filters = chosen_filters(filters, &params);
        let mut rows: Vec<Row> = rows
            .into_iter()
            .filter(|r| {
                ql.is_empty()
                    || r.cells.iter().any(|c| c.text.to_lowercase().contains(&ql))
                    || r.tags.values().any(|t| t.to_lowercase() == ql)
            })
            .filter(|r| {
                filters
                    .iter()
                    .all(|f| f.value.is_empty() || r.tags.get(&f.name).is_some_and(|t| *t == f.value))
            })
            .collect();
        let (sort, desc) = sort_asked(&params, headings.len());
        if let Some(i) = sort {
            rows.sort_by(|a, b| {
                let ka = a.keys.get(i).or(a.cells.get(i).map(|c| &c.text));
                let kb = b.keys.get(i).or(b.cells.get(i).map(|c| &c.text));
                let o = ka.cmp(&kb);
                if desc { o.reverse() } else { o }
            });
        }
        let total = rows.len();
        let pages_n = total.div_ceil(PAGE_SIZE).max(1);
        let page: usize = params
            .get("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
            .clamp(1, pages_n);
        let cols = heading_links(path, &params, headings, sort, desc, |_| true);
        // The first, the last and the pages around the current one, as on the read models' lists.
        let pages = super::list_paged::page_window(path, &params, pages_n, page);
        let shown: Vec<Vec<Cell>> = rows
            .iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|r| r.cells.clone())
            .collect();
        let csv_href = csv_link(path, &params);
        (
            Table {
                path: path.into(),
                q,
                filters,
                cols,
                rows: shown,
                total,
                pages,
                csv_href,
                sort: sort.map(|s| s.to_string()).unwrap_or_default(),
                dir: params.get("dir").cloned().unwrap_or_default(),
            },
            rows,
        )
    }
}

/// A CSV download of the cells of a list's rows (a read model's page with every row).
pub fn csv_of_cells(file: &str, headings: &[String], rows: Vec<Vec<Cell>>) -> WebResult<Response> {
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|cells| Row {
            cells,
            ..Row::default()
        })
        .collect();
    csv(file, headings, &rows)
}

/// A CSV download (UTF-8 with BOM, for Excel) of rows' cell texts.
pub fn csv(file: &str, headings: &[String], rows: &[Row]) -> WebResult<Response> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| WebError::Internal(format!("csv: {e}"));
    w.write_record(headings).map_err(err)?;
    for r in rows {
        // Cells starting with = + - @ would run as formulas in a spreadsheet.
        w.write_record(r.cells.iter().map(|c| {
            if c.text.starts_with(['=', '+', '-', '@']) {
                format!("'{}", c.text)
            } else {
                c.text.clone()
            }
        }))
        .map_err(err)?;
    }
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(w.into_inner().map_err(|e| WebError::Internal(format!("csv: {e}")))?);
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// The generic list page.
#[derive(Template)]
#[template(path = "dept_shared_list.html")]
pub struct ListTpl {
    /// Layout.
    pub c: Chrome,
    /// Heading.
    pub title: String,
    /// Lead text.
    pub intro: String,
    /// Links above the table: (href, label).
    pub actions: Vec<(String, String)>,
    /// The table.
    pub t: Table,
}

/// Renders a list, or its CSV when `format=csv`.
#[allow(clippy::too_many_arguments)]
pub fn list_page(
    c: Chrome,
    params: &HashMap<String, String>,
    path: &str,
    title: String,
    intro: String,
    actions: Vec<(String, String)>,
    headings: Vec<String>,
    filters: Vec<FilterSpec>,
    rows: Vec<Row>,
    csv_name: &str,
) -> WebResult<Response> {
    let (t, all) = Table::build(path, params, &headings, filters, rows);
    if params.get("format").is_some_and(|f| f == "csv") {
        return csv(csv_name, &headings, &all);
    }
    view::render(&ListTpl {
        c,
        title,
        intro,
        actions,
        t,
    })
}

// ---------- application stages ----------

/// Every application stage: (status, code, zh, en).
pub const STAGES: &[(ApplicationStatus, &str, &str, &str)] = &[
    (ApplicationStatus::Submitted, "submitted", "已提交待推荐", "Submitted"),
    (ApplicationStatus::Returned, "returned", "已退回修改", "Returned"),
    (
        ApplicationStatus::Recommended,
        "recommended",
        "已推荐待评审",
        "Recommended",
    ),
    (
        ApplicationStatus::UnderReview,
        "under_review",
        "专家评审中",
        "Under review",
    ),
    (ApplicationStatus::Approved, "approved", "认定同意待公示", "Approved"),
    (ApplicationStatus::InNotice, "in_notice", "公示中", "In public notice"),
    (ApplicationStatus::Named, "named", "已命名", "Named"),
    (ApplicationStatus::Rejected, "rejected", "不予认定", "Rejected"),
    (ApplicationStatus::Withdrawn, "withdrawn", "已撤回", "Withdrawn"),
];

/// A stage's code and label.
pub fn stage(s: ApplicationStatus, l: Lang) -> (&'static str, String) {
    STAGES
        .iter()
        .find(|x| x.0 == s)
        .map(|x| (x.1, l.t(x.2, x.3).to_string()))
        .unwrap_or(("", String::new()))
}

/// Stage filter options.
pub fn stage_options(l: Lang) -> Vec<(String, String)> {
    STAGES
        .iter()
        .map(|x| (x.1.to_string(), l.t(x.2, x.3).to_string()))
        .collect()
}

/// Policy filter options.
pub fn policy_options(policies: &PolicySet, who: &Principal) -> Vec<(String, String)> {
    policies
        .all()
        .iter()
        .filter(|p| who.works_under(&p.id))
        .map(|p| (p.id.clone(), format!("{}（{}）", p.province.name, p.document_number)))
        .collect()
}

/// A vocabulary term's label.
pub fn term_label(terms: &[guohe_policy::model::Term], code: &str, l: Lang) -> String {
    terms
        .iter()
        .find(|t| t.code == code)
        .map(|t| l.t(&t.zh, &t.en).to_string())
        .unwrap_or_else(|| code.to_string())
}

// ---------- the rounds of the log ----------

/// The ids of the rounds of the principal's province, sorted.
pub async fn round_ids(guohe: &Arc<Guohe>, p: &Principal) -> Vec<String> {
    guohe.round_ids(|policy| p.works_under(policy)).await
}

// ---------- the case view ----------

/// One step of a case's timeline.
#[derive(Debug, Clone)]
pub struct Step {
    /// Date.
    pub on: NaiveDate,
    /// What happened.
    pub what: String,
    /// Details.
    pub detail: String,
    /// Who (shown to the department only).
    pub actor: String,
    /// Articles applied, with their text.
    pub cites: Vec<(String, String)>,
}

/// How much of a case an audience may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The applicant unit.
    Unit,
    /// The recommender.
    Recommender,
    /// An assigned expert.
    Expert,
    /// The department.
    Department,
}

fn event_label(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "ApplicationSubmitted" => ("提交申报", "Submitted"),
        "ApplicationResubmitted" => ("修改后重新提交", "Resubmitted"),
        "ApplicationReturned" => ("形式审查退回修改", "Returned for correction"),
        "ApplicationWithdrawn" => ("撤回申报", "Withdrawn"),
        "ApplicationRecommended" => ("推荐", "Recommended"),
        "ExpertAssigned" => ("指派评审专家", "Expert assigned"),
        "ConflictDeclared" => ("专家申明回避", "Conflict of interest declared"),
        "ReviewSubmitted" => ("提交评审意见", "Review submitted"),
        "SiteInspectionRecorded" => ("现场勘验", "Site inspection"),
        "ApplicationDecided" => ("作出认定结论", "Decided"),
        "ApplicationRejected" => ("驳回", "Rejected"),
        "PublicNoticeStarted" => ("开始公示", "Public notice started"),
        "ObjectionLodged" => ("收到实名异议", "Objection lodged"),
        "ObjectionResolved" => ("异议处理", "Objection resolved"),
        "PublicNoticeEnded" => ("公示期满", "Notice period ended"),
        "BaseNamed" => ("命名", "Named"),
        other => view::base_event_label(other).unwrap_or(("记录", "Recorded")),
    }
}

/// The timeline of an application: its own stream, its notice's events about it, and the
/// base it became — each event with its articles.
pub async fn timeline(state: &AppState, a: &ApplicationCase, who: Audience, l: Lang) -> WebResult<Vec<Step>> {
    let policies = state.guohe.policies();
    let mut events = state.guohe.history(&format!("application/{}", a.id)).await?;
    if let Some(n) = &a.notice {
        events.extend(
            state
                .guohe
                .history(&format!("notice/{n}"))
                .await?
                .into_iter()
                .filter(|e| {
                    e.payload.get("application").and_then(Value::as_str) == Some(a.id.as_str())
                        || e.payload
                            .get("applications")
                            .and_then(Value::as_array)
                            .is_some_and(|v| v.iter().any(|x| x.as_str() == Some(a.id.as_str())))
                        || e.kind == "PublicNoticeEnded"
                }),
        );
    }
    if let Some(b) = &a.base {
        events.extend(state.guohe.history(&format!("base/{b}")).await?.into_iter().take(1));
    }
    events.sort_by_key(|e| e.seq);
    let dept = who == Audience::Department;
    let people = crate::labels::People::load(state).await?;
    let code = |c: &str| crate::labels::policy_code_label(policies, &a.policy, c, l);
    let steps = events
        .iter()
        // Who reviews is the department's business; an expert sees no other expert's review.
        .filter(|e| dept || !matches!(e.kind.as_str(), "ExpertAssigned" | "ConflictDeclared"))
        .filter(|e| who != Audience::Expert || e.kind != "ReviewSubmitted")
        .map(|e| {
            let (zh, en) = event_label(&e.kind);
            let p = &e.payload;
            let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let detail = match e.kind.as_str() {
                "ApplicationReturned" => p
                    .get("reasons")
                    .and_then(Value::as_array)
                    .map(|v| v.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("；"))
                    .unwrap_or_default(),
                "ApplicationRecommended" => format!("{}：{}", s("recommender"), s("opinion")),
                "ApplicationDecided" => {
                    let d = s("decision");
                    let label = policies
                        .get(&a.policy)
                        .map(|pol| term_label(&pol.vocabularies.decisions, &d, l))
                        .unwrap_or(d);
                    let r = s("reasons");
                    if r.is_empty() { label } else { format!("{label}：{r}") }
                }
                "ApplicationRejected" | "ApplicationWithdrawn" => {
                    let r = s("reason");
                    if r.is_empty() { s("reason") } else { r }
                }
                "PublicNoticeStarted" => format!("{} {} — {}", s("notice"), s("starts_on"), s("ends_on")),
                "ObjectionLodged" if dept => format!("{} · {}", s("objection"), s("content")),
                "ObjectionLodged" => s("objection"),
                "ObjectionResolved" => {
                    let upheld = p.get("upheld").and_then(Value::as_bool).unwrap_or(false);
                    format!(
                        "{} · {} · {}",
                        s("objection"),
                        if upheld {
                            l.t("异议成立", "upheld")
                        } else {
                            l.t("异议不成立", "not upheld")
                        },
                        s("resolution")
                    )
                }
                "ReviewSubmitted" if dept => format!(
                    "{} · {} {} · {}",
                    people.of(&s("expert")),
                    p.get("score")
                        .map(|x| x.to_string().trim_matches('"').to_string())
                        .unwrap_or_default(),
                    l.t("分", "points"),
                    code(&s("conclusion"))
                ),
                "ExpertAssigned" | "ConflictDeclared" => people.of(&s("expert")),
                "SiteInspectionRecorded" => {
                    let who: Vec<String> = p
                        .get("inspectors")
                        .and_then(Value::as_array)
                        .map(|v| v.iter().filter_map(Value::as_str).map(|x| people.of(x)).collect())
                        .unwrap_or_default();
                    format!("{}：{}", who.join("、"), s("findings"))
                }
                "BaseNamed" => s("official_name"),
                "ApplicationSubmitted" | "ApplicationResubmitted" => {
                    let v = crate::labels::code_label(&s("verdict"), l);
                    format!("{}{v}", l.t("条件核查：", "eligibility: "))
                }
                _ => String::new(),
            };
            Step {
                on: e.occurred_on,
                what: l.t(zh, en).to_string(),
                detail,
                actor: if dept { people.actor(&e.actor, l) } else { String::new() },
                cites: e
                    .articles
                    .iter()
                    .map(|c| {
                        let (label, _) = view::citation_label(policies, c, l);
                        let text = Citation::parse(c)
                            .ok()
                            .and_then(|x| policies.get(&x.policy).and_then(|p| p.text(x.at)).map(str::to_string))
                            .unwrap_or_default();
                        (label, text)
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(steps)
}

/// A summary of an application's facts for case pages; `round` is the round's title.
pub fn fact_lines(round: String, policies: &PolicySet, a: &ApplicationCase, l: Lang) -> Vec<(String, String)> {
    let f = &a.facts;
    let cat = view::category_label(policies, &a.policy, f.category.as_deref(), l);
    let mut v = vec![
        (l.t("申报编号", "Application").to_string(), a.id.clone()),
        (l.t("申报批次", "Round").to_string(), round),
        (
            l.t("依托单位", "Support unit").to_string(),
            format!("{}（{}）", f.unit.name, f.unit.uscc),
        ),
        (
            l.t("地区", "Region").to_string(),
            view::region_label(Some(&f.unit.region_code)),
        ),
        (l.t("技术领域", "Domain").to_string(), f.technology_domain.clone()),
        (
            l.t("主要合作国别（地区）", "Primary partner country").to_string(),
            view::country_label(Some(&f.primary_partner.country), l),
        ),
        (l.t("基地负责人", "Director").to_string(), f.director.name.clone()),
        (l.t("提交日期", "Submitted on").to_string(), a.submitted_on.to_string()),
        (
            l.t("合作伙伴", "Partners").to_string(),
            f.partner_institutions
                .iter()
                .map(|p| format!("{}（{}）", p.name, view::country_label(Some(&p.country), l)))
                .collect::<Vec<_>>()
                .join("；"),
        ),
        (
            l.t("条件核查结论（提交时）", "Eligibility at submission").to_string(),
            crate::labels::code_label(&a.verdict, l),
        ),
    ];
    if !cat.is_empty() {
        v.insert(4, (l.t("基地类型", "Category").to_string(), cat));
    }
    if !a.failing_rules.is_empty() {
        v.push((
            l.t("未通过的条件", "Failed rules").to_string(),
            a.failing_rules
                .iter()
                .map(|r| crate::labels::rule_label(policies, &a.policy, r, l))
                .collect::<Vec<_>>()
                .join("；"),
        ));
    }
    if !a.review_rules.is_empty() {
        v.push((
            l.t("需专家判断的条件", "Rules for expert judgement").to_string(),
            a.review_rules
                .iter()
                .map(|r| crate::labels::rule_label(policies, &a.policy, r, l))
                .collect::<Vec<_>>()
                .join("；"),
        ));
    }
    if let Some((rec, op)) = &a.recommendation {
        v.push((l.t("推荐意见", "Recommendation").to_string(), format!("{rec}：{op}")));
    }
    if !a.return_reasons.is_empty() {
        v.push((
            l.t("退回理由", "Reasons for return").to_string(),
            a.return_reasons.join("；"),
        ));
    }
    if a.direct {
        v.push((
            l.t("推荐", "Recommendation").to_string(),
            l.t("直接申请，无需推荐", "Applies directly; no recommendation")
                .to_string(),
        ));
    }
    v
}

/// The attachments listed in an application: (kind, file id).
pub fn attachment_rows(a: &ApplicationCase) -> Vec<(String, String)> {
    a.facts
        .attachments
        .iter()
        .map(|x| (x.kind.clone(), x.file.clone()))
        .collect()
}

/// What every audience's case page shows.
#[derive(Debug, Clone)]
pub struct CaseView {
    /// Application id.
    pub id: String,
    /// Stage code.
    pub stage_code: String,
    /// Stage label.
    pub stage_label: String,
    /// Fact lines.
    pub facts: Vec<(String, String)>,
    /// Timeline.
    pub steps: Vec<Step>,
    /// Attachments: (kind label, file id, file name).
    pub attachments: Vec<(String, String, String)>,
    /// The list this page belongs to.
    pub back: String,
}

/// Builds the case view of an application the principal may see (checked by the caller).
pub async fn case_view(
    state: &AppState,
    a: &ApplicationCase,
    who: Audience,
    l: Lang,
    back: &str,
) -> WebResult<CaseView> {
    let policies = state.guohe.policies();
    let round = state
        .guohe
        .round(&a.round)
        .await
        .map_or_else(|| a.round.clone(), |r| r.title);
    let facts = fact_lines(round, policies, a, l);
    let steps = timeline(state, a, who, l).await?;
    let drafts = guohe_store::drafts::DraftStore::new(state.guohe.log());
    let owned = drafts.files_of(a.facts.unit.uscc.trim()).await?;
    let attachments = attachment_rows(a)
        .into_iter()
        .map(|(kind, file)| {
            let name = owned
                .iter()
                .find(|f| f.id == file)
                .map(|f| f.file_name.clone())
                .unwrap_or_else(|| file.clone());
            (crate::pages::unit::kind_label(&kind, l), file, name)
        })
        .collect();
    let _ = policies;
    let (code, label) = stage(a.status, l);
    Ok(CaseView {
        id: a.id.clone(),
        stage_code: code.into(),
        stage_label: label,
        facts,
        steps,
        attachments,
        back: back.into(),
    })
}
