//! 审计 — the audit administrator's view of the audit trail (sign-ins, refusals, account changes) and
//! the verification of the whole hash chain.

use super::Json;
use axum::extract::{RawQuery, State};
use chrono::{Duration, NaiveDate};
use guohe_store::VerifyReport;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{Paged, Params, SignedIn, contains};
use crate::AppState;
use crate::authz::{self, Action};
use crate::error::{Problem, WebResult};

/// Longest look-back of the audit list, in days.
pub const MAX_DAYS: i64 = 92;

/// An audit record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditRecord {
    /// Global sequence number.
    pub seq: i64,
    /// Business date.
    pub on: NaiveDate,
    /// Kind (`LoginSucceeded`, `LoginFailed`, `PermissionRefused`, `CsrfRefused`, …).
    pub kind: String,
    /// Who.
    pub actor: String,
    /// What was recorded (time, IP, user agent, reason …).
    #[schema(value_type = Object)]
    pub payload: Value,
    /// SM3 hash of the record.
    pub hash: String,
}

/// Recent audit records, newest first (audit administrator only).
#[utoipa::path(
    get,
    path = "/audit",
    tag = "audit",
    operation_id = "list_audit",
    params(
        ("days" = Option<usize>, Query, description = "Business days back to include, 1–92 (default 7)"),
        ("kind" = Option<String>, Query, description = "Only this kind"),
        ("q" = Option<String>, Query, description = "Search in actor and payload"),
        ("page" = Option<usize>, Query, description = "Page, from 1"),
        ("per_page" = Option<usize>, Query, description = "Items per page, 1–200 (default 20)"),
    ),
    security(("session" = [])),
    responses(
        (status = 200, description = "A page of audit records", body = Paged<AuditRecord>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the audit administrator (audited)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> WebResult<Json<Paged<AuditRecord>>> {
    authz::may(&p, Action::ReadAudit)?;
    let params = Params::parse(raw.as_deref());
    let days = params.number("days")?.unwrap_or(7).min(MAX_DAYS as usize) as i64;
    let kind = params.text("kind")?;
    let needle = params.text("q")?.to_lowercase();
    let today = state.today();
    let mut rows = Vec::new();
    // Audit records live in one stream per business date.
    for back in 0..days {
        let day = today - Duration::days(back);
        for e in state.guohe.history(&format!("audit/{day}")).await? {
            if (kind.is_empty() || e.kind == kind)
                && (contains(&e.actor, &needle) || contains(&e.payload.to_string(), &needle))
            {
                rows.push(AuditRecord {
                    seq: e.seq,
                    on: e.occurred_on,
                    kind: e.kind,
                    actor: e.actor,
                    payload: e.payload,
                    hash: e.hash,
                });
            }
        }
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.seq));
    Ok(Json(Paged::of(rows, &params)?))
}

/// The result of verifying the hash chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    /// Every record present, in order and unaltered.
    pub intact: bool,
    /// Records in the log (when intact).
    pub events: Option<i64>,
    /// SM3 hash of the last record (when intact).
    pub head_hash: Option<String>,
    /// The first record found bad (when broken).
    pub first_bad_seq: Option<i64>,
    /// The finding, in Chinese.
    pub message_zh: String,
}

/// Verifies the whole event log's SM3 hash chain (audit administrator only).
#[utoipa::path(
    post,
    path = "/audit/verify",
    tag = "audit",
    operation_id = "verify_audit",
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "The verification", body = Verification),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the audit administrator (audited)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn verify(SignedIn(p): SignedIn, State(state): State<AppState>) -> WebResult<Json<Verification>> {
    authz::may(&p, Action::ReadAudit)?;
    let report = state.guohe.verify().await?;
    let message_zh = report.message_zh();
    Ok(Json(match report {
        VerifyReport::Intact { events, head_hash } => Verification {
            intact: true,
            events: Some(events),
            head_hash: Some(head_hash),
            first_bad_seq: None,
            message_zh,
        },
        VerifyReport::Broken { first_bad_seq, .. } => Verification {
            intact: false,
            events: None,
            head_hash: None,
            first_bad_seq: Some(first_bad_seq),
            message_zh,
        },
    }))
}
