//! Folding events into the world: each event kind's effect on rounds, applications, notices
//! and bases.

use super::*;

impl World {
    /// Folds one event into the state.
    pub fn apply(&mut self, e: &Event) {
        match self.versions.get_mut(e.stream.as_str()) {
            Some(v) => *v += 1,
            None => {
                self.versions.insert(e.stream.clone(), 1);
            }
        }
        let on = e.on;
        match &e.kind {
            EventKind::InspectionsDrawn(x) => {
                self.draws.insert(
                    x.draw.clone(),
                    InspectionDraw {
                        event: x.clone(),
                        drawn_on: on,
                        results: BTreeMap::new(),
                    },
                );
            }
            EventKind::InspectionResultRecorded(x) => {
                if let Some(d) = self.draws.get_mut(&x.draw) {
                    d.results.insert(x.base.clone(), (on, x.clone()));
                }
            }
            EventKind::ExpertPanelDrawn(x) => {
                self.panels.insert(
                    x.application.clone(),
                    PanelRecord {
                        event: x.clone(),
                        reserves_left: x.reserves.clone(),
                        declines: Vec::new(),
                    },
                );
            }
            EventKind::PanelSeatDeclined(x) => {
                if let Some(a) = self.applications.get_mut(&x.application) {
                    a.experts.remove(&x.expert);
                }
                if let Some(p) = self.panels.get_mut(&x.application) {
                    if let Some(r) = &x.replaced_by {
                        p.reserves_left.retain(|e| e != r);
                    }
                    p.declines
                        .push((x.expert.clone(), x.reason.clone(), x.replaced_by.clone()));
                }
            }
            EventKind::RoundOpened(x) => {
                self.rounds.insert(
                    x.round.clone(),
                    Round {
                        id: x.round.clone(),
                        policy: x.policy.clone(),
                        title: x.title.clone(),
                        opens_on: x.opens_on,
                        closes_on: x.closes_on,
                        closed_on: None,
                    },
                );
            }
            EventKind::RoundClosed(x) => {
                if let Some(r) = self.rounds.get_mut(&x.round) {
                    r.closed_on = Some(on);
                }
            }
            EventKind::ApplicationSubmitted(x) => {
                self.applications.insert(
                    x.application.clone(),
                    ApplicationCase {
                        id: x.application.clone(),
                        round: x.round.clone(),
                        policy: x.policy.clone(),
                        facts: x.facts.clone(),
                        submitted_on: on,
                        verdict: x.verdict.clone(),
                        failing_rules: x.failing_rules.clone(),
                        review_rules: x.review_rules.clone(),
                        direct: x.direct,
                        status: if x.direct {
                            ApplicationStatus::UnderReview
                        } else {
                            ApplicationStatus::Submitted
                        },
                        return_reasons: Vec::new(),
                        recommendation: None,
                        experts: BTreeMap::new(),
                        conflicts: BTreeSet::new(),
                        site_inspections: Vec::new(),
                        decision: None,
                        rejection: None,
                        notice: None,
                        base: None,
                    },
                );
            }
            EventKind::ApplicationResubmitted(x) => {
                if let Some(a) = self.applications.get_mut(&x.application) {
                    a.facts = x.facts.clone();
                    a.verdict = x.verdict.clone();
                    a.failing_rules = x.failing_rules.clone();
                    a.review_rules = x.review_rules.clone();
                    a.submitted_on = on;
                    a.status = if a.direct {
                        ApplicationStatus::UnderReview
                    } else {
                        ApplicationStatus::Submitted
                    };
                }
            }
            EventKind::ApplicationReturned(x) => {
                if let Some(a) = self.applications.get_mut(&x.application) {
                    a.status = ApplicationStatus::Returned;
                    a.return_reasons = x.reasons.clone();
                }
            }
            EventKind::ApplicationWithdrawn(x) => {
                if let Some(a) = self.applications.get_mut(&x.application) {
                    a.status = ApplicationStatus::Withdrawn;
                }
            }
            EventKind::ApplicationRecommended(x) => {
                if let Some(a) = self.applications.get_mut(&x.application) {
                    a.status = ApplicationStatus::Recommended;
                    a.recommendation = Some((x.recommender.clone(), x.opinion.clone()));
                }
            }
            EventKind::ExpertAssigned(x) => {
                if let Some(a) = self.applications.get_mut(&x.application) {
                    a.status = ApplicationStatus::UnderReview;
                    a.experts.insert(
                        x.expert.clone(),
                        ExpertAssignment {
                            unit_uscc: x.expert_unit_uscc.clone(),
                            review: None,
                        },
                    );
                }
            }
            EventKind::ConflictDeclared(x) => {
                if let Some(a) = self.applications.get_mut(&x.application) {
                    a.experts.remove(&x.expert);
                    a.conflicts.insert(x.expert.clone());
                }
            }
            EventKind::ReviewSubmitted(x) => {
                if let Some(a) = self.applications.get_mut(&x.application)
                    && let Some(s) = a.experts.get_mut(&x.expert)
                {
                    s.review = Some(Review {
                        score: x.score,
                        conclusion: x.conclusion.clone(),
                        comments: x.comments.clone(),
                        on,
                    });
                }
            }
            EventKind::SiteInspectionRecorded(x) => {
                if let Some(a) = self.applications.get_mut(&x.application) {
                    a.site_inspections.push((on, x.findings.clone()));
                }
            }
            EventKind::ApplicationDecided(x) => {
                if let Some(a) = self.applications.get_mut(&x.application) {
                    a.decision = Some((x.decision.clone(), x.approved, on));
                    if x.approved {
                        a.status = ApplicationStatus::Approved;
                    } else {
                        a.status = ApplicationStatus::Rejected;
                        a.rejection = Some(x.reasons.clone());
                    }
                }
            }
            EventKind::ApplicationRejected(x) => {
                if let Some(a) = self.applications.get_mut(&x.application) {
                    a.status = ApplicationStatus::Rejected;
                    a.rejection = Some(x.reason.clone());
                }
            }
            EventKind::PublicNoticeStarted(x) => {
                for id in &x.applications {
                    if let Some(a) = self.applications.get_mut(id) {
                        a.status = ApplicationStatus::InNotice;
                        a.notice = Some(x.notice.clone());
                    }
                }
                self.notices.insert(
                    x.notice.clone(),
                    Notice {
                        id: x.notice.clone(),
                        policy: x.policy.clone(),
                        applications: x.applications.clone(),
                        starts_on: x.starts_on,
                        ends_on: x.ends_on,
                        ended: false,
                        objections: BTreeMap::new(),
                    },
                );
            }
            EventKind::ObjectionLodged(x) => {
                if let Some(n) = self.notices.get_mut(&x.notice) {
                    n.objections.insert(
                        x.objection.clone(),
                        Objection {
                            id: x.objection.clone(),
                            application: x.application.clone(),
                            objector_real_name: x.objector_real_name.clone(),
                            contact: x.contact.clone(),
                            content: x.content.clone(),
                            lodged_on: on,
                            resolution: None,
                        },
                    );
                    self.objections.insert(x.objection.clone(), x.notice.clone());
                }
            }
            EventKind::ObjectionResolved(x) => {
                if let Some(n) = self.notices.get_mut(&x.notice)
                    && let Some(o) = n.objections.get_mut(&x.objection)
                {
                    o.resolution = Some((x.resolution.clone(), x.upheld, on));
                }
            }
            EventKind::PublicNoticeEnded(x) => {
                if let Some(n) = self.notices.get_mut(&x.notice) {
                    n.ended = true;
                }
            }
            EventKind::BaseNamed(x) => {
                if let Some(a) = self.applications.get_mut(&x.application) {
                    a.status = ApplicationStatus::Named;
                    a.base = Some(x.base.clone());
                }
                self.bases.insert(Base {
                    id: x.base.clone(),
                    policy: x.policy.clone(),
                    official_name: x.official_name.clone(),
                    unit_name: x.unit_name.clone(),
                    uscc: x.uscc.clone(),
                    domain: x.domain.clone(),
                    category: x.category.clone(),
                    director: x.director.clone(),
                    partner_country: x.partner_country.clone(),
                    recognised_on: x.named_on,
                    entered_on: x.named_on.min(on),
                    origin: Origin::Named {
                        application: x.application.clone(),
                    },
                    evaluated: x.evaluated,
                    evaluation_anchor: x.named_on,
                    evaluations_due: 0,
                    status: BaseStatus::Active,
                    history: vec![StatusEntry {
                        from: x.named_on,
                        status: BaseStatus::Active,
                        consequence: None,
                    }],
                    reports: BTreeMap::new(),
                    missing_reports: BTreeSet::new(),
                    annual_grades: BTreeMap::new(),
                    evaluations: Vec::new(),
                    rectification: None,
                    major_changes: BTreeMap::new(),
                    post_subsidies: Vec::new(),
                    national: Vec::new(),
                });
            }
            EventKind::BaseCarriedOver(x) => {
                self.bases.insert(Base {
                    id: x.base.clone(),
                    policy: x.policy.clone(),
                    official_name: x.official_name.clone(),
                    unit_name: x.unit_name.clone(),
                    uscc: x.uscc.clone(),
                    domain: x.domain.clone(),
                    category: x.category.clone(),
                    director: x.director.clone(),
                    partner_country: x.partner_country.clone(),
                    recognised_on: x.recognised_on,
                    entered_on: on,
                    origin: Origin::CarriedOver {
                        old_category: x.old_category.clone(),
                        national: x.national,
                        legacy: x.legacy,
                    },
                    evaluated: x.evaluated,
                    evaluation_anchor: x.evaluation_anchor,
                    evaluations_due: 0,
                    status: BaseStatus::Active,
                    history: vec![StatusEntry {
                        from: x.recognised_on,
                        status: BaseStatus::Active,
                        consequence: None,
                    }],
                    reports: BTreeMap::new(),
                    missing_reports: BTreeSet::new(),
                    annual_grades: BTreeMap::new(),
                    evaluations: Vec::new(),
                    rectification: None,
                    major_changes: BTreeMap::new(),
                    post_subsidies: Vec::new(),
                    national: Vec::new(),
                });
            }
            EventKind::UnitBanned(x) => {
                let ban = UnitBan {
                    policy: x.policy.clone(),
                    province: x.province.clone(),
                    from: x.from,
                    until: x.until,
                    scope: x.scope,
                    domain: x.domain.clone(),
                };
                match self.bans.get_mut(x.uscc.as_str()) {
                    Some(v) => v.push(ban),
                    None => {
                        self.bans.insert(x.uscc.clone(), vec![ban]);
                    }
                }
            }
            EventKind::FindingRecorded(_) => {}
            EventKind::PolicyExpired(x) => {
                self.expired_policies.insert(x.policy.clone());
            }
            EventKind::ClockAdvanced(x) => self.clock = Some(x.to),
            EventKind::DocumentIssued(x) => {
                self.documents.insert(
                    x.sm3.clone(),
                    crate::document::IssuedDocument {
                        event: x.clone(),
                        recorded_on: on,
                        articles: e.article_texts(),
                    },
                );
            }
            other => {
                if let Some(id) = base_of(other) {
                    self.bases.apply(id, on, other);
                }
            }
        }
    }
}

