//! 命令权限 — whose business a command is: the records it names, checked against the principal's
//! province, organisation, jurisdiction or seat before the domain applies the regulation.

use super::*;

/// Whether the principal may give a domain command, and on that record: the role's action
/// first ([`may`]), then the scope — a unit only its own applications and bases, a recommender
/// only its jurisdiction, an expert only their own assignment, the department everything. The
/// domain then applies the regulation; this only decides whose business the record is.
///
/// Before any of that, the province: every record the command names must be of a policy the
/// principal works under (a real-name objection, open to anyone, excepted). A record that does
/// not exist, or a policy that is not loaded at all, passes here, so the domain answers "not
/// found" or "unknown policy" as it would for anyone.
pub fn may_command(p: &Principal, world: &World, policies: &PolicySet, cmd: &Command) -> Result<(), Denied> {
    if p.role.is_administrator() {
        let (zh, en) = role_label(p.role);
        return Err(denied(
            format!("“{zh}”不办理业务（三权分立）。"),
            format!("The {en} takes no business step (separation of duties)."),
        ));
    }
    if !matches!(cmd, Command::LodgeObjection(_)) {
        for policy in world.policies_of(cmd) {
            if policies.get(policy).is_some() {
                p.in_province(policy)?;
            }
        }
    }
    let own_unit = |uscc: &str| p.org.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(uscc.trim()));
    let not_yours = || {
        denied(
            "该记录不属于您的单位或管辖范围。",
            "This record is not yours to act on.",
        )
    };
    // A unit acting on an application: its own only.
    let unit_application = |id: &str| -> Result<(), Denied> {
        may(p, Action::SubmitAsUnit)?;
        match world.application(id) {
            Some(a) if p.role == AccountRole::SupportUnit && !own_unit(&a.facts.unit.uscc) => Err(not_yours()),
            _ => Ok(()),
        }
    };
    // A unit acting on a base: its own only.
    let unit_base = |id: &str| -> Result<(), Denied> {
        may(p, Action::SubmitAsUnit)?;
        match world.base(id) {
            Some(b) if p.role == AccountRole::SupportUnit && !own_unit(&b.uscc) => Err(not_yours()),
            _ => Ok(()),
        }
    };
    // The department, or a recommender within its jurisdiction.
    let recommender_application = |id: &str, department_may: bool| -> Result<(), Denied> {
        if p.role == AccountRole::Department && department_may {
            return may(p, Action::RunProcedure);
        }
        may(p, Action::Recommend)?;
        match world.application(id) {
            Some(a) => can_view_application(p, a).map_err(|_| not_yours()),
            None => Ok(()),
        }
    };
    // The department, or the assigned expert acting for themself.
    let expert_assignment = |id: &str, expert: &str| -> Result<(), Denied> {
        if p.role == AccountRole::Department {
            return may(p, Action::RunProcedure);
        }
        may(p, Action::Review)?;
        if p.account != expert {
            return Err(denied(
                "专家只能以本人名义办理。",
                "An expert may act only in their own name.",
            ));
        }
        match world.application(id) {
            Some(a) => can_view_application(p, a),
            None => Ok(()),
        }
    };
    match cmd {
        Command::OpenRound(_)
        | Command::CloseRound(_)
        | Command::AssignExpert(_)
        | Command::RecordSiteInspection(_)
        | Command::Decide(_)
        | Command::StartPublicNotice(_)
        | Command::ResolveObjection(_)
        | Command::Name(_)
        | Command::CarryOverBase(_)
        | Command::Reclassify(_)
        | Command::DrawInspections(_)
        | Command::DrawExpertPanel(_)
        | Command::RecommendToNational(_) => may(p, Action::RunProcedure),
        Command::DeclinePanelSeat(c) => expert_assignment(&c.application, &c.expert),
        Command::RecordInspectionResult(_) | Command::RecordNationalOutcome(_) => may(p, Action::RecordOutcomes),
        Command::RecordAnnualAssessment(_)
        | Command::RecordEvaluation(_)
        | Command::RecordReEvaluation(_)
        | Command::RecordFinding(_) => may(p, Action::RecordOutcomes),
        Command::AwardPostSubsidies(_) => may(p, Action::RecordOutcomes),
        // The hash on the chain must be of a PDF the system typeset: documents are issued on the
        // case's page or with `guohe document issue`, never as a bare command.
        Command::IssueDocument(_) => Err(denied(
            "公文须由系统排版后印发：请在案件页面或用 guohe document issue 印发。",
            "A document is issued only as the system typesets it: on the case's page or with `guohe document issue`.",
        )),
        Command::SubmitApplication(c) => {
            may(p, Action::SubmitAsUnit)?;
            if p.role == AccountRole::SupportUnit && !own_unit(&c.facts.unit.uscc) {
                return Err(denied(
                    "只能以本单位的统一社会信用代码提交申报。",
                    "A unit may apply only under its own unified social credit code.",
                ));
            }
            Ok(())
        }
        Command::ResubmitApplication(c) => {
            unit_application(&c.application)?;
            if p.role == AccountRole::SupportUnit && !own_unit(&c.facts.unit.uscc) {
                return Err(not_yours());
            }
            Ok(())
        }
        Command::WithdrawApplication(c) => unit_application(&c.application),
        Command::ReturnApplication(c) => recommender_application(&c.application, true),
        Command::RecommendApplication(c) => recommender_application(&c.application, false),
        Command::DeclareConflict(c) => expert_assignment(&c.application, &c.expert),
        Command::SubmitReview(c) => expert_assignment(&c.application, &c.expert),
        // 实名异议: anyone may object to a notice, signed in or not.
        Command::LodgeObjection(_) => Ok(()),
        Command::SubmitAnnualReport(c) => unit_base(&c.base),
        Command::FileMajorChange(c) => unit_base(&c.base),
        Command::ApproveMajorChange(c) => change_approver(p, world, &c.base, c.by),
        Command::RejectMajorChange(c) => change_approver(p, world, &c.base, c.by),
    }
}

/// Asks [`may_command`] against the current world: the one gate every page form and every API
/// command passes before the domain sees it. A refusal is a 403 (the request frame audits it)
/// naming the command.
pub async fn authorize(state: &crate::AppState, p: &Principal, cmd: &Command) -> Result<(), WebError> {
    let name = cmd.name();
    state
        .guohe
        .read(|world, _, policies| may_command(p, world, policies, cmd))
        .await
        .map_err(|d| WebError::Forbidden {
            zh: format!("{}（指令 {name}）", d.zh),
            en: format!("{} (command {name})", d.en),
        })
}

/// Approving or refusing a major change: the department, or a recommender for a base in its
/// jurisdiction acting as the recommender.
fn change_approver(p: &Principal, world: &World, base: &str, by: guohe_policy::model::Approver) -> Result<(), Denied> {
    use guohe_policy::model::Approver;
    match (p.role, by) {
        (AccountRole::Department, _) => may(p, Action::RunProcedure),
        (AccountRole::Recommender, Approver::Recommender) => {
            may(p, Action::Recommend)?;
            match world.base(base) {
                Some(b) => can_view_base(p, world, b),
                None => Ok(()),
            }
        }
        _ => {
            let (zh, en) = role_label(p.role);
            Err(denied(
                format!("“{zh}”角色无权审核该重大事项。"),
                format!("The {en} role may not decide on this major change."),
            ))
        }
    }
}
