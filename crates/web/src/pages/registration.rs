//! 依托单位注册 — a support unit registers itself: its 统一社会信用代码 is checked (GB 32100,
//! GB 11714), its province is where the code says it is registered unless it chooses, and the
//! account waits, unable to sign in, until that province's department approves it
//! (`/dept/registrations`, below).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use guohe_store::AccountRole;

use super::work::{ConfirmTpl, Feedback, Vals, render_status, see_other};
use crate::AppState;
use crate::accounts::{self, NewUser, normalise_login, province_of_uscc};
use crate::admin;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{FieldError, WebError, WebResult};
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

/// The registration form.
#[derive(Template)]
#[template(path = "unit_registration.html")]
pub struct RegisterTpl {
    /// Layout.
    pub c: Chrome,
    /// Provinces: (code, label).
    pub provinces: Vec<(String, String)>,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
    /// Registered: waiting for approval.
    pub done: bool,
}

fn page(ctx: &RequestCtx, state: &AppState, v: Vals, fb: Feedback, done: bool) -> WebResult<Response> {
    let tpl = RegisterTpl {
        c: ctx.chrome("/register"),
        provinces: super::admin::system::province_options(state),
        v,
        fb: fb.clone(),
        done,
    };
    render_status(&tpl, fb.status)
}

/// `GET /register`.
pub async fn form(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    page(&ctx, &state, Vals::default(), Feedback::none(ctx.lang), false)
}

/// Checks a registration, naming each field.
fn check(v: &Vals, provinces: &[(String, String)]) -> (Vec<FieldError>, String) {
    let mut errs = Vec::new();
    let name = v.t("display_name");
    if name.is_empty() || name.chars().count() > 64 {
        errs.push(FieldError::new(
            "display_name",
            "请填写单位名称（不超过64字）",
            "enter the unit's name (at most 64 characters)",
        ));
    }
    let uscc = v.t("uscc").to_ascii_uppercase();
    match guohe_reference::uscc::parse(&uscc) {
        Err(e) => errs.push(FieldError::new(
            "uscc",
            format!("统一社会信用代码无效：{e}"),
            format!("invalid USCC: {e}"),
        )),
        // 登记管理部门 9（市场监管）、机构类别 2（个体工商户）: not a legal person.
        Ok(_) if uscc.starts_with("92") => errs.push(FieldError::new(
            "uscc",
            "个体工商户不是独立法人，不能作为依托单位",
            "a sole proprietorship (个体工商户) is not a legal person and cannot be a support unit",
        )),
        Ok(_) => {}
    }
    let province = match v.t("province") {
        p if p.is_empty() => province_of_uscc(&uscc).unwrap_or_default(),
        p => p,
    };
    if !provinces.iter().any(|(code, _)| *code == province) {
        errs.push(FieldError::new(
            "province",
            "请选择本单位所在省份（须为本系统服务的省份）",
            "choose the unit's province (one this system serves)",
        ));
    }
    if let Err(e) = normalise_login(&v.t("login")) {
        errs.push(e);
    }
    if v.get("password") != v.get("confirm") {
        errs.push(FieldError::new(
            "confirm",
            "两次输入的口令不一致",
            "the two passwords differ",
        ));
    }
    (errs, province)
}

/// `POST /register` (`display_name`, `uscc`, `province`, `login`, `password`, `confirm`).
pub async fn register(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let l = ctx.lang;
    let mut v = Vals::new(form);
    let provinces = super::admin::system::province_options(&state);
    let (errs, province) = check(&v, &provinces);
    // What was typed is kept for the form, never the password.
    let password = v.get("password").to_string();
    v.set("password", "");
    v.set("confirm", "");
    if !errs.is_empty() {
        return page(&ctx, &state, v, Feedback::invalid(l, errs), false);
    }
    let user = NewUser {
        login: v.t("login"),
        display_name: v.t("display_name"),
        role: AccountRole::SupportUnit,
        org_id: Some(v.t("uscc").to_ascii_uppercase()),
        password,
        province,
        must_change_password: false,
        profile: Default::default(),
        pending_approval: true,
    };
    match accounts::create_account(&state, &format!("public:{}", ctx.client.ip), user).await {
        Ok(_) => page(
            &ctx,
            &state,
            Vals::default(),
            Feedback::ok(
                l,
                l.t(
                    "注册申请已提交，待所在省科技厅审核通过后即可登录。",
                    "Registered. You can sign in once your province's department approves the registration.",
                )
                .into(),
            ),
            true,
        ),
        Err(WebError::BadRequest { fields, .. }) => page(&ctx, &state, v, Feedback::invalid(l, fields), false),
        Err(WebError::Conflict { zh, en }) => {
            let mut fb = Feedback::none(l);
            fb.errors.push(FieldError::new("login", zh.clone(), en.clone()));
            fb.alert = l.pick(zh, en);
            fb.status = StatusCode::CONFLICT;
            page(&ctx, &state, v, fb, false)
        }
        Err(e) => Err(e),
    }
}