impl EventKind {
    /// The base an event creates or changes, if any: what a view of the register keyed by base
    /// has to look at again after the event is folded in.
    pub fn base_concerned(&self) -> Option<&str> {
        match self {
            EventKind::BaseNamed(e) => Some(&e.base),
            EventKind::BaseCarriedOver(e) => Some(&e.base),
            other => base_of(other),
        }
    }
}

/// The base an event concerns, for the base-only events.
fn base_of(k: &EventKind) -> Option<&str> {
    Some(match k {
        EventKind::BaseReclassified(e) => &e.base,
        EventKind::AnnualReportSubmitted(e) => &e.base,
        EventKind::AnnualReportMissing(e) => &e.base,
        EventKind::AnnualAssessmentRecorded(e) => &e.base,
        EventKind::EvaluationDue(e) => &e.base,
        EventKind::EvaluationRecorded(e) => &e.base,
        EventKind::RectificationOrdered(e) => &e.base,
        EventKind::RectificationPeriodEnded(e) => &e.base,
        EventKind::RectificationCompleted(e) => &e.base,
        EventKind::BaseTerminated(e) => &e.base,
        EventKind::BaseRevoked(e) => &e.base,
        EventKind::BaseDisqualified(e) => &e.base,
        EventKind::BaseExitedNational(e) => &e.base,
        EventKind::MajorChangeFiled(e) => &e.base,
        EventKind::MajorChangeEndorsed(e) => &e.base,
        EventKind::MajorChangeApproved(e) => &e.base,
        EventKind::MajorChangeRejected(e) => &e.base,
        EventKind::PostSubsidyAwarded(e) => &e.base,
        EventKind::RecommendedToNational(e) => &e.base,
        EventKind::NationalOutcomeRecorded(e) => &e.base,
        _ => return None,
    })
}
