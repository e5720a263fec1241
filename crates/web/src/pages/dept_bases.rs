//! 基地 — the department's bases: assessments, evaluations, findings, major changes.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::Datelike;

use crate::AppState;
use crate::error::WebResult;
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome};
use std::collections::HashMap;

use axum::extract::{Path, Query};
use guohe_app::unit_desk;
use guohe_domain::ChangeStatus;
use guohe_policy::model::{Approver, Effect, Trigger};
use serde_json::{Value, json};

use super::department::{confirmed, dept_of};
use super::list_paged::{self, Found};
use super::work::{self, Cell, ConfirmTpl, Feedback, ListTpl, Quote, Table, Vals, render_status, see_other};
use crate::authz::Action;
use crate::error::{FieldError, WebError};
use guohe_app::read_models::{RegisterQuery, SortKey};

// ----- bases -----

/// `GET /dept/bases` — every base with its status and what is due. Served a page at a time from
/// the register view: the search looks in the name, the unit and the domain; the list sorts by
/// every column but the two worked out per base (what is due next, pending changes).
pub async fn bases(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RecordOutcomes)?;
    let l = ctx.lang;
    let today = state.today();
    let policies = state.guohe.policies();
    let params = work::list_params(&q);
    let headings: Vec<String> = vec![
        l.t("基地", "Base").into(),
        l.t("依托单位", "Support unit").into(),
        l.t("技术领域", "Domain").into(),
        l.t("认定日期", "Recognised").into(),
        l.t("状态", "Status").into(),
        l.t("下一项待办", "Next due").into(),
        l.t("待审重大事项", "Pending changes").into(),
    ];
    let (sort, desc) = work::sort_asked(&params, headings.len());
    let sort = sort.filter(|i| sort_by_column(*i).is_some());
    let chosen = |name: &str| params.get(name).filter(|v| !v.is_empty()).cloned();
    let csv = params.get("format").is_some_and(|f| f == "csv");
    // A policy outside the department's province matches nothing, as before.
    let mine: Vec<String> = match chosen("policy") {
        Some(policy) => p.policies.iter().filter(|x| **x == policy).cloned().collect(),
        None => p.policies.clone(),
    };
    let query = RegisterQuery {
        text: params.get("q").cloned().unwrap_or_default(),
        policies: Some(mine),
        // A status code that names no status matches nothing, as a filter value no row carries.
        statuses: chosen("status").map(|s| vec![s]),
        sort: sort.and_then(sort_by_column).unwrap_or_default(),
        desc: desc && sort.is_some(),
        page: list_paged::page_asked(&params),
        per_page: (!csv).then_some(work::PAGE_SIZE),
        clamp_page: true,
        ..RegisterQuery::default()
    };
    let found = state.guohe.dept_base_page(&query, today).await;
    let rows: Vec<Vec<Cell>> = found
        .rows
        .into_iter()
        .map(|b| {
            let code = view::status_code(b.status);
            vec![
                Cell::link(b.name, format!("/dept/bases/{}", b.id)),
                Cell::text(b.unit),
                Cell::text(b.domain),
                Cell::text(b.recognised_on.to_string()),
                Cell::text(view::status_label(b.status, l)).class(&format!("status s-{code}")),
                Cell::text(super::unit::next_due_label(b.next_due.as_ref(), policies, l)),
                Cell::text(b.pending_changes.to_string()).class("num"),
            ]
        })
        .collect();
    if csv {
        return work::csv_of_cells("bases.csv", &headings, rows);
    }
    let filters = work::chosen_filters(
        vec![
            (
                "status".into(),
                l.t("状态", "Status").into(),
                view::STATUSES
                    .iter()
                    .map(|(c, zh, en)| (c.to_string(), l.t(zh, en).to_string()))
                    .collect(),
            ),
            (
                "policy".into(),
                l.t("办法", "Policy").into(),
                work::policy_options(state.guohe.policies(), &p),
            ),
        ],
        &params,
    );
    let t = Table::paged(
        "/dept/bases",
        &params,
        &headings,
        (sort, desc),
        |i| sort_by_column(i).is_some(),
        filters,
        Found {
            rows,
            total: found.total,
            page: found.page,
        },
    );
    view::render(&ListTpl {
        c: ctx.chrome("/dept"),
        title: l.t("基地管理", "Bases").into(),
        intro: l
            .t(
                "年度考核、评估、复评、查实情形与重大事项审核。",
                "Annual assessments, evaluations, re-evaluations, findings and major changes.",
            )
            .into(),
        actions: vec![("/dept/audit".into(), l.t("审计日志", "Audit log").into())],
        t,
    })
}

