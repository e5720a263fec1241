//! 评审专家随机抽取 — the department's page of an application's review panel: the form to draw
//! it from the province's expert accounts (a dry run on a confirmation page quoting the
//! expert-review article, then the draw), the panel with its reserves and exclusions, and the
//! record of a member declining (the next reserve is called in). Hand assignment, with its
//! reason, stays on the application's page.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use guohe_domain::{ApplicationCase, ApplicationStatus, EventKind, ExpertPanelDrawn};
use serde_json::{Value, json};

use super::panels::{ExpertNames, PanelView, ground_label};
use super::work::{self, ConfirmTpl, Feedback, Vals, render_status, see_other};
use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{FieldError, WebError, WebResult};
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

/// `GET /dept/applications/{id}/panel`.
#[derive(Template)]
#[template(path = "dept_panel.html")]
pub struct DeptPanelTpl {
    /// Layout.
    pub c: Chrome,
    /// Application id.
    pub id: String,
    /// The applicant and the domain.
    pub heading: String,
    /// The application's stage.
    pub stage: String,
    /// The panel may be drawn now (in review, not drawn yet).
    pub can_draw: bool,
    /// The panel, once drawn.
    pub panel: Option<PanelView>,
    /// Members who may still decline: (login, name and unit).
    pub seated: Vec<(String, String)>,
    /// The policy's minimum panel (the default size).
    pub min_experts: u32,
    /// Active expert accounts of the province; of them, those with a domain on their profile.
    pub pool: (usize, usize),
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

fn dept_of(ctx: &RequestCtx) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Department)?;
    authz::may(&p, Action::RunProcedure)?;
    Ok(p)
}

async fn case(state: &AppState, p: &Principal, id: &str) -> WebResult<ApplicationCase> {
    let a = state.guohe.application(id).await.ok_or(WebError::NotFound)?;
    authz::can_view_application(p, &a)?;
    Ok(a)
}

