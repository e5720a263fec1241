//! 公示 — the public notices and the real-name objection form (实名异议). Nothing here needs a
//! sign-in; an objector's name and contact are sealed before they reach the chain and are shown
//! to nobody but the department.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use guohe_app::AppError;
use guohe_app::public_desk::{NoticePhase, NoticeQuery, PublicNotice};
use guohe_domain::{Actor, Command, LodgeObjection, Role};
use guohe_policy::PolicySet;
use serde::Deserialize;

use crate::AppState;
use crate::error::{FieldError, WebError, WebResult};
use crate::flash;
use crate::i18n::Lang;
use crate::security::RequestCtx;
use crate::view::{self, Chrome, FormErrors, render};

/// One application listed in a notice.
#[derive(Debug, Clone)]
pub struct NoticeItem {
    /// Application id.
    pub application: String,
    /// Support unit.
    pub unit: String,
    /// Domain.
    pub domain: String,
    /// Category label.
    pub category: String,
    /// Partner country.
    pub country: String,
    /// The name the base would take.
    pub proposed_name: String,
}

/// A 公示 notice as the public sees it.
#[derive(Debug, Clone)]
pub struct NoticeView {
    /// Id.
    pub id: String,
    /// Policy id.
    pub policy: String,
    /// Regulation number and province.
    pub policy_label: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Working days in the period.
    pub period_days: u32,
    /// Working days left, today included (0 when over).
    pub remaining: u32,
    /// `upcoming`, `running` or `ended`.
    pub phase: &'static str,
    /// Phase label.
    pub phase_label: String,
    /// How many applications it lists.
    pub listed: usize,
    /// Listed applications (none in a list of notices: `listed` counts them).
    pub items: Vec<NoticeItem>,
    /// Objections received.
    pub objections: usize,
    /// 文号 of the issued 公示 PDF, if issued.
    pub document: Option<String>,
}

/// A notice as the pages show it, labelled in `l`.
fn notice_view(n: PublicNotice, policies: &PolicySet, l: Lang) -> NoticeView {
    NoticeView {
        id: n.id,
        policy_label: policies
            .get(&n.policy)
            .map(|p| format!("{} {}", p.province.name, p.document_number))
            .unwrap_or_default(),
        policy: n.policy,
        starts_on: n.starts_on,
        ends_on: n.ends_on,
        period_days: n.period_days,
        remaining: n.remaining,
        phase: n.phase.code(),
        phase_label: match n.phase {
            NoticePhase::Upcoming => l.t("即将开始", "Upcoming"),
            NoticePhase::Running => l.t("公示中", "Running"),
            NoticePhase::Ended => l.t("已结束", "Ended"),
        }
        .to_string(),
        listed: n.listed,
        items: n
            .items
            .into_iter()
            .map(|i| NoticeItem {
                category: view::category_label(policies, &i.policy, i.category.as_deref(), l),
                country: view::country_label(Some(i.country.as_str()), l),
                application: i.application,
                unit: i.unit,
                domain: i.domain,
                proposed_name: i.proposed_name,
            })
            .collect(),
        objections: n.objections,
        document: n.document,
    }
}

/// Notice `id` with the applications it lists; `None` when there is no such notice.
pub(crate) async fn notice_view_of(state: &AppState, id: &str, l: Lang) -> Option<NoticeView> {
    let n = state.guohe.public_notice(id, state.today()).await?;
    Some(notice_view(n, state.guohe.policies(), l))
}

/// The notices the public lists, the latest start first, without their items (`listed` says
/// how many).
pub(crate) async fn notice_list_views(state: &AppState, l: Lang) -> Vec<NoticeView> {
    let policies = state.guohe.policies();
    let list = state.guohe.notice_list(state.today()).await;
    list.into_iter().map(|n| notice_view(n, policies, l)).collect()
}

/// A page of notices with their items ([`guohe_app::Guohe::notice_page`]).
pub(crate) async fn notice_page_views(state: &AppState, q: &NoticeQuery, l: Lang) -> (Vec<NoticeView>, usize) {
    let page = state.guohe.notice_page(q, state.today()).await;
    let policies = state.guohe.policies();
    let views = page.notices.into_iter().map(|n| notice_view(n, policies, l)).collect();
    (views, page.total)
}

/// 公示 list.
#[derive(Template)]
#[template(path = "notices.html")]
pub struct NoticesTpl {
    /// Layout.
    pub c: Chrome,
    /// Running and upcoming.
    pub current: Vec<NoticeView>,
    /// Ended.
    pub past: Vec<NoticeView>,
}

/// `GET /notices`.
pub async fn notices(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    let (past, listed): (Vec<_>, Vec<_>) = notice_list_views(&state, ctx.lang)
        .await
        .into_iter()
        .partition(|n| n.phase == "ended");
    // The notices running or about to run are shown with what they list (a handful at a time).
    let mut current = Vec::with_capacity(listed.len());
    for n in listed {
        current.extend(notice_view_of(&state, &n.id, ctx.lang).await);
    }
    render(&NoticesTpl {
        c: ctx.chrome("/notices"),
        current,
        past,
    })
}

