//! 待办与逾期 — the department's work queue as a view: what is due or overdue, per policy and
//! kind, pre-sorted (overdue first, then by due date and subject), with the counts the dashboard
//! sums up; and the applications by stage.
//!
//! What is due, and when:
//! - **annual report** (年度报告): a base on the register, recognised by the end of last year,
//!   whose report for last year is neither filed nor recorded missing; due on the policy's day
//!   (Hunan 第十四条 and Hubei 第二十二条第二款: "于每年1月15日前"; `lifecycle.annual_report`), overdue
//!   after it (on it, when the day itself is not on time). A deadline that passed before the base
//!   entered the register (a base carried over later) is not asked for, as the clock does not
//!   hold the base to it either;
//! - **evaluation** (阶段性评估): a base whose evaluations fell due (`evaluations_due`) more often
//!   than it was evaluated; overdue at once, as the due date is in the past when it is recorded;
//! - **rectification** (限期整改): a base under rectification, due at the period's end, and a
//!   re-evaluation due once it is over;
//! - **decision** (认定结论): an application under review whose assigned experts have all
//!   reviewed;
//! - **objection** (实名异议): an objection to a public notice not yet resolved, due when the
//!   notice ends;
//! - **notice end / naming** (公示期满): a notice with applications still in notice, due when it
//!   ends (naming is due after that);
//! - **round** (申报批次): a round open for applications today, due when it closes.
//!
//! The view is kept as the register view is: the application service notes each event folded in
//! ([`DueView::note`]: the bases, applications, notices and rounds it concerns), and the view is
//! brought up to date before it is read ([`DueView::sync`]), recomputing only what was noted.
//! Every entry depends on the date (last year's report, overdue or not, rounds open today), so a
//! new business date, or another policy set, rebuilds the view: once a day, at the first look.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use guohe_domain::{ApplicationStatus, BaseStatus, Event, EventKind, World};
use guohe_policy::PolicySet;

/// What is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DueKind {
    /// 年度报告 — last year's annual report is neither filed nor recorded missing.
    AnnualReport,
    /// 阶段性评估到期 — an evaluation fell due.
    Evaluation,
    /// 限期整改截止 — a rectification period ends.
    RectificationEnds,
    /// 整改期满，待复评 — a rectification period is over; re-evaluation is due.
    ReEvaluation,
    /// 评审已完成，待作出认定结论 — every assigned expert has reviewed.
    Decision,
    /// 实名异议待处理 — an objection to a notice is unresolved.
    Objection,
    /// 公示期截止 — a notice with applications in it ends.
    NoticeEnds,
    /// 公示期满，待命名 — a notice is over with applications still in it.
    Naming,
    /// 申报批次截止受理 — an open round closes.
    RoundCloses,
}

impl DueKind {
    /// Every kind, in the order the dashboard lists them.
    pub const ALL: [DueKind; 9] = [
        DueKind::AnnualReport,
        DueKind::Evaluation,
        DueKind::RectificationEnds,
        DueKind::ReEvaluation,
        DueKind::Decision,
        DueKind::Objection,
        DueKind::NoticeEnds,
        DueKind::Naming,
        DueKind::RoundCloses,
    ];

    /// The code used in links (`?kind=annual_report`).
    pub fn code(self) -> &'static str {
        match self {
            DueKind::AnnualReport => "annual_report",
            DueKind::Evaluation => "evaluation",
            DueKind::RectificationEnds => "rectification_ends",
            DueKind::ReEvaluation => "re_evaluation",
            DueKind::Decision => "decision",
            DueKind::Objection => "objection",
            DueKind::NoticeEnds => "notice_ends",
            DueKind::Naming => "naming",
            DueKind::RoundCloses => "round_closes",
        }
    }

    /// The kind of a code.
    pub fn parse(code: &str) -> Option<DueKind> {
        DueKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The case an entry is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DueCase {
    /// A base, by id.
    Base(String),
    /// An application, by id.
    Application(String),
    /// A public notice, by id.
    Notice(String),
    /// A round, by id.
    Round(String),
}

/// One thing due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueEntry {
    /// Past due on the view's date.
    pub overdue: bool,
    /// The date it is due.
    pub due: NaiveDate,
    /// What the list shows as the subject: a base's official name, an application's id and
    /// unit, a notice's id, a round's title.
    pub subject: String,
    /// What is due.
    pub kind: DueKind,
    /// The case it is about.
    pub case: DueCase,
    /// The policy the case is under.
    pub policy: String,
    /// The report year, for an annual report.
    pub year: Option<i32>,
    /// The application objected to, for an objection.
    pub application: Option<String>,
    /// The objection's id, for an objection (two objections to one application are two entries).
    pub objection: Option<String>,
    /// Applications still in notice, for a notice.
    pub waiting: usize,
}