async fn page(ctx: &RequestCtx, state: &AppState, id: &str, mut v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx)?;
    let l = ctx.lang;
    let a = case(state, &p, id).await?;
    let policies = state.guohe.policies();
    let min_experts = policies
        .get(&a.policy)
        .map(|x| x.procedure.expert_review.min_experts)
        .unwrap_or(0);
    let record = state.guohe.panel(id).await;
    let seated_now: Vec<String> = a.experts.keys().cloned().collect();
    let names = match &record {
        Some(r) => ExpertNames::of_panel(state, r, &seated_now).await?,
        None => ExpertNames::of_logins(state, &seated_now).await?,
    };
    let panel = match &record {
        Some(r) => Some(PanelView::of(state, r, &seated_now, &names, l).await?),
        None => None,
    };
    let seated = a
        .experts
        .iter()
        .filter(|(_, x)| x.review.is_none())
        .map(|(e, _)| (e.clone(), names.of(e)))
        .collect();
    let pool = crate::api::commands::panel_pool(state, &p).await?;
    if v.get("size").is_empty() {
        v.set("size", min_experts.to_string());
    }
    let tpl = DeptPanelTpl {
        c: ctx.chrome("/dept"),
        id: a.id.clone(),
        heading: format!("{} · {}", a.facts.unit.name, a.facts.technology_domain),
        stage: work::stage(a.status, l).1,
        can_draw: record.is_none()
            && matches!(
                a.status,
                ApplicationStatus::Recommended | ApplicationStatus::UnderReview
            ),
        panel,
        seated,
        min_experts,
        pool: (pool.len(), pool.iter().filter(|e| !e.domains.is_empty()).count()),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/applications/{id}/panel` — the panel, or the form to draw it.
pub async fn show(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    page(&ctx, &state, &id, Vals::default(), Feedback::none(ctx.lang)).await
}

fn draw_facts(x: &ExpertPanelDrawn, names: &ExpertNames, l: Lang) -> Vec<(String, String)> {
    let mut facts = vec![
        (l.t("申报", "Application").into(), x.application.clone()),
        (l.t("技术领域", "Domain").into(), x.domain.clone()),
        (l.t("随机种子", "Seed").into(), x.seed.clone()),
        (
            l.t("专家库／符合条件", "Pool / eligible").into(),
            format!("{} / {}", x.pool.len(), x.eligible.len()),
        ),
        (l.t("评审专家", "Panel").into(), names.all(&x.panel)),
        (
            l.t("候补（按顺序）", "Reserves, in order").into(),
            names.all(&x.reserves),
        ),
    ];
    for e in &x.exclusions {
        let detail = if e.detail.is_empty() {
            String::new()
        } else {
            format!("（{}）", e.detail)
        };
        facts.push((
            l.t("回避", "Kept off").into(),
            format!("{}：{}{detail}", names.of(&e.expert), ground_label(&e.reason, l)),
        ));
    }
    facts
}

/// `POST /dept/applications/{id}/panel` (`seed`, `size`, `confirmed`) — first shows the panel
/// the seed gives now against the province's expert accounts, then draws it.
pub async fn draw(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    case(&state, &p, &id).await?;
    let mut errs = Vec::new();
    let seed = work::required(&v, "seed", 200, &mut errs);
    let size = match v.t("size").as_str() {
        "" => None,
        s => match s.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errs.push(FieldError::new("size", "请填写正整数", "a whole number"));
                None
            }
        },
    };
    if !errs.is_empty() {
        return page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    let pool = crate::api::commands::panel_pool(&state, &p).await?;
    let cmd: Value = json!({"type": "DrawExpertPanel", "application": id, "seed": seed, "size": size, "pool": pool});
    let policies = state.guohe.policies();
    if v.get("confirmed") != "yes" {
        let decided = match work::preview(&state, &p, cmd).await? {
            Ok(d) => d,
            Err(e) => {
                let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
                return page(&ctx, &state, &id, v, fb).await;
            }
        };
        let Some(e) = decided.events().first() else {
            return Err(WebError::NotFound);
        };
        let EventKind::ExpertPanelDrawn(x) = &e.kind else {
            return Err(WebError::NotFound);
        };
        let names = ExpertNames::of_logins(&state, x.pool.iter().map(|e| e.id.as_str())).await?;
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(
                format!("随机抽取评审专家：{id}"),
                format!("Draw the review panel of {id}"),
            ),
            facts: draw_facts(x, &names, l),
            consequence: l
                .t(
                    "确认后评审专家即被指派，抽取结果连同种子、专家库、回避情况和候补顺序记入办理记录，不能重抽；认定后公开。以上为按当前专家库试抽的结果；确认时按同一种子重新计算。",
                    "Once confirmed, the panel is assigned and the draw is recorded with its seed, pool, exclusions and reserves, and is never redone; it is published once the application is decided. Above is a dry run on the current pool; the confirmed draw is computed again from the same seed.",
                )
                .into(),
            articles: work::quotes(policies, &e.article_texts(), l),
            action: format!("/dept/applications/{id}/panel"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/dept/applications/{id}/panel"),
        });
    }
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/applications/{id}/panel"))),
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
            page(&ctx, &state, &id, v, fb).await
        }
    }
}

/// `POST /dept/applications/{id}/panel/decline` (`expert`, `reason`, `confirmed`) — a member
/// declines; once confirmed the next reserve is called in.
pub async fn decline(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    case(&state, &p, &id).await?;
    let mut errs = Vec::new();
    let expert = work::required(&v, "expert", 80, &mut errs);
    let reason = work::required(&v, "reason", 500, &mut errs);
    if !errs.is_empty() {
        return page(&ctx, &state, &id, v, Feedback::invalid(l, errs)).await;
    }
    let cmd = json!({"type": "DeclinePanelSeat", "application": id, "expert": expert, "reason": reason});
    let policies = state.guohe.policies();
    if v.get("confirmed") != "yes" {
        // The domain decides who is called in (the next reserve not seated and without a
        // declared conflict) exactly as it will on confirmation; the page shows that.
        let decided = match work::preview(&state, &p, cmd).await? {
            Ok(d) => d,
            Err(e) => {
                let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
                return page(&ctx, &state, &id, v, fb).await;
            }
        };
        let Some((next, art)) = decided.events().iter().find_map(|e| match &e.kind {
            EventKind::PanelSeatDeclined(x) => Some((x.replaced_by.clone(), e.article_texts())),
            _ => None,
        }) else {
            return Err(WebError::Internal("a decline decided without PanelSeatDeclined".into()));
        };
        let names = ExpertNames::of_logins(&state, [Some(&expert), next.as_ref()].into_iter().flatten()).await?;
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(
                format!("记录评审专家谢绝：{id}"),
                format!("Record a member declining: {id}"),
            ),
            facts: vec![
                (l.t("专家", "Expert").into(), names.of(&expert)),
                (l.t("理由", "Reason").into(), reason.clone()),
                (
                    l.t("下一位候补", "Next reserve").into(),
                    next.map(|n| names.of(&n))
                        .unwrap_or_else(|| l.t("候补已用尽", "none left").into()),
                ),
            ],
            consequence: l
                .t(
                    "确认后该专家退出评审，按顺序递补下一位未回避的候补专家，记入办理记录，不能撤销。",
                    "Once confirmed, the expert leaves the panel and the next reserve without a conflict is called in; this is recorded and cannot be undone.",
                )
                .into(),
            articles: work::quotes(policies, &art, l),
            action: format!("/dept/applications/{id}/panel/decline"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/dept/applications/{id}/panel"),
        });
    }
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/applications/{id}/panel"))),
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
            page(&ctx, &state, &id, v, fb).await
        }
    }
}
