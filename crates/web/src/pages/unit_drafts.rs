//! The unit's application drafts: start, save, check, submit, attachments, and the download of
//! an attachment. Drafts are kept in the database scoped by the unit's USCC.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use guohe_domain::ApplicationStatus;
use serde_json::json;

use super::unit::{KINDS, drafts, open_rounds, unit_of};
use super::unit_draft_form::{CheckItem, CheckPanel, DraftTpl, PanelTpl, check_form, from_facts};
use super::work::{self, Feedback, Vals, render_status, see_other};
use crate::AppState;
use crate::authz::{self, Principal};
use crate::error::{FieldError, WebError, WebResult};
use crate::security::RequestCtx;
use crate::upload;
use crate::view;

fn blank_draft(p: &Principal, org: &str, round: &str) -> Vals {
    let mut v = Vals::default();
    v.set("round", round);
    v.set("unit.name", p.display_name.clone());
    v.set("unit.uscc", org);
    if let Ok(u) = guohe_reference::uscc::parse(org) {
        v.set("unit.region_code", u.division_code().to_string());
    }
    v.set("unit.registered_in_province", "on");
    v.set("unit.independent_legal_person", "on");
    v
}

/// `POST /unit/drafts` — starts a draft for a round (`round`), or from a returned application
/// (`resubmit`).
pub async fn create_draft(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (p, org) = unit_of(&ctx)?;
    let form = Vals::new(form);
    let resubmit = form.t("resubmit");
    let (v, title) = if resubmit.is_empty() {
        let round = form.t("round");
        let rounds = open_rounds(&state, &p).await;
        let Some(r) = rounds.iter().find(|r| r.id == round) else {
            return Err(WebError::BadRequest {
                zh: "请选择正在受理的申报批次。".into(),
                en: "Choose a round that is open.".into(),
                fields: vec![FieldError::new("round", "请选择申报批次", "choose a round")],
            });
        };
        (blank_draft(&p, &org, &round), r.title.clone())
    } else {
        let a = state
            .guohe
            .resubmit_source(&org, &resubmit, |a| authz::can_view_application(&p, a).is_ok())
            .await
            .ok_or(WebError::NotFound)?;
        if a.status != ApplicationStatus::Returned {
            return Err(WebError::Conflict {
                zh: "只有被退回的申报可以修改后重新提交。".into(),
                en: "Only a returned application can be corrected and resubmitted.".into(),
            });
        }
        let mut v = from_facts(&a.facts);
        v.set("round", a.round.clone());
        v.set("resubmit", a.id.clone());
        (
            v,
            format!("{} {}", a.id, ctx.lang.t("（修改后重新提交）", "(resubmission)")),
        )
    };
    let id = format!("D{}", &crate::security::random_token()[..10].to_uppercase());
    drafts(&state).save(&org, &id, &title, &v.to_json(), Utc::now()).await?;
    Ok(see_other(&format!("/unit/drafts/{id}")))
}

async fn draft_page(
    ctx: &RequestCtx,
    state: &AppState,
    org: &str,
    id: &str,
    v: Vals,
    fb: Feedback,
    run_check: bool,
) -> WebResult<Response> {
    draft_page_with(ctx, state, org, id, v, fb, run_check, Vec::new()).await
}