impl DueEntry {
    fn key(&self) -> impl Ord + '_ {
        (
            Reverse(self.overdue),
            self.due,
            &self.subject,
            self.kind,
            &self.case,
            &self.application,
            &self.objection,
        )
    }
}

impl Ord for DueEntry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for DueEntry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The entries a case gives on `date`.
pub fn entries_of(world: &World, policies: &PolicySet, date: NaiveDate, case: &DueCase) -> Vec<DueEntry> {
    let mut out = Vec::new();
    let entry = |kind, case: &DueCase, policy: &str, subject: String, due, overdue| DueEntry {
        overdue,
        due,
        subject,
        kind,
        case: case.clone(),
        policy: policy.to_string(),
        year: None,
        application: None,
        objection: None,
        waiting: 0,
    };
    match case {
        DueCase::Base(id) => {
            let Some(b) = world.base(id).filter(|b| b.status.on_register()) else {
                return out;
            };
            let Some(policy) = policies.get(&b.policy) else {
                return out;
            };
            let year = date.year() - 1;
            // As the clock holds a base to its reports (and the reminders follow): from the year
            // of recognition, and only a deadline that falls after the base entered the register.
            if let Some((due, missed)) = crate::due::annual_report_deadline(policy, year)
                && b.recognised_on.year() <= year
                && missed > b.entered_on
                && !b.reports.contains_key(&year)
                && !b.missing_reports.contains(&year)
            {
                let over = date >= missed;
                let mut e = entry(
                    DueKind::AnnualReport,
                    case,
                    &b.policy,
                    b.official_name.clone(),
                    due,
                    over,
                );
                e.year = Some(year);
                out.push(e);
            }
            let evaluated = b.evaluations.iter().filter(|e| !e.re_evaluation).count() as u32;
            if b.evaluations_due > evaluated {
                out.push(entry(
                    DueKind::Evaluation,
                    case,
                    &b.policy,
                    b.official_name.clone(),
                    date,
                    true,
                ));
            }
            if let BaseStatus::UnderRectification { until } = b.status {
                let kind = if until <= date {
                    DueKind::ReEvaluation
                } else {
                    DueKind::RectificationEnds
                };
                out.push(entry(
                    kind,
                    case,
                    &b.policy,
                    b.official_name.clone(),
                    until,
                    until <= date,
                ));
            }
        }
        DueCase::Application(id) => {
            if let Some(a) = world.application(id)
                && a.status == ApplicationStatus::UnderReview
                && !a.experts.is_empty()
                && a.completed_reviews() == a.experts.len()
            {
                let subject = format!("{} {}", a.id, a.facts.unit.name);
                out.push(entry(DueKind::Decision, case, &a.policy, subject, date, false));
            }
        }
        DueCase::Notice(id) => {
            let Some(n) = world.notice(id) else { return out };
            for o in n.objections.values().filter(|o| o.resolution.is_none()) {
                let subject = format!("{} · {}", n.id, o.application);
                let mut e = entry(
                    DueKind::Objection,
                    case,
                    &n.policy,
                    subject,
                    n.ends_on,
                    date > n.ends_on,
                );
                e.application = Some(o.application.clone());
                e.objection = Some(o.id.clone());
                out.push(e);
            }
            let waiting = n
                .applications
                .iter()
                .filter_map(|a| world.application(a))
                .filter(|a| a.status == ApplicationStatus::InNotice)
                .count();
            if waiting > 0 {
                let kind = if date > n.ends_on {
                    DueKind::Naming
                } else {
                    DueKind::NoticeEnds
                };
                let mut e = entry(kind, case, &n.policy, format!("{} ({waiting})", n.id), n.ends_on, false);
                e.waiting = waiting;
                out.push(e);
            }
        }
        DueCase::Round(id) => {
            if let Some(r) = world.round(id)
                && r.accepts_on(date)
            {
                out.push(entry(
                    DueKind::RoundCloses,
                    case,
                    &r.policy,
                    r.title.clone(),
                    r.closes_on,
                    false,
                ));
            }
        }
    }
    out
}

/// Every case that may give an entry.
fn every_case(world: &World) -> impl Iterator<Item = DueCase> + '_ {
    world
        .bases()
        .map(|b| DueCase::Base(b.id.clone()))
        .chain(world.applications().map(|a| DueCase::Application(a.id.clone())))
        .chain(world.notices().map(|n| DueCase::Notice(n.id.clone())))
        .chain(world.rounds().map(|r| DueCase::Round(r.id.clone())))
}

