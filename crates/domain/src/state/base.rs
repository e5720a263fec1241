//! What a base's record answers: its status on a date, its reports, grades, evaluations and
//! rectifications.

use super::*;

impl Base {
    /// The status on a date, from the history (none before recognition).
    pub fn status_on(&self, date: NaiveDate) -> Option<BaseStatus> {
        if date < self.recognised_on {
            return None;
        }
        let i = self.history.partition_point(|e| e.from <= date);
        Some(if i == 0 {
            BaseStatus::Active
        } else {
            self.history[i - 1].status
        })
    }

    fn set_status(&mut self, from: NaiveDate, status: BaseStatus, consequence: Option<&str>) {
        self.status = status;
        // Effective dates may precede later-recorded entries (a national document's date), so
        // the history is kept sorted by date, not by recording order.
        let i = self.history.partition_point(|e| e.from <= from);
        self.history.insert(
            i,
            StatusEntry {
                from,
                status,
                consequence: consequence.map(str::to_string),
            },
        );
    }

    /// The entry of the status history in effect on `date` (none before recognition, nor for a
    /// base whose history is empty).
    pub fn status_entry_on(&self, date: NaiveDate) -> Option<&StatusEntry> {
        if date < self.recognised_on {
            return None;
        }
        let i = self.history.partition_point(|e| e.from <= date);
        i.checked_sub(1).map(|i| &self.history[i])
    }

    /// Applies an event that concerns this base alone.
    pub(crate) fn apply(&mut self, on: NaiveDate, kind: &EventKind) {
        match kind {
            EventKind::BaseReclassified(e) => self.category = Some(e.to.clone()),
            EventKind::AnnualReportSubmitted(e) => {
                self.reports.insert(
                    e.year,
                    ReportRecord {
                        submitted_on: e.submitted_on,
                        due_on: e.due_on,
                        late: e.late,
                    },
                );
            }
            EventKind::AnnualReportMissing(e) => {
                self.missing_reports.insert(e.year);
            }
            EventKind::AnnualAssessmentRecorded(e) => {
                self.annual_grades.insert(
                    e.year,
                    AnnualGrade {
                        grade: e.grade.clone(),
                        missing_report: e.missing_report,
                        recorded_on: on,
                    },
                );
            }
            EventKind::EvaluationDue(e) => self.evaluations_due = self.evaluations_due.max(e.cycle),
            EventKind::PostSubsidyAwarded(e) => self.post_subsidies.push(crate::subsidy::PostSubsidyRecord {
                event: e.clone(),
                recorded_on: on,
            }),
            EventKind::EvaluationRecorded(e) => {
                self.evaluations.push(EvaluationResult {
                    on,
                    grade: e.grade.clone(),
                    re_evaluation: e.re_evaluation,
                });
            }
            EventKind::RectificationOrdered(e) => {
                self.rectification = Some(Rectification {
                    from: e.from,
                    until: e.until,
                    period_ended: false,
                });
                self.set_status(
                    e.from,
                    BaseStatus::UnderRectification { until: e.until },
                    Some(&e.consequence),
                );
            }
            EventKind::RectificationPeriodEnded(_) => {
                if let Some(r) = &mut self.rectification {
                    r.period_ended = true;
                }
            }
            EventKind::RectificationCompleted(_) => self.set_status(on, BaseStatus::Active, None),
            EventKind::BaseTerminated(e) => {
                self.set_status(e.effective_on, BaseStatus::Terminated, Some(&e.consequence))
            }
            EventKind::BaseRevoked(e) => self.set_status(e.effective_on, BaseStatus::Revoked, Some(&e.consequence)),
            EventKind::BaseDisqualified(e) => self.set_status(
                e.effective_on,
                BaseStatus::Disqualified { ban_until: e.ban_until },
                Some(&e.consequence),
            ),
            EventKind::BaseExitedNational(e) => {
                self.set_status(e.effective_on, BaseStatus::ExitedNational, Some(&e.consequence))
            }
            EventKind::MajorChangeFiled(e) => {
                self.major_changes.insert(
                    e.change.clone(),
                    MajorChange {
                        kind: e.kind.clone(),
                        details: e.details.clone(),
                        approval: e.approval.clone(),
                        approved_by: Vec::new(),
                        status: ChangeStatus::Pending,
                        filed_on: on,
                    },
                );
            }
            EventKind::MajorChangeEndorsed(e) => {
                if let Some(c) = self.major_changes.get_mut(&e.change) {
                    c.approved_by.push(e.by);
                }
            }
            EventKind::MajorChangeApproved(e) => {
                let Some(c) = self.major_changes.get_mut(&e.change) else {
                    return;
                };
                c.approved_by.push(e.by);
                c.status = ChangeStatus::Approved;
                let d = c.details.clone();
                if let Some(v) = d.official_name {
                    self.official_name = v;
                }
                if let Some(v) = d.director {
                    self.director = v;
                }
                if let Some(v) = d.domain {
                    self.domain = v;
                }
                if let Some(v) = d.partner_country {
                    self.partner_country = Some(v);
                }
                if let Some(v) = d.unit_name {
                    self.unit_name = v;
                }
                if let Some(v) = d.uscc {
                    self.uscc = v;
                }
                if let Some(v) = d.category {
                    self.category = Some(v);
                }
            }
            EventKind::MajorChangeRejected(e) => {
                if let Some(c) = self.major_changes.get_mut(&e.change) {
                    c.status = ChangeStatus::Rejected;
                }
            }
            EventKind::RecommendedToNational(e) => self.national.push(crate::national::NationalRecord {
                recommendation: e.clone(),
                outcome: None,
            }),
            EventKind::NationalOutcomeRecorded(e) => {
                if let Some(r) = self.national.iter_mut().find(|r| r.recommendation.year == e.year) {
                    r.outcome = Some((on, e.clone()));
                }
            }
            _ => {}
        }
    }
}