#[allow(clippy::too_many_arguments)]
async fn draft_page_with(
    ctx: &RequestCtx,
    state: &AppState,
    org: &str,
    id: &str,
    v: Vals,
    mut fb: Feedback,
    run_check: bool,
    unmet: Vec<CheckItem>,
) -> WebResult<Response> {
    let l = ctx.lang;
    let p = ctx.require()?;
    let files = drafts(state).files(org, id).await?;
    let rounds_all = open_rounds(state, p).await;
    let round = v.t("round");
    let policy_id = match rounds_all.iter().find(|r| r.id == round) {
        Some(r) => Some(r.policy.clone()),
        None => state.guohe.round_policy(&round).await,
    };
    let policies = state.guohe.policies();
    let policy = policy_id.as_deref().and_then(|p| policies.get(p));
    let mut check = CheckPanel::default();
    if let (true, Some(policy)) = (run_check, policy) {
        let (_, panel, errs) = check_form(&v, policy, state.today(), &files, l);
        check = panel;
        for e in errs {
            if !fb.errors.has(&e.field) {
                fb.errors.push(e);
            }
        }
    }
    let mut rounds: Vec<(String, String)> = rounds_all.iter().map(|r| (r.id.clone(), r.title.clone())).collect();
    if !round.is_empty() && !rounds.iter().any(|r| r.0 == round) {
        rounds.push((round.clone(), round.clone()));
    }
    let terms = |t: &[guohe_policy::model::Term]| {
        t.iter()
            .map(|t| (t.code.clone(), l.t(&t.zh, &t.en).to_string()))
            .collect::<Vec<_>>()
    };
    let mut countries: Vec<(String, String)> = guohe_reference::country::all()
        .iter()
        .filter(|c| !c.is_china())
        .map(|c| {
            (
                c.alpha2.to_string(),
                format!("{} {}", l.t(c.name_zh, c.name_en), c.alpha2),
            )
        })
        .collect();
    countries.sort_by(|a, b| a.1.cmp(&b.1));
    let tpl = DraftTpl {
        c: ctx.chrome("/unit"),
        id: id.into(),
        categories: policy.map(|p| terms(&p.vocabularies.categories)).unwrap_or_default(),
        unit_kinds: policy.map(|p| terms(&p.vocabularies.unit_kinds)).unwrap_or_default(),
        countries,
        files,
        kinds: KINDS
            .iter()
            .map(|k| (k.0.to_string(), l.t(k.1, k.2).to_string()))
            .collect(),
        rows: vec![0, 1, 2],
        upload_action: format!("/unit/drafts/{id}/attachments?_csrf={}", ctx.csrf),
        unmet,
        v,
        check,
        rounds,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /unit/drafts/{id}` — the form, with the check of what was saved.
pub async fn draft(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let (_, org) = unit_of(&ctx)?;
    let d = drafts(&state).get(&org, &id).await?.ok_or(WebError::NotFound)?;
    let v = Vals::from_json(&d.body);
    draft_page(&ctx, &state, &org, &id, v, Feedback::none(ctx.lang), true).await
}

/// `POST /unit/drafts/{id}` — `action` = `save` (keep the draft), `check` (check without
/// saving), `submit` (save, then submit or resubmit; the draft is deleted once submitted; when
/// the check finds conditions not met, the page lists them and asks to confirm first),
/// `submit_unmet` (submit after that confirmation), `delete`.
pub async fn save_draft(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (p, org) = unit_of(&ctx)?;
    let l = ctx.lang;
    let store = drafts(&state);
    let d = store.get(&org, &id).await?.ok_or(WebError::NotFound)?;
    let mut v = Vals::new(form);
    let action = v.t("action");
    v.set("action", "");
    // The unit's identity comes from the account, never from the form.
    v.set("unit.uscc", org.clone());
    let resubmit = Vals::from_json(&d.body).t("resubmit");
    if !resubmit.is_empty() {
        v.set("resubmit", resubmit.clone());
    }
    match action.as_str() {
        "delete" => {
            store.delete(&org, &id).await?;
            return Ok(see_other("/unit"));
        }
        "check" => return draft_page(&ctx, &state, &org, &id, v, Feedback::none(l), true).await,
        "save" => {
            store.save(&org, &id, &d.title, &v.to_json(), Utc::now()).await?;
            let fb = Feedback::ok(l, l.t("草稿已保存。", "Draft saved.").into());
            return draft_page(&ctx, &state, &org, &id, v, fb, true).await;
        }
        "submit" | "submit_unmet" => {}
        _ => {
            return Err(WebError::BadRequest {
                zh: "未知操作。".into(),
                en: "Unknown action.".into(),
                fields: Vec::new(),
            });
        }
    }
    store.save(&org, &id, &d.title, &v.to_json(), Utc::now()).await?;
    let round = v.t("round");
    let policy_id = state.guohe.round_policy(&round).await;
    let policies = state.guohe.policies();
    let Some(policy) = policy_id.as_deref().and_then(|x| policies.get(x)) else {
        let fb = Feedback::invalid(l, vec![FieldError::new("round", "请选择申报批次", "choose a round")]);
        return draft_page(&ctx, &state, &org, &id, v, fb, false).await;
    };
    let files = store.files(&org, &id).await?;
    let (app, panel, errs) = check_form(&v, policy, state.today(), &files, l);
    let Some(app) = app else {
        return draft_page(&ctx, &state, &org, &id, v, Feedback::invalid(l, errs), true).await;
    };
    // A unit may submit an application that fails a condition: the verdict is recorded and the
    // recommender and the department return or reject it citing the articles. It is told so,
    // with the conditions, and confirms first.
    let unmet: Vec<CheckItem> = panel.items.iter().filter(|i| i.status == "fail").cloned().collect();
    if action != "submit_unmet" && !unmet.is_empty() {
        let fb = Feedback {
            alert: l
                .t(
                    "以下申报条件经检查不符合。仍可提交，推荐单位和省科技厅将据此退回或不予认定。请确认后再提交。",
                    "The check finds the conditions below not met. The application can still be submitted; the recommender and the department will return or reject it on them. Confirm to submit.",
                )
                .into(),
            ..Feedback::none(l)
        };
        return draft_page_with(&ctx, &state, &org, &id, v, fb, true, unmet).await;
    }
    let app_id = if resubmit.is_empty() {
        format!("{round}-{}", &id[1..7])
    } else {
        resubmit.clone()
    };
    let cmd = if resubmit.is_empty() {
        json!({"type": "SubmitApplication", "id": app_id, "round": round, "facts": app})
    } else {
        json!({"type": "ResubmitApplication", "application": app_id, "facts": app})
    };
    let map = |f: &str| {
        let f = f.strip_prefix("facts.").unwrap_or(f);
        if f == "id" { "round".to_string() } else { f.to_string() }
    };
    match work::run(&state, &p, cmd).await? {
        Ok(()) => {
            // The draft goes; its attachments stay, listed in the application's facts, for
            // everyone who may see it.
            store.submitted(&org, &id).await.ok();
            crate::flash::put_for(&state, &ctx, "申报已提交。", "The application was submitted.").await?;
            Ok(see_other(&format!("/unit/applications/{app_id}")))
        }
        Err(e) => {
            let fb = Feedback::from_app(l, policies, e, &map)?;
            draft_page(&ctx, &state, &org, &id, v, fb, true).await
        }
    }
}

/// `POST /unit/drafts/{id}/check` — the check panel alone, for the page's script.
pub async fn check_panel(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let (_, org) = unit_of(&ctx)?;
    let store = drafts(&state);
    store.get(&org, &id).await?.ok_or(WebError::NotFound)?;
    let mut v = Vals::new(form);
    v.set("unit.uscc", org.clone());
    let round = v.t("round");
    let policy_id = state.guohe.round_policy(&round).await;
    let policies = state.guohe.policies();
    let policy = policy_id
        .as_deref()
        .and_then(|x| policies.get(x))
        .ok_or_else(|| WebError::BadRequest {
            zh: "请选择申报批次。".into(),
            en: "Choose a round.".into(),
            fields: vec![FieldError::new("round", "请选择申报批次", "choose a round")],
        })?;
    let files = store.files(&org, &id).await?;
    let (_, mut check, errs) = check_form(&v, policy, state.today(), &files, ctx.lang);
    for e in errs {
        check.items.insert(
            0,
            CheckItem {
                article: String::new(),
                text: String::new(),
                title: e.field.clone(),
                status: "fail".into(),
                status_label: ctx.lang.t("需更正", "Correct").into(),
                reason: ctx.lang.pick(e.zh, e.en),
            },
        );
    }
    view::render(&PanelTpl {
        c: ctx.chrome("/unit"),
        check,
    })
}

/// `POST /unit/drafts/{id}/attachments?_csrf=…` (multipart: `kind`, `file`) — a PDF, checked
/// by its content.
pub async fn upload(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> WebResult<Response> {
    let (_, org) = unit_of(&ctx)?;
    let l = ctx.lang;
    let store = drafts(&state);
    let d = store.get(&org, &id).await?.ok_or(WebError::NotFound)?;
    let v = Vals::from_json(&d.body);
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let fail = |field: &str, zh: String, en: String| Feedback::invalid(l, vec![FieldError::new(field, zh, en)]);
    let Some(boundary) = upload::boundary(ct) else {
        let fb = fail("file", "请以文件上传表单提交。".into(), "Use the upload form.".into());
        return draft_page(&ctx, &state, &org, &id, v, fb, false).await;
    };
    let parts = match upload::parse_multipart(&body, &boundary) {
        Ok(p) => p,
        Err(r) => return draft_page(&ctx, &state, &org, &id, v, fail("file", r.zh, r.en), false).await,
    };
    let kind = parts
        .iter()
        .find(|p| p.name == "kind")
        .map(|p| p.text())
        .unwrap_or_default();
    if !KINDS.iter().any(|k| k.0 == kind) {
        let fb = fail("kind", "请选择材料类别".into(), "choose what the file is".into());
        return draft_page(&ctx, &state, &org, &id, v, fb, false).await;
    }
    let Some(file) = parts.iter().find(|p| p.name == "file" && p.file_name.is_some()) else {
        let fb = fail("file", "请选择要上传的文件".into(), "choose a file".into());
        return draft_page(&ctx, &state, &org, &id, v, fb, false).await;
    };
    if let Err(r) = upload::check_pdf(&file.data) {
        return draft_page(&ctx, &state, &org, &id, v, fail("file", r.zh, r.en), false).await;
    }
    let name: String = file
        .file_name
        .as_deref()
        .unwrap_or("file.pdf")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("file.pdf")
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    store.put_file(&org, &id, &kind, &name, &file.data, Utc::now()).await?;
    Ok(see_other(&format!("/unit/drafts/{id}?uploaded=1#attachments")))
}

/// `POST /unit/drafts/{id}/attachments/{file}/delete`.
pub async fn delete_file(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path((id, file)): Path<(String, String)>,
) -> WebResult<Response> {
    let (_, org) = unit_of(&ctx)?;
    let store = drafts(&state);
    store.get(&org, &id).await?.ok_or(WebError::NotFound)?;
    if !store.delete_file(&org, &file).await? {
        return Err(WebError::NotFound);
    }
    Ok(see_other(&format!("/unit/drafts/{id}#attachments")))
}

/// `GET /files/{id}` — an attachment: to its unit, and to whoever may see an application
/// listing it.
pub async fn download(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    let p = ctx.require()?.clone();
    let (meta, content) = drafts(&state).file(&id).await?.ok_or(WebError::NotFound)?;
    let own = p.role == guohe_store::AccountRole::SupportUnit
        && p.org.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(&meta.owner));
    if !own {
        let listed = state
            .guohe
            .applications_listing_file(&id, |a| authz::can_view_application(&p, a))
            .await;
        if listed.is_empty() {
            return Err(WebError::NotFound);
        }
        if !listed.iter().any(Result::is_ok) {
            return Err(listed
                .into_iter()
                .find_map(Result::err)
                .map(WebError::from)
                .unwrap_or(WebError::NotFound));
        }
    }
    let mut r = content.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    let ascii: String = meta
        .file_name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        view::urlencode(&meta.file_name)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