/// Where an application stands, as the dashboard counts it (its slot in
/// [`APPLICATION_STAGES`]).
pub(crate) fn stage_slot(s: ApplicationStatus) -> usize {
    match s {
        ApplicationStatus::Submitted => 0,
        ApplicationStatus::Returned => 1,
        ApplicationStatus::Recommended => 2,
        ApplicationStatus::UnderReview => 3,
        ApplicationStatus::Approved => 4,
        ApplicationStatus::InNotice => 5,
        ApplicationStatus::Named => 6,
        ApplicationStatus::Rejected => 7,
        ApplicationStatus::Withdrawn => 8,
    }
}

/// Every stage of an application, in the order the dashboard and the statistics list them.
pub const APPLICATION_STAGES: [ApplicationStatus; 9] = crate::stats::STAGES;

/// Which part of the work queue to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueQuery {
    /// One kind only.
    pub kind: Option<DueKind>,
    /// Entries to skip.
    pub offset: usize,
    /// Entries to show.
    pub limit: usize,
}

/// One kind's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueCount {
    /// The kind.
    pub kind: DueKind,
    /// Entries of that kind.
    pub total: usize,
    /// Of them, past due.
    pub overdue: usize,
}

/// A page of the work queue, with the counts of every kind and the applications by stage, for
/// the policies asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuePage {
    /// The entries of the page, overdue first, then by due date and subject.
    pub entries: Vec<DueEntry>,
    /// Entries matching the query's kind (or all).
    pub total: usize,
    /// Every kind with at least one entry, in [`DueKind::ALL`] order.
    pub counts: Vec<DueCount>,
    /// Applications by stage, in [`APPLICATION_STAGES`] order.
    pub stages: Vec<(ApplicationStatus, usize)>,
}

/// The work queue as a view (see the module docs).
#[derive(Debug, Clone)]
pub struct DueView {
    /// The date the entries hold on; `None` until the first sync.
    date: Option<NaiveDate>,
    /// Entries by (policy, kind), sorted.
    lists: BTreeMap<(String, DueKind), BTreeSet<DueEntry>>,
    /// Past-due entries by (policy, kind).
    overdue: HashMap<(String, DueKind), usize>,
    /// The entries each case gave.
    by_case: HashMap<DueCase, Vec<DueEntry>>,
    /// Each application's policy and stage slot.
    stage_of: HashMap<String, (String, usize)>,
    /// Applications by policy, per stage slot.
    stages: BTreeMap<String, [usize; 9]>,
    /// Cases that events concerned since the last sync.
    dirty: HashSet<DueCase>,
    /// The world was replaced: rebuild at the next sync.
    stale: bool,
}

impl Default for DueView {
    fn default() -> Self {
        DueView::new()
    }
}

impl DueView {
    /// An empty view, to be built at the first sync.
    pub fn new() -> DueView {
        DueView {
            date: None,
            lists: BTreeMap::new(),
            overdue: HashMap::new(),
            by_case: HashMap::new(),
            stage_of: HashMap::new(),
            stages: BTreeMap::new(),
            dirty: HashSet::new(),
            stale: true,
        }
    }

    /// A full view of `world` on `date`.
    pub fn build(world: &World, policies: &PolicySet, date: NaiveDate) -> DueView {
        let mut v = DueView::new();
        v.sync(world, policies, date);
        v
    }

    /// Whether the view answers for `date` without a sync.
    pub fn is_current(&self, date: NaiveDate) -> bool {
        !self.stale && self.dirty.is_empty() && self.date == Some(date)
    }

    /// Notes an event just folded into `world`: the cases it concerns are looked at again at
    /// the next sync.
    pub fn note(&mut self, world: &World, e: &Event) {
        if self.stale {
            return;
        }
        let application = |v: &mut DueView, id: &str| {
            v.dirty.insert(DueCase::Application(id.to_string()));
            if let Some(n) = world.application(id).and_then(|a| a.notice.as_deref()) {
                v.dirty.insert(DueCase::Notice(n.to_string()));
            }
        };
        if let Some(b) = e.kind.base_concerned() {
            self.dirty.insert(DueCase::Base(b.to_string()));
        }
        // Naming is a base's event that moves its application on.
        if let EventKind::BaseNamed(x) = &e.kind {
            application(self, &x.application);
        }
        let Some((prefix, id)) = e.stream.split_once('/') else {
            return;
        };
        match prefix {
            "base" => {
                self.dirty.insert(DueCase::Base(id.to_string()));
            }
            "application" => application(self, id),
            "notice" => {
                self.dirty.insert(DueCase::Notice(id.to_string()));
                // Starting a notice moves every application it lists.
                for a in world.notice(id).map(|n| n.applications.as_slice()).unwrap_or_default() {
                    application(self, a);
                }
            }
            "round" => {
                self.dirty.insert(DueCase::Round(id.to_string()));
            }
            _ => {}
        }
    }

