//! 系统管理员 — organisations and accounts: list, search and filter every account of the
//! provinces administered, a page at a time from the database; create business accounts (the first sign-in changes the password);
//! change names, organisations, provinces and experts' details; deactivate and reactivate
//! (never delete); reset a password; register recommender organisations with their
//! jurisdiction.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use guohe_store::{Account, AccountOrder, AccountPage, AccountQuery, AccountRole, AccountStatus};

use super::feedback;
use crate::AppState;
use crate::admin::{self, AccountForm, BUSINESS_ROLES, OrganisationForm};
use crate::authz::{self, Action, Area, Principal, role_label};
use crate::error::{WebError, WebResult};
use crate::i18n::Lang;
use crate::pages::list_paged;
use crate::pages::work::{self, Cell, ConfirmTpl, Feedback, Vals, render_status, see_other};
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

fn sysadmin(ctx: &RequestCtx) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::SystemAdmin)?;
    authz::may(&p, Action::ManageAccounts)?;
    Ok(p)
}

/// Provinces of the loaded policies: (code, name).
pub fn province_options(state: &AppState) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = state
        .guohe
        .policies()
        .all()
        .iter()
        .map(|p| {
            (
                p.province.code.clone(),
                format!("{}（{}）", p.province.name, p.province.code),
            )
        })
        .collect();
    v.sort();
    v.dedup();
    v
}

fn role_options(l: Lang) -> Vec<(String, String)> {
    BUSINESS_ROLES
        .iter()
        .map(|r| {
            let (zh, en) = role_label(*r);
            (r.as_str().to_string(), l.t(zh, en).to_string())
        })
        .collect()
}

fn status_label(s: AccountStatus, l: Lang) -> String {
    let (zh, en) = match s {
        AccountStatus::Pending => ("待审核", "Awaiting approval"),
        AccountStatus::Disabled => ("已停用", "Disabled"),
        AccountStatus::Locked => ("已锁定", "Locked"),
        AccountStatus::Active => ("正常", "Active"),
    };
    l.t(zh, en).to_string()
}

fn status_of(a: &Account, l: Lang) -> (&'static str, String) {
    let s = a.status(chrono::Utc::now());
    (s.as_str(), status_label(s, l))
}

/// The order the database keeps for a column of the list; the status has none (it is worked
/// out at the time of the request).
fn order_of_column(column: usize) -> Option<AccountOrder> {
    match column {
        0 => Some(AccountOrder::Login),
        1 => Some(AccountOrder::Name),
        2 => Some(AccountOrder::Role),
        3 => Some(AccountOrder::Province),
        4 => Some(AccountOrder::Organisation),
        _ => None,
    }
}