/// The order the register view keeps for a column of the list, if it keeps one.
fn sort_by_column(column: usize) -> Option<SortKey> {
    match column {
        0 => Some(SortKey::Name),
        1 => Some(SortKey::Unit),
        2 => Some(SortKey::Domain),
        3 => Some(SortKey::Recognised),
        4 => Some(SortKey::Status),
        _ => None,
    }
}

/// A base for the department, with the forms that record outcomes.
#[derive(Template)]
#[template(path = "dept_base.html")]
pub struct DeptBaseTpl {
    /// Layout.
    pub c: Chrome,
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Status code.
    pub status_code: String,
    /// Status label.
    pub status: String,
    /// Facts.
    pub facts: Vec<(String, String)>,
    /// Annual assessments apply (Hubei).
    pub annual: bool,
    /// Annual grades: (code, label).
    pub annual_grades: Vec<(String, String)>,
    /// Evaluation grades: (code, label).
    pub evaluation_grades: Vec<(String, String)>,
    /// Findings: (code, label with article).
    pub findings: Vec<(String, String)>,
    /// Pending changes awaiting the department: (id, kind, description).
    pub pending: Vec<(String, String, String)>,
    /// Changes: (id, kind, description, status).
    pub changes: Vec<(String, String, String, String)>,
    /// On the register.
    pub active: bool,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

async fn base_page(ctx: &RequestCtx, state: &AppState, id: &str, mut v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RecordOutcomes)?;
    let l = ctx.lang;
    let today = state.today();
    let b = state.guohe.base(id).await.ok_or(WebError::NotFound)?;
    p.in_province(&b.policy)?;
    let policy = state
        .guohe
        .policies()
        .get(&b.policy)
        .cloned()
        .ok_or(WebError::NotFound)?;
    let terms = |t: &[guohe_policy::model::Term]| {
        t.iter()
            .map(|t| (t.code.clone(), l.t(&t.zh, &t.en).to_string()))
            .collect::<Vec<_>>()
    };
    let kinds = &policy.vocabularies.major_change_kinds;
    let s = b.status_on(today).unwrap_or(b.status);
    if v.get("effective_on").is_empty() {
        v.set("effective_on", today.to_string());
    }
    if v.get("year").is_empty() {
        v.set("year", (today.year() - 1).to_string());
    }
    let tpl = DeptBaseTpl {
        c: ctx.chrome("/dept"),
        id: b.id.clone(),
        name: b.official_name.clone(),
        status_code: view::status_code(s).into(),
        status: view::status_label(s, l),
        facts: vec![
            (
                l.t("依托单位", "Support unit").into(),
                format!("{}（{}）", b.unit_name, b.uscc),
            ),
            (l.t("技术领域", "Domain").into(), b.domain.clone()),
            (l.t("基地负责人", "Director").into(), b.director.clone()),
            (l.t("认定日期", "Recognised on").into(), b.recognised_on.to_string()),
            (
                l.t("年度报告", "Annual reports").into(),
                b.reports.keys().map(|y| y.to_string()).collect::<Vec<_>>().join("、"),
            ),
            (
                l.t("年度考核", "Annual grades").into(),
                b.annual_grades
                    .iter()
                    .map(|(y, g)| {
                        format!(
                            "{y}: {}",
                            view::grade_label(state.guohe.policies(), &b.policy, &g.grade, l)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            (
                l.t("评估", "Evaluations").into(),
                b.evaluations
                    .iter()
                    .map(|e| {
                        format!(
                            "{} {}",
                            e.on,
                            view::grade_label(state.guohe.policies(), &b.policy, &e.grade, l)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            (
                l.t("下一项待办", "Next due").into(),
                super::unit::next_due_label(
                    unit_desk::next_due(&b, Some(&policy), today).as_ref(),
                    state.guohe.policies(),
                    l,
                ),
            ),
        ],
        annual: policy.lifecycle.annual_assessment.is_some(),
        annual_grades: terms(&policy.vocabularies.annual_grades),
        evaluation_grades: terms(&policy.vocabularies.evaluation_grades),
        findings: policy
            .vocabularies
            .findings
            .iter()
            .map(|t| {
                let art = t.article.map(|a| policy.cite_zh(a)).unwrap_or_default();
                (t.code.clone(), format!("{} {art}", l.t(&t.zh, &t.en)))
            })
            .collect(),
        pending: b
            .major_changes
            .iter()
            .filter(|(_, c)| {
                c.status == ChangeStatus::Pending && c.approval.get(c.approved_by.len()) == Some(&Approver::Department)
            })
            .map(|(cid, c)| {
                (
                    cid.clone(),
                    work::term_label(kinds, &c.kind, l),
                    c.details.description.clone(),
                )
            })
            .collect(),
        changes: b
            .major_changes
            .iter()
            .map(|(cid, c)| {
                (
                    cid.clone(),
                    work::term_label(kinds, &c.kind, l),
                    c.details.description.clone(),
                    super::unit::change_status(c.status, c.approved_by.len(), c.approval.len(), l),
                )
            })
            .collect(),
        active: b.status.on_register(),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/bases/{id}`.
pub async fn base(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    base_page(&ctx, &state, &id, Vals::default(), Feedback::none(ctx.lang)).await
}

/// The consequences a policy attaches to a trigger: (effect label, article citation).
fn consequences_of(policy: &guohe_policy::Policy, trigger: &Trigger, l: Lang) -> (String, Vec<String>) {
    let mut text = Vec::new();
    let mut cites = Vec::new();
    for c in policy.consequences.iter().filter(|c| &c.when == trigger) {
        let effect = match c.then {
            Effect::Rectify => l.t("限期整改", "rectification"),
            Effect::Terminate => l.t("终止并注销命名", "naming terminated"),
            Effect::Revoke => l.t(
                "撤销命名（在办申报予以驳回）",
                "naming revoked (a pending application is rejected)",
            ),
            Effect::Disqualify => l.t(
                "取消资格（并按规定限制重新申请）",
                "disqualified (and barred from reapplying as the policy says)",
            ),
            Effect::ExitNational => l.t("退出省级管理序列", "leaves the provincial register"),
        };
        text.push(format!("{}（{}）", effect, policy.cite_zh(c.article)));
        cites.push(work::cite(policy, c.article));
    }
    (text.join("；"), cites)
}

/// `POST /dept/bases/{id}/{record}` — `record` is `assessment` (`year`, `grade`), `evaluation`
/// (`grade`), `re-evaluation` (`grade`) or `finding` (`finding`, `effective_on`, `evidence`);
/// each through a confirmation that states the consequence and quotes its article.
pub async fn record(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path((id, what)): Path<(String, String)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RecordOutcomes)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let b = state.guohe.base(&id).await.ok_or(WebError::NotFound)?;
    p.in_province(&b.policy)?;
    let policy = state
        .guohe
        .policies()
        .get(&b.policy)
        .cloned()
        .ok_or(WebError::NotFound)?;
    let policies = state.guohe.policies();
    let mut errs = Vec::new();
    let (cmd, title, facts, trigger, article): (Value, String, Vec<(String, String)>, Option<Trigger>, String) =
        match what.as_str() {
            "assessment" => {
                let grade = work::required(&v, "grade", 40, &mut errs);
                let year: Option<i32> = v.t("year").parse().ok();
                if year.is_none() {
                    errs.push(FieldError::new("year", "请填写考核年度", "enter the year"));
                }
                let art = policy
                    .lifecycle
                    .annual_assessment
                    .as_ref()
                    .map(|a| work::cite(&policy, a.article))
                    .unwrap_or_default();
                let label = work::term_label(&policy.vocabularies.annual_grades, &grade, l);
                (
                    json!({"type": "RecordAnnualAssessment", "base": id, "year": year, "grade": grade}),
                    l.pick(
                        format!("记录{}年度考核：{label}", year.unwrap_or(0)),
                        format!("Record annual assessment {}: {label}", year.unwrap_or(0)),
                    ),
                    vec![
                        (
                            l.t("年度", "Year").into(),
                            year.map(|y| y.to_string()).unwrap_or_default(),
                        ),
                        (l.t("考核结果", "Grade").into(), label),
                    ],
                    Some(Trigger::ConsecutiveAnnual {
                        grade: grade.clone(),
                        years: 2,
                    }),
                    art,
                )
            }
            "evaluation" | "re-evaluation" => {
                let grade = work::required(&v, "grade", 40, &mut errs);
                let label = work::term_label(&policy.vocabularies.evaluation_grades, &grade, l);
                let re = what == "re-evaluation";
                (
                    json!({"type": if re { "RecordReEvaluation" } else { "RecordEvaluation" }, "base": id, "grade": grade}),
                    if re {
                        l.pick(
                            format!("记录整改后复评：{label}"),
                            format!("Record re-evaluation: {label}"),
                        )
                    } else {
                        l.pick(format!("记录评估结果：{label}"), format!("Record evaluation: {label}"))
                    },
                    vec![(l.t("评估结果", "Grade").into(), label)],
                    Some(if re {
                        Trigger::ReEvaluation { grade }
                    } else {
                        Trigger::Evaluation { grade }
                    }),
                    work::cite(&policy, policy.lifecycle.evaluation.article),
                )
            }
            "finding" => {
                let finding = work::required(&v, "finding", 60, &mut errs);
                let on = work::date_field(&v, "effective_on", &mut errs);
                let evidence = work::required(&v, "evidence", 4000, &mut errs);
                let term = policy.vocabularies.findings.iter().find(|t| t.code == finding);
                if !finding.is_empty() && term.is_none() {
                    errs.push(FieldError::new("finding", "请选择情形", "choose a finding"));
                }
                (
                    json!({"type": "RecordFinding", "case": format!("base/{id}"), "finding": finding, "effective_on": on, "evidence": evidence}),
                    l.pick(
                        format!("记录查实情形：{}", term.map(|t| t.zh.clone()).unwrap_or_default()),
                        format!("Record finding: {}", term.map(|t| t.en.clone()).unwrap_or_default()),
                    ),
                    vec![
                        (
                            l.t("情形", "Finding").into(),
                            term.map(|t| l.t(&t.zh, &t.en).to_string()).unwrap_or_default(),
                        ),
                        (
                            l.t("生效日期", "Effective on").into(),
                            on.map(|d| d.to_string()).unwrap_or_default(),
                        ),
                        (l.t("证据材料", "Evidence").into(), evidence),
                    ],
                    Some(Trigger::Finding {
                        finding: finding.clone(),
                    }),
                    term.and_then(|t| t.article)
                        .map(|a| work::cite(&policy, a))
                        .unwrap_or_default(),
                )
            }
            _ => return Err(WebError::NotFound),
        };
    if !errs.is_empty() {
        return base_page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    if !confirmed(&v) {
        let (consequence, mut cites) = trigger.map(|t| consequences_of(&policy, &t, l)).unwrap_or_default();
        if !article.is_empty() {
            cites.insert(0, article);
        }
        let consequence = if consequence.is_empty() {
            l.t(
                "按办法记录，无直接后果。",
                "Recorded; no direct consequence under the policy.",
            )
            .to_string()
        } else {
            l.pick(
                format!("按办法将导致：{consequence}"),
                format!("Under the policy this leads to: {consequence}"),
            )
        };
        let mut facts = facts;
        facts.insert(0, (l.t("基地", "Base").into(), b.official_name.clone()));
        let articles: Vec<Quote> = work::quotes(policies, &cites, l);
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title,
            facts,
            consequence,
            articles,
            action: format!("/dept/bases/{id}/{what}"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/dept/bases/{id}"),
        });
    }
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/bases/{id}"))),
        Err(e) => {
            let map = |f: &str| {
                if f == "case" || f == "base" {
                    "grade".to_string()
                } else {
                    f.to_string()
                }
            };
            let fb = Feedback::from_app(l, policies, e, &map)?;
            base_page(&ctx, &state, &id, v, fb).await
        }
    }
}

/// `POST /dept/bases/{id}/changes/{change}` (`decision` = `approve` | `reject`, `reason`).
pub async fn decide_change(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path((id, change)): Path<(String, String)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    if let Some(errs) = work::change_decision_errors(&v) {
        return base_page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    let cmd = if v.get("decision") == "reject" {
        let reason = v.t("reason");
        json!({"type": "RejectMajorChange", "base": id, "change_id": change, "by": "department", "reason": reason})
    } else {
        json!({"type": "ApproveMajorChange", "base": id, "change_id": change, "by": "department"})
    };
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/bases/{id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, state.guohe.policies(), e, &work::same_field)?;
            base_page(&ctx, &state, &id, v, fb).await
        }
    }
}
