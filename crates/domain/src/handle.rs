//! 办理 — deciding a command against the world.

use chrono::{Datelike, NaiveDate};
use guohe_calendar::{Calendar, CalendarError};
use guohe_policy::eval::Prepared;
use guohe_policy::model::{Approver, Policy, term};
use guohe_policy::{Application, CheckError, Citation, PolicySet, Status, Verdict, evaluate};

use crate::actor::{Actor, Role};
use crate::command::*;
use crate::consequence::{self, Emit, Happening, application_stream, base_stream};
use crate::event::*;
use crate::refusal::{Refusal, RefusalCode};
use crate::state::*;

mod applications;
mod changes;
mod documents;
mod inspections;
mod national;
mod notice;
mod operation;
mod panels;
mod review;
mod subsidies;

/// What a command is decided with: the policies, the working-day calendar, who acts and the
/// business date.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    /// The policies.
    pub policies: &'a PolicySet,
    /// The working-day calendar.
    pub calendar: &'a Calendar,
    /// Who acts.
    pub actor: Actor,
    /// The business date.
    pub today: NaiveDate,
}

/// Decides a command: the events it causes, or why not. Never changes the world; apply the
/// events to do that.
pub fn handle(world: &World, ctx: &Ctx<'_>, cmd: Command) -> Result<Vec<Event>, Refusal> {
    if ctx.actor.role == Role::System {
        return Err(Refusal::new(
            RefusalCode::Forbidden,
            "系统时钟只能推进时间，不能办理业务",
            "the system clock only advances time; it gives no commands",
        ));
    }
    if let Some(clock) = world.clock
        && ctx.today < clock
    {
        return Err(Refusal::new(
            RefusalCode::DateOutOfOrder,
            format!("业务日期 {} 早于系统时钟 {clock}，不能倒签", ctx.today),
            format!(
                "the business date {} is before the clock {clock}; commands cannot be backdated",
                ctx.today
            ),
        ));
    }
    let h = H {
        world,
        ctx,
        emit: Emit {
            on: ctx.today,
            actor: &ctx.actor.id,
        },
    };
    match cmd {
        Command::OpenRound(c) => h.open_round(c),
        Command::CloseRound(c) => h.close_round(c),
        Command::SubmitApplication(c) => h.submit(c),
        Command::ResubmitApplication(c) => h.resubmit(c),
        Command::WithdrawApplication(c) => h.withdraw(c),
        Command::ReturnApplication(c) => h.return_application(c),
        Command::RecommendApplication(c) => h.recommend(c),
        Command::AssignExpert(c) => h.assign_expert(c),
        Command::DeclareConflict(c) => h.declare_conflict(c),
        Command::SubmitReview(c) => h.submit_review(c),
        Command::RecordSiteInspection(c) => h.site_inspection(c),
        Command::Decide(c) => h.decide(c),
        Command::StartPublicNotice(c) => h.start_notice(c),
        Command::LodgeObjection(c) => h.lodge_objection(c),
        Command::ResolveObjection(c) => h.resolve_objection(c),
        Command::Name(c) => h.name(c),
        Command::SubmitAnnualReport(c) => h.annual_report(c),
        Command::RecordAnnualAssessment(c) => h.annual_assessment(c),
        Command::RecordEvaluation(c) => h.evaluation(c),
        Command::RecordReEvaluation(c) => h.re_evaluation(c),
        Command::RecordFinding(c) => h.finding(c),
        Command::FileMajorChange(c) => h.file_change(c),
        Command::ApproveMajorChange(c) => h.approve_change(c),
        Command::RejectMajorChange(c) => h.reject_change(c),
        Command::CarryOverBase(c) => h.carry_over(c),
        Command::Reclassify(c) => h.reclassify(c),
        Command::DrawInspections(c) => h.draw_inspections(c),
        Command::RecordInspectionResult(c) => h.inspection_result(c),
        Command::DrawExpertPanel(c) => h.draw_panel(c),
        Command::DeclinePanelSeat(c) => h.decline_seat(c),
        Command::AwardPostSubsidies(c) => h.award_post_subsidies(c),
        Command::RecommendToNational(c) => h.recommend_national(c),
        Command::RecordNationalOutcome(c) => h.national_outcome(c),
        Command::IssueDocument(c) => h.issue_document(c),
    }
}

