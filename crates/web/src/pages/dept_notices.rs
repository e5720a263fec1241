//! 公示 — the department's notices and the objections raised in them.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;

use crate::AppState;
use crate::error::WebResult;
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

use axum::extract::Path;
use guohe_domain::EventKind;
use serde_json::json;

use super::department::{confirmed, dept_of};
use super::work::{self, ConfirmTpl, Feedback, Vals, render_status, see_other};
use crate::authz::Action;
use crate::error::{FieldError, WebError};

// ----- notices -----

/// Notices, and the form to start one.
#[derive(Template)]
#[template(path = "dept_notices.html")]
pub struct NoticesTpl {
    /// Layout.
    pub c: Chrome,
    /// Approved applications awaiting notice: (id, label).
    pub approved: Vec<(String, String)>,
    /// Notices: (id, start, end, listed, open objections).
    pub notices: Vec<(String, NaiveDate, NaiveDate, usize, usize)>,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

async fn notices_page(ctx: &RequestCtx, state: &AppState, mut v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RunProcedure)?;
    let desk = state.guohe.notice_desk(|policy| p.works_under(policy)).await;
    let approved = desk
        .awaiting
        .into_iter()
        .map(|a| {
            let label = format!("{} · {} · {}", a.id, a.unit, a.domain);
            (a.id, label)
        })
        .collect();
    let notices = desk
        .notices
        .into_iter()
        .map(|n| (n.id, n.starts_on, n.ends_on, n.listed, n.open_objections))
        .collect();
    if v.get("starts_on").is_empty() {
        v.set("starts_on", state.today().to_string());
    }
    let tpl = NoticesTpl {
        c: ctx.chrome("/dept"),
        approved,
        notices,
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/notices`.
pub async fn notices(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    notices_page(&ctx, &state, Vals::default(), Feedback::none(ctx.lang)).await
}

/// `POST /dept/notices` (`notice_id`, `applications` repeated, `starts_on`, `confirmed`) — the
/// confirmation shows the end date computed on the working-day calendar.
pub async fn start_notice(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let mut errs = Vec::new();
    let notice_id = work::required(&v, "notice_id", 40, &mut errs);
    let starts = work::date_field(&v, "starts_on", &mut errs);
    let apps = v.all("applications");
    if apps.is_empty() {
        errs.push(FieldError::new(
            "applications",
            "请选择列入公示的申报",
            "choose the applications to publish",
        ));
    }
    if !errs.is_empty() {
        return notices_page(&ctx, &state, v, Feedback::invalid(l, errs)).await;
    }
    let policies = state.guohe.policies();
    let map = |f: &str| {
        if f.starts_with("applications") {
            "applications".to_string()
        } else {
            f.to_string()
        }
    };
    let cmd = json!({"type": "StartPublicNotice", "notice_id": notice_id, "applications": apps, "starts_on": starts});
    if !confirmed(&v) {
        // The domain decides the notice (who is listed, the policy, the end on the working-day
        // calendar) exactly as it will on confirmation; the page only shows what it decided.
        let decided = match work::preview(&state, &p, cmd).await? {
            Ok(d) => d,
            Err(e) => {
                let fb = Feedback::from_app(l, policies, e, &map)?;
                return notices_page(&ctx, &state, v, fb).await;
            }
        };
        let Some((started, cited)) = decided.events().iter().find_map(|e| match &e.kind {
            EventKind::PublicNoticeStarted(x) => Some((x, e.article_texts())),
            _ => None,
        }) else {
            return Err(WebError::Internal(
                "a notice decided without PublicNoticeStarted".into(),
            ));
        };
        // The objections article is quoted too: what the confirmation promises is in it.
        let mut articles = cited;
        let mut days = String::new();
        if let Some(policy) = policies.get(&started.policy) {
            let pn = &policy.procedure.public_notice;
            articles.push(work::cite(policy, pn.objections_article));
            days = format!("（{} {}）", pn.working_days, l.t("个工作日", "working days"));
        }
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(format!("发布公示 {notice_id}"), format!("Publish notice {notice_id}")),
            facts: vec![
                (l.t("公示编号", "Notice").into(), notice_id),
                (
                    l.t("列入公示的申报", "Applications").into(),
                    started.applications.join("、"),
                ),
                (l.t("公示开始", "Starts on").into(), started.starts_on.to_string()),
                (
                    l.t("公示截止（按工作日计算）", "Ends on (working days)").into(),
                    format!("{}{days}", started.ends_on),
                ),
            ],
            consequence: l
                .t(
                    "公示期内任何单位和个人可实名提出异议。",
                    "During the notice anyone may object in their real name.",
                )
                .into(),
            articles: work::quotes(policies, &articles, l),
            action: "/dept/notices".into(),
            hidden: ConfirmTpl::hidden_of(&v),
            back: "/dept/notices".into(),
        });
    }
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/notices/{notice_id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &map)?;
            notices_page(&ctx, &state, v, fb).await
        }
    }
}

/// A notice with its objections, for the department.
#[derive(Template)]
#[template(path = "dept_notice.html")]
pub struct NoticeTpl {
    /// Layout.
    pub c: Chrome,
    /// Id.
    pub id: String,
    /// Period.
    pub period: String,
    /// Listed: (application id, label, stage).
    pub listed: Vec<(String, String, String)>,
    /// Objections: (id, application, name, contact, content, lodged, resolution).
    pub objections: Vec<(String, String, String, String, String, NaiveDate, String)>,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

async fn notice_page(ctx: &RequestCtx, state: &AppState, id: &str, v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = dept_of(ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let case = state.guohe.notice_case(id).await.ok_or(WebError::NotFound)?;
    p.in_province(&case.notice.policy)?;
    let n = &case.notice;
    let period = format!("{} — {}", n.starts_on, n.ends_on);
    let listed = case
        .listed
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                format!("{} · {}", a.unit, a.domain),
                work::stage(a.status, l).1,
            )
        })
        .collect();
    let mut objections: Vec<(String, String, String, String, String, NaiveDate, String)> = n
        .objections
        .values()
        .map(|o| {
            let res = match &o.resolution {
                Some((text, upheld, on)) => format!(
                    "{on} {}：{text}",
                    if *upheld {
                        l.t("异议成立", "upheld")
                    } else {
                        l.t("异议不成立", "not upheld")
                    }
                ),
                None => String::new(),
            };
            (
                o.id.clone(),
                o.application.clone(),
                o.objector_real_name.clone(),
                o.contact.clone(),
                o.content.clone(),
                o.lodged_on,
                res,
            )
        })
        .collect();
    // The department follows objections up: it sees the objector's name and contact in full.
    for o in objections.iter_mut() {
        o.2 = state.guohe.reveal(&o.2).await?.full(l == Lang::Zh);
        o.3 = state.guohe.reveal(&o.3).await?.full(l == Lang::Zh);
    }
    let tpl = NoticeTpl {
        c: ctx.chrome("/dept"),
        id: id.into(),
        period,
        listed,
        objections,
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/notices/{id}`.
pub async fn notice(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    notice_page(&ctx, &state, &id, Vals::default(), Feedback::none(ctx.lang)).await
}

/// `POST /dept/objections/{id}/resolve` (`resolution`, `upheld` = `yes`|`no`, `confirmed`).
pub async fn resolve(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = dept_of(&ctx, Action::RunProcedure)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let notice_id = id.rsplit_once('-').map(|x| x.0.to_string()).unwrap_or_default();
    let found = state.guohe.notice_case(&notice_id).await.and_then(|c| {
        let o = c.notice.objections.get(&id)?;
        Some((c.notice.policy.clone(), o.application.clone(), o.content.clone()))
    });
    let (policy_id, app, content) = found.ok_or(WebError::NotFound)?;
    p.in_province(&policy_id)?;
    let mut errs = Vec::new();
    let resolution = work::required(&v, "resolution", 2000, &mut errs);
    let upheld = v.get("upheld") == "yes";
    if !errs.is_empty() {
        return notice_page(&ctx, &state, &notice_id, v, Feedback::invalid(l, errs)).await;
    }
    let policies = state.guohe.policies();
    if !confirmed(&v) {
        let policy = policies.get(&policy_id).ok_or(WebError::NotFound)?;
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(format!("处理异议 {id}"), format!("Resolve objection {id}")),
            facts: vec![
                (l.t("异议对象", "Application").into(), app),
                (l.t("异议内容", "Objection").into(), content),
                (l.t("处理意见", "Resolution").into(), resolution),
                (
                    l.t("结论", "Finding").into(),
                    if upheld {
                        l.t("异议成立", "Upheld")
                    } else {
                        l.t("异议不成立", "Not upheld")
                    }
                    .into(),
                ),
            ],
            consequence: if upheld {
                l.t("异议成立：该申报不予认定。", "Upheld: the application is rejected.")
                    .into()
            } else {
                l.t(
                    "异议不成立：公示期满后可命名。",
                    "Not upheld: the base may be named after the notice.",
                )
                .into()
            },
            articles: work::quotes(
                policies,
                &[work::cite(policy, policy.procedure.public_notice.objections_article)],
                l,
            ),
            action: format!("/dept/objections/{id}/resolve"),
            hidden: ConfirmTpl::hidden_of(&v),
            back: format!("/dept/notices/{notice_id}"),
        });
    }
    let cmd = json!({"type": "ResolveObjection", "objection": id, "resolution": resolution, "upheld": upheld});
    match work::run(&state, &p, cmd).await? {
        Ok(()) => Ok(see_other(&format!("/dept/notices/{notice_id}"))),
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &work::same_field)?;
            notice_page(&ctx, &state, &notice_id, v, fb).await
        }
    }
}