/// The objection form's fields, kept when shown again.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ObjectionForm {
    /// Application objected to.
    pub application: String,
    /// Real name.
    pub name: String,
    /// ID number or contact.
    pub contact: String,
    /// What is objected.
    pub content: String,
}

/// One notice with the objection form.
#[derive(Template)]
#[template(path = "notice.html")]
pub struct NoticeTpl {
    /// Layout.
    pub c: Chrome,
    /// The notice.
    pub n: NoticeView,
    /// The form as typed.
    pub form: ObjectionForm,
    /// Field errors.
    pub errors: FormErrors,
    /// A refusal not tied to one field.
    pub alert: String,
    /// The message after an objection was lodged (a flash, never from the query string).
    pub lodged: String,
    /// Objections received, the objector's name masked.
    pub objectors: Vec<PublicObjection>,
}

/// An objection as the public sees it: the objector's name masked (张*), no contact, no content.
#[derive(Debug, Clone)]
pub struct PublicObjection {
    /// Objection id.
    pub id: String,
    /// Application objected to.
    pub application: String,
    /// The objector's name, masked; 「已删除」 once erased.
    pub name: String,
    /// Date lodged.
    pub lodged_on: NaiveDate,
    /// Whether the department has resolved it.
    pub resolved: bool,
}