/// The accounts list with the form to create one.
#[derive(Template)]
#[template(path = "admin_accounts.html")]
pub struct AccountsTpl {
    /// Layout.
    pub c: Chrome,
    /// The table.
    pub t: work::Table,
    /// Roles: (code, label).
    pub roles: Vec<(String, String)>,
    /// Provinces: (code, label).
    pub provinces: Vec<(String, String)>,
    /// Values of the create form.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

async fn accounts_page(
    ctx: &RequestCtx,
    state: &AppState,
    q: &HashMap<String, String>,
    v: Vals,
    fb: Feedback,
) -> WebResult<Response> {
    let p = sysadmin(ctx)?;
    let l = ctx.lang;
    let params = work::list_params(q);
    let headings: Vec<String> = [
        ("用户名", "Login"),
        ("名称", "Name"),
        ("角色", "Role"),
        ("省份", "Province"),
        ("所属机构", "Organisation"),
        ("状态", "Status"),
    ]
    .iter()
    .map(|(zh, en)| l.t(zh, en).to_string())
    .collect();
    let (sort, desc) = work::sort_asked(&params, headings.len());
    let sort = sort.filter(|i| order_of_column(*i).is_some());
    let chosen = |name: &str| params.get(name).filter(|v| !v.is_empty()).cloned();
    let csv = params.get("format").is_some_and(|f| f == "csv");
    // The administrator's own province, and the one chosen: both must hold (a province
    // administrator choosing another sees nothing).
    let provinces: Vec<String> = [Some(p.province.clone()).filter(|x| !x.is_empty()), chosen("province")]
        .into_iter()
        .flatten()
        .collect();
    // A role or status code that names none matches nothing, as a filter value no row carries.
    let role = chosen("role").map(|r| AccountRole::ALL.into_iter().find(|x| x.as_str() == r));
    let status = chosen("status").map(|s| AccountStatus::parse(&s));
    let nothing = matches!(role, Some(None)) || matches!(status, Some(None));
    let mut query = AccountQuery {
        text: params.get("q").cloned().unwrap_or_default(),
        provinces,
        role: role.flatten(),
        status: status.flatten(),
        now: chrono::Utc::now(),
        order: sort.and_then(order_of_column).unwrap_or_default(),
        descending: desc && sort.is_some(),
        offset: 0,
        limit: if csv { usize::MAX } else { work::PAGE_SIZE },
    };
    let mut asked = if csv { 1 } else { list_paged::page_asked(&params) };
    let mut found = AccountPage {
        accounts: Vec::new(),
        total: 0,
    };
    if !nothing {
        query.offset = (asked - 1).saturating_mul(work::PAGE_SIZE);
        found = state.accounts.account_page(&query).await?;
        // A page past the last shows the last.
        let last = list_paged::last_page(found.total);
        if !csv && asked > last {
            asked = last;
            query.offset = (asked - 1) * work::PAGE_SIZE;
            found = state.accounts.account_page(&query).await?;
        }
    }
    let rows: Vec<Vec<Cell>> = found
        .accounts
        .into_iter()
        .map(|a| {
            let (zh, en) = role_label(a.role);
            let (code, label) = status_of(&a, l);
            vec![
                Cell::link(
                    a.login.clone(),
                    format!("/admin/system/accounts/{}", view::urlencode(&a.login)),
                ),
                Cell::text(a.display_name),
                Cell::text(l.t(zh, en)),
                Cell::text(a.province),
                Cell::text(a.org_id.unwrap_or_default()),
                Cell::text(label).class(&format!("status s-{code}")),
            ]
        })
        .collect();
    if csv {
        return work::csv_of_cells("accounts.csv", &headings, rows);
    }
    let mut roles = role_options(l);
    for r in [
        AccountRole::SystemAdmin,
        AccountRole::SecurityAdmin,
        AccountRole::AuditAdmin,
    ] {
        let (zh, en) = role_label(r);
        roles.push((r.as_str().to_string(), l.t(zh, en).to_string()));
    }
    let statuses = AccountStatus::ALL
        .into_iter()
        .map(|s| (s.as_str().to_string(), status_label(s, l)))
        .collect();
    let filters = work::chosen_filters(
        vec![
            ("role".to_string(), l.t("角色", "Role").to_string(), roles),
            (
                "province".to_string(),
                l.t("省份", "Province").to_string(),
                province_options(state),
            ),
            ("status".to_string(), l.t("状态", "Status").to_string(), statuses),
        ],
        &params,
    );
    let t = work::Table::paged(
        "/admin/system",
        &params,
        &headings,
        (sort, desc),
        |i| order_of_column(i).is_some(),
        filters,
        list_paged::Found {
            rows,
            total: found.total,
            page: asked,
        },
    );
    let tpl = AccountsTpl {
        c: ctx.chrome("/admin/system"),
        t,
        roles: role_options(l),
        provinces: province_options(state),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /admin/system` — every account administered: search, filters, sort, CSV.
pub async fn accounts(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    accounts_page(&ctx, &state, &q, Vals::default(), Feedback::none(ctx.lang)).await
}

fn account_form(v: &Vals) -> AccountForm {
    AccountForm {
        login: v.t("login"),
        display_name: v.t("display_name"),
        role: v.t("role"),
        province: v.t("province"),
        org_id: v.t("org_id"),
        title: v.t("title"),
        unit_name: v.t("unit_name"),
        domains: v.get("domains").to_string(),
        password: v.get("password").to_string(),
    }
}

/// `POST /admin/system/accounts` (`login`, `display_name`, `role`, `province`, `org_id`,
/// `title`, `unit_name`, `domains`, `password`) — a new business account.
pub async fn create(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    sysadmin(&ctx)?;
    let mut v = Vals::new(form);
    match admin::create_account(&state, ctx.require()?, &account_form(&v)).await {
        Ok(a) => Ok(see_other(&format!(
            "/admin/system/accounts/{}?created=1",
            view::urlencode(&a.login)
        ))),
        Err(e) => {
            let fb = feedback(ctx.lang, e)?;
            v.set("password", "");
            accounts_page(&ctx, &state, &HashMap::new(), v, fb).await
        }
    }
}

/// One account, with the forms that change it.
#[derive(Template)]
#[template(path = "admin_account.html")]
pub struct AccountTpl {
    /// Layout.
    pub c: Chrome,
    /// Facts: (label, value).
    pub facts: Vec<(String, String)>,
    /// Login.
    pub login: String,
    /// Is an expert (shows the profile fields).
    pub expert: bool,
    /// Is active.
    pub active: bool,
    /// Is an administrator (not changeable here).
    pub administrator: bool,
    /// Provinces: (code, label).
    pub provinces: Vec<(String, String)>,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

async fn account_page(
    ctx: &RequestCtx,
    state: &AppState,
    login: &str,
    v: Option<Vals>,
    fb: Feedback,
) -> WebResult<Response> {
    let p = sysadmin(ctx)?;
    let l = ctx.lang;
    let a = state.accounts.account(login).await?.ok_or(WebError::NotFound)?;
    if !p.province.is_empty() && a.province != p.province {
        return Err(WebError::NotFound);
    }
    let (zh, en) = role_label(a.role);
    let fmt = |t: chrono::DateTime<chrono::Utc>| view::beijing_time(t);
    let facts = vec![
        (l.t("用户名", "Login").to_string(), a.login.clone()),
        (l.t("角色", "Role").to_string(), l.t(zh, en).to_string()),
        (l.t("状态", "Status").to_string(), status_of(&a, l).1),
        (l.t("创建时间", "Created").to_string(), fmt(a.created_at)),
        (
            l.t("口令设置时间", "Password set").to_string(),
            fmt(a.password_changed_at),
        ),
        (
            l.t("须修改口令", "Must change password").to_string(),
            l.t(
                if a.must_change_password { "是" } else { "否" },
                if a.must_change_password { "yes" } else { "no" },
            )
            .to_string(),
        ),
    ];
    let v = v.unwrap_or_else(|| {
        let mut v = Vals::default();
        v.set("display_name", a.display_name.clone());
        v.set("province", a.province.clone());
        v.set("org_id", a.org_id.clone().unwrap_or_default());
        v.set("title", a.profile.title.clone());
        v.set("unit_name", a.profile.unit_name.clone());
        v.set("domains", a.profile.domains.join("、"));
        v
    });
    let tpl = AccountTpl {
        c: ctx.chrome("/admin/system"),
        facts,
        login: a.login.clone(),
        expert: a.role == AccountRole::Expert,
        active: a.active,
        administrator: a.role.is_administrator(),
        provinces: province_options(state),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /admin/system/accounts/{login}`.
pub async fn account(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(login): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let l = ctx.lang;
    // A fixed message chosen by a code, never text from the query string.
    let fb = match q
        .get("done")
        .map(String::as_str)
        .or(q.get("created").map(|_| "created"))
    {
        Some("created") => Feedback::ok(
            l,
            l.t(
                "账号已创建；首次登录须修改口令。",
                "Account created; the first sign-in must change the password.",
            )
            .into(),
        ),
        Some("saved") => Feedback::ok(l, l.t("已保存。", "Saved.").into()),
        Some("disabled") => Feedback::ok(
            l,
            l.t(
                "账号已停用，其会话已全部结束。",
                "Account disabled; its sessions ended.",
            )
            .into(),
        ),
        Some("enabled") => Feedback::ok(l, l.t("账号已启用。", "Account enabled.").into()),
        Some("reset") => Feedback::ok(
            l,
            l.t(
                "已设置新口令；下次登录须修改。",
                "New password set; it must be changed at the next sign-in.",
            )
            .into(),
        ),
        _ => Feedback::none(l),
    };
    account_page(&ctx, &state, &login, None, fb).await
}

/// `POST /admin/system/accounts/{login}` (`display_name`, `province`, `org_id`, `title`,
/// `unit_name`, `domains`).
pub async fn update(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(login): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    sysadmin(&ctx)?;
    let v = Vals::new(form);
    match admin::update_account(&state, ctx.require()?, &login, &account_form(&v)).await {
        Ok(()) => Ok(see_other(&format!(
            "/admin/system/accounts/{}?done=saved",
            view::urlencode(&login)
        ))),
        Err(e) => {
            let fb = feedback(ctx.lang, e)?;
            account_page(&ctx, &state, &login, Some(v), fb).await
        }
    }
}

/// `POST /admin/system/accounts/{login}/active` (`active` = `yes`/`no`, `confirmed`) —
/// deactivating shows a confirmation first.
pub async fn set_active(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(login): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    sysadmin(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let active = match v.get("active") {
        "yes" => true,
        "no" => false,
        _ => {
            let fb = Feedback::invalid(
                l,
                vec![crate::error::FieldError::new(
                    "active",
                    "请选择启用或停用",
                    "choose enable or disable",
                )],
            );
            return account_page(&ctx, &state, &login, None, fb).await;
        }
    };
    if !active && v.get("confirmed") != "yes" {
        let a = state.accounts.account(&login).await?.ok_or(WebError::NotFound)?;
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/admin/system"),
            title: l.pick(format!("停用账号 {login}"), format!("Disable account {login}")),
            facts: vec![
                (l.t("用户名", "Login").into(), a.login.clone()),
                (l.t("名称", "Name").into(), a.display_name.clone()),
            ],
            consequence: l
                .t(
                    "停用后该账号不能登录，现有会话立即结束；账号及其办理记录保留，可再次启用。",
                    "The account can no longer sign in and its sessions end now; it and its records are kept and it can be enabled again.",
                )
                .into(),
            articles: Vec::new(),
            action: format!("/admin/system/accounts/{}/active", view::urlencode(&login)),
            hidden: vec![("active".into(), "no".into()), ("confirmed".into(), "yes".into())],
            back: format!("/admin/system/accounts/{}", view::urlencode(&login)),
        });
    }
    admin::set_active(&state, ctx.require()?, &login, active).await?;
    let done = if active { "enabled" } else { "disabled" };
    Ok(see_other(&format!(
        "/admin/system/accounts/{}?done={done}",
        view::urlencode(&login)
    )))
}

/// `POST /admin/system/accounts/{login}/password` (`password`) — a new initial password.
pub async fn reset_password(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(login): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    sysadmin(&ctx)?;
    let v = Vals::new(form);
    match admin::reset_password(&state, ctx.require()?, &login, v.get("password")).await {
        Ok(()) => Ok(see_other(&format!(
            "/admin/system/accounts/{}?done=reset",
            view::urlencode(&login)
        ))),
        Err(e) => {
            let fb = feedback(ctx.lang, e)?;
            account_page(&ctx, &state, &login, None, fb).await
        }
    }
}

/// Recommender organisations and the form to register one.
#[derive(Template)]
#[template(path = "admin_organisations.html")]
pub struct OrganisationsTpl {
    /// Layout.
    pub c: Chrome,
    /// (id, name, province, regions, units).
    pub orgs: Vec<(String, String, String, String, String)>,
    /// Provinces.
    pub provinces: Vec<(String, String)>,
    /// Values.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

async fn organisations_page(ctx: &RequestCtx, state: &AppState, v: Vals, fb: Feedback) -> WebResult<Response> {
    let p = sysadmin(ctx)?;
    let orgs = state
        .accounts
        .organisations()
        .await?
        .into_iter()
        .filter(|o| p.province.is_empty() || o.province == p.province)
        .map(|o| {
            (
                o.id,
                o.name,
                o.province,
                o.region_prefixes.join("、"),
                o.unit_usccs.join("、"),
            )
        })
        .collect();
    let tpl = OrganisationsTpl {
        c: ctx.chrome("/admin/system"),
        orgs,
        provinces: province_options(state),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /admin/system/organisations`.
pub async fn organisations(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    organisations_page(&ctx, &state, Vals::default(), Feedback::none(ctx.lang)).await
}

/// `POST /admin/system/organisations` (`id`, `name`, `province`, `regions`, `units`).
pub async fn create_organisation(
    ctx: RequestCtx,
    State(state): State<AppState>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    sysadmin(&ctx)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let f = OrganisationForm {
        id: v.t("id"),
        name: v.t("name"),
        province: v.t("province"),
        regions: v.get("regions").to_string(),
        units: v.get("units").to_string(),
    };
    match admin::create_organisation(&state, ctx.require()?, &f).await {
        Ok(()) => {
            let fb = Feedback::ok(l, l.t("推荐单位已登记。", "Organisation registered.").into());
            organisations_page(&ctx, &state, Vals::default(), fb).await
        }
        Err(e) => {
            let fb = feedback(l, e)?;
            organisations_page(&ctx, &state, v, fb).await
        }
    }
}
