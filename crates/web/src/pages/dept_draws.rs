//! 双随机、一公开 — the department's pages to draw bases and inspectors for site inspection and to
//! record the results. The draw is irreversible: the form first shows the selection the seed
//! gives against the current register and pool (a dry run), then asks for confirmation.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use guohe_domain::{EventKind, InspectionsDrawn};
use serde_json::{Value, json};

use super::work::{self, ConfirmTpl, Feedback, Vals, render_status, see_other};
use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{FieldError, WebError, WebResult};
use crate::i18n::Lang;
use crate::pages::draws::{self, DrawRow};
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

/// `GET /dept/draws`.
#[derive(Template)]
#[template(path = "dept_draws.html")]
pub struct DeptDrawsTpl {
    /// Layout.
    pub c: Chrome,
    /// The province's draws, newest first, each with its drawn bases still without a result:
    /// (base, name).
    pub draws: Vec<(DrawRow, Vec<(String, String)>)>,
    /// Policies: (id, label).
    pub policies: Vec<(String, String)>,
    /// Purposes: (code, label).
    pub purposes: Vec<(String, String)>,
    /// Strata: (code, label).
    pub strata: Vec<(String, String)>,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

fn dept_of(ctx: &RequestCtx, action: Action) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Department)?;
    authz::may(&p, action)?;
    Ok(p)
}