// ---------- the department's review ----------

fn reviewer(ctx: &RequestCtx) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Department)?;
    authz::may(&p, Action::ApproveRegistration)?;
    Ok(p)
}

/// Registrations waiting in the department's province.
#[derive(Template)]
#[template(path = "dept_registrations.html")]
pub struct PendingTpl {
    /// Layout.
    pub c: Chrome,
    /// (login, unit name, USCC, registered at).
    pub pending: Vec<(String, String, String, String)>,
    /// Messages.
    pub fb: Feedback,
}

/// `GET /dept/registrations` — support units waiting for approval, in the department's province.
pub async fn pending(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> WebResult<Response> {
    let p = reviewer(&ctx)?;
    let l = ctx.lang;
    let pending = state
        .accounts
        .pending_registrations(&p.province)
        .await?
        .into_iter()
        .map(|a| {
            (
                a.login,
                a.display_name,
                a.org_id.unwrap_or_default(),
                view::beijing_time(a.created_at),
            )
        })
        .collect();
    // A fixed message chosen by a code, never text from the query string.
    let fb = match q.get("done").map(String::as_str) {
        Some("approved") => Feedback::ok(
            l,
            l.t(
                "已审核通过，该单位现在可以登录。",
                "Approved; the unit can now sign in.",
            )
            .into(),
        ),
        Some("refused") => Feedback::ok(
            l,
            l.t("已不予通过，账号保持停用。", "Refused; the account stays disabled.")
                .into(),
        ),
        _ => Feedback::none(l),
    };
    render_status(
        &PendingTpl {
            c: ctx.chrome("/dept"),
            pending,
            fb: fb.clone(),
        },
        fb.status,
    )
}

/// `POST /dept/registrations/{login}` (`decision` = `approve` | `refuse`, `confirmed`) — a
/// refusal is confirmed first.
pub async fn decide(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::extract::Path(login): axum::extract::Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let p = reviewer(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let approve = match v.get("decision") {
        "approve" => true,
        "refuse" => false,
        _ => {
            return Err(WebError::BadRequest {
                zh: "请选择通过或不予通过。".into(),
                en: "Choose approve or refuse.".into(),
                fields: vec![FieldError::new(
                    "decision",
                    "请选择通过或不予通过",
                    "choose approve or refuse",
                )],
            });
        }
    };
    if !approve && v.get("confirmed") != "yes" {
        let a = state.accounts.account(&login).await?.ok_or(WebError::NotFound)?;
        if a.province != p.province {
            return Err(WebError::NotFound);
        }
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(
                format!("不予通过注册：{}", a.display_name),
                format!("Refuse the registration of {}", a.display_name),
            ),
            facts: vec![
                (l.t("用户名", "Login").into(), a.login.clone()),
                (
                    l.t("统一社会信用代码", "USCC").into(),
                    a.org_id.clone().unwrap_or_default(),
                ),
            ],
            consequence: l
                .t(
                    "该账号保持停用，不能登录；记录保留。",
                    "The account stays disabled and cannot sign in; the record is kept.",
                )
                .into(),
            articles: Vec::new(),
            action: format!("/dept/registrations/{}", view::urlencode(&login)),
            hidden: vec![("decision".into(), "refuse".into()), ("confirmed".into(), "yes".into())],
            back: "/dept/registrations".into(),
        });
    }
    admin::decide_registration(&state, &p, &login, approve).await?;
    Ok(see_other(if approve {
        "/dept/registrations?done=approved"
    } else {
        "/dept/registrations?done=refused"
    }))
}
