//! 申报 — applications as the principal may see them ([`crate::authz::can_view_application`],
//! [`crate::authz::can_view_application`]): a unit its own, a recommender its jurisdiction, an
//! expert what is assigned to them, the department everything. Experts' identities and scores
//! are the department's; an expert sees only their own assignment.

use super::Json;
use axum::extract::{Path, RawQuery, State};
use chrono::NaiveDate;
use guohe_app::read_models::{ApplicationQuery, ApplicationSort};
use guohe_domain::{ApplicationCase, Command, RecommendApplication};
use guohe_store::AccountRole;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::bases::{Cited, cited};
use super::commands::{CommandResult, EventOut, run_as};
use super::{ApiJson, Paged, Params, SignedIn};
use crate::AppState;
use crate::authz::{self, Principal};
use crate::error::{Problem, WebError, WebResult};

/// Status codes of applications, in procedure order.
/// `sort` keys of the list (`-` in front for descending).
pub const SORTS: &[&str] = &["id", "submitted_on", "unit", "status"];

/// `status` values of the list.
pub const STATUSES: &[&str] = &[
    "submitted",
    "returned",
    "recommended",
    "under_review",
    "approved",
    "rejected",
    "in_notice",
    "named",
    "withdrawn",
];

/// The status's code: its place in [`STATUSES`] (the test below holds the list to the enum).
fn status_code(a: &ApplicationCase) -> String {
    STATUSES.get(a.status as usize).copied().unwrap_or_default().to_string()
}

/// An application in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationSummary {
    /// Application id.
    pub id: String,
    /// Round id.
    pub round: String,
    /// Policy id.
    pub policy: String,
    /// Support unit.
    pub unit_name: String,
    /// Its 统一社会信用代码.
    pub uscc: String,
    /// Its division code.
    pub region_code: String,
    /// Technology domain.
    pub technology_domain: String,
    /// Category code.
    pub category: Option<String>,
    /// Primary partner country.
    pub partner_country: String,
    /// `submitted`, `returned`, `recommended`, `under_review`, `approved`, `rejected`,
    /// `in_notice`, `named`, `withdrawn`.
    pub status: String,
    /// The status in Chinese.
    pub status_zh: String,
    /// Submitted on.
    pub submitted_on: NaiveDate,
    /// Applies directly, without a recommender.
    pub direct: bool,
    /// Eligibility verdict at the last submission.
    pub verdict: String,
    /// The notice listing it.
    pub notice: Option<String>,
    /// The base it became.
    pub base: Option<String>,
}

fn summary(a: &ApplicationCase) -> ApplicationSummary {
    ApplicationSummary {
        id: a.id.clone(),
        round: a.round.clone(),
        policy: a.policy.clone(),
        unit_name: a.facts.unit.name.clone(),
        uscc: a.facts.unit.uscc.clone(),
        region_code: a.facts.unit.region_code.clone(),
        technology_domain: a.facts.technology_domain.clone(),
        category: a.facts.category.clone(),
        partner_country: a.facts.primary_partner.country.clone(),
        status: status_code(a),
        status_zh: a.status.zh().to_string(),
        submitted_on: a.submitted_on,
        direct: a.direct,
        verdict: a.verdict.clone(),
        notice: a.notice.clone(),
        base: a.base.clone(),
    }
}

