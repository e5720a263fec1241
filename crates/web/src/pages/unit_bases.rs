//! The unit's view of one of its bases: status, grades, deadlines, annual reports and
//! major-change filings.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::Datelike;
use guohe_app::unit_desk::GradeRow;
use guohe_domain::ChangeStatus;
use serde_json::json;

use super::unit::{next_due_label, unit_of};
use super::work::{self, Feedback, Vals, render_status};
use crate::AppState;
use crate::authz;
use crate::error::{FieldError, WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

/// The unit's view of one base.
#[derive(Template)]
#[template(path = "unit_base.html")]
pub struct UnitBaseTpl {
    /// Layout.
    pub c: Chrome,
    /// Id.
    pub id: String,
    /// Facts.
    pub facts: Vec<(String, String)>,
    /// Status code.
    pub status_code: String,
    /// Status label.
    pub status: String,
    /// Next due.
    pub next: String,
    /// Deadline rule quoted: (cite, text).
    pub deadline: work::Quote,
    /// Reports: (year, submitted, due, late).
    pub reports: Vec<(i32, String, String, bool)>,
    /// Grades: (what, grade).
    pub grades: Vec<(String, String)>,
    /// Major changes: (id, kind, description, status).
    pub changes: Vec<(String, String, String, String)>,
    /// Change kinds: (code, label).
    pub change_kinds: Vec<(String, String)>,
    /// On the register (forms shown).
    pub active: bool,
    /// Form values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

/// A change's status label.
pub fn change_status(s: ChangeStatus, approved_by: usize, needed: usize, l: Lang) -> String {
    match s {
        ChangeStatus::Pending => l.pick(
            format!("待审核（已审 {approved_by}/{needed}）"),
            format!("pending ({approved_by}/{needed} approvals)"),
        ),
        ChangeStatus::Approved => l.t("已同意", "approved").into(),
        ChangeStatus::Rejected => l.t("不同意", "rejected").into(),
    }
}

async fn base_page(ctx: &RequestCtx, state: &AppState, id: &str, v: Vals, fb: Feedback) -> WebResult<Response> {
    let (p, org) = unit_of(ctx)?;
    let l = ctx.lang;
    let b = state
        .guohe
        .unit_base(&org, id, state.today(), |w, b| authz::can_view_base(&p, w, b))
        .await
        .ok_or(WebError::NotFound)??;
    let policies = state.guohe.policies();
    let policy = policies.get(&b.policy);
    let ar_quote = policy
        .map(|pol| work::quotes(policies, &[work::cite(pol, pol.lifecycle.annual_report.article)], l))
        .and_then(|mut q| q.pop())
        .unwrap_or(work::Quote {
            cite: String::new(),
            text: String::new(),
        });
    let grades: Vec<(String, String)> = b
        .grades
        .iter()
        .map(|g| match g {
            GradeRow::Annual { year, grade } => (
                l.pick(format!("{year}年度考核"), format!("Annual assessment {year}")),
                view::grade_label(policies, &b.policy, grade, l),
            ),
            GradeRow::Evaluation {
                on,
                re_evaluation,
                grade,
            } => (
                format!(
                    "{on} {}",
                    if *re_evaluation {
                        l.t("整改后复评", "Re-evaluation")
                    } else {
                        l.t("评估", "Evaluation")
                    }
                ),
                view::grade_label(policies, &b.policy, grade, l),
            ),
        })
        .collect();
    let kinds = policy
        .map(|p| p.vocabularies.major_change_kinds.clone())
        .unwrap_or_default();
    let tpl = UnitBaseTpl {
        c: ctx.chrome("/unit"),
        id: b.id.clone(),
        facts: vec![
            (l.t("基地名称", "Name").into(), b.official_name.clone()),
            (l.t("依托单位", "Support unit").into(), b.unit_name.clone()),
            (l.t("技术领域", "Domain").into(), b.domain.clone()),
            (l.t("基地负责人", "Director").into(), b.director.clone()),
            (
                l.t("主要合作国别（地区）", "Partner country").into(),
                view::country_label(b.partner_country.as_deref(), l),
            ),
            (l.t("认定日期", "Recognised on").into(), b.recognised_on.to_string()),
        ],
        status_code: view::status_code(b.status).into(),
        status: view::status_label(b.status, l),
        next: next_due_label(b.next.as_ref(), policies, l),
        deadline: ar_quote,
        reports: b
            .reports
            .iter()
            .map(|r| (r.year, r.submitted_on.to_string(), r.due_on.to_string(), r.late))
            .collect(),
        grades,
        changes: b
            .changes
            .iter()
            .map(|ch| {
                (
                    ch.id.clone(),
                    work::term_label(&kinds, &ch.kind, l),
                    ch.description.clone(),
                    change_status(ch.status, ch.approved_by, ch.needed, l),
                )
            })
            .collect(),
        change_kinds: kinds
            .iter()
            .map(|t| (t.code.clone(), l.t(&t.zh, &t.en).to_string()))
            .collect(),
        active: b.on_register,
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /unit/bases/{id}`.
pub async fn base(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let mut v = Vals::default();
    v.set("year", (state.today().year() - 1).to_string());
    base_page(&ctx, &state, &id, v, Feedback::none(ctx.lang)).await
}

/// `POST /unit/bases/{id}/reports` (`year`) — the annual report on a year, filed today.
pub async fn annual_report(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (p, _) = unit_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let Ok(year) = v.t("year").parse::<i32>() else {
        let fb = Feedback::invalid(
            l,
            vec![FieldError::new("year", "请填写报告年度", "enter the year reported on")],
        );
        return base_page(&ctx, &state, &id, v, fb).await;
    };
    let cmd = json!({"type": "SubmitAnnualReport", "base": id, "year": year, "submitted_on": state.today()});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => {
            let fb = Feedback::ok(
                l,
                l.pick(
                    format!("{year}年度报告已报送。"),
                    format!("Annual report {year} filed."),
                ),
            );
            base_page(&ctx, &state, &id, Vals::default(), fb).await
        }
        Err(e) => {
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &|f| {
                if f == "submitted_on" { "year".into() } else { f.into() }
            })?;
            base_page(&ctx, &state, &id, v, fb).await
        }
    }
}

/// `POST /unit/bases/{id}/changes` (`kind`, `description`, `new_value`, `new_uscc`) — a
/// major-change filing.
pub async fn file_change(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (p, _) = unit_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let mut errs = Vec::new();
    let kind = work::required(&v, "kind", 40, &mut errs);
    let description = work::required(&v, "description", 2000, &mut errs);
    let new_value = v.t("new_value");
    let field = match kind.as_str() {
        "rename" => Some("official_name"),
        "director" => Some("director"),
        "partner_country" => Some("partner_country"),
        "direction" => Some("domain"),
        "support_unit" => Some("unit_name"),
        "category" => Some("category"),
        _ => None,
    };
    if field.is_some() && new_value.is_empty() {
        errs.push(FieldError::new(
            "new_value",
            "请填写变更后的内容",
            "enter the new value",
        ));
    }
    if !errs.is_empty() {
        return base_page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    let change_id = state.guohe.next_major_change_id(&id).await;
    let mut details = json!({"description": description});
    if let Some(f) = field {
        let val = if f == "partner_country" {
            new_value.to_uppercase()
        } else {
            new_value
        };
        details[f] = json!(val);
    }
    if kind == "support_unit" && !v.t("new_uscc").is_empty() {
        details["uscc"] = json!(v.t("new_uscc"));
    }
    let cmd = json!({"type": "FileMajorChange", "base": id, "change_id": change_id, "kind": kind, "details": details});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => {
            let fb = Feedback::ok(
                l,
                l.t("重大事项已报告，等待审核。", "The major change was filed for approval.")
                    .into(),
            );
            base_page(&ctx, &state, &id, Vals::default(), fb).await
        }
        Err(e) => {
            let map = |f: &str| match f {
                f if f.starts_with("details.") => "new_value".to_string(),
                "change_id" => "kind".to_string(),
                f => f.to_string(),
            };
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &map)?;
            base_page(&ctx, &state, &id, v, fb).await
        }
    }
}