struct H<'w, 'c> {
    world: &'w World,
    ctx: &'c Ctx<'c>,
    emit: Emit<'c>,
}

type R = Result<Vec<Event>, Refusal>;

pub(crate) fn policy_of<'p>(policies: &'p PolicySet, id: &str) -> Result<&'p Policy, Refusal> {
    policies.get(id).ok_or_else(|| {
        Refusal::new(
            RefusalCode::PolicyUnavailable,
            format!("未载入办法“{id}”；已载入：{}", policies.ids().join("、")),
            format!("policy `{id}` is not loaded; loaded: {}", policies.ids().join(", ")),
        )
        .at("policy")
    })
}

fn check_id(field: &str, v: &str) -> Result<(), Refusal> {
    let bad =
        v.is_empty() || v.chars().count() > 80 || v.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/');
    if bad {
        return Err(Refusal::invalid(
            field,
            format!("编号“{v}”无效：须为1—80个字符，不含空白和“/”"),
            format!("`{v}` is not a valid id: 1–80 characters, no whitespace or `/`"),
        ));
    }
    Ok(())
}

/// The input checks of a real-name objection (实名异议) that need its plaintext: the notice
/// exists, the real name, the contact and the content are not empty. The application service
/// calls this before it encrypts the name and contact, because the domain then only ever sees
/// their tokens; [`handle`] calls it too, so the messages and field names are the same either way.
pub fn check_objection_input(world: &World, policies: &PolicySet, c: &LodgeObjection) -> Result<(), Refusal> {
    let n = world.notices.get(&c.notice).ok_or_else(|| {
        Refusal::new(
            RefusalCode::NotFound,
            format!("公示“{}”不存在", c.notice),
            format!("no notice `{}`", c.notice),
        )
        .at("notice")
    })?;
    let policy = policy_of(policies, &n.policy)?;
    let pn = &policy.procedure.public_notice;
    if c.objector_real_name.trim().is_empty() {
        return Err(Refusal::invalid(
            "objector_real_name",
            "异议须实名提出，请填写真实姓名",
            "objections must be made in one's real name",
        )
        .cite(policy.cite(pn.objections_article)));
    }
    non_empty("contact", &c.contact, "联系方式")?;
    non_empty("content", &c.content, "异议内容")?;
    Ok(())
}

fn non_empty(field: &str, v: &str, zh: &str) -> Result<(), Refusal> {
    if v.trim().is_empty() {
        return Err(Refusal::invalid(
            field,
            format!("{zh}不能为空"),
            format!("`{field}` must not be empty"),
        ));
    }
    Ok(())
}

fn vocab_check(
    field: &str,
    terms: &[guohe_policy::model::Term],
    code: &str,
    what_zh: &str,
    policy: &Policy,
) -> Result<(), Refusal> {
    if term(terms, code).is_none() {
        let allowed_zh = terms
            .iter()
            .map(|t| format!("{}（{}）", t.code, t.zh))
            .collect::<Vec<_>>()
            .join("、");
        let allowed = terms.iter().map(|t| t.code.as_str()).collect::<Vec<_>>().join(", ");
        return Err(Refusal::invalid(
            field,
            format!(
                "{what_zh}“{code}”不在《{}》的取值范围内；可选：{allowed_zh}",
                policy.title
            ),
            format!("`{code}` is not allowed by {}; one of: {allowed}", policy.id),
        )
        .cite_opt(term_article(terms, policy)));
    }
    Ok(())
}

fn term_article(terms: &[guohe_policy::model::Term], policy: &Policy) -> Option<Citation> {
    terms.iter().find_map(|t| t.article).map(|a| policy.cite(a))
}

impl Refusal {
    fn cite_opt(self, c: Option<Citation>) -> Refusal {
        match c {
            Some(c) => self.cite(c),
            None => self,
        }
    }
}

fn wrong_state(zh: String, en: String) -> Refusal {
    Refusal::new(RefusalCode::WrongState, zh, en)
}