/// Applications the principal may see.
#[utoipa::path(
    get,
    path = "/applications",
    tag = "applications",
    operation_id = "list_applications",
    params(
        ("q" = Option<String>, Query, description = "Search in id, unit and domain"),
        ("status" = Option<String>, Query, description = "Status code"),
        ("policy" = Option<String>, Query, description = "Policy id"),
        ("round" = Option<String>, Query, description = "Round id"),
        ("sort" = Option<String>, Query, description = "id, submitted_on, unit, status; `-` in front for descending"),
        ("page" = Option<usize>, Query, description = "Page, from 1"),
        ("per_page" = Option<usize>, Query, description = "Items per page, 1–200 (default 20)"),
    ),
    security(("session" = [])),
    responses(
        (status = 200, description = "A page of the applications the principal may see", body = Paged<ApplicationSummary>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> WebResult<Json<Paged<ApplicationSummary>>> {
    let params = Params::parse(raw.as_deref());
    let needle = params.text("q")?.to_lowercase();
    let status = params.choice("status", STATUSES)?.unwrap_or("").to_string();
    let policy = params.text("policy")?;
    let round = params.text("round")?;
    let (sort, descending) = params.sort(SORTS)?;
    let (page, per_page) = params.paging()?;
    let q = ApplicationQuery {
        needle,
        // A code from the closed list names a status; the list and the enum are tested together.
        status: serde_json::from_value(Value::String(status)).ok(),
        policy: Some(policy).filter(|x| !x.is_empty()),
        round: Some(round).filter(|x| !x.is_empty()),
        sort: match sort {
            "submitted_on" => ApplicationSort::SubmittedOn,
            "unit" => ApplicationSort::Unit,
            "status" => ApplicationSort::Status,
            _ => ApplicationSort::Id,
        },
        descending,
        offset: page.saturating_sub(1).saturating_mul(per_page),
        limit: per_page,
    };
    let each = |a: &ApplicationCase| authz::can_view_application(&p, a).is_ok();
    let found = state
        .guohe
        .applications(&q, authz::application_scope(&p, &each), summary)
        .await;
    Ok(Json(Paged {
        items: found.items,
        page,
        per_page,
        total: found.total,
    }))
}

/// An expert's assignment, as far as the principal may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assignment {
    /// Expert id.
    pub expert: String,
    /// Score, once reviewed (exact decimal as text).
    pub score: Option<String>,
    /// Conclusion code, once reviewed.
    pub conclusion: Option<String>,
    /// Comments.
    pub comments: Option<String>,
    /// Reviewed on.
    pub reviewed_on: Option<NaiveDate>,
}

/// The recommender's opinion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recommendation {
    /// Who.
    pub recommender: String,
    /// The opinion.
    pub opinion: String,
}

/// The decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionOut {
    /// Decision code.
    pub decision: String,
    /// Approved.
    pub approved: bool,
    /// Date.
    pub on: NaiveDate,
}

/// An application with its facts and procedure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationDetail {
    /// The summary.
    pub application: ApplicationSummary,
    /// The facts as last submitted (docs/application-facts.schema.json).
    #[schema(value_type = Object)]
    pub facts: Value,
    /// Rules failing at the last submission.
    pub failing_rules: Vec<String>,
    /// Rules needing expert judgement.
    pub review_rules: Vec<String>,
    /// Reasons of the last return.
    pub return_reasons: Vec<String>,
    /// The recommendation.
    pub recommendation: Option<Recommendation>,
    /// Experts assigned.
    pub experts_assigned: usize,
    /// Reviews completed.
    pub reviews_completed: usize,
    /// Assignments the principal may see: all for the department, their own for an expert.
    pub assignments: Vec<Assignment>,
    /// Site inspections: date and findings.
    pub site_inspections: Vec<(NaiveDate, String)>,
    /// The decision.
    pub decision: Option<DecisionOut>,
    /// Why it was rejected.
    pub rejection: Option<String>,
}

fn detail(p: &Principal, a: &ApplicationCase) -> ApplicationDetail {
    let assignments = a
        .experts
        .iter()
        .filter(|(id, _)| p.role == AccountRole::Department || (p.role == AccountRole::Expert && **id == p.account))
        .map(|(id, x)| Assignment {
            expert: id.clone(),
            score: x.review.as_ref().map(|r| r.score.to_string()),
            conclusion: x.review.as_ref().map(|r| r.conclusion.clone()),
            comments: x.review.as_ref().map(|r| r.comments.clone()),
            reviewed_on: x.review.as_ref().map(|r| r.on),
        })
        .collect();
    ApplicationDetail {
        application: summary(a),
        facts: serde_json::to_value(&a.facts).unwrap_or(Value::Null),
        failing_rules: a.failing_rules.clone(),
        review_rules: a.review_rules.clone(),
        return_reasons: a.return_reasons.clone(),
        recommendation: a.recommendation.as_ref().map(|(r, o)| Recommendation {
            recommender: r.clone(),
            opinion: o.clone(),
        }),
        experts_assigned: a.experts.len(),
        reviews_completed: a.completed_reviews(),
        assignments,
        site_inspections: a.site_inspections.clone(),
        decision: a.decision.as_ref().map(|(d, ok, on)| DecisionOut {
            decision: d.clone(),
            approved: *ok,
            on: *on,
        }),
        rejection: a.rejection.clone(),
    }
}

/// Finds an application the principal may see: 404 when none, 403 (audited) when not theirs.
async fn visible<T>(state: &AppState, p: &Principal, id: &str, f: impl FnOnce(&ApplicationCase) -> T) -> WebResult<T> {
    let a = state.guohe.application(id).await.ok_or(WebError::NotFound)?;
    authz::can_view_application(p, &a)?;
    Ok(f(&a))
}