/// The objections to a notice for the public: names decrypted only to be masked.
async fn public_objections(state: &AppState, id: &str, l: Lang) -> WebResult<Vec<PublicObjection>> {
    let rows: Vec<PublicObjection> = state
        .guohe
        .notice_case(id)
        .await
        .map(|c| {
            c.notice
                .objections
                .into_values()
                .map(|o| PublicObjection {
                    id: o.id,
                    application: o.application,
                    name: o.objector_real_name,
                    lodged_on: o.lodged_on,
                    resolved: o.resolution.is_some(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::with_capacity(rows.len());
    for mut r in rows {
        r.name = state
            .guohe
            .reveal(&r.name)
            .await?
            .masked(guohe_keys::mask::name, l == Lang::Zh);
        out.push(r);
    }
    Ok(out)
}

/// `GET /notices/{id}`.
pub async fn notice(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let n = notice_view_of(&state, &id, ctx.lang).await.ok_or(WebError::NotFound)?;
    let lodged = flash::take(&state, &ctx, &headers).await?;
    let objectors = public_objections(&state, &n.id, ctx.lang).await?;
    render(&NoticeTpl {
        c: ctx.chrome("/notices"),
        n,
        form: ObjectionForm::default(),
        errors: FormErrors::new(ctx.lang),
        alert: String::new(),
        lodged,
        objectors,
    })
}

/// Maximum lengths of the objection fields (characters).
pub const MAX_NAME: usize = 30;
/// See [`MAX_NAME`].
pub const MAX_CONTACT: usize = 60;
/// See [`MAX_NAME`].
pub const MAX_CONTENT: usize = 2000;

pub(crate) fn validate_objection(f: &ObjectionForm, n: &NoticeView) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let has_control = |s: &str| s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t');
    if !n.items.iter().any(|i| i.application == f.application) {
        errs.push(FieldError::new(
            "application",
            "请选择本公示所列的申报。",
            "Choose an application listed in this notice.",
        ));
    }
    let name = f.name.trim();
    if name.is_empty() {
        errs.push(FieldError::new(
            "name",
            "异议须实名提出，请填写真实姓名。",
            "Objections are made in one's real name; enter it.",
        ));
    } else if name.chars().count() > MAX_NAME {
        errs.push(FieldError::new(
            "name",
            format!("姓名最多{MAX_NAME}字。"),
            format!("At most {MAX_NAME} characters."),
        ));
    } else if has_control(name) || name.contains(['<', '>']) {
        errs.push(FieldError::new(
            "name",
            "姓名含有不允许的字符。",
            "The name contains characters that are not allowed.",
        ));
    }
    let contact = f.contact.trim();
    if contact.is_empty() {
        errs.push(FieldError::new(
            "contact",
            "请填写身份证号或联系方式，以便核实和反馈。",
            "Enter an ID number or a contact so the department can follow up.",
        ));
    } else if contact.chars().count() > MAX_CONTACT {
        errs.push(FieldError::new(
            "contact",
            format!("最多{MAX_CONTACT}字。"),
            format!("At most {MAX_CONTACT} characters."),
        ));
    } else if has_control(contact) {
        errs.push(FieldError::new(
            "contact",
            "含有不允许的字符。",
            "Contains characters that are not allowed.",
        ));
    }
    let content = f.content.trim();
    let len = content.chars().count();
    if content.is_empty() {
        errs.push(FieldError::new(
            "content",
            "请填写异议内容和事实依据。",
            "Describe the objection and the facts behind it.",
        ));
    } else if len > MAX_CONTENT {
        errs.push(FieldError::new(
            "content",
            format!("异议内容最多{MAX_CONTENT}字（现{len}字）。"),
            format!("At most {MAX_CONTENT} characters ({len} given)."),
        ));
    } else if has_control(content) {
        errs.push(FieldError::new(
            "content",
            "含有不允许的控制字符。",
            "Contains control characters.",
        ));
    }
    errs
}

/// `POST /notices/{id}/objections` — a real-name objection (实名异议), lodged through the
/// domain; on any error nothing is stored and the form comes back with what was typed.
pub async fn lodge_objection(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Form(form): Form<ObjectionForm>,
) -> WebResult<Response> {
    let l = ctx.lang;
    let n = notice_view_of(&state, &id, l).await.ok_or(WebError::NotFound)?;
    let mut errors = FormErrors::new(l);
    let mut alert = String::new();
    let mut status = StatusCode::BAD_REQUEST;
    for e in validate_objection(&form, &n) {
        errors.push(e);
    }
    if errors.is_empty()
        && let Err(refusal) = objection_guard(&state, &ctx.client.ip, &n.id, &form).await?
    {
        alert = l.pick(refusal.zh, refusal.en);
        status = refusal.status;
    } else if errors.is_empty() {
        let cmd = Command::LodgeObjection(LodgeObjection {
            notice: n.id.clone(),
            application: form.application.clone(),
            objector_real_name: form.name.trim().to_string(),
            contact: form.contact.trim().to_string(),
            content: form.content.trim().to_string(),
        });
        let actor = Actor {
            role: Role::Public,
            id: "public:objector".into(),
        };
        match state.guohe.execute(&actor, state.today(), cmd).await {
            Ok(outcome) => {
                let objection = outcome
                    .events
                    .iter()
                    .find_map(|e| match &e.kind {
                        guohe_domain::EventKind::ObjectionLodged(o) => Some(o.objection.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                let set = flash::put_for(
                    &state,
                    &ctx,
                    &format!("您的异议已受理，编号 {objection}。我厅将核实处理并联系您。"),
                    &format!(
                        "Your objection was received; its number is {objection}. The department will look into it and contact you."
                    ),
                )
                .await?;
                let mut resp = Redirect::to(&format!("/notices/{}", view::urlencode(&n.id))).into_response();
                if let Some(c) = set {
                    resp.headers_mut().append(header::SET_COOKIE, c);
                }
                return Ok(resp);
            }
            Err(AppError::Refused(r)) => {
                let (zh, en) = WebError::refusal_text(&r);
                let field = match r.field.as_deref() {
                    Some("objector_real_name") => Some("name"),
                    Some(f @ ("contact" | "content" | "application")) => Some(f),
                    _ => None,
                };
                match field {
                    Some(f) => errors.push(FieldError::new(f, zh, en)),
                    None => {
                        alert = l.pick(zh, en);
                        status = StatusCode::CONFLICT;
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let objectors = public_objections(&state, &n.id, l).await?;
    let page = NoticeTpl {
        c: ctx.chrome("/notices"),
        n,
        form,
        errors,
        alert,
        lodged: String::new(),
        objectors,
    };
    let mut resp = render(&page)?;
    *resp.status_mut() = status;
    Ok(resp)
}

/// Why an objection was refused before it reached the domain.
#[derive(Debug, Clone)]
pub(crate) struct ObjectionRefusal {
    /// 409 for a duplicate, 429 over the limit.
    pub status: StatusCode,
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
    /// Stable machine code for the API.
    pub code: &'static str,
}

/// Refuses an objection that repeats one already lodged (same notice, application, real name,
/// contact and text), and counts the client's objections to the notice today: at most
/// `objections_per_day` per client address per notice per day (the count is kept in the
/// shared database, so every server applies the same limit). Called by the page and the API.
pub(crate) async fn objection_guard(
    state: &AppState,
    client_ip: &str,
    notice: &str,
    f: &ObjectionForm,
) -> WebResult<Result<(), ObjectionRefusal>> {
    let (name, contact, content) = (f.name.trim(), f.contact.trim(), f.content.trim());
    let duplicate = state
        .guohe
        .objection_lodged_before(notice, &f.application, name, contact, content)
        .await?;
    if duplicate {
        return Ok(Err(ObjectionRefusal {
            status: StatusCode::CONFLICT,
            zh: "同一异议已经受理，无需重复提交。如有新的事实，请在异议内容中补充后再提交。".into(),
            en: "This objection was already received; there is no need to lodge it again. If there are new facts, add them to the text."
                .into(),
            code: "duplicate_objection",
        }));
    }
    let limit = i64::from(state.settings.objections_per_day);
    let day = state.today().to_string();
    let key = format!("{}\n{notice}", client_ip.chars().take(64).collect::<String>());
    let count = state.guohe.signin().bump_form_count("objection", &key, &day).await?;
    if count > limit {
        return Ok(Err(ObjectionRefusal {
            status: StatusCode::TOO_MANY_REQUESTS,
            zh: format!("同一来源每天对同一公示最多提交{limit}条异议，请明天再提交或直接联系我厅。"),
            en: format!(
                "At most {limit} objections per day to one notice from one address; try again tomorrow or contact the department."
            ),
            code: "objection_limit",
        }));
    }
    Ok(Ok(()))
}
