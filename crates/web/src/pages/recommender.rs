//! 推荐单位 — the recommender work area. Its pages are added in this module; each one starts by asking
//! [`crate::authz::may_enter`] and filters records with [`crate::authz`].

use axum::extract::State;
use axum::response::Response;

use crate::AppState;
use crate::authz::Area;
use crate::error::WebResult;
use crate::security::RequestCtx;

/// `GET /recommender` — the work area's home.
pub async fn home(ctx: RequestCtx, state: State<AppState>) -> WebResult<Response> {
    super::role_home(
        ctx,
        state,
        Area::Recommender,
        ("辖区内的申报与基地", "Applications and bases in my jurisdiction"),
    )
    .await
}
