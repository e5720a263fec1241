//! 推荐申报国家级基地 — the department's page: the candidate list as of a date with every
//! criterion's reason and article (CSV and xlsx too), the recommendation of the bases selected
//! behind a confirmation quoting the article, and the outcome of each recommendation.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use guohe_app::national::{self, RecommendationRow};
use guohe_domain::{NationalList, NationalOutcome};
use guohe_store::StoredEvent;
use serde_json::{Value, json};

use super::work::{self, ConfirmTpl, Feedback, Vals, render_status, see_other};
use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{FieldError, WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

/// `GET /dept/national`.
#[derive(Template)]
#[template(path = "dept_national.html")]
pub struct DeptNationalTpl {
    /// Layout.
    pub c: Chrome,
    /// Policies: (id, label).
    pub policies: Vec<(String, String)>,
    /// The list, or why there is none (a policy without the recommendation).
    pub list: Option<NationalList>,
    /// Why there is no list.
    pub not_provided: String,
    /// The article, quoted.
    pub quote: Vec<work::Quote>,
    /// Rows of the candidates and the excluded: (base, name, unit, eligible, reasons as
    /// (met, text, article label)).
    pub rows: Vec<Row>,
    /// Recommendations made under the policy.
    pub made: Vec<RecommendationRow>,
    /// Export query (`policy=…&as_of=…&year=…`).
    pub query: String,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

/// A base on the list.
pub struct Row {
    /// Base id.
    pub base: String,
    /// Name.
    pub name: String,
    /// Support unit.
    pub unit: String,
    /// Candidate.
    pub eligible: bool,
    /// (met, reason, article label).
    pub reasons: Vec<(bool, String, String)>,
}

fn dept_of(ctx: &RequestCtx, action: Action) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Department)?;
    authz::may(&p, action)?;
    Ok(p)
}

/// The policy, date and year the page reads, from the query or the form: the first policy the
/// principal works under, the business date and its year by default.
fn selection(state: &AppState, p: &Principal, v: &Vals, errs: &mut Vec<FieldError>) -> (String, NaiveDate, i32) {
    let policies = work::policy_options(state.guohe.policies(), p);
    let first = || policies.first().map(|x| x.0.clone()).unwrap_or_default();
    let policy = match v.t("policy") {
        s if s.is_empty() => first(),
        // Another province's policy is refused by the caller; one not loaded at all is a typo.
        s if state.guohe.policies().get(&s).is_none() => {
            errs.push(FieldError::new("policy", "未载入该办法", "no such policy"));
            first()
        }
        s => s,
    };
    let as_of = match v.t("as_of") {
        s if s.is_empty() => state.today(),
        _ => work::date_field(v, "as_of", errs).unwrap_or(state.today()),
    };
    let year = match v.t("year") {
        s if s.is_empty() => as_of.year(),
        s => s.parse::<i32>().unwrap_or_else(|_| {
            errs.push(FieldError::new("year", "请填写年度（如2026）", "the year, e.g. 2026"));
            as_of.year()
        }),
    };
    (policy, as_of, year)
}

