//! 评审专家 — the expert work area. Its pages are added in this module; each one starts by asking
//! [`crate::authz::may_enter`] and filters records with [`crate::authz`].

use axum::extract::State;
use axum::response::Response;

use crate::AppState;
use crate::authz::Area;
use crate::error::WebResult;
use crate::security::RequestCtx;

/// `GET /expert` — the work area's home.
pub async fn home(ctx: RequestCtx, state: State<AppState>) -> WebResult<Response> {
    super::role_home(
        ctx,
        state,
        Area::Expert,
        ("分配给我的评审任务", "Applications assigned to me"),
    )
    .await
}
