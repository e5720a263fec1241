//! 建设经费后补助 — the department's page to award post-subsidies to bases graded 优秀 in an
//! evaluation year, within the policy's share (Hubei 第二十五、二十六条). The award is issued by a
//! document and cannot be undone: the form first shows the award with the articles quoted, then
//! asks for confirmation; a refusal keeps everything typed.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Datelike;
use guohe_domain::{EventKind, parse_amount_wan};
use serde_json::{Value, json};

use super::work::{self, ConfirmTpl, Feedback, Vals, render_status, see_other};
use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{FieldError, WebResult};
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

/// A candidate on the form, with what was typed for it.
#[derive(Debug, Clone)]
pub struct CandidateRow {
    /// Base id.
    pub base: String,
    /// Name.
    pub name: String,
    /// Support unit.
    pub unit: String,
    /// Ticked.
    pub picked: bool,
    /// The amount typed (万元).
    pub amount: String,
    /// Why it cannot be picked (already awarded, off the register), or empty.
    pub note: String,
    /// The error beside it.
    pub error: String,
}

/// `GET /dept/subsidies`.
#[derive(Template)]
#[template(path = "dept_subsidies.html")]
pub struct DeptSubsidiesTpl {
    /// Layout.
    pub c: Chrome,
    /// Policies of the province: (id, label).
    pub policies: Vec<(String, String)>,
    /// The policy shown.
    pub policy: String,
    /// The evaluation year shown.
    pub year: i32,
    /// The share in words, or why the policy has no post-subsidy.
    pub share: String,
    /// Whether the policy provides a post-subsidy (the form is shown only then).
    pub provided: bool,
    /// Articles: (label, text).
    pub cites: Vec<(String, String)>,
    /// The bases graded 优秀 that year.
    pub candidates: Vec<CandidateRow>,
    /// Awards of that year already: (文号, base, amount).
    pub awarded: Vec<(String, String, String)>,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

fn dept_of(ctx: &RequestCtx) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Department)?;
    authz::may(&p, Action::RecordOutcomes)?;
    Ok(p)
}

/// The policy and year from the values, defaulting to the province's first policy providing a
/// post-subsidy and the business year.
fn selection(state: &AppState, p: &Principal, v: &Vals) -> (String, i32) {
    let policies = state.guohe.policies();
    let mine = work::policy_options(policies, p);
    let asked = v.t("policy");
    let policy = if mine.iter().any(|(id, _)| *id == asked) {
        asked
    } else {
        mine.iter()
            .find(|(id, _)| policies.get(id).is_some_and(|x| x.lifecycle.post_subsidy.is_some()))
            .or(mine.first())
            .map(|(id, _)| id.clone())
            .unwrap_or_default()
    };
    let year = v.t("year").parse::<i32>().unwrap_or_else(|_| state.today().year());
    (policy, year)
}

