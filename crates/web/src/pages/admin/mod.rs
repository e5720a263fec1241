//! 管理员工作区 — the three administrators' pages (三权分立): `system` (organisations and
//! accounts), `security` (password and lock-out policy, locks, sessions) and `audit` (the audit
//! log, its export and the chain check). Each handler enters its own area only
//! ([`crate::authz::may_enter`]) and calls the services of [`crate::admin`].

pub mod audit;
pub mod security;
pub mod system;

use crate::error::{WebError, WebResult};
use crate::i18n::Lang;

use super::work::Feedback;

/// A service's refusal of input or a conflict, shown beside the form; anything else stays an
/// error page.
pub(crate) fn feedback(l: Lang, e: WebError) -> WebResult<Feedback> {
    match e {
        WebError::BadRequest { fields, .. } => Ok(Feedback::invalid(l, fields)),
        WebError::Conflict { zh, en } => {
            let mut f = Feedback::none(l);
            f.alert = l.pick(zh, en);
            f.status = axum::http::StatusCode::CONFLICT;
            Ok(f)
        }
        other => Err(other),
    }
}

/// The routes of the administrators' areas, merged into [`crate::router`].
pub fn routes() -> axum::Router<crate::AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/system", get(system::accounts))
        .route("/admin/system/accounts", post(system::create))
        .route(
            "/admin/system/accounts/{login}",
            get(system::account).post(system::update),
        )
        .route("/admin/system/accounts/{login}/active", post(system::set_active))
        .route("/admin/system/accounts/{login}/password", post(system::reset_password))
        .route(
            "/admin/system/organisations",
            get(system::organisations).post(system::create_organisation),
        )
        .route("/admin/security", get(security::home).post(security::save))
        .route("/admin/security/unlock/{login}", post(security::unlock))
        .route("/admin/security/sessions/end", post(security::end_sessions))
        .route("/admin/audit", get(audit::log))
        .route("/admin/audit/verify", post(audit::verify))
}
