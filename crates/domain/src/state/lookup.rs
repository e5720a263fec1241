//! What the world answers: each case by id, every case of a kind, the clock, the bans and the
//! streams' versions.

use super::*;

impl World {
    /// An empty world.
    pub fn new() -> World {
        World::default()
    }

    /// The date the clock was last advanced to.
    pub fn clock(&self) -> Option<NaiveDate> {
        self.clock
    }

    /// A round.
    pub fn round(&self, id: &str) -> Option<&Round> {
        self.rounds.get(id)
    }

    /// An application.
    pub fn application(&self, id: &str) -> Option<&ApplicationCase> {
        self.applications.get(id)
    }

    /// A notice.
    pub fn notice(&self, id: &str) -> Option<&Notice> {
        self.notices.get(id)
    }

    /// All notices, in no particular order.
    pub fn notices(&self) -> impl Iterator<Item = &Notice> {
        self.notices.values()
    }

    /// A base.
    pub fn base(&self, id: &str) -> Option<&Base> {
        self.bases.get(id)
    }

    /// All bases, in no particular order.
    pub fn bases(&self) -> impl Iterator<Item = &Base> {
        self.bases.values()
    }

    /// All applications, in no particular order.
    pub fn applications(&self) -> impl Iterator<Item = &ApplicationCase> {
        self.applications.values()
    }

    /// All rounds, in no particular order.
    pub fn rounds(&self) -> impl Iterator<Item = &Round> {
        self.rounds.values()
    }

    /// The notice an objection was lodged against.
    pub fn notice_of_objection(&self, objection: &str) -> Option<&Notice> {
        self.objections.get(objection).and_then(|n| self.notices.get(n))
    }

    /// The policy a case stream (`application/…`, `base/…`, `notice/…`, `round/…`) is under.
    pub fn policy_of_stream(&self, stream: &str) -> Option<&str> {
        let (kind, id) = stream.split_once('/')?;
        match kind {
            "application" => self.application(id).map(|a| a.policy.as_str()),
            "base" => self.base(id).map(|b| b.policy.as_str()),
            "notice" => self.notice(id).map(|n| n.policy.as_str()),
            "round" => self.round(id).map(|r| r.policy.as_str()),
            "draw" => self.draw(id).map(|d| d.event.policy.as_str()),
            _ => None,
        }
    }

    /// The policies a command acts under, found from the records it names (or, for a new round
    /// or a carried-over base, the policy it names). Empty when the record does not exist: the
    /// command's handler then answers "not found" as it would for anyone. This is what ties a
    /// command to a province (a policy belongs to one province). A public notice may name several
    /// applications, so it yields each one's policy.
    pub fn policies_of<'w>(&'w self, cmd: &'w Command) -> Vec<&'w str> {
        if let Command::StartPublicNotice(c) = cmd {
            let mut v: Vec<&str> = c
                .applications
                .iter()
                .filter_map(|a| self.application(a).map(|a| a.policy.as_str()))
                .collect();
            v.sort_unstable();
            v.dedup();
            return v;
        }
        self.policy_of(cmd).into_iter().collect()
    }

    fn policy_of<'w>(&'w self, cmd: &'w Command) -> Option<&'w str> {
        let application = |id: &str| self.application(id).map(|a| a.policy.as_str());
        let base = |id: &str| self.base(id).map(|b| b.policy.as_str());
        match cmd {
            Command::OpenRound(c) => Some(c.policy.as_str()),
            Command::CarryOverBase(c) => Some(c.policy.as_str()),
            Command::CloseRound(c) => self.round(&c.round).map(|r| r.policy.as_str()),
            Command::SubmitApplication(c) => self.round(&c.round).map(|r| r.policy.as_str()),
            Command::ResubmitApplication(c) => application(&c.application),
            Command::WithdrawApplication(c) => application(&c.application),
            Command::ReturnApplication(c) => application(&c.application),
            Command::RecommendApplication(c) => application(&c.application),
            Command::AssignExpert(c) => application(&c.application),
            Command::DeclareConflict(c) => application(&c.application),
            Command::SubmitReview(c) => application(&c.application),
            Command::RecordSiteInspection(c) => application(&c.application),
            Command::Decide(c) => application(&c.application),
            Command::Name(c) => application(&c.application),
            Command::StartPublicNotice(_) => None,
            Command::LodgeObjection(c) => self.notice(&c.notice).map(|n| n.policy.as_str()),
            Command::ResolveObjection(c) => self.notice_of_objection(&c.objection).map(|n| n.policy.as_str()),
            Command::SubmitAnnualReport(c) => base(&c.base),
            Command::RecordAnnualAssessment(c) => base(&c.base),
            Command::RecordEvaluation(c) => base(&c.base),
            Command::RecordReEvaluation(c) => base(&c.base),
            Command::RecordFinding(c) => match c.case.split_once('/') {
                Some(("base", id)) => base(id),
                Some(("application", id)) => application(id),
                _ => None,
            },
            Command::FileMajorChange(c) => base(&c.base),
            Command::ApproveMajorChange(c) => base(&c.base),
            Command::RejectMajorChange(c) => base(&c.base),
            Command::Reclassify(c) => base(&c.base),
            Command::DrawInspections(c) => Some(c.policy.as_str()),
            Command::RecordInspectionResult(c) => self.draw(&c.draw).map(|d| d.event.policy.as_str()),
            Command::DrawExpertPanel(c) => application(&c.application),
            Command::DeclinePanelSeat(c) => application(&c.application),
            Command::AwardPostSubsidies(c) => Some(c.policy.as_str()),
            Command::RecommendToNational(c) => Some(c.policy.as_str()),
            Command::RecordNationalOutcome(c) => base(&c.base),
            Command::IssueDocument(c) => self.policy_of_stream(&c.case),
        }
    }

    /// An inspection draw (抽取批次).
    pub fn draw(&self, id: &str) -> Option<&InspectionDraw> {
        self.draws.get(id)
    }

    /// Every inspection draw, newest first (by date, then id).
    pub fn draws(&self) -> Vec<&InspectionDraw> {
        let mut v: Vec<&InspectionDraw> = self.draws.values().collect();
        v.sort_by(|a, b| b.drawn_on.cmp(&a.drawn_on).then(a.event.draw.cmp(&b.event.draw)));
        v
    }

    /// The randomly drawn panel of an application, if it was drawn.
    pub fn panel(&self, application: &str) -> Option<&PanelRecord> {
        self.panels.get(application)
    }

    /// The draws that drew this base.
    pub fn draws_of_base(&self, base: &str) -> Vec<&InspectionDraw> {
        self.draws()
            .into_iter()
            .filter(|d| d.event.selected.iter().any(|s| s.base == base))
            .collect()
    }

    /// A unit's bans.
    pub fn bans_of(&self, uscc: &str) -> &[UnitBan] {
        self.bans.get(uscc).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Policies whose expiry was recorded.
    pub fn expired_policies(&self) -> &BTreeSet<String> {
        &self.expired_policies
    }

    /// How many events a stream has (0 for an unknown stream).
    pub fn stream_version(&self, stream: &str) -> i64 {
        self.versions.get(stream).copied().unwrap_or(0)
    }
}
