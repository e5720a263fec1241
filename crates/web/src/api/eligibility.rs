//! 资格自查 — the instant eligibility check of an application against its policy, as the
//! domain runs it on submission: every rule passes, fails or needs expert judgement, with its
//! article and reasons. Register facts come from the register, not from the caller. Public:
//! the check reads nothing private and records nothing.

use std::borrow::Cow;

use super::Json;
use axum::extract::{RawQuery, State};
use guohe_policy::{Application, CheckError, Prepared, Report, evaluate};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Ref, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use super::{ApiJson, Params, invalid};
use crate::AppState;
use crate::error::{Problem, WebError, WebResult};

/// An application's facts, for the OpenAPI document.
pub struct ApplicationJson;

impl PartialSchema for ApplicationJson {
    /// The facts exactly as the server reads them (docs/application-facts.schema.json), shared
    /// with the `facts` of SubmitApplication and ResubmitApplication.
    fn schema() -> RefOr<Schema> {
        let mut r = Ref::new("#/components/schemas/Command.Application");
        r.description =
                "An application's facts (申报): policy, application_date, category, technology_domain, primary_partner, partner_institutions, unit, director, attachments. The meaning of each fact is in docs/application-facts.md; examples/applications/ holds one per province.".into();
        RefOr::Ref(r)
    }
}

impl ToSchema for ApplicationJson {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Application")
    }
}

/// The eligibility report, for the OpenAPI document.
pub struct ReportJson;

impl PartialSchema for ReportJson {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Object))
            .description(Some(
                "The eligibility report: policy, document_number, application_date, as_of, verdict (eligible / not_eligible / needs_review), verdict_zh, summary {pass, fail, review, not_applicable}, findings [{rule, article, article_zh, mode, status, title_zh, reason_zh, reason_en, facts [{path, value}], interpretations}], engine_version. The same report as `guohe eligibility --format json`.",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .into()
    }
}

impl ToSchema for ReportJson {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("EligibilityReport")
    }
}

/// Register facts about the applying unit, read from the world. The domain computes the same
/// facts on submission; its function is private to it, so the reading is repeated here.
fn check_error(e: CheckError) -> WebError {
    let field = e.path().unwrap_or("application_date").to_string();
    let zh = e.message_zh();
    let en = e.to_string();
    let refusal = guohe_domain::Refusal::invalid(field, zh, en);
    let refusal = match e {
        CheckError::NotYetInForce { citation, .. } | CheckError::Expired { citation, .. } => refusal.cite(citation),
        _ => refusal,
    };
    WebError::App(guohe_app::AppError::Refused(refusal))
}

/// Checks an application's facts against its policy's eligibility conditions.
#[utoipa::path(
    post,
    path = "/eligibility",
    tag = "applications",
    operation_id = "check_eligibility",
    params(("as_of" = Option<chrono::NaiveDate>, Query, description = "Date of the check (default: the business date)")),
    request_body(content = ApplicationJson, description = "The application's facts"),
    security(("csrf" = [])),
    responses(
        (status = 200, description = "The report, whatever its verdict", body = ReportJson),
        (status = 400, description = "The body is not JSON; `field` is where the parser stopped", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A fact is missing, of the wrong type or invalid (e.g. the 统一社会信用代码's check character); `field` names it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn check(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    ApiJson(app): ApiJson<Application>,
) -> WebResult<Json<Report>> {
    let as_of = Params::parse(raw.as_deref())
        .date("as_of")?
        .unwrap_or_else(|| state.today());
    app.validate_shape()
        .map_err(|e| invalid(&e.path, e.message_zh, e.message_en))?;
    let policies = state.guohe.policies();
    let policy = policies.get(&app.policy).ok_or_else(|| {
        invalid(
            "policy",
            format!(
                "未知的管理办法“{}”，须为 {} 之一",
                app.policy,
                policies.ids().join("、")
            ),
            format!("unknown policy `{}`; one of {}", app.policy, policies.ids().join(", ")),
        )
    })?;
    let registry = state.guohe.registry_facts(policy, &app, as_of).await;
    let prepared = Prepared::new(policy, app, Some(registry)).map_err(|e| check_error(CheckError::Facts(e)))?;
    let eval = evaluate(policy, &prepared, as_of).map_err(check_error)?;
    Ok(Json(eval.report()))
}
