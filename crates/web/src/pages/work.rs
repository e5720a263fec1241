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

mod case_view;
mod lists;

pub use case_view::*;
pub use lists::*;

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