fn verdict_code(v: Verdict) -> &'static str {
    match v {
        Verdict::Eligible => "eligible",
        Verdict::Ineligible => "ineligible",
        Verdict::NeedsReview => "needs_review",
    }
}

fn calendar_refusal(e: CalendarError, policy: &Policy, article: guohe_policy::ArticleRef) -> Refusal {
    match e {
        CalendarError::NoSchedule { year } => Refusal::new(
            RefusalCode::CalendarNotLoaded,
            format!("{}；须先载入{year}年节假日安排，才能计算公示期", e.message_zh()),
            format!("{e}; the {year} holiday schedule must be loaded before the notice period can be counted"),
        )
        .cite(policy.cite(article)),
        other => {
            Refusal::new(RefusalCode::InvalidInput, other.message_zh(), other.to_string()).cite(policy.cite(article))
        }
    }
}

/// The eligibility check with register facts taken from the world.
struct Checked {
    facts: Application,
    verdict: &'static str,
    failing: Vec<String>,
    review: Vec<String>,
}

impl H<'_, '_> {
    fn role(&self, allowed: &[Role], what_zh: &str, what_en: &str) -> Result<(), Refusal> {
        if allowed.contains(&self.ctx.actor.role) {
            return Ok(());
        }
        let zh = allowed.iter().map(|r| r.zh()).collect::<Vec<_>>().join("、");
        Err(Refusal::new(
            RefusalCode::Forbidden,
            format!("{}无权{what_zh}（限{zh}）", self.ctx.actor.role.zh()),
            format!("{} may not {what_en}", self.ctx.actor.id),
        ))
    }

    fn policy(&self, id: &str) -> Result<&Policy, Refusal> {
        policy_of(self.ctx.policies, id)
    }

    fn application(&self, id: &str, field: &str) -> Result<&ApplicationCase, Refusal> {
        self.world.applications.get(id).ok_or_else(|| {
            Refusal::new(
                RefusalCode::NotFound,
                format!("申报“{id}”不存在"),
                format!("no application `{id}`"),
            )
            .at(field)
        })
    }

    fn base(&self, id: &str, field: &str) -> Result<&Base, Refusal> {
        self.world.bases.get(id).ok_or_else(|| {
            Refusal::new(
                RefusalCode::NotFound,
                format!("基地“{id}”不存在"),
                format!("no base `{id}`"),
            )
            .at(field)
        })
    }

    fn on_register(&self, b: &Base, policy: &Policy, article: guohe_policy::ArticleRef) -> Result<(), Refusal> {
        if b.status.on_register() {
            return Ok(());
        }
        Err(wrong_state(
            format!("基地“{}”已{}，不在管理序列中", b.official_name, b.status.zh()),
            format!("base `{}` is {}, no longer on the register", b.id, b.status.en()),
        )
        .cite(policy.cite(article)))
    }

    fn ev(&self, stream: String, articles: Vec<Citation>, kind: EventKind) -> Event {
        self.emit.event(stream, articles, kind)
    }