/// One application.
#[utoipa::path(
    get,
    path = "/applications/{id}",
    tag = "applications",
    operation_id = "get_application",
    params(("id" = String, Path, description = "Application id")),
    security(("session" = [])),
    responses(
        (status = 200, description = "The application", body = ApplicationDetail),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the principal's to see (audited)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<Json<ApplicationDetail>> {
    visible(&state, &p, &id, |a| detail(&p, a)).await.map(Json)
}

/// An event in an application's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEvent {
    /// Global sequence number.
    pub seq: i64,
    /// Business date.
    pub on: NaiveDate,
    /// Event kind.
    pub kind: String,
    /// Who (experts other than the principal appear as `expert`).
    pub actor: String,
    /// Articles applied.
    pub articles: Vec<Cited>,
    /// What the event recorded (`null` where it names another expert).
    #[schema(value_type = Object)]
    pub payload: Value,
    /// SM3 hash of the record.
    pub hash: String,
}

/// Events about experts, whose identities and scores are not the applicant's to see.
const EXPERT_EVENTS: &[&str] = &["ExpertAssigned", "ConflictDeclared", "ReviewSubmitted"];

/// An application's history: every event, with the articles applied.
#[utoipa::path(
    get,
    path = "/applications/{id}/history",
    tag = "applications",
    operation_id = "application_history",
    params(("id" = String, Path, description = "Application id")),
    security(("session" = [])),
    responses(
        (status = 200, description = "The events, oldest first", body = Vec<HistoryEvent>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the principal's to see (audited)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such application", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn history(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<Json<Vec<HistoryEvent>>> {
    visible(&state, &p, &id, |_| ()).await?;
    let policies = state.guohe.policies();
    let events = state.guohe.history(&format!("application/{id}")).await?;
    let out = events
        .into_iter()
        .map(|e| {
            let own = e.payload.get("expert").and_then(Value::as_str) == Some(p.account.as_str());
            let hidden = EXPERT_EVENTS.contains(&e.kind.as_str()) && p.role != AccountRole::Department && !own;
            HistoryEvent {
                seq: e.seq,
                on: e.occurred_on,
                kind: e.kind.clone(),
                actor: if hidden && e.actor.starts_with("expert:") {
                    "expert".into()
                } else {
                    e.actor.clone()
                },
                articles: cited(policies, &e.articles),
                payload: if hidden { Value::Null } else { e.payload.clone() },
                hash: e.hash.clone(),
            }
        })
        .collect();
    Ok(Json(out))
}

/// A recommender's opinion.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationRequest {
    /// The opinion (推荐意见).
    pub opinion: String,
    /// The recommender's name as it should appear (default: the account's display name).
    #[serde(default)]
    pub recommender: Option<String>,
}

/// 推荐 — the recommender's opinion; the same as the command `RecommendApplication`.
#[utoipa::path(
    post,
    path = "/applications/{id}/recommendation",
    tag = "applications",
    operation_id = "recommend_application",
    params(("id" = String, Path, description = "Application id")),
    request_body = RecommendationRequest,
    security(("session" = [], "csrf" = [])),
    responses(
        (status = 200, description = "Recommended; the events recorded", body = CommandResult),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a recommender of the unit's jurisdiction (audited)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Refused by the regulation or the state of the case", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input; `field` names it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn recommend(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<RecommendationRequest>,
) -> WebResult<Json<CommandResult>> {
    let cmd = Command::RecommendApplication(RecommendApplication {
        application: id,
        recommender: r.recommender.unwrap_or_else(|| p.display_name.clone()),
        opinion: r.opinion,
    });
    let outcome = run_as(&state, &p, cmd).await?;
    Ok(Json(CommandResult {
        command: "RecommendApplication".into(),
        events: EventOut::all(&outcome),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use guohe_domain::ApplicationStatus;

    #[test]
    fn every_status_code_names_a_status_in_procedure_order() {
        // The list's `status` filter and `sort=status` read these codes as the domain's statuses.
        for (i, code) in STATUSES.iter().enumerate() {
            let s: ApplicationStatus = serde_json::from_value(Value::String(code.to_string())).expect(code);
            assert_eq!(s as usize, i, "{code} out of order");
            assert_eq!(
                serde_json::to_value(s).expect("a code"),
                Value::String(code.to_string())
            );
        }
    }
}