async fn page(ctx: &RequestCtx, state: &AppState, v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let policies = state.guohe.policies();
    let draws = state
        .guohe
        .dept_draws(&|id| p.works_under(id))
        .await
        .into_iter()
        .map(|d| (draws::row(&d.draw, policies, l), d.pending))
        .collect();
    let tpl = DeptDrawsTpl {
        c: ctx.chrome("/dept"),
        draws,
        policies: work::policy_options(policies, &p),
        purposes: vec![
            ("annual_assessment".into(), l.t("年度考核", "Annual assessment").into()),
            ("evaluation".into(), l.t("评估", "Evaluation").into()),
        ],
        strata: vec![
            ("none".into(), l.t("不分层", "None").into()),
            ("prefecture".into(), l.t("按地市", "By prefecture").into()),
            ("category".into(), l.t("按类别", "By category").into()),
        ],
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/draws` — the province's draws and the form to draw.
pub async fn list(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    dept_of(&ctx, Action::RunProcedure)?;
    page(&ctx, &state, Vals::default(), Feedback::none(ctx.lang)).await
}

fn number(v: &Vals, k: &str, errs: &mut Vec<FieldError>) -> Option<u32> {
    let s = v.t(k);
    if s.is_empty() {
        return None;
    }
    match s.parse::<u32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(k, "请填写正整数", "a whole number"));
            None
        }
    }
}

/// The draw command from the form, with the pool of the province's active experts.
async fn command(state: &AppState, p: &Principal, v: &Vals, errs: &mut Vec<FieldError>) -> WebResult<Value> {
    let id = work::required(v, "id", 80, errs);
    let policy = work::required(v, "policy", 40, errs);
    let purpose = work::required(v, "purpose", 40, errs);
    if !purpose.is_empty() && purpose != "annual_assessment" && purpose != "evaluation" {
        errs.push(FieldError::new("purpose", "请选择考核或评估", "choose the purpose"));
    }
    let year = v.t("year");
    let year_n = year.parse::<i32>().ok();
    if year_n.is_none() {
        errs.push(FieldError::new("year", "请填写年度（如2026）", "the year, e.g. 2026"));
    }
    let strata = match v.t("strata").as_str() {
        "" => "none".to_string(),
        s @ ("none" | "prefecture" | "category") => s.to_string(),
        _ => {
            errs.push(FieldError::new("strata", "请选择分层方式", "choose the strata"));
            "none".to_string()
        }
    };
    let share = v.t("share");
    let count = number(v, "count", errs);
    if share.is_empty() && count.is_none() && !errs.iter().any(|e| e.field == "count") {
        errs.push(FieldError::new(
            "share",
            "请填写抽取比例或抽取数量",
            "give a share or a count",
        ));
    }
    let share_v = if share.is_empty() {
        Value::Null
    } else {
        match share.parse::<rust_decimal::Decimal>() {
            Ok(d) => json!(d.to_string()),
            Err(_) => {
                errs.push(FieldError::new(
                    "share",
                    "抽取比例须为小数，如0.2",
                    "a decimal, e.g. 0.2",
                ));
                Value::Null
            }
        }
    };
    let per_base = number(v, "inspectors_per_base", errs);
    let seed = work::required(v, "seed", 200, errs);
    let pool = crate::api::commands::expert_pool(state, p).await?;
    Ok(
        json!({"type": "DrawInspections", "id": id, "policy": policy, "purpose": purpose,
              "year": year_n.unwrap_or(0), "share": share_v, "count": count, "strata": strata,
              "inspectors_per_base": per_base, "seed": seed, "pool": pool}),
    )
}

/// The logins of a draw's pool: every inspector drawn and every one kept off comes from it.
pub(super) fn pool_ids(x: &InspectionsDrawn) -> impl Iterator<Item = &str> {
    x.pool.iter().map(|e| e.id.as_str())
}

fn draw_facts(x: &InspectionsDrawn, names: &super::panels::ExpertNames, l: Lang) -> Vec<(String, String)> {
    let mut facts = vec![
        (l.t("抽取批次", "Draw").into(), x.draw.clone()),
        (
            l.t("事项", "For").into(),
            format!("{} {}", x.year, draws::purpose_label(x.purpose, l)),
        ),
        (l.t("随机种子", "Seed").into(), x.seed.clone()),
        (l.t("分层", "Strata").into(), draws::strata_label(x.strata, l).into()),
        (
            l.t("抽取数量", "Drawn").into(),
            format!("{} / {}", x.count, x.candidates.len()),
        ),
    ];
    for (i, s) in x.selected.iter().enumerate() {
        let name = x
            .candidates
            .iter()
            .find(|c| c.base == s.base)
            .map(|c| c.name.as_str())
            .unwrap_or("");
        facts.push((
            format!("{} {}", l.t("抽中", "Drawn"), i + 1),
            format!(
                "{name}（{}）— {}：{}",
                s.base,
                l.t("考察专家", "inspectors"),
                names.all(&s.inspectors)
            ),
        ));
    }
    facts.push((l.t("回避", "Exclusions").into(), x.exclusions.len().to_string()));
    facts
}

/// `POST /dept/draws` (`id`, `policy`, `purpose`, `year`, `share` or `count`, `strata`,
/// `inspectors_per_base`, `seed`, `confirmed`) — first shows the selection, then draws.
pub async fn draw(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let mut errs = Vec::new();
    let cmd = command(&state, &p, &v, &mut errs).await?;
    if !errs.is_empty() {
        return page(&ctx, &state, v, Feedback::invalid(l, errs)).await;
    }
    let policies = state.guohe.policies();
    if v.get("confirmed") != "yes" {
        let decided = match work::preview(&state, &p, cmd).await? {
            Ok(d) => d,
            Err(e) => {
                let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
                return page(&ctx, &state, v, fb).await;
            }
        };
        let Some(e) = decided.events().first() else {
            return Err(WebError::NotFound);
        };
        let EventKind::InspectionsDrawn(x) = &e.kind else {
            return Err(WebError::NotFound);
        };
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(
                format!("随机抽取现场考察基地：{}", x.draw),
                format!("Draw bases for site inspection: {}", x.draw),
            ),
            facts: draw_facts(x, &super::panels::ExpertNames::of_logins(&state, pool_ids(x)).await?, l),
            consequence: l
                .t(
                    "确认后抽取结果连同种子、候选名单和回避情况记入办理记录并公开，不能重抽。以上为按当前名录和专家库试抽的结果；确认时按同一种子重新计算。",
                    "Once confirmed, the draw is recorded and published with its seed, candidates and exclusions, and is never redone. Above is a dry run on the current register and pool; the confirmed draw is computed again from the same seed.",
                )
                .into(),
            articles: work::quotes(policies, &e.article_texts(), l),
            action: "/dept/draws".into(),
            hidden: ConfirmTpl::hidden_of(&v),
            back: "/dept/draws".into(),
        });
    }
    let id = v.t("id");
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/draws/{id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
            page(&ctx, &state, v, fb).await
        }
    }
}

/// `POST /dept/draws/{id}/results` (`base`, `findings`, `confirmed`) — records what the
/// inspectors found at a drawn base.
pub async fn result(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RecordOutcomes)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let d = state.guohe.draw(&id).await.ok_or(WebError::NotFound)?;
    p.in_province(&d.event.policy)?;
    let mut errs = Vec::new();
    let base = work::required(&v, "base", 80, &mut errs);
    let findings = work::required(&v, "findings", 4000, &mut errs);
    if !errs.is_empty() {
        return page(&ctx, &state, v, Feedback::invalid(l, errs)).await;
    }
    let policies = state.guohe.policies();
    let cmd = json!({"type": "RecordInspectionResult", "draw": id, "base": base, "findings": findings});
    if v.get("confirmed") != "yes" {
        let names = super::panels::ExpertNames::of_logins(&state, pool_ids(&d.event)).await?;
        let inspectors = d
            .event
            .selected
            .iter()
            .find(|s| s.base == base)
            .map(|s| names.all(&s.inspectors))
            .unwrap_or_default();
        let art = state
            .guohe
            .history(&format!("draw/{id}"))
            .await?
            .first()
            .and_then(|e| e.articles.first().cloned())
            .into_iter()
            .collect::<Vec<_>>();
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(
                format!("记录现场考察结果：{base}"),
                format!("Record the inspection of {base}"),
            ),
            facts: vec![
                (l.t("抽取批次", "Draw").into(), id.clone()),
                (l.t("基地", "Base").into(), base.clone()),
                (l.t("考察专家", "Inspectors").into(), inspectors),
                (l.t("考察情况", "Findings").into(), findings.clone()),
            ],
            consequence: l
                .t(
                    "考察结果记入该基地的办理记录并公开。",
                    "The result goes on the base's record and is published.",
                )
                .into(),
            articles: work::quotes(policies, &art, l),
            action: format!("/dept/draws/{id}/results"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/draws/{id}"),
        });
    }
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/draws/{id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
            page(&ctx, &state, v, fb).await
        }
    }
}