    /// Runs the eligibility check; a failing rule that reads register facts is a refusal.
    fn check(&self, policy: &Policy, mut facts: Application) -> Result<Checked, Refusal> {
        facts.application_date = facts.application_date.min(self.ctx.today);
        // Commands arrive already deserialised, so the shape checks of `Application::parse`
        // (USCC check character, country codes, dates) have not run yet.
        facts
            .validate_shape()
            .map_err(|e| Refusal::invalid(format!("facts.{}", e.path), e.message_zh, e.message_en))?;
        let registry = crate::register::registry_facts(self.world, policy, &facts, self.ctx.today);
        let prepared = Prepared::new(policy, facts, Some(registry)).map_err(|e| {
            Refusal::invalid(
                format!("facts.{}", e.path).trim_end_matches('.').to_string(),
                e.message_zh,
                e.message_en,
            )
        })?;
        // Register rules first: a barred unit is told so before anything about its facts.
        let mut register_only = policy.clone();
        register_only.eligibility.retain(reads_register);
        let ev = evaluate(&register_only, &prepared, self.ctx.today).map_err(|e| check_refusal(policy, e))?;
        if let Some(f) = ev.findings.iter().find(|f| f.status == Status::Fail) {
            let r = &prepared.application.registry;
            let (code, extra_zh, extra_en) = match r.unit_banned_until {
                Some(u) if format!("{:?}", f.rule.condition).contains("unit_banned_until") => (
                    RefusalCode::Banned,
                    format!("；依托单位在 {u} 前不得重新申请"),
                    format!("; the unit may not apply before {u}"),
                ),
                _ => (RefusalCode::RegisterConflict, String::new(), String::new()),
            };
            return Err(Refusal::new(
                code,
                format!(
                    "不符合{}：{}（以登记簿为准）{extra_zh}",
                    policy.cite_zh(f.rule.article),
                    f.rule.title_zh
                ),
                format!(
                    "refused under {}: {} (from the register){extra_en}",
                    policy.cite(f.rule.article),
                    f.rule.title_en
                ),
            )
            .cite(policy.cite(f.rule.article)));
        }
        drop(ev);
        let ev = evaluate(policy, &prepared, self.ctx.today).map_err(|e| check_refusal(policy, e))?;
        let mut failing = Vec::new();
        let mut review = Vec::new();
        for f in &ev.findings {
            match f.status {
                Status::Fail => failing.push(f.rule.id.clone()),
                Status::Review => review.push(f.rule.id.clone()),
                _ => {}
            }
        }
        let verdict = verdict_code(ev.verdict);
        drop(ev);
        Ok(Checked {
            facts: prepared.application,
            verdict,
            failing,
            review,
        })
    }
}

/// A rule that reads facts from the register (`registry.*`), whatever its id.
fn reads_register(rule: &guohe_policy::model::Rule) -> bool {
    rule.condition
        .as_ref()
        .is_some_and(|c| format!("{c:?}").contains("\"registry."))
        || rule
            .applies_when
            .as_ref()
            .is_some_and(|c| format!("{c:?}").contains("\"registry."))
}

/// The policy's major-change section, or a refusal saying the regulation does not regulate
/// major changes (the section is optional in a policy file).
fn major_changes(policy: &Policy) -> Result<&guohe_policy::model::MajorChanges, Refusal> {
    policy.lifecycle.major_changes.as_ref().ok_or_else(|| {
        Refusal::new(
            RefusalCode::NotProvided,
            format!("《{}》未规定重大事项报告，不能办理重大事项", policy.title),
            format!(
                "{} does not regulate major changes (no lifecycle.major_changes), so none can be filed or approved",
                policy.id
            ),
        )
    })
}

fn approver_en(a: Approver) -> &'static str {
    match a {
        Approver::Recommender => "recommender",
        Approver::Department => "department",
    }
}

fn approver_zh(a: Approver) -> &'static str {
    match a {
        Approver::Recommender => "推荐单位",
        Approver::Department => "省科技厅",
    }
}

fn check_refusal(policy: &Policy, e: CheckError) -> Refusal {
    match &e {
        CheckError::Facts(f) => {
            Refusal::invalid(format!("facts.{}", f.path), f.message_zh.clone(), f.message_en.clone())
        }
        // The refusal carries the article as its citation, so the message does not repeat it.
        CheckError::NotYetInForce { date, from, .. } => Refusal::new(
            RefusalCode::NotInForce,
            format!(
                "申报日期 {date} 早于《{}》的施行日期 {from}，不能依据该办法申报",
                policy.title
            ),
            format!(
                "the application is dated {date}, before {} enters into force on {from}",
                policy.id
            ),
        )
        .cite(policy.cite(policy.validity.article)),
        CheckError::Expired { date, until, .. } => Refusal::new(
            RefusalCode::NotInForce,
            format!(
                "申报日期 {date} 晚于《{}》的有效期截止日 {until}，该办法已失效",
                policy.title
            ),
            format!(
                "the application is dated {date}, after {} ceased to be valid on {until}",
                policy.id
            ),
        )
        .cite(policy.cite(policy.validity.article)),
        CheckError::DatedInFuture { .. } => Refusal::invalid("facts.application_date", e.message_zh(), e.to_string()),
    }
}
