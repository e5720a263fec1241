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

mod documents;
mod inspections;
mod national;
mod panels;
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

    // ---------- rounds ----------

    fn open_round(&self, c: OpenRound) -> R {
        self.role(&[Role::Department], "开启申报批次", "open a round")?;
        check_id("id", &c.id)?;
        non_empty("title", &c.title, "批次名称")?;
        if self.world.rounds.contains_key(&c.id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("批次“{}”已存在", c.id),
                format!("round `{}` exists", c.id),
            )
            .at("id"));
        }
        let policy = self.policy(&c.policy)?;
        if c.closes_on < c.opens_on {
            return Err(Refusal::invalid(
                "closes_on",
                "截止日期早于开始日期",
                "closes_on is before opens_on",
            ));
        }
        guohe_policy::check_in_force(policy, c.opens_on).map_err(|e| {
            // The refusal carries the article as its citation, so the message does not repeat it.
            let (zh, en) = match e {
                CheckError::NotYetInForce { from, .. } => (
                    format!("批次开始日期 {} 早于《{}》的施行日期 {from}", c.opens_on, policy.title),
                    format!(
                        "the round opens on {}, before {} enters into force on {from}",
                        c.opens_on, policy.id
                    ),
                ),
                CheckError::Expired { until, .. } => (
                    format!(
                        "批次开始日期 {} 晚于《{}》的有效期截止日 {until}，该办法已失效",
                        c.opens_on, policy.title
                    ),
                    format!(
                        "the round opens on {}, after {} ceased to be valid on {until}",
                        c.opens_on, policy.id
                    ),
                ),
                other => (other.message_zh(), other.to_string()),
            };
            Refusal::new(RefusalCode::NotInForce, zh, en)
                .cite(policy.cite(policy.validity.article))
                .at("opens_on")
        })?;
        Ok(vec![self.ev(
            format!("round/{}", c.id),
            vec![policy.cite(policy.procedure.application.article)],
            EventKind::RoundOpened(RoundOpened {
                round: c.id,
                policy: c.policy,
                title: c.title,
                opens_on: c.opens_on,
                closes_on: c.closes_on,
            }),
        )])
    }

    fn close_round(&self, c: CloseRound) -> R {
        self.role(&[Role::Department], "关闭申报批次", "close a round")?;
        let r = self.world.rounds.get(&c.round).ok_or_else(|| {
            Refusal::new(
                RefusalCode::NotFound,
                format!("批次“{}”不存在", c.round),
                format!("no round `{}`", c.round),
            )
            .at("round")
        })?;
        if r.closed_on.is_some() {
            return Err(wrong_state(
                format!("批次“{}”已关闭", r.id),
                format!("round `{}` is already closed", r.id),
            ));
        }
        let policy = self.policy(&r.policy)?;
        Ok(vec![self.ev(
            format!("round/{}", r.id),
            vec![policy.cite(policy.procedure.application.article)],
            EventKind::RoundClosed(RoundClosed { round: r.id.clone() }),
        )])
    }

    // ---------- applications ----------

    fn submit(&self, c: SubmitApplication) -> R {
        self.role(
            &[Role::SupportUnit, Role::Department],
            "提交申报",
            "submit an application",
        )?;
        check_id("id", &c.id)?;
        if self.world.applications.contains_key(&c.id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("申报“{}”已存在", c.id),
                format!("application `{}` exists", c.id),
            )
            .at("id"));
        }
        let round = self.world.rounds.get(&c.round).ok_or_else(|| {
            Refusal::new(
                RefusalCode::NotFound,
                format!("批次“{}”不存在", c.round),
                format!("no round `{}`", c.round),
            )
            .at("round")
        })?;
        let policy = self.policy(&round.policy)?;
        let today = self.ctx.today;
        if !round.accepts_on(today) {
            return Err(Refusal::new(
                RefusalCode::RoundNotOpen,
                format!(
                    "申报批次“{}”的受理期为 {} 至 {}，{today} 不在受理期内",
                    round.title, round.opens_on, round.closes_on
                ),
                format!(
                    "round `{}` accepts applications from {} to {}; not on {today}",
                    round.id, round.opens_on, round.closes_on
                ),
            )
            .cite(policy.cite(policy.procedure.application.article)));
        }
        let mut facts = c.facts;
        // The application date is the day of submission: look-back windows count from it.
        facts.application_date = today;
        let checked = self.check(policy, facts)?;
        let rec = &policy.procedure.recommendation;
        let direct = rec.direct_for_affiliations.contains(&checked.facts.unit.affiliation);
        let mut articles = vec![policy.cite(policy.procedure.application.article)];
        if direct {
            articles.push(policy.cite(rec.direct_article.unwrap_or(rec.article)));
        }
        Ok(vec![self.ev(
            application_stream(&c.id),
            articles,
            EventKind::ApplicationSubmitted(ApplicationSubmitted {
                application: c.id,
                round: round.id.clone(),
                policy: policy.id.clone(),
                facts: checked.facts,
                verdict: checked.verdict.into(),
                failing_rules: checked.failing,
                review_rules: checked.review,
                direct,
            }),
        )])
    }

    fn resubmit(&self, c: ResubmitApplication) -> R {
        self.role(
            &[Role::SupportUnit, Role::Department],
            "重新提交申报",
            "resubmit an application",
        )?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        if a.status != ApplicationStatus::Returned {
            return Err(wrong_state(
                format!("申报“{}”当前为“{}”，只有被退回的申报可以重新提交", a.id, a.status.zh()),
                format!(
                    "application `{}` is {}; only a returned application can be resubmitted",
                    a.id,
                    a.status.en()
                ),
            ));
        }
        if let Some(r) = self.world.rounds.get(&a.round)
            && r.closed_on.is_some()
        {
            return Err(Refusal::new(
                RefusalCode::RoundNotOpen,
                format!("申报批次“{}”已关闭", r.title),
                format!("round `{}` is closed", r.id),
            )
            .cite(policy.cite(policy.procedure.application.article)));
        }
        let mut facts = c.facts;
        facts.application_date = self.ctx.today;
        if facts.unit.uscc != a.facts.unit.uscc {
            return Err(Refusal::invalid(
                "facts.unit.uscc",
                "重新提交不能更换依托单位",
                "a resubmission cannot change the support unit",
            ));
        }
        let checked = self.check(policy, facts)?;
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(policy.procedure.application.article)],
            EventKind::ApplicationResubmitted(ApplicationResubmitted {
                application: a.id.clone(),
                facts: checked.facts,
                verdict: checked.verdict.into(),
                failing_rules: checked.failing,
                review_rules: checked.review,
            }),
        )])
    }

    fn withdraw(&self, c: WithdrawApplication) -> R {
        self.role(
            &[Role::SupportUnit, Role::Department],
            "撤回申报",
            "withdraw an application",
        )?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        if !a.status.in_progress() {
            return Err(wrong_state(
                format!("申报“{}”当前为“{}”，不能撤回", a.id, a.status.zh()),
                format!("application `{}` is {} and cannot be withdrawn", a.id, a.status.en()),
            ));
        }
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(policy.procedure.application.article)],
            EventKind::ApplicationWithdrawn(ApplicationWithdrawn {
                application: a.id.clone(),
                reason: c.reason,
            }),
        )])
    }

    fn return_application(&self, c: ReturnApplication) -> R {
        self.role(
            &[Role::Recommender, Role::Department],
            "退回申报",
            "return an application",
        )?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        if c.reasons.iter().all(|r| r.trim().is_empty()) {
            return Err(Refusal::invalid(
                "reasons",
                "退回须说明理由",
                "a return needs at least one reason",
            ));
        }
        let ok = match a.status {
            ApplicationStatus::Submitted => true,
            // A direct application is formally reviewed by the department itself.
            ApplicationStatus::UnderReview => a.direct && a.experts.is_empty(),
            _ => false,
        };
        if !ok {
            return Err(wrong_state(
                format!("申报“{}”当前为“{}”，不能退回", a.id, a.status.zh()),
                format!("application `{}` is {} and cannot be returned", a.id, a.status.en()),
            ));
        }
        let rec = &policy.procedure.recommendation;
        let article = if a.direct {
            rec.direct_article.unwrap_or(rec.article)
        } else {
            rec.article
        };
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(article)],
            EventKind::ApplicationReturned(ApplicationReturned {
                application: a.id.clone(),
                reasons: c.reasons,
            }),
        )])
    }

    fn recommend(&self, c: RecommendApplication) -> R {
        self.role(&[Role::Recommender], "出具推荐意见", "recommend an application")?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let rec = &policy.procedure.recommendation;
        if a.direct {
            let article = rec.direct_article.unwrap_or(rec.article);
            return Err(Refusal::new(
                RefusalCode::DirectApplication,
                format!(
                    "该申报单位可直接向省科技厅申请，无需推荐部门意见（{}）",
                    policy.cite_zh(article)
                ),
                format!(
                    "this unit applies directly to the department; no recommendation is needed ({})",
                    policy.cite(article)
                ),
            )
            .cite(policy.cite(article)));
        }
        non_empty("recommender", &c.recommender, "推荐单位")?;
        non_empty("opinion", &c.opinion, "推荐意见")?;
        if a.status != ApplicationStatus::Submitted {
            return Err(wrong_state(
                format!("申报“{}”当前为“{}”，不能推荐", a.id, a.status.zh()),
                format!("application `{}` is {} and cannot be recommended", a.id, a.status.en()),
            )
            .cite(policy.cite(rec.article)));
        }
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(rec.article)],
            EventKind::ApplicationRecommended(ApplicationRecommended {
                application: a.id.clone(),
                recommender: c.recommender,
                opinion: c.opinion,
            }),
        )])
    }

    // ---------- expert review ----------

    fn review_stage(&self, a: &ApplicationCase, policy: &Policy, allow_recommended: bool) -> Result<(), Refusal> {
        let ok = a.status == ApplicationStatus::UnderReview
            || (allow_recommended && a.status == ApplicationStatus::Recommended);
        if ok {
            return Ok(());
        }
        let rec = &policy.procedure.recommendation;
        if !a.direct && matches!(a.status, ApplicationStatus::Submitted | ApplicationStatus::Returned) {
            // Hubei 第六条第一款: a local unit's application reaches the department through its
            // recommender; without that opinion there is nothing for experts to review yet.
            return Err(wrong_state(
                format!(
                    "申报“{}”尚未出具推荐意见：推荐部门须先进行形式审查并出具推荐意见（{}），才能组织专家评审",
                    a.id,
                    policy.cite_zh(rec.article)
                ),
                format!(
                    "application `{}`: the recommender has not given its opinion yet; its formal review and recommendation come before expert review",
                    a.id
                ),
            )
            .cite(policy.cite(rec.article)));
        }
        Err(wrong_state(
            format!("申报“{}”当前为“{}”，不在专家评审阶段", a.id, a.status.zh()),
            format!("application `{}` is {}, not under expert review", a.id, a.status.en()),
        )
        .cite(policy.cite(policy.procedure.expert_review.article)))
    }

    fn assign_expert(&self, c: AssignExpert) -> R {
        self.role(&[Role::Department], "指派评审专家", "assign experts")?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let art = policy.procedure.expert_review.article;
        check_id("expert_id", &c.expert_id)?;
        non_empty("expert_unit_uscc", &c.expert_unit_uscc, "专家所在单位统一社会信用代码")?;
        self.review_stage(a, policy, true)?;
        if c.expert_unit_uscc.trim().eq_ignore_ascii_case(a.facts.unit.uscc.trim()) {
            return Err(Refusal::new(
                RefusalCode::ConflictOfInterest,
                format!("专家“{}”与申报单位同属一个单位，应当回避", c.expert_id),
                format!(
                    "expert `{}` belongs to the applicant's own unit and must not review it",
                    c.expert_id
                ),
            )
            .cite(policy.cite(art))
            .at("expert_unit_uscc"));
        }
        if a.conflicts.contains(&c.expert_id) {
            return Err(Refusal::new(
                RefusalCode::ConflictOfInterest,
                format!("专家“{}”已就该申报申明回避", c.expert_id),
                format!(
                    "expert `{}` declared a conflict of interest on this application",
                    c.expert_id
                ),
            )
            .cite(policy.cite(art))
            .at("expert_id"));
        }
        if self.world.panels.contains_key(&a.id) && c.reason.trim().is_empty() {
            return Err(Refusal::invalid(
                "reason",
                "该申报的评审专家已随机抽取，另行指派须载明理由",
                "the panel was drawn at random; a hand assignment needs its reason",
            )
            .cite(policy.cite(art)));
        }
        if a.experts.contains_key(&c.expert_id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("专家“{}”已被指派", c.expert_id),
                format!("expert `{}` is already assigned", c.expert_id),
            )
            .at("expert_id"));
        }
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(art)],
            EventKind::ExpertAssigned(ExpertAssigned {
                application: a.id.clone(),
                expert: c.expert_id,
                expert_unit_uscc: c.expert_unit_uscc.trim().to_string(),
                reason: c.reason.trim().to_string(),
            }),
        )])
    }

    fn expert_acts(&self, expert: &str) -> Result<(), Refusal> {
        match self.ctx.actor.role {
            Role::Department => Ok(()),
            Role::Expert if self.ctx.actor.name() == expert => Ok(()),
            _ => Err(Refusal::new(
                RefusalCode::Forbidden,
                format!("只有专家“{expert}”本人或省科技厅可以办理"),
                format!("only expert `{expert}` or the department may do this"),
            )),
        }
    }

    fn declare_conflict(&self, c: DeclareConflict) -> R {
        self.expert_acts(&c.expert)?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        if a.conflicts.contains(&c.expert) {
            return Err(
                Refusal::new(RefusalCode::AlreadyRecorded, "已申明回避", "conflict already declared").at("expert"),
            );
        }
        if !a.status.in_progress() {
            return Err(wrong_state(
                format!("申报“{}”当前为“{}”", a.id, a.status.zh()),
                format!("application `{}` is {}", a.id, a.status.en()),
            ));
        }
        let art = policy.cite(policy.procedure.expert_review.article);
        // A seated member of a drawn panel who declares a conflict leaves it like one who
        // declines: the next reserve is called in.
        let vacated = match self.world.panels.get(&a.id) {
            Some(panel) if a.experts.get(&c.expert).is_some_and(|x| x.review.is_none()) => {
                self.vacate_seat(a, panel, &c.expert, &format!("申明回避：{}", c.reason.trim()), &art)
            }
            _ => Vec::new(),
        };
        let mut events = vec![self.ev(
            application_stream(&a.id),
            vec![art],
            EventKind::ConflictDeclared(ConflictDeclared {
                application: a.id.clone(),
                expert: c.expert,
                reason: c.reason,
            }),
        )];
        events.extend(vacated);
        Ok(events)
    }

    fn submit_review(&self, c: SubmitReview) -> R {
        self.expert_acts(&c.expert)?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let er = &policy.procedure.expert_review;
        self.review_stage(a, policy, false)?;
        let Some(assignment) = a.experts.get(&c.expert) else {
            return Err(Refusal::new(
                RefusalCode::NotFound,
                format!("专家“{}”未被指派评审该申报", c.expert),
                format!("expert `{}` is not assigned to this application", c.expert),
            )
            .at("expert"));
        };
        if assignment.review.is_some() {
            return Err(Refusal::new(
                RefusalCode::AlreadyRecorded,
                "该专家已提交评审意见",
                "this expert has already reviewed",
            )
            .at("expert"));
        }
        if c.score < er.score_min || c.score > er.score_max {
            return Err(Refusal::invalid(
                "score",
                format!("评分 {} 超出范围 {}—{}", c.score, er.score_min, er.score_max),
                format!("score {} is outside {}–{}", c.score, er.score_min, er.score_max),
            )
            .cite(policy.cite(er.article)));
        }
        vocab_check(
            "conclusion",
            &policy.vocabularies.expert_conclusions,
            &c.conclusion,
            "结论性意见",
            policy,
        )?;
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(er.article)],
            EventKind::ReviewSubmitted(ReviewSubmitted {
                application: a.id.clone(),
                expert: c.expert,
                score: c.score,
                conclusion: c.conclusion,
                comments: c.comments,
            }),
        )])
    }

    fn site_inspection(&self, c: RecordSiteInspection) -> R {
        self.role(&[Role::Department], "记录现场勘验", "record a site inspection")?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let Some(article) = policy.procedure.expert_review.site_inspection else {
            return Err(Refusal::new(
                RefusalCode::NotProvided,
                format!("《{}》未规定现场勘验", policy.title),
                format!("{} provides no site inspection", policy.id),
            ));
        };
        non_empty("findings", &c.findings, "勘验情况")?;
        self.review_stage(a, policy, false)?;
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(article)],
            EventKind::SiteInspectionRecorded(SiteInspectionRecorded {
                application: a.id.clone(),
                inspectors: c.inspectors,
                findings: c.findings,
            }),
        )])
    }

    // ---------- decision ----------

    fn decide(&self, c: Decide) -> R {
        self.role(&[Role::Department], "作出认定结论", "decide")?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let art = policy.procedure.decision.article;
        vocab_check(
            "decision",
            &policy.vocabularies.decisions,
            &c.decision,
            "认定结论",
            policy,
        )?;
        self.review_stage(a, policy, false)?;
        let min = policy.procedure.expert_review.min_experts as usize;
        let done = a.completed_reviews();
        if done < min {
            return Err(Refusal::new(
                RefusalCode::NotEnoughReviews,
                format!("已完成评审的专家 {done} 名，少于规定的 {min} 名，不能作出认定结论"),
                format!("{done} completed expert reviews; at least {min} are needed before a decision"),
            )
            .cite(policy.cite(policy.procedure.expert_review.article)));
        }
        let approved = c.decision == "approve";
        if approved && a.verdict == "ineligible" && c.reasons.trim().is_empty() {
            return Err(Refusal::invalid(
                "reasons",
                format!(
                    "申报未通过条件核查（{}），同意认定须载明理由",
                    a.failing_rules.join("、")
                ),
                format!(
                    "the application failed {}; an approval needs stated reasons",
                    a.failing_rules.join(", ")
                ),
            )
            .cite(policy.cite(art)));
        }
        Ok(vec![self.ev(
            application_stream(&a.id),
            vec![policy.cite(art)],
            EventKind::ApplicationDecided(ApplicationDecided {
                application: a.id.clone(),
                decision: c.decision,
                approved,
                reasons: c.reasons,
            }),
        )])
    }

    // ---------- public notice ----------

    fn start_notice(&self, c: StartPublicNotice) -> R {
        self.role(&[Role::Department], "发布公示", "start a public notice")?;
        check_id("notice_id", &c.notice_id)?;
        if self.world.notices.contains_key(&c.notice_id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("公示“{}”已存在", c.notice_id),
                format!("notice `{}` exists", c.notice_id),
            )
            .at("notice_id"));
        }
        if c.applications.is_empty() {
            return Err(Refusal::invalid(
                "applications",
                "公示须列明至少一项申报",
                "a notice lists at least one application",
            ));
        }
        let mut policy_id: Option<&str> = None;
        for (i, id) in c.applications.iter().enumerate() {
            let a = self.application(id, &format!("applications[{i}]"))?;
            if a.status != ApplicationStatus::Approved {
                return Err(wrong_state(
                    format!("申报“{}”当前为“{}”，只有认定同意的申报可以公示", a.id, a.status.zh()),
                    format!(
                        "application `{}` is {}; only approved applications are published",
                        a.id,
                        a.status.en()
                    ),
                )
                .at(format!("applications[{i}]")));
            }
            if c.applications[..i].contains(id) {
                return Err(Refusal::invalid(
                    format!("applications[{i}]"),
                    "申报重复列出",
                    "application listed twice",
                ));
            }
            if a.decision.as_ref().is_some_and(|d| d.2 > c.starts_on) {
                return Err(Refusal::new(
                    RefusalCode::DateOutOfOrder,
                    "公示开始日期早于认定结论日期",
                    "the notice starts before the decision",
                )
                .at("starts_on"));
            }
            match policy_id {
                None => policy_id = Some(&a.policy),
                Some(p) if p != a.policy => {
                    return Err(Refusal::invalid(
                        format!("applications[{i}]"),
                        "同一公示中的申报须依据同一办法",
                        "all applications in a notice must be under the same policy",
                    ));
                }
                _ => {}
            }
        }
        let policy = self.policy(policy_id.unwrap_or_default())?;
        let pn = &policy.procedure.public_notice;
        let counting = match pn.counting {
            guohe_policy::model::Counting::IncludeStart => guohe_calendar::Counting::IncludeStart,
            guohe_policy::model::Counting::ExcludeStart => guohe_calendar::Counting::ExcludeStart,
        };
        let ends_on = self
            .ctx
            .calendar
            .add_working_days(c.starts_on, pn.working_days, counting)
            .map_err(|e| calendar_refusal(e, policy, pn.article).at("starts_on"))?;
        Ok(vec![self.ev(
            format!("notice/{}", c.notice_id),
            vec![policy.cite(pn.article)],
            EventKind::PublicNoticeStarted(PublicNoticeStarted {
                notice: c.notice_id,
                policy: policy.id.clone(),
                applications: c.applications,
                starts_on: c.starts_on,
                ends_on,
            }),
        )])
    }

    fn lodge_objection(&self, c: LodgeObjection) -> R {
        check_objection_input(self.world, self.ctx.policies, &c)?;
        let n = &self.world.notices[&c.notice];
        let policy = self.policy(&n.policy)?;
        let pn = &policy.procedure.public_notice;
        if !n.applications.contains(&c.application) {
            return Err(Refusal::new(
                RefusalCode::NotFound,
                format!("公示“{}”未列出申报“{}”", n.id, c.application),
                format!("notice `{}` does not list `{}`", n.id, c.application),
            )
            .at("application"));
        }
        let today = self.ctx.today;
        if today < n.starts_on || today > n.ends_on {
            return Err(Refusal::new(
                RefusalCode::NoticePeriod,
                format!(
                    "公示期为 {} 至 {}，{today} 不在公示期内，不能提出异议",
                    n.starts_on, n.ends_on
                ),
                format!(
                    "the notice runs {} to {}; objections are not taken on {today}",
                    n.starts_on, n.ends_on
                ),
            )
            .cite(policy.cite(pn.article)));
        }
        let objection = format!("{}-{}", n.id, n.objections.len() + 1);
        Ok(vec![self.ev(
            format!("notice/{}", n.id),
            vec![policy.cite(pn.objections_article)],
            EventKind::ObjectionLodged(ObjectionLodged {
                notice: n.id.clone(),
                objection,
                application: c.application,
                objector_real_name: c.objector_real_name.trim().to_string(),
                contact: c.contact,
                content: c.content,
            }),
        )])
    }

    fn resolve_objection(&self, c: ResolveObjection) -> R {
        self.role(&[Role::Department], "处理异议", "resolve objections")?;
        let Some(notice_id) = self.world.objections.get(&c.objection) else {
            return Err(Refusal::new(
                RefusalCode::NotFound,
                format!("异议“{}”不存在", c.objection),
                format!("no objection `{}`", c.objection),
            )
            .at("objection"));
        };
        let n = &self.world.notices[notice_id];
        let o = &n.objections[&c.objection];
        let policy = self.policy(&n.policy)?;
        let art = policy.procedure.public_notice.objections_article;
        non_empty("resolution", &c.resolution, "处理意见")?;
        if o.resolution.is_some() {
            return Err(Refusal::new(
                RefusalCode::AlreadyRecorded,
                "该异议已处理",
                "objection already resolved",
            )
            .at("objection"));
        }
        let mut out = vec![self.ev(
            format!("notice/{}", n.id),
            vec![policy.cite(art)],
            EventKind::ObjectionResolved(ObjectionResolved {
                notice: n.id.clone(),
                objection: c.objection.clone(),
                resolution: c.resolution.clone(),
                upheld: c.upheld,
            }),
        )];
        if c.upheld
            && let Some(a) = self.world.applications.get(&o.application)
            && a.status.in_progress()
        {
            out.push(self.ev(
                application_stream(&a.id),
                vec![policy.cite(art)],
                EventKind::ApplicationRejected(ApplicationRejected {
                    application: a.id.clone(),
                    reason: format!("公示期异议经核实成立：{}", c.resolution),
                    consequence: None,
                }),
            ));
        }
        Ok(out)
    }

    // ---------- naming ----------

    fn name(&self, c: Name) -> R {
        self.role(&[Role::Department], "命名基地", "name a base")?;
        let a = self.application(&c.application, "application")?;
        let policy = self.policy(&a.policy)?;
        let pn = &policy.procedure.public_notice;
        check_id("base_id", &c.base_id)?;
        if self.world.bases.contains_key(&c.base_id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("基地“{}”已存在", c.base_id),
                format!("base `{}` exists", c.base_id),
            )
            .at("base_id"));
        }
        if a.status != ApplicationStatus::InNotice {
            return Err(wrong_state(
                format!("申报“{}”当前为“{}”，须经公示后方可命名", a.id, a.status.zh()),
                format!(
                    "application `{}` is {}; only an application through public notice can be named",
                    a.id,
                    a.status.en()
                ),
            )
            .cite(policy.cite(pn.article)));
        }
        let Some(n) = a.notice.as_ref().and_then(|id| self.world.notices.get(id)) else {
            return Err(wrong_state("未找到公示记录".into(), "no notice found".into()).cite(policy.cite(pn.article)));
        };
        if c.on <= n.ends_on {
            return Err(Refusal::new(
                RefusalCode::NoticePeriod,
                format!("公示期至 {} 止，命名日期 {} 须在公示期满之后", n.ends_on, c.on),
                format!(
                    "the notice runs until {}; naming on {} must come after it",
                    n.ends_on, c.on
                ),
            )
            .cite(policy.cite(pn.article))
            .at("on"));
        }
        if c.on > self.ctx.today {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                format!("命名日期 {} 晚于今天 {}", c.on, self.ctx.today),
                format!("naming date {} is after today {}", c.on, self.ctx.today),
            )
            .at("on"));
        }
        if pn.objections_block_naming {
            let open: Vec<&str> = n
                .objections
                .values()
                .filter(|o| o.application == a.id && o.resolution.is_none())
                .map(|o| o.id.as_str())
                .collect();
            if !open.is_empty() {
                return Err(Refusal::new(
                    RefusalCode::UnresolvedObjection,
                    format!("公示期异议（{}）尚未处理完毕，不能命名", open.join("、")),
                    format!(
                        "objections {} are unresolved; the base cannot be named",
                        open.join(", ")
                    ),
                )
                .cite(policy.cite(pn.objections_article)));
            }
        }
        // The register may have changed since submission (another base named meanwhile).
        self.check(policy, a.facts.clone())?;
        let f = &a.facts;
        let official_name =
            guohe_policy::naming::official_name(policy, &f.technology_domain, f.category.as_deref(), &f.unit.name)
                .map_err(|e| {
                    Refusal::invalid("facts.technology_domain", e.message_zh(), e.to_string())
                        .cite(policy.cite(policy.procedure.naming.article))
                })?;
        let mut articles = vec![policy.cite(policy.procedure.naming.article)];
        if policy.procedure.naming.announcement_article != policy.procedure.naming.article {
            articles.push(policy.cite(policy.procedure.naming.announcement_article));
        }
        Ok(vec![self.ev(
            base_stream(&c.base_id),
            articles,
            EventKind::BaseNamed(BaseNamed {
                base: c.base_id,
                application: a.id.clone(),
                policy: policy.id.clone(),
                official_name,
                unit_name: f.unit.name.trim().to_string(),
                uscc: f.unit.uscc.trim().to_string(),
                domain: f.technology_domain.trim().to_string(),
                category: f.category.clone(),
                director: f.director.name.trim().to_string(),
                partner_country: Some(f.primary_partner.country.clone()),
                named_on: c.on,
                evaluated: true,
            }),
        )])
    }

    // ---------- operation ----------

    fn annual_report(&self, c: SubmitAnnualReport) -> R {
        self.role(
            &[Role::SupportUnit, Role::Department],
            "报送年度报告",
            "file an annual report",
        )?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let ar = &policy.lifecycle.annual_report;
        self.on_register(b, policy, ar.article)?;
        if c.submitted_on > self.ctx.today {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                "报送日期晚于今天",
                "submitted_on is in the future",
            )
            .at("submitted_on"));
        }
        if self.world.clock.is_some_and(|clk| c.submitted_on < clk) {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                "报送日期早于系统时钟，逾期规则已执行，不能倒签",
                "submitted_on is before the clock; deadlines up to then have been applied",
            )
            .at("submitted_on"));
        }
        if c.year >= c.submitted_on.year() || c.year < b.recognised_on.year() {
            let (first, last) = (b.recognised_on.year(), c.submitted_on.year() - 1);
            // A base recognised this year has no finished year yet: say when its first report is due
            // rather than print an empty range.
            let (zh, en) = if first > last {
                (
                    format!(
                        "该基地于{first}年认定，尚无已结束的年度；首份年度报告为{first}年度，于{}年报送",
                        first + 1
                    ),
                    format!(
                        "the base was recognised in {first} and no year of it has ended yet: its first report covers {first} and is filed in {}",
                        first + 1
                    ),
                )
            } else if first == last {
                (
                    format!("年度报告应报送已结束的年度（{first}年）"),
                    format!("the report covers the finished year {first}"),
                )
            } else {
                (
                    format!("年度报告应报送已结束的年度（{first}—{last}年）"),
                    format!("the report covers a finished year between {first} and {last}"),
                )
            };
            return Err(Refusal::invalid("year", zh, en).cite(policy.cite(ar.article)));
        }
        if b.reports.contains_key(&c.year) {
            return Err(Refusal::new(
                RefusalCode::AlreadyRecorded,
                format!("{}年度报告已报送", c.year),
                format!("the report for {} was already filed", c.year),
            )
            .cite(policy.cite(ar.article))
            .at("year"));
        }
        let due_on = NaiveDate::from_ymd_opt(c.year + 1, ar.due_month, ar.due_day).ok_or_else(|| {
            Refusal::new(
                RefusalCode::PolicyUnavailable,
                "办法规定的报送截止日期无效",
                "the policy's report deadline is not a date",
            )
        })?;
        let late = if ar.due_inclusive {
            c.submitted_on > due_on
        } else {
            c.submitted_on >= due_on
        };
        Ok(vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(ar.article)],
            EventKind::AnnualReportSubmitted(AnnualReportSubmitted {
                base: b.id.clone(),
                year: c.year,
                submitted_on: c.submitted_on,
                due_on,
                late,
                recommender_copy: ar.recommender_copy,
            }),
        )])
    }

    fn annual_assessment(&self, c: RecordAnnualAssessment) -> R {
        self.role(&[Role::Department], "记录年度考核结果", "record annual assessments")?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let Some(aa) = &policy.lifecycle.annual_assessment else {
            return Err(Refusal::new(
                RefusalCode::NotProvided,
                format!("《{}》不设年度考核", policy.title),
                format!("{} has no annual assessment", policy.id),
            ));
        };
        vocab_check(
            "grade",
            &policy.vocabularies.annual_grades,
            &c.grade,
            "年度考核结果",
            policy,
        )?;
        self.on_register(b, policy, aa.article)?;
        if b.annual_grades.contains_key(&c.year) {
            return Err(Refusal::new(
                RefusalCode::AlreadyRecorded,
                format!("{}年度考核结果已记录", c.year),
                format!("the {} assessment is already recorded", c.year),
            )
            .cite(policy.cite(aa.article))
            .at("year"));
        }
        match b.reports.get(&c.year) {
            Some(r) if !r.late => {}
            _ => {
                return Err(Refusal::new(
                    RefusalCode::WrongState,
                    format!(
                        "{}年度未按时报送年度报告，考核结果依规则定为不合格，不能另行评定",
                        c.year
                    ),
                    format!("no on-time report for {}; its grade is set by rule", c.year),
                )
                .cite(policy.cite(aa.article)));
            }
        }
        let year = c.year;
        let grade = c.grade.clone();
        let grade_of = |y: i32| -> Option<&str> {
            if y == year {
                Some(grade.as_str())
            } else {
                b.annual_grades.get(&y).map(|g| g.grade.as_str())
            }
        };
        let fired = consequence::matching(
            policy,
            &Happening::Annual {
                year,
                grade_of: &grade_of,
            },
        );
        let mut out = vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(aa.article)],
            EventKind::AnnualAssessmentRecorded(AnnualAssessmentRecorded {
                base: b.id.clone(),
                year,
                grade: c.grade.clone(),
                missing_report: false,
            }),
        )];
        out.extend(consequence::on_base(policy, b, &fired, self.ctx.today, &self.emit)?);
        Ok(out)
    }

    fn evaluation(&self, c: RecordEvaluation) -> R {
        self.role(&[Role::Department], "记录评估结果", "record evaluations")?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let art = policy.lifecycle.evaluation.article;
        vocab_check(
            "grade",
            &policy.vocabularies.evaluation_grades,
            &c.grade,
            "评估结果",
            policy,
        )?;
        self.on_register(b, policy, art)?;
        if !b.evaluated {
            let legacy = policy
                .transitions
                .legacy_bases
                .as_ref()
                .map(|l| l.article)
                .unwrap_or(art);
            return Err(wrong_state(
                format!(
                    "基地“{}”不参加阶段性评估（{}）",
                    b.official_name,
                    policy.cite_zh(legacy)
                ),
                format!("base `{}` takes no periodic evaluation ({})", b.id, policy.cite(legacy)),
            )
            .cite(policy.cite(legacy)));
        }
        if let BaseStatus::UnderRectification { until } = b.status {
            return Err(wrong_state(
                format!("基地正在限期整改（至 {until}），整改期满后请记录复评结果"),
                format!("the base is under rectification until {until}; record a re-evaluation after it"),
            )
            .cite(policy.cite(art)));
        }
        let fired = consequence::matching(policy, &Happening::Evaluation(&c.grade));
        let mut out = vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(art)],
            EventKind::EvaluationRecorded(EvaluationRecorded {
                base: b.id.clone(),
                grade: c.grade,
                re_evaluation: false,
            }),
        )];
        out.extend(consequence::on_base(policy, b, &fired, self.ctx.today, &self.emit)?);
        Ok(out)
    }

    fn re_evaluation(&self, c: RecordReEvaluation) -> R {
        self.role(&[Role::Department], "记录复评结果", "record re-evaluations")?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let art = policy
            .lifecycle
            .rectification
            .as_ref()
            .map(|r| r.article)
            .unwrap_or(policy.lifecycle.evaluation.article);
        vocab_check(
            "grade",
            &policy.vocabularies.evaluation_grades,
            &c.grade,
            "复评结果",
            policy,
        )?;
        let BaseStatus::UnderRectification { until } = b.status else {
            return Err(wrong_state(
                format!("基地“{}”不在限期整改中，无需复评", b.official_name),
                format!("base `{}` is not under rectification", b.id),
            )
            .cite(policy.cite(art)));
        };
        if self.ctx.today < until {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                format!("整改期至 {until} 止，期满后方可复评"),
                format!("rectification runs until {until}; re-evaluation comes after it"),
            )
            .cite(policy.cite(art)));
        }
        let fired = consequence::matching(policy, &Happening::ReEvaluation(&c.grade));
        let mut out = vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(art)],
            EventKind::EvaluationRecorded(EvaluationRecorded {
                base: b.id.clone(),
                grade: c.grade.clone(),
                re_evaluation: true,
            }),
        )];
        let effects = consequence::on_base(policy, b, &fired, self.ctx.today, &self.emit)?;
        if effects.is_empty() {
            out.push(self.ev(
                base_stream(&b.id),
                vec![policy.cite(art)],
                EventKind::RectificationCompleted(RectificationCompleted {
                    base: b.id.clone(),
                    grade: c.grade,
                }),
            ));
        }
        out.extend(effects);
        Ok(out)
    }

    fn finding(&self, c: RecordFinding) -> R {
        self.role(&[Role::Department], "记录查实情形", "record findings")?;
        non_empty("evidence", &c.evidence, "证据材料")?;
        if c.effective_on > self.ctx.today {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                "生效日期晚于今天",
                "effective_on is in the future",
            )
            .at("effective_on"));
        }
        let (kind, id) = c.case.split_once('/').unwrap_or(("", ""));
        let term_article = |policy: &Policy| -> Vec<Citation> {
            term(&policy.vocabularies.findings, &c.finding)
                .and_then(|t| t.article)
                .map(|a| vec![policy.cite(a)])
                .unwrap_or_default()
        };
        match kind {
            "base" => {
                let b = self.base(id, "case")?;
                let policy = self.policy(&b.policy)?;
                vocab_check("finding", &policy.vocabularies.findings, &c.finding, "情形", policy)?;
                if b.status.is_final() {
                    return Err(wrong_state(
                        format!("基地“{}”已{}", b.official_name, b.status.zh()),
                        format!("base `{}` is already off the register ({})", b.id, b.status.en()),
                    ));
                }
                // A status history read as of a date must stay in order: a finding cannot take
                // effect before the base's last recorded change of status.
                let last = b
                    .history
                    .last()
                    .map(|h| h.from)
                    .unwrap_or(b.recognised_on)
                    .max(b.recognised_on);
                if c.effective_on < last {
                    return Err(Refusal::new(
                        RefusalCode::DateOutOfOrder,
                        format!("生效日期 {} 早于基地最近一次状态变化（{last}）", c.effective_on),
                        format!(
                            "effective_on {} is before the base's last change of status on {last}",
                            c.effective_on
                        ),
                    )
                    .at("effective_on"));
                }
                let fired = consequence::matching(policy, &Happening::Finding(&c.finding));
                let mut out = vec![self.ev(
                    base_stream(&b.id),
                    term_article(policy),
                    EventKind::FindingRecorded(FindingRecorded {
                        case: c.case.clone(),
                        finding: c.finding.clone(),
                        effective_on: c.effective_on,
                        evidence: c.evidence,
                    }),
                )];
                out.extend(consequence::on_base(policy, b, &fired, c.effective_on, &self.emit)?);
                Ok(out)
            }
            "application" => {
                let a = self.application(id, "case")?;
                let policy = self.policy(&a.policy)?;
                vocab_check("finding", &policy.vocabularies.findings, &c.finding, "情形", policy)?;
                if !a.status.in_progress() {
                    let hint = match &a.base {
                        Some(b) => format!("；已命名的请对 base/{b} 记录"),
                        None => String::new(),
                    };
                    return Err(wrong_state(
                        format!("申报“{}”当前为“{}”，不在申请阶段{hint}", a.id, a.status.zh()),
                        format!("application `{}` is {}, not in progress", a.id, a.status.en()),
                    )
                    .at("case"));
                }
                let fired = consequence::matching(policy, &Happening::Finding(&c.finding));
                let effects = consequence::on_application(policy, a, &fired, c.effective_on, &self.emit)?;
                let mut out = vec![self.ev(
                    application_stream(&a.id),
                    term_article(policy),
                    EventKind::FindingRecorded(FindingRecorded {
                        case: c.case.clone(),
                        finding: c.finding.clone(),
                        effective_on: c.effective_on,
                        evidence: c.evidence,
                    }),
                )];
                out.extend(effects);
                Ok(out)
            }
            _ => Err(Refusal::invalid(
                "case",
                format!("“{}”应写作 base/<编号> 或 application/<编号>", c.case),
                format!("`{}` must be base/<id> or application/<id>", c.case),
            )),
        }
    }

    // ---------- major changes ----------

    fn file_change(&self, c: FileMajorChange) -> R {
        self.role(
            &[Role::SupportUnit, Role::Department],
            "报告重大事项",
            "file major changes",
        )?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let mc = major_changes(policy)?;
        check_id("change_id", &c.change_id)?;
        vocab_check(
            "kind",
            &policy.vocabularies.major_change_kinds,
            &c.kind,
            "重大事项类型",
            policy,
        )?;
        non_empty("details.description", &c.details.description, "事项说明")?;
        self.on_register(b, policy, mc.article)?;
        if b.major_changes.contains_key(&c.change_id) {
            return Err(Refusal::new(RefusalCode::Duplicate, "重大事项编号已存在", "change id exists").at("change_id"));
        }
        if let Some(cat) = &c.details.category {
            vocab_check(
                "details.category",
                &policy.vocabularies.categories,
                cat,
                "基地类型",
                policy,
            )?;
        }
        let mut articles = vec![policy.cite(mc.article)];
        if let Some(a) = term(&policy.vocabularies.major_change_kinds, &c.kind).and_then(|t| t.article)
            && a != mc.article
        {
            articles.push(policy.cite(a));
        }
        Ok(vec![self.ev(
            base_stream(&b.id),
            articles,
            EventKind::MajorChangeFiled(MajorChangeFiled {
                base: b.id.clone(),
                change: c.change_id,
                kind: c.kind,
                details: c.details,
                approval: mc.approval.clone(),
                informed: mc.informed.clone(),
            }),
        )])
    }

    fn pending_change<'b>(
        &self,
        b: &'b Base,
        id: &str,
        by: Approver,
        policy: &Policy,
    ) -> Result<&'b MajorChange, Refusal> {
        let want = match by {
            Approver::Recommender => Role::Recommender,
            Approver::Department => Role::Department,
        };
        if self.ctx.actor.role != want {
            return Err(Refusal::new(
                RefusalCode::Forbidden,
                format!("以“{}”身份审核须由{}办理", want.zh(), want.zh()),
                format!("{} cannot act as the {}", self.ctx.actor.id, approver_en(by)),
            ));
        }
        let ch = b.major_changes.get(id).ok_or_else(|| {
            Refusal::new(
                RefusalCode::NotFound,
                format!("重大事项“{id}”不存在"),
                format!("no change `{id}`"),
            )
            .at("change_id")
        })?;
        if ch.status != ChangeStatus::Pending {
            return Err(wrong_state(
                "该重大事项已办结".into(),
                "the change is already decided".into(),
            ));
        }
        let next = ch.approval.get(ch.approved_by.len()).copied();
        if next != Some(by) {
            let order = ch
                .approval
                .iter()
                .map(|a| approver_zh(*a))
                .collect::<Vec<_>>()
                .join("→");
            return Err(Refusal::new(
                RefusalCode::ApprovalOrder,
                format!(
                    "重大事项须依次经{order}审核，当前应由{}办理",
                    next.map(approver_zh).unwrap_or("—")
                ),
                format!(
                    "approvals go {}; next is the {}",
                    ch.approval
                        .iter()
                        .map(|a| approver_en(*a))
                        .collect::<Vec<_>>()
                        .join(" → "),
                    next.map(approver_en).unwrap_or("nobody (all approvals given)")
                ),
            )
            .cite(policy.cite(major_changes(policy)?.article))
            .at("by"));
        }
        Ok(ch)
    }

    fn approve_change(&self, c: ApproveMajorChange) -> R {
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let art = major_changes(policy)?.article;
        self.on_register(b, policy, art)?;
        let ch = self.pending_change(b, &c.change_id, c.by, policy)?;
        let last = ch.approved_by.len() + 1 == ch.approval.len();
        if !last {
            return Ok(vec![self.ev(
                base_stream(&b.id),
                vec![policy.cite(art)],
                EventKind::MajorChangeEndorsed(MajorChangeEndorsed {
                    base: b.id.clone(),
                    change: c.change_id,
                    by: c.by,
                }),
            )]);
        }
        let fired = consequence::matching(policy, &Happening::MajorChange(&ch.kind));
        let mut out = vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(art)],
            EventKind::MajorChangeApproved(MajorChangeApproved {
                base: b.id.clone(),
                change: c.change_id,
                by: c.by,
            }),
        )];
        out.extend(consequence::on_base(policy, b, &fired, self.ctx.today, &self.emit)?);
        Ok(out)
    }

    fn reject_change(&self, c: RejectMajorChange) -> R {
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        non_empty("reason", &c.reason, "不同意的理由")?;
        self.pending_change(b, &c.change_id, c.by, policy)?;
        Ok(vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(major_changes(policy)?.article)],
            EventKind::MajorChangeRejected(MajorChangeRejected {
                base: b.id.clone(),
                change: c.change_id,
                by: c.by,
                reason: c.reason,
            }),
        )])
    }

    // ---------- transitions ----------

    fn carry_over(&self, c: CarryOverBase) -> R {
        self.role(&[Role::Department], "纳入过渡基地", "carry bases over")?;
        check_id("base_id", &c.base_id)?;
        if self.world.bases.contains_key(&c.base_id) {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("基地“{}”已存在", c.base_id),
                format!("base `{}` exists", c.base_id),
            )
            .at("base_id"));
        }
        let policy = self.policy(&c.policy)?;
        non_empty("official_name", &c.official_name, "基地名称")?;
        non_empty("unit_name", &c.unit_name, "依托单位名称")?;
        non_empty("domain", &c.domain, "技术领域")?;
        non_empty("director", &c.director, "基地负责人")?;
        if let Err(e) = guohe_reference::uscc::parse(c.uscc.trim()) {
            return Err(Refusal::invalid("uscc", e.message_zh(), e.to_string()));
        }
        if c.recognised_on > self.ctx.today {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                "认定日期晚于今天",
                "recognised_on is in the future",
            )
            .at("recognised_on"));
        }
        let t = &policy.transitions;
        let mut articles = Vec::new();
        let category = match (&c.old_category, &c.category) {
            (Some(old), _) => {
                let Some(m) = &t.category_mapping else {
                    return Err(Refusal::invalid(
                        "old_category",
                        format!("《{}》没有旧类型对应规定", policy.title),
                        format!("{} maps no old categories", policy.id),
                    ));
                };
                let Some(new) = m.map.iter().find(|o| o.old == old.trim()) else {
                    let olds = m.map.iter().map(|o| o.old.as_str()).collect::<Vec<_>>().join("、");
                    return Err(Refusal::invalid(
                        "old_category",
                        format!("旧类型“{old}”不在对应表中；可选：{olds}"),
                        format!("`{old}` is not an old category; one of {olds}"),
                    )
                    .cite(policy.cite(m.article)));
                };
                articles.push(policy.cite(m.article));
                Some(new.new.clone())
            }
            (None, Some(cat)) => {
                vocab_check("category", &policy.vocabularies.categories, cat, "基地类型", policy)?;
                Some(cat.clone())
            }
            (None, None) if !policy.vocabularies.categories.is_empty() => {
                return Err(Refusal::invalid(
                    "category",
                    "该办法按类型管理基地，请填写旧类型或新类型",
                    "the policy has categories; give old_category or category",
                ));
            }
            (None, None) => None,
        };
        if c.national {
            let Some(n) = &t.national_bases_join else {
                return Err(Refusal::new(
                    RefusalCode::NotProvided,
                    format!("《{}》未规定国家基地直接纳入管理", policy.title),
                    format!("{} has no provision for national bases joining", policy.id),
                )
                .at("national"));
            };
            articles.push(policy.cite(n.article));
        }
        let legacy = !c.national
            && t.legacy_bases
                .as_ref()
                .is_some_and(|l| c.recognised_on < l.recognised_before);
        let evaluated = match (&t.legacy_bases, legacy) {
            (Some(l), true) => {
                articles.push(policy.cite(l.article));
                l.evaluated
            }
            _ => true,
        };
        if articles.is_empty() {
            articles.push(policy.cite(policy.validity.article));
        }
        // Where the cycle of a carried-over or joining base starts is the policy's reading
        // (lifecycle.evaluation.cycle_start), not a rule of this code.
        let start = &policy.lifecycle.evaluation.cycle_start;
        let anchor = if c.national { start.joining } else { start.carried_over };
        let evaluation_anchor = anchor.date(c.recognised_on, policy.in_force_from, self.ctx.today);
        Ok(vec![self.ev(
            base_stream(&c.base_id),
            articles,
            EventKind::BaseCarriedOver(BaseCarriedOver {
                base: c.base_id,
                policy: policy.id.clone(),
                official_name: c.official_name.trim().to_string(),
                unit_name: c.unit_name.trim().to_string(),
                uscc: c.uscc.trim().to_string(),
                domain: c.domain.trim().to_string(),
                old_category: c.old_category,
                category,
                director: c.director.trim().to_string(),
                partner_country: c.partner_country,
                recognised_on: c.recognised_on,
                national: c.national,
                legacy,
                evaluated,
                evaluation_anchor,
            }),
        )])
    }

    fn reclassify(&self, c: Reclassify) -> R {
        self.role(&[Role::Department], "重新认定类别", "reclassify bases")?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let Some(m) = policy
            .transitions
            .category_mapping
            .as_ref()
            .filter(|m| m.reclassification_on_request)
        else {
            return Err(Refusal::new(
                RefusalCode::NotProvided,
                format!("《{}》未规定申请重新认定类别", policy.title),
                format!("{} provides no reclassification on request", policy.id),
            ));
        };
        self.on_register(b, policy, m.article)?;
        if !matches!(b.origin, Origin::CarriedOver { .. }) {
            return Err(wrong_state(
                "只有按过渡条款纳入管理的基地可以申请重新认定类别".into(),
                "only bases carried over from the old categories can ask to be reclassified".into(),
            )
            .cite(policy.cite(m.article)));
        }
        vocab_check(
            "category",
            &policy.vocabularies.categories,
            &c.category,
            "基地类型",
            policy,
        )?;
        non_empty("reasons", &c.reasons, "理由")?;
        if b.category.as_deref() == Some(c.category.as_str()) {
            return Err(Refusal::invalid(
                "category",
                "新类型与现类型相同",
                "the base already has this category",
            ));
        }
        Ok(vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(m.article)],
            EventKind::BaseReclassified(BaseReclassified {
                base: b.id.clone(),
                from: b.category.clone(),
                to: c.category,
                reasons: c.reasons,
            }),
        )])
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