async fn page(ctx: &RequestCtx, state: &AppState, p: &Principal, mut v: Vals, mut fb: Feedback) -> WebResult<Response> {
    let l = ctx.lang;
    let mut errs = Vec::new();
    let (policy, as_of, year) = selection(state, p, &v, &mut errs);
    for e in errs {
        fb.errors.push(e);
    }
    if !policy.is_empty() {
        p.in_province(&policy)?;
    }
    v.set("policy", policy.clone());
    if v.t("as_of").is_empty() {
        v.set("as_of", as_of.to_string());
    }
    if v.t("year").is_empty() {
        v.set("year", year.to_string());
    }
    if v.t("recommended_on").is_empty() {
        v.set("recommended_on", as_of.to_string());
    }
    let policies = state.guohe.policies();
    let (list, not_provided) = match state.guohe.national_list(&policy, as_of, Some(year)).await {
        Ok(x) => (Some(x), String::new()),
        Err(guohe_app::AppError::Refused(r)) => (None, l.pick(r.message_zh, r.message_en)),
        Err(e) => return Err(e.into()),
    };
    let label = |c: &guohe_policy::Citation| view::citation_label(policies, &c.to_string(), l).0;
    let rows = list
        .iter()
        .flat_map(|x| x.candidates.iter().chain(x.excluded.iter()))
        .map(|c| Row {
            base: c.base.clone(),
            name: c.name.clone(),
            unit: c.unit_name.clone(),
            eligible: c.eligible,
            reasons: c
                .checks
                .iter()
                .map(|x| {
                    (
                        x.met,
                        l.pick(x.reason_zh.clone(), x.reason_en.clone()),
                        label(&x.article),
                    )
                })
                .collect(),
        })
        .collect();
    let quote = list
        .as_ref()
        .map(|x| work::quotes(policies, &[x.article.to_string()], l))
        .unwrap_or_default();
    let made = state.guohe.national_recommendations(|x| x == policy).await;
    let tpl = DeptNationalTpl {
        c: ctx.chrome("/dept"),
        policies: work::policy_options(policies, p),
        list,
        not_provided,
        quote,
        rows,
        made,
        query: format!("policy={policy}&as_of={as_of}&year={year}"),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/national?policy=…&as_of=…&year=…[&format=csv|xlsx]` — the candidate list and the
/// recommendations made, or the list as a download.
pub async fn list(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let v = Vals::new(q.into_iter().collect());
    let format = v.t("format");
    if format == "csv" || format == "xlsx" {
        let mut errs = Vec::new();
        let (policy, as_of, year) = selection(&state, &p, &v, &mut errs);
        if !errs.is_empty() {
            return Err(WebError::BadRequest {
                zh: "查询条件有误".into(),
                en: "the query is invalid".into(),
                fields: errs,
            });
        }
        p.in_province(&policy)?;
        let l = state.guohe.national_list(&policy, as_of, Some(year)).await?;
        let policies = state.guohe.policies();
        let file = format!("national-candidates-{policy}-{as_of}.{format}");
        return Ok(if format == "csv" {
            super::download(
                national::csv(&l, policies).into_bytes(),
                "text/csv; charset=utf-8",
                &file,
            )
        } else {
            let bytes = national::xlsx(&l, policies).map_err(|e| WebError::Internal(format!("xlsx: {e}")))?;
            super::download(
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &file,
            )
        });
    }
    page(&ctx, &state, &p, v, Feedback::none(ctx.lang)).await
}

/// A base id as the register writes it: 1–80 characters, no whitespace or `/`.
fn base_id_ok(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= 80 && !s.chars().any(|c| c.is_whitespace() || c == '/')
}

/// Refusals name `bases[i]`; the form has one list of boxes, `base`.
fn form_field(f: &str) -> String {
    if f.starts_with("bases") {
        "base".into()
    } else {
        f.to_string()
    }
}

/// `POST /dept/national/recommend` (`policy`, `year`, `document`, `recommended_on`, `base`…,
/// `confirmed`) — checks the recommendation, shows it with the article, then records it.
pub async fn recommend(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let mut errs = Vec::new();
    let (policy, _, year) = selection(&state, &p, &v, &mut errs);
    let document = work::required(&v, "document", 120, &mut errs);
    let recommended_on = work::date_field(&v, "recommended_on", &mut errs);
    let bases = v.all("base");
    if !bases.iter().all(|b| base_id_ok(b)) {
        errs.push(FieldError::new("base", "基地编号无效", "not a base id"));
    }
    if bases.is_empty() {
        errs.push(FieldError::new(
            "base",
            "请至少选择一个候选基地",
            "choose at least one base",
        ));
    }
    if !errs.is_empty() {
        return page(&ctx, &state, &p, v, Feedback::invalid(l, errs)).await;
    }
    let cmd = json!({"type": "RecommendToNational", "policy": policy, "year": year, "document": document,
                     "recommended_on": recommended_on, "bases": bases});
    let facts = vec![
        (l.t("推荐年度", "Year").into(), year.to_string()),
        (l.t("推荐文号", "Document").into(), document.clone()),
        (
            l.t("推荐日期", "Date").into(),
            recommended_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (l.t("推荐基地", "Bases").into(), bases.join("、")),
    ];
    confirm_or_run(
        &ctx,
        &state,
        &p,
        v,
        cmd,
        ConfirmText {
            title: l.pick(
                format!("推荐申报国家国际科技合作基地（{year}年度）"),
                format!("Recommend to the national programme ({year})"),
            ),
            facts,
            consequence: l
                .t(
                    "确认后推荐记入各基地的办理记录并公开，同一基地同一年度不能再次推荐。",
                    "Once confirmed, the recommendation goes on each base's public record; a base is recommended once a year.",
                )
                .into(),
            action: "/dept/national/recommend",
        },
    )
    .await
}

struct ConfirmText {
    title: String,
    facts: Vec<(String, String)>,
    consequence: String,
    action: &'static str,
}

/// Dry-runs the command for the confirmation page (with the articles its events cite), or runs
/// it once confirmed; a refusal shows beside the form with everything typed kept.
async fn confirm_or_run(
    ctx: &RequestCtx,
    state: &AppState,
    p: &Principal,
    v: Vals,
    cmd: Value,
    t: ConfirmText,
) -> WebResult<Response> {
    let l = ctx.lang;
    let policies = state.guohe.policies();
    if v.get("confirmed") != "yes" {
        let decided = match work::preview(state, p, cmd).await? {
            Ok(d) => d,
            Err(e) => {
                let fb = Feedback::from_app(l, policies, e, &form_field)?;
                return page(ctx, state, p, v, fb).await;
            }
        };
        let mut cites: Vec<String> = decided.events().iter().flat_map(|e| e.article_texts()).collect();
        cites.dedup();
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: t.title,
            facts: t.facts,
            consequence: t.consequence,
            articles: work::quotes(policies, &cites, l),
            action: t.action.into(),
            hidden: ConfirmTpl::hidden_of(&v),
            back: "/dept/national".into(),
        });
    }
    match work::run(state, p, cmd).await? {
        Ok(()) => {
            let policy = v.t("policy");
            Ok(see_other(&format!("/dept/national?policy={policy}")))
        }
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &form_field)?;
            page(ctx, state, p, v, fb).await
        }
    }
}

/// `POST /dept/national/outcome` (`policy`, `base`, `year`, `outcome`, `document`,
/// `effective_on`, `confirmed`) — what followed a recommendation.
pub async fn outcome(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RecordOutcomes)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let mut errs = Vec::new();
    let base = work::required(&v, "base", 80, &mut errs);
    if !base.is_empty() && !base_id_ok(&base) {
        errs.push(FieldError::new("base", "基地编号无效", "not a base id"));
    }
    let year = v.t("year").parse::<i32>().ok();
    if year.is_none() {
        errs.push(FieldError::new("year", "请填写推荐年度", "the recommendation's year"));
    }
    let outcome = match v.t("outcome").as_str() {
        "recognised" => Some(NationalOutcome::Recognised),
        "not_recognised" => Some(NationalOutcome::NotRecognised),
        _ => {
            errs.push(FieldError::new("outcome", "请选择认定结果", "choose the outcome"));
            None
        }
    };
    let document = work::required(&v, "outcome_document", 120, &mut errs);
    let effective_on = work::date_field(&v, "effective_on", &mut errs);
    if !errs.is_empty() {
        return page(&ctx, &state, &p, v, Feedback::invalid(l, errs)).await;
    }
    let cmd = json!({"type": "RecordNationalOutcome", "base": base, "year": year, "outcome": outcome.map(|o| o.code()),
                     "document": document, "effective_on": effective_on});
    let o = outcome.unwrap_or(NationalOutcome::NotRecognised);
    let consequence = match o {
        NationalOutcome::Recognised => l.t(
            "确认后结果记入基地的办理记录并公开；依办法规定，认定为国家基地的可能退出省级管理序列（湖南第十七条）或继续纳入省级管理（湖北第三十条）。",
            "Once confirmed, the outcome goes on the base's public record; depending on the regulation the base leaves the provincial register (Hunan art. 17) or stays under provincial management (Hubei art. 30).",
        ),
        NationalOutcome::NotRecognised => l.t(
            "确认后结果记入基地的办理记录并公开，基地照常运行。",
            "Once confirmed, the outcome goes on the base's public record; the base carries on.",
        ),
    };
    let facts = vec![
        (l.t("基地", "Base").into(), base.clone()),
        (l.t("推荐年度", "Year").into(), year.unwrap_or(0).to_string()),
        (l.t("结果", "Outcome").into(), l.t(o.zh(), o.en()).into()),
        (l.t("文号", "Document").into(), document.clone()),
        (
            l.t("发文日期", "Date").into(),
            effective_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
    ];
    confirm_or_run(
        &ctx,
        &state,
        &p,
        v,
        cmd,
        ConfirmText {
            title: l.pick(
                format!("记录国家级认定结果：{base}"),
                format!("Record the national outcome of {base}"),
            ),
            facts,
            consequence: consequence.into(),
            action: "/dept/national/outcome",
        },
    )
    .await
}

/// The detail a base's public history shows for a recommendation or its outcome.
pub fn history_detail(e: &StoredEvent, l: Lang) -> String {
    let p = &e.payload;
    let s = |k: &str| p.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let year = p.get("year").map(|y| y.to_string()).unwrap_or_default();
    match e.kind.as_str() {
        "RecommendedToNational" => l.pick(
            format!("{year}年度，{}（{}）", s("document"), s("recommended_on")),
            format!("{year}: {} ({})", s("document"), s("recommended_on")),
        ),
        _ => {
            let outcome = match s("outcome").as_str() {
                "recognised" => NationalOutcome::Recognised,
                _ => NationalOutcome::NotRecognised,
            };
            l.pick(
                format!(
                    "{year}年度推荐（{}）：{}，{}（{}）；{}",
                    s("recommendation"),
                    outcome.zh(),
                    s("document"),
                    s("effective_on"),
                    s("follow_up")
                ),
                format!(
                    "{year} recommendation ({}): {}, {} ({})",
                    s("recommendation"),
                    outcome.en(),
                    s("document"),
                    s("effective_on")
                ),
            )
        }
    }
}
