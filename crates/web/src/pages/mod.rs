//! 页面 — one module per audience, one askama struct per page.
//!
//! `public` (anyone), `auth` (sign-in, sign-out, my account), and one module per role area:
//! `department`, `unit`, `recommender`, `expert`. Each role handler starts by asking
//! [`crate::authz`] whether the principal may enter, then filters records with the same module.

pub mod auth;
pub mod department;
pub mod expert;
pub mod public;
pub mod recommender;
pub mod unit;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

const CSS: &str = include_str!("../../static/guohe.css");
const JS: &str = include_str!("../../static/guohe.js");

/// Static files, compiled into the binary (no build step, nothing read from disk).
pub async fn static_file(Path(file): Path<String>) -> Result<Response, WebError> {
    let (body, kind) = match file.as_str() {
        "guohe.css" => (CSS, "text/css; charset=utf-8"),
        "guohe.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return Err(WebError::NotFound),
    };
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    Ok(r)
}

/// Liveness probe.
pub async fn healthz() -> &'static str {
    "ok"
}

/// Any unknown path.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

use askama::Template;
use axum::extract::State;
use chrono::NaiveDate;

use crate::AppState;
use crate::authz::{self, Area};
use crate::security::RequestCtx;
use crate::view::{self, Chrome, render};

/// An application in a work list.
#[derive(Debug, Clone)]
pub struct AppRow {
    /// Id.
    pub id: String,
    /// Unit.
    pub unit: String,
    /// Domain.
    pub domain: String,
    /// Stage label.
    pub stage: String,
    /// Submitted on.
    pub submitted_on: NaiveDate,
    /// For experts: review given.
    pub reviewed: bool,
}

/// A base in a work list.
#[derive(Debug, Clone)]
pub struct BaseLink {
    /// Id.
    pub id: String,
    /// Official name.
    pub name: String,
    /// Status label.
    pub status: String,
}

/// The home of a unit, recommender or expert: what the principal may see, nothing more.
#[derive(Template)]
#[template(path = "role_home.html")]
pub struct RoleHomeTpl {
    /// Layout.
    pub c: Chrome,
    /// Heading.
    pub heading: String,
    /// Applications.
    pub apps: Vec<AppRow>,
    /// Bases.
    pub bases: Vec<BaseLink>,
    /// Show the bases table.
    pub show_bases: bool,
}

/// Shared body of the role homes; `area` is checked first.
pub(crate) async fn role_home(
    ctx: RequestCtx,
    state: State<AppState>,
    area: Area,
    heading: (&str, &str),
) -> crate::error::WebResult<axum::response::Response> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, area)?;
    let l = ctx.lang;
    let today = state.today();
    let (apps, bases) = state
        .guohe
        .read(|world, _, _| {
            let apps = authz::visible_applications(&p, world)
                .into_iter()
                .map(|a| AppRow {
                    id: a.id.clone(),
                    unit: a.facts.unit.name.clone(),
                    domain: a.facts.technology_domain.clone(),
                    stage: l.t(a.status.zh(), &format!("{:?}", a.status)).to_string(),
                    submitted_on: a.submitted_on,
                    reviewed: a.experts.get(&p.account).is_some_and(|e| e.review.is_some()),
                })
                .collect();
            let bases = authz::visible_bases(&p, world)
                .into_iter()
                .map(|b| BaseLink {
                    id: b.id.clone(),
                    name: b.official_name.clone(),
                    status: view::status_label(b.status_on(today).unwrap_or(b.status), l),
                })
                .collect();
            (apps, bases)
        })
        .await;
    render(&RoleHomeTpl {
        c: ctx.chrome(authz::area_path(area)),
        heading: l.t(heading.0, heading.1).into(),
        apps,
        bases,
        show_bases: area != Area::Expert,
    })
}
