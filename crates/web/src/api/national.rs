//! 推荐申报国家级基地 — the candidate list as of a date and the recommendations made, for the
//! department of the policy's province. Recommending and recording outcomes go through
//! `POST /commands` (`RecommendToNational`, `RecordNationalOutcome`, both irreversible).

use super::Json;
use axum::extract::{RawQuery, State};
use chrono::{Datelike, NaiveDate};
use guohe_domain::NationalCandidate;
use guohe_policy::PolicySet;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Params, SignedIn};
use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{Problem, WebResult};
use crate::i18n::Lang;
use crate::view;

/// One criterion as read for one base.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckOut {
    /// `register`, `latest_evaluation`, `annual`, `once_a_year`.
    pub criterion: String,
    /// Met or not.
    pub met: bool,
    /// Why, in Chinese.
    pub reason_zh: String,
    /// Why, in English.
    pub reason_en: String,
    /// The article, machine form (`hubei-2022:22(1)`).
    pub article: String,
    /// The article in Chinese.
    pub article_zh: String,
}

/// A base on the list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidateOut {
    /// Base id.
    pub base: String,
    /// Official name.
    pub name: String,
    /// Support unit.
    pub unit_name: String,
    /// Its USCC.
    pub uscc: String,
    /// Technology domain.
    pub domain: String,
    /// Date of the latest evaluation known on the date asked.
    pub latest_evaluation_on: Option<NaiveDate>,
    /// Its grade code.
    pub latest_evaluation_grade: Option<String>,
    /// All criteria met.
    pub eligible: bool,
    /// Every criterion with its reason and article.
    pub checks: Vec<CheckOut>,
}

/// The candidate list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CandidatesOut {
    /// Policy id.
    pub policy: String,
    /// The date the criteria were read on.
    pub as_of: NaiveDate,
    /// The year of the call ("once a year").
    pub year: i32,
    /// The recommending article, machine form.
    pub article: String,
    /// In Chinese.
    pub article_zh: String,
    /// How the policy reads the criteria.
    pub reading_zh: String,
    /// Bases meeting every criterion.
    pub candidates: Vec<CandidateOut>,
    /// Bases not meeting one, with why.
    pub excluded: Vec<CandidateOut>,
}

/// A recommendation and what followed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendationOut {
    /// Base id.
    pub base: String,
    /// Official name.
    pub name: String,
    /// Policy id.
    pub policy: String,
    /// The year of the call.
    pub year: i32,
    /// The recommendation document.
    pub document: String,
    /// Its date.
    pub recommended_on: NaiveDate,
    /// `recognised`, `not_recognised`, or null while pending.
    pub outcome: Option<String>,
    /// The national document.
    pub outcome_document: Option<String>,
    /// Its date.
    pub outcome_on: Option<NaiveDate>,
    /// What it meant for the provincial register.
    pub follow_up: Option<String>,
}

fn candidate(c: &NationalCandidate, policies: &PolicySet) -> CandidateOut {
    CandidateOut {
        base: c.base.clone(),
        name: c.name.clone(),
        unit_name: c.unit_name.clone(),
        uscc: c.uscc.clone(),
        domain: c.domain.clone(),
        latest_evaluation_on: c.latest_evaluation.as_ref().map(|e| e.0),
        latest_evaluation_grade: c.latest_evaluation.as_ref().map(|e| e.1.clone()),
        eligible: c.eligible,
        checks: c
            .checks
            .iter()
            .map(|x| CheckOut {
                criterion: x.criterion.to_string(),
                met: x.met,
                reason_zh: x.reason_zh.clone(),
                reason_en: x.reason_en.clone(),
                article: x.article.to_string(),
                article_zh: view::citation_label(policies, &x.article.to_string(), Lang::Zh).0,
            })
            .collect(),
    }
}

/// The department, of the policy's province.
fn department(p: &Principal, policy: &str) -> WebResult<()> {
    authz::may_enter(p, Area::Department)?;
    authz::may(p, Action::RunProcedure)?;
    p.in_province(policy)?;
    Ok(())
}

/// The policy asked for, or the first one the principal works under.
fn policy_of(state: &AppState, p: &Principal, params: &Params) -> WebResult<String> {
    let given = params.text("policy")?;
    if !given.is_empty() {
        return Ok(given);
    }
    Ok(state
        .guohe
        .policies()
        .all()
        .iter()
        .find(|x| p.works_under(&x.id))
        .map(|x| x.id.clone())
        .unwrap_or_default())
}

/// The candidate list: every base of the policy, candidates first, each criterion with its
/// reason and article (湖北第二十七条, 湖南第十九条).
#[utoipa::path(
    get,
    path = "/national/candidates",
    tag = "national",
    operation_id = "national_candidates",
    params(
        ("policy" = Option<String>, Query, description = "Policy id (default: the first of the principal's province)"),
        ("as_of" = Option<NaiveDate>, Query, description = "The date the criteria are read on (default today)"),
        ("year" = Option<i32>, Query, description = "The year of the call, for once-a-year (default: the year of as_of)"),
    ),
    security(("session" = [])),
    responses(
        (status = 200, description = "The candidate list", body = CandidatesOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the department of the policy's province (audited)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter is invalid, or the policy provides no national recommendation (`not_provided`, with the article)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn candidates(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> WebResult<Json<CandidatesOut>> {
    let params = Params::parse(raw.as_deref());
    let policy = policy_of(&state, &p, &params)?;
    department(&p, &policy)?;
    let as_of = params.date("as_of")?.unwrap_or_else(|| state.today());
    let year = match params.number("year")? {
        Some(y) => i32::try_from(y).unwrap_or(as_of.year()),
        None => as_of.year(),
    };
    let l = state.guohe.national_list(&policy, as_of, Some(year)).await?;
    let policies = state.guohe.policies();
    Ok(Json(CandidatesOut {
        policy: l.policy.clone(),
        as_of: l.as_of,
        year: l.year,
        article: l.article.to_string(),
        article_zh: l.article_zh.clone(),
        reading_zh: l.reading_zh.clone(),
        candidates: l.candidates.iter().map(|c| candidate(c, policies)).collect(),
        excluded: l.excluded.iter().map(|c| candidate(c, policies)).collect(),
    }))
}

/// The recommendations made under the policy and their outcomes, newest first.
#[utoipa::path(
    get,
    path = "/national/recommendations",
    tag = "national",
    operation_id = "national_recommendations",
    params(("policy" = Option<String>, Query, description = "Policy id (default: the first of the principal's province)")),
    security(("session" = [])),
    responses(
        (status = 200, description = "The recommendations", body = Vec<RecommendationOut>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not the department of the policy's province (audited)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn recommendations_made(
    SignedIn(p): SignedIn,
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> WebResult<Json<Vec<RecommendationOut>>> {
    let params = Params::parse(raw.as_deref());
    let policy = policy_of(&state, &p, &params)?;
    department(&p, &policy)?;
    let rows = state.guohe.national_recommendations(|x| x == policy).await;
    Ok(Json(
        rows.into_iter()
            .map(|r| RecommendationOut {
                base: r.base,
                name: r.name,
                policy: r.policy,
                year: r.year,
                document: r.document,
                recommended_on: r.recommended_on,
                outcome: r.outcome.map(|o| o.code().to_string()),
                outcome_document: r.outcome_document,
                outcome_on: r.outcome_on,
                follow_up: r.follow_up,
            })
            .collect(),
    ))
}
