//! 审计管理员 — the audit log (every record of the hash chain, newest first, searchable and
//! exportable as CSV) and the check of the whole chain. Only the audit administrator reads it
//! (三权分立): the department sees each case's own history instead.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;

use crate::AppState;
use crate::authz::{self, Action, Area};
use crate::error::WebResult;
use crate::pages::work::{self, Cell, Row};
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

fn auditor(ctx: &RequestCtx) -> WebResult<()> {
    let p = ctx.require()?;
    authz::may_enter(p, Area::AuditAdmin)?;
    authz::may(p, Action::ReadAudit)?;
    Ok(())
}

/// The audit log.
#[derive(Template)]
#[template(path = "admin_audit.html")]
pub struct AuditTpl {
    /// Layout.
    pub c: Chrome,
    /// The table of records.
    pub t: work::Table,
    /// Verification result, when run.
    pub verify: String,
    /// Intact.
    pub intact: bool,
}

async fn audit_page(
    ctx: &RequestCtx,
    state: &AppState,
    q: HashMap<String, String>,
    verify: Option<guohe_store::VerifyReport>,
) -> WebResult<Response> {
    auditor(ctx)?;
    let l = ctx.lang;
    // The most recent records: enough for a day's work without reading the whole chain.
    let records = state.guohe.recent_records(2000).await?;
    let people =
        crate::labels::People::of_records(state, records.iter().map(|e| (e.actor.as_str(), &e.payload))).await?;
    let policies = state.guohe.policies();
    let policy_of = state
        .guohe
        .case_policies(records.iter().map(|e| e.stream.as_str()))
        .await;
    let rows: Vec<Row> = records
        .iter()
        .rev()
        .map(|e| {
            let kind_of = if e.stream.starts_with("audit/") {
                "security"
            } else {
                "domain"
            };
            let (zh, en) = crate::labels::event_kind_label(&e.kind);
            let policy = policy_of.get(&e.stream).map(String::as_str).unwrap_or("");
            Row {
                cells: vec![
                    Cell::text(e.seq.to_string()).class("num"),
                    Cell::text(crate::labels::beijing_minute(e.recorded_at)).class("nowrap"),
                    Cell::text(l.t(zh, en).to_string()),
                    Cell::text(people.actor(&e.actor, l)),
                    Cell::text(crate::labels::describe(policies, policy, &e.payload, &people, l)),
                    Cell::text(e.stream.clone()),
                    Cell::text(e.hash[..16].to_string()),
                    // The raw record, for the audit administrator: behind a disclosure on the
                    // page, a column of its own in the CSV.
                    Cell::text(format!("{} {} {}", e.kind, e.actor, e.payload)).class("raw"),
                ],
                keys: vec![format!("{:012}", e.seq)],
                tags: [("kind".to_string(), kind_of.to_string())].into_iter().collect(),
            }
        })
        .collect();
    let headings = vec![
        l.t("序号", "Seq").to_string(),
        l.t("记录时间（北京时间）", "Recorded (Beijing time)").into(),
        l.t("事项", "What").into(),
        l.t("操作人", "Who").into(),
        l.t("内容", "Details").into(),
        l.t("案件", "Case").into(),
        "SM3".into(),
        l.t("原始记录", "Raw record").into(),
    ];
    let filters = vec![(
        "kind".to_string(),
        l.t("类别", "Category").to_string(),
        vec![
            ("security".into(), l.t("安全审计", "Security").into()),
            ("domain".into(), l.t("业务事件", "Domain").into()),
        ],
    )];
    let (t, all) = work::Table::build("/admin/audit", &q, &headings, filters, rows);
    if q.get("format").is_some_and(|f| f == "csv") {
        return work::csv("audit.csv", &headings, &all);
    }
    let (verify, intact) = match verify {
        Some(r) => (r.message_zh(), r.is_intact()),
        None => (String::new(), true),
    };
    view::render(&AuditTpl {
        c: ctx.chrome("/admin/audit"),
        t,
        verify,
        intact,
    })
}

/// `GET /dept/audit` — recent records of the chain (domain and security).
pub async fn log(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    audit_page(&ctx, &state, q, None).await
}

/// `POST /admin/audit/verify` — walks the whole chain.
pub async fn verify(ctx: RequestCtx, State(state): State<AppState>) -> WebResult<Response> {
    auditor(&ctx)?;
    let r = state.guohe.verify().await?;
    audit_page(&ctx, &state, HashMap::new(), Some(r)).await
}