    /// The world or the policies were replaced: the next sync rebuilds the view.
    pub fn reset(&mut self) {
        self.stale = true;
        self.dirty.clear();
    }

    /// Brings the view up to date with `world` on `date` under `policies`: the cases noted are
    /// computed again, or everything when the date changed or the view was reset.
    pub fn sync(&mut self, world: &World, policies: &PolicySet, date: NaiveDate) {
        if self.stale || self.date != Some(date) {
            *self = DueView {
                date: Some(date),
                stale: false,
                ..DueView::new()
            };
            for case in every_case(world) {
                self.put(world, policies, case);
            }
            return;
        }
        for case in std::mem::take(&mut self.dirty) {
            self.put(world, policies, case);
        }
    }

    fn put(&mut self, world: &World, policies: &PolicySet, case: DueCase) {
        let Some(date) = self.date else { return };
        if let DueCase::Application(id) = &case {
            self.restage(
                id,
                world.application(id).map(|a| (a.policy.clone(), stage_slot(a.status))),
            );
        }
        for e in self.by_case.remove(&case).unwrap_or_default() {
            let key = (e.policy.clone(), e.kind);
            if e.overdue
                && let Some(n) = self.overdue.get_mut(&key)
            {
                *n -= 1;
            }
            if let Some(list) = self.lists.get_mut(&key) {
                list.remove(&e);
                if list.is_empty() {
                    self.lists.remove(&key);
                }
            }
        }
        let entries = entries_of(world, policies, date, &case);
        for e in &entries {
            let key = (e.policy.clone(), e.kind);
            if e.overdue {
                *self.overdue.entry(key.clone()).or_insert(0) += 1;
            }
            self.lists.entry(key).or_default().insert(e.clone());
        }
        if !entries.is_empty() {
            self.by_case.insert(case, entries);
        }
    }

    fn restage(&mut self, id: &str, now: Option<(String, usize)>) {
        if let Some((policy, slot)) = self.stage_of.remove(id)
            && let Some(counts) = self.stages.get_mut(&policy)
        {
            counts[slot] -= 1;
        }
        if let Some((policy, slot)) = now {
            self.stages.entry(policy.clone()).or_insert([0; 9])[slot] += 1;
            self.stage_of.insert(id.to_string(), (policy, slot));
        }
    }

    /// A page of the entries of the policies `in_scope`, with their counts and stages.
    pub fn query(&self, in_scope: &dyn Fn(&str) -> bool, q: &DueQuery) -> DuePage {
        let mut counts: Vec<DueCount> = DueKind::ALL
            .iter()
            .map(|&kind| DueCount {
                kind,
                total: 0,
                overdue: 0,
            })
            .collect();
        let mut chosen: Vec<&BTreeSet<DueEntry>> = Vec::new();
        for ((policy, kind), list) in &self.lists {
            if !in_scope(policy) {
                continue;
            }
            let c = &mut counts[DueKind::ALL.iter().position(|k| k == kind).unwrap_or(0)];
            c.total += list.len();
            c.overdue += self.overdue.get(&(policy.clone(), *kind)).copied().unwrap_or(0);
            if q.kind.is_none_or(|k| k == *kind) {
                chosen.push(list);
            }
        }
        let total = chosen.iter().map(|l| l.len()).sum();
        let entries = merged(&chosen, q.offset, q.limit);
        let mut stages = [0usize; 9];
        for (_, n) in self.stages.iter().filter(|(p, _)| in_scope(p)) {
            for (s, k) in stages.iter_mut().zip(n) {
                *s += k;
            }
        }
        DuePage {
            entries,
            total,
            counts: counts.into_iter().filter(|c| c.total > 0).collect(),
            stages: APPLICATION_STAGES.into_iter().zip(stages).collect(),
        }
    }
}

/// Entries `offset..offset + limit` of the sorted lists merged into one order.
fn merged(lists: &[&BTreeSet<DueEntry>], offset: usize, limit: usize) -> Vec<DueEntry> {
    let mut iters: Vec<_> = lists.iter().map(|l| l.iter()).collect();
    let mut heap = BinaryHeap::new();
    for (i, it) in iters.iter_mut().enumerate() {
        if let Some(e) = it.next() {
            heap.push(Reverse((e, i)));
        }
    }
    let mut out = Vec::with_capacity(limit.min(1024));
    let mut skipped = 0;
    while out.len() < limit {
        let Some(Reverse((e, i))) = heap.pop() else { break };
        if skipped < offset {
            skipped += 1;
        } else {
            out.push(e.clone());
        }
        if let Some(next) = iters[i].next() {
            heap.push(Reverse((next, i)));
        }
    }
    out
}