async fn page(ctx: &RequestCtx, state: &AppState, p: &Principal, v: Vals, fb: Feedback) -> WebResult<Response> {
    let l = ctx.lang;
    let policies = state.guohe.policies();
    let (policy, year) = selection(state, p, &v);
    let desk = state.guohe.subsidy_desk(&policy, year).await;
    let cands = desk.candidates;
    let awarded = desk
        .awarded
        .into_iter()
        .map(|r| {
            (
                r.document_number,
                format!("{}（{}）", r.base_name, r.base),
                r.amount_wan.to_string(),
            )
        })
        .collect::<Vec<_>>();
    let pol = policies.get(&policy);
    let (share, provided, cites) = match (&cands, pol) {
        (Some(c), Some(pol)) => {
            let s = pol.lifecycle.post_subsidy.as_ref();
            let arts: Vec<_> = s
                .map(|s| [Some(s.article), s.use_article])
                .into_iter()
                .flatten()
                .flatten()
                .collect();
            (
                l.pick(
                    format!(
                        "{} 年度评估基地 {} 个；评估结果为优秀的基地至多 {}%（{}）即 {} 个可给予后补助，已给予 {} 个。",
                        c.year, c.evaluated, c.share_percent, c.rounding_zh, c.limit, c.awarded
                    ),
                    format!(
                        "{} bases evaluated in {}; at most {}% of them, {} bases graded excellent, may receive a post-subsidy; {} have.",
                        c.evaluated, c.year, c.share_percent, c.limit, c.awarded
                    ),
                ),
                true,
                arts.into_iter()
                    .map(|a| view::citation_label(policies, &pol.cite(a).to_string(), l))
                    .collect(),
            )
        }
        (_, Some(pol)) => {
            let said: Vec<_> = pol
                .lifecycle
                .evaluation_support
                .iter()
                .filter(|s| s.grade == "excellent")
                .collect();
            (
                l.pick(
                    format!(
                        "《{}》未规定建设经费后补助。{}",
                        pol.title,
                        said.iter().map(|s| s.support_zh.clone()).collect::<Vec<_>>().join("；")
                    ),
                    format!(
                        "{} provides no post-subsidy. {}",
                        pol.id,
                        said.iter().map(|s| s.support_en.clone()).collect::<Vec<_>>().join("; ")
                    ),
                ),
                false,
                said.iter()
                    .map(|s| view::citation_label(policies, &pol.cite(s.article).to_string(), l))
                    .collect(),
            )
        }
        _ => (String::new(), false, Vec::new()),
    };
    let candidates = cands
        .map(|c| {
            c.bases
                .into_iter()
                .map(|b| CandidateRow {
                    picked: v.is("pick", &b.base),
                    amount: v.get(&format!("amount_{}", b.base)).to_string(),
                    note: match (&b.awarded_by, b.on_register) {
                        (Some(d), _) => l.pick(format!("已给予（{d}）"), format!("awarded ({d})")),
                        (None, false) => l.t("不在管理序列", "off the register").to_string(),
                        _ => String::new(),
                    },
                    error: fb.errors.get(&format!("amount_{}", b.base)),
                    base: b.base,
                    name: b.name,
                    unit: b.unit_name,
                })
                .collect()
        })
        .unwrap_or_default();
    let tpl = DeptSubsidiesTpl {
        c: ctx.chrome("/dept"),
        policies: work::policy_options(policies, p),
        policy,
        year,
        share,
        provided,
        cites,
        candidates,
        awarded,
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/subsidies[?policy=&year=]` — the bases graded 优秀 in an evaluation year with the
/// share, and the form to award.
pub async fn list(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<BTreeMap<String, String>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    page(&ctx, &state, &p, Vals::from_map(q), Feedback::none(ctx.lang)).await
}

/// The award command from the form; the picked bases in the order they were ticked.
fn command(v: &Vals, errs: &mut Vec<FieldError>) -> (Value, Vec<String>) {
    let policy = work::required(v, "policy", 40, errs);
    let year = v.t("year");
    let year_n = year.parse::<i32>().ok();
    if year_n.is_none() {
        errs.push(FieldError::new(
            "year",
            "请填写评估年度（如2026）",
            "the evaluation year, e.g. 2026",
        ));
    }
    let document = work::required(v, "document_number", 80, errs);
    let issued_on = work::date_field(v, "issued_on", errs);
    let picked = v.all("pick");
    if picked.is_empty() {
        errs.push(FieldError::new(
            "pick",
            "请至少选择一个基地并填写金额",
            "tick at least one base and give its amount",
        ));
    }
    let mut awards = Vec::new();
    for (i, b) in picked.iter().enumerate() {
        let field = format!("amount_{b}");
        match parse_amount_wan(&format!("awards[{i}].amount_wan"), v.get(&field)) {
            Ok(d) => awards.push(json!({"base": b, "amount_wan": d.to_string()})),
            Err(r) => errs.push(FieldError::new(field, r.message_zh, r.message_en)),
        }
    }
    (
        json!({"type": "AwardPostSubsidies", "policy": policy, "year": year_n.unwrap_or(0),
               "document_number": document, "issued_on": issued_on.map(|d| d.to_string()).unwrap_or_default(),
               "awards": awards}),
        picked,
    )
}

/// `POST /dept/subsidies` (`policy`, `year`, `document_number`, `issued_on`, `pick` for each base,
/// `amount_{base}`, `confirmed`) — first shows the award with the articles, then issues it.
pub async fn award(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let mut errs = Vec::new();
    let (cmd, picked) = command(&v, &mut errs);
    if !errs.is_empty() {
        return page(&ctx, &state, &p, v, Feedback::invalid(l, errs)).await;
    }
    let policies = state.guohe.policies();
    // A refusal names `awards[i].…`: shown beside that base's amount.
    let field_of = |f: &str| -> String {
        let idx = f
            .strip_prefix("awards[")
            .and_then(|r| r.split_once(']'))
            .and_then(|(i, _)| i.parse::<usize>().ok());
        match idx.and_then(|i| picked.get(i)) {
            Some(b) => format!("amount_{b}"),
            None if f == "awards" => "pick".to_string(),
            None => f.to_string(),
        }
    };
    if v.get("confirmed") != "yes" {
        let decided = match work::preview(&state, &p, cmd).await? {
            Ok(d) => d,
            Err(e) => {
                let fb = Feedback::from_app(l, policies, e, &field_of)?;
                return page(&ctx, &state, &p, v, fb).await;
            }
        };
        let events = decided.events();
        let mut facts = vec![
            (l.t("文号", "Document").to_string(), v.t("document_number")),
            (l.t("发文日期", "Dated").to_string(), v.t("issued_on")),
            (l.t("评估年度", "Evaluation year").to_string(), v.t("year")),
        ];
        let names = state.guohe.base_names(&picked).await;
        let mut share = String::new();
        for (e, name) in events.iter().zip(names) {
            if let EventKind::PostSubsidyAwarded(x) = &e.kind {
                facts.push((
                    format!("{name}（{}）", x.base),
                    format!("{} {}", x.amount_wan, l.t("万元", "万元 (10,000 yuan)")),
                ));
                share = l.pick(
                    format!("该年度评估基地 {} 个，按比例至多 {} 个", x.evaluated, x.limit),
                    format!("{} bases evaluated; at most {} by the share", x.evaluated, x.limit),
                );
            }
        }
        facts.push((l.t("比例", "Share").to_string(), share));
        let articles = events.first().map(|e| e.article_texts()).unwrap_or_default();
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(
                format!("给予建设经费后补助：{}", v.t("document_number")),
                format!("Award post-subsidies: {}", v.t("document_number")),
            ),
            facts,
            consequence: l
                .t(
                    "确认后后补助记入各基地的办理记录并在“后补助”栏目公开，不能撤回；同一基地就同一评估年度不能再次给予。",
                    "Once confirmed, each base's record shows the post-subsidy and it is published under Post-subsidies; it cannot be withdrawn, and a base cannot receive another for the same evaluation year.",
                )
                .into(),
            articles: work::quotes(policies, &articles, l),
            action: "/dept/subsidies".into(),
            hidden: ConfirmTpl::hidden_of(&v),
            back: "/dept/subsidies".into(),
        });
    }
    let year = v.t("year");
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/subsidies/{year}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &field_of)?;
            page(&ctx, &state, &p, v, fb).await
        }
    }
}
