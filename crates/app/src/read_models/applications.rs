//! 申报一览 — the applications, kept in each order a list may ask for (id, submission date,
//! unit, status), with what the lists filter on (policy, round, status, search text), so that a
//! page of `GET /api/v1/applications` walks one ordered index and builds only the rows it shows.
//!
//! Who may see which application is the web's authorization; the view hands it each candidate
//! in order and counts what it accepts. It also keeps, for each expert, the applications on
//! which they hold a seat (评审任务), so that an expert's list costs their own assignments. Nothing here depends on the date: the view is synced as
//! events are folded in, like the register.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use guohe_domain::{ApplicationCase, ApplicationStatus, Event, EventKind, World};

/// The orders a list of applications may be asked in; ties go by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApplicationSort {
    /// By id.
    #[default]
    Id,
    /// By submission date.
    SubmittedOn,
    /// By support unit's name.
    Unit,
    /// By status, in procedure order (提交 … 命名, 撤回).
    Status,
}

/// A question to the list of applications.
#[derive(Debug, Clone, Default)]
pub struct ApplicationQuery {
    /// Text searched (case-insensitively) in the id, the unit's name and the domain.
    pub needle: String,
    /// Only this status.
    pub status: Option<ApplicationStatus>,
    /// Only this policy.
    pub policy: Option<String>,
    /// Only this round.
    pub round: Option<String>,
    /// Order.
    pub sort: ApplicationSort,
    /// Reverse the order (ties too).
    pub descending: bool,
    /// Rows skipped before the page.
    pub offset: usize,
    /// Rows in the page.
    pub limit: usize,
}

/// Whose applications a list shows: the whole of some policies (the department, whose totals
/// come from counts kept per policy and status, and whose page walk stops at the page), those a
/// rule accepts, looked at one by one, or those a rule accepts among a unit's own applications or
/// an expert's seats (the index gives the candidates: the cost is theirs, not every application's).
#[derive(Clone, Copy)]
pub enum ApplicationScope<'a> {
    /// Every application under these policies.
    Policies(&'a [String]),
    /// The applications this rule accepts.
    Each(&'a (dyn Fn(&ApplicationCase) -> bool + Sync)),
    /// The applications of the support unit with this 统一社会信用代码 that the rule accepts.
    Unit(&'a str, &'a (dyn Fn(&ApplicationCase) -> bool + Sync)),
    /// The applications on which the expert with this login holds a seat that the rule accepts.
    Seated(&'a str, &'a (dyn Fn(&ApplicationCase) -> bool + Sync)),
    /// 辖区 — the applications of units whose region code (GB/T 2260) starts with one of
    /// `region_prefixes`, or whose 统一社会信用代码 is one of `units`, that the rule accepts: a
    /// recommender's jurisdiction. An empty prefix covers nothing.
    Covered {
        /// Region code prefixes, e.g. `4301` (长沙市).
        region_prefixes: &'a [String],
        /// Units covered wherever they are registered.
        units: &'a [String],
        /// Decides case by case among the candidates.
        rule: &'a (dyn Fn(&ApplicationCase) -> bool + Sync),
    },
}

impl std::fmt::Debug for ApplicationScope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplicationScope::Policies(p) => f.debug_tuple("Policies").field(p).finish(),
            ApplicationScope::Each(_) => f.write_str("Each(..)"),
            ApplicationScope::Unit(uscc, _) => f.debug_tuple("Unit").field(uscc).finish(),
            ApplicationScope::Seated(login, _) => f.debug_tuple("Seated").field(login).finish(),
            ApplicationScope::Covered {
                region_prefixes, units, ..
            } => f
                .debug_struct("Covered")
                .field("region_prefixes", region_prefixes)
                .field("units", units)
                .finish_non_exhaustive(),
        }
    }
}

/// A jurisdiction whose candidates are at least 1/this of the view is walked in order rather
/// than sorted ([`ApplicationsView::query`]).
const BROAD_JURISDICTION: usize = 4;

/// Statuses, one slot each ([`slot`]), for the counts.
const STATUS_SLOTS: usize = 9;

/// One page of applications and how many matched in all.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationPage<T> {
    /// This page's rows, in order.
    pub items: Vec<T>,
    /// Matching applications the caller may see, all pages together.
    pub total: usize,
}

/// A status's slot in the counts.
fn slot(s: ApplicationStatus) -> usize {
    // Every status named: a new one must be given its slot (and STATUS_SLOTS grown) on purpose.
    match s {
        ApplicationStatus::Submitted => 0,
        ApplicationStatus::Returned => 1,
        ApplicationStatus::Recommended => 2,
        ApplicationStatus::UnderReview => 3,
        ApplicationStatus::Approved => 4,
        ApplicationStatus::Rejected => 5,
        ApplicationStatus::InNotice => 6,
        ApplicationStatus::Named => 7,
        ApplicationStatus::Withdrawn => 8,
    }
}

/// What the lists sort and filter an application by.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Keys {
    status: ApplicationStatus,
    policy: String,
    round: String,
    submitted_on: NaiveDate,
    unit: String,
    /// Id, unit and domain, lower-cased, for the search.
    haystack: String,
    /// The experts seated on it (their logins, sorted).
    experts: Vec<String>,
    /// The support unit's code as the unit index holds it ([`super::unit_key`]).
    unit_key: String,
    /// The files attached to it (their ids).
    files: BTreeSet<String>,
    /// The unit's region code (GB/T 2260), trimmed.
    region: String,
    /// The 公示 listing it last, if any.
    notice: Option<String>,
}

impl Keys {
    fn of(a: &ApplicationCase) -> Keys {
        Keys {
            status: a.status,
            policy: a.policy.clone(),
            round: a.round.clone(),
            submitted_on: a.submitted_on,
            unit: a.facts.unit.name.clone(),
            haystack: format!("{}\u{1}{}\u{1}{}", a.id, a.facts.unit.name, a.facts.technology_domain).to_lowercase(),
            experts: a.experts.keys().cloned().collect(),
            unit_key: super::unit_key(&a.facts.unit.uscc),
            files: a.facts.attachments.iter().map(|x| x.file.clone()).collect(),
            region: a.facts.unit.region_code.trim().to_string(),
            notice: a.notice.clone(),
        }
    }

    /// Whether a jurisdiction covers it, as [`ApplicationsView::covered`] finds candidates: its
    /// region code starts with a (non-empty) prefix, or its unit is listed.
    fn covered_by(&self, region_prefixes: &[String], units: &[String]) -> bool {
        region_prefixes
            .iter()
            .any(|p| !p.is_empty() && self.region.starts_with(p.as_str()))
            || units.iter().any(|u| u.trim().eq_ignore_ascii_case(&self.unit_key))
    }

    fn matches(&self, q: &ApplicationQuery) -> bool {
        q.status.is_none_or(|s| s == self.status)
            && q.policy.as_deref().is_none_or(|p| p == self.policy)
            && q.round.as_deref().is_none_or(|r| r == self.round)
            && (q.needle.is_empty() || (!q.needle.contains('\u{1}') && self.haystack.contains(&q.needle)))
    }
}

/// The applications in every order the lists use.
#[derive(Debug, Default)]
pub struct ApplicationsView {
    keys: HashMap<String, Keys>,
    by_id: BTreeSet<String>,
    by_submitted: BTreeSet<(NaiveDate, String)>,
    by_unit: BTreeSet<(String, String)>,
    by_status: BTreeSet<(u8, String)>,
    /// 评审任务 — for each expert's login, the applications on which they hold a seat.
    by_expert: HashMap<String, BTreeSet<String>>,
    /// For each support unit ([`super::unit_key`]), its applications.
    by_unit_key: HashMap<String, BTreeSet<String>>,
    /// For each attached file, the applications listing it.
    by_file: HashMap<String, BTreeSet<String>>,
    /// By the unit's region code, so that the applications of a region prefix are one run.
    by_region: BTreeSet<(String, String)>,
    /// Applications by policy and status (slot = the status's place in the enum).
    counts: HashMap<String, [usize; STATUS_SLOTS]>,
    /// Applications by round (申报批次), for the department's list of rounds.
    per_round: HashMap<String, usize>,
    /// 公示 — applications by the notice listing them last: the notices the public lists.
    per_notice: HashMap<String, usize>,
    /// Applications whose events were folded in since the last sync.
    dirty: BTreeSet<String>,
    /// Everything must be rebuilt (a replay from the start, a snapshot).
    stale: bool,
}

impl ApplicationsView {
    /// An empty view, to be synced.
    pub fn new() -> ApplicationsView {
        ApplicationsView {
            stale: true,
            ..ApplicationsView::default()
        }
    }

    /// Notes the applications an event may have changed.
    pub fn note(&mut self, e: &Event) {
        if self.stale {
            return;
        }
        match &e.kind {
            EventKind::ApplicationSubmitted(x) => self.mark(&x.application),
            EventKind::ApplicationResubmitted(x) => self.mark(&x.application),
            EventKind::ApplicationReturned(x) => self.mark(&x.application),
            EventKind::ApplicationWithdrawn(x) => self.mark(&x.application),
            EventKind::ApplicationRecommended(x) => self.mark(&x.application),
            EventKind::ExpertAssigned(x) => self.mark(&x.application),
            EventKind::ConflictDeclared(x) => self.mark(&x.application),
            EventKind::ReviewSubmitted(x) => self.mark(&x.application),
            EventKind::SiteInspectionRecorded(x) => self.mark(&x.application),
            EventKind::ApplicationDecided(x) => self.mark(&x.application),
            EventKind::ApplicationRejected(x) => self.mark(&x.application),
            EventKind::ObjectionLodged(x) => self.mark(&x.application),
            EventKind::BaseNamed(x) => self.mark(&x.application),
            EventKind::ExpertPanelDrawn(x) => self.mark(&x.application),
            EventKind::PanelSeatDeclined(x) => self.mark(&x.application),
            EventKind::FindingRecorded(x) => self.mark(&x.case),
            EventKind::PublicNoticeStarted(x) => {
                for a in &x.applications {
                    self.mark(a);
                }
            }
            // A notice's end and an objection's resolution move applications only by events of
            // their own (rejection, naming); the base's and the rounds' events never do. Every
            // kind is named, so that a new kind must be placed here on purpose.
            EventKind::ObjectionResolved(_)
            | EventKind::PublicNoticeEnded(_)
            | EventKind::RoundOpened(_)
            | EventKind::RoundClosed(_)
            | EventKind::BaseCarriedOver(_)
            | EventKind::BaseReclassified(_)
            | EventKind::AnnualReportSubmitted(_)
            | EventKind::AnnualReportMissing(_)
            | EventKind::AnnualAssessmentRecorded(_)
            | EventKind::EvaluationDue(_)
            | EventKind::EvaluationRecorded(_)
            | EventKind::RectificationOrdered(_)
            | EventKind::RectificationPeriodEnded(_)
            | EventKind::RectificationCompleted(_)
            | EventKind::BaseTerminated(_)
            | EventKind::BaseRevoked(_)
            | EventKind::BaseDisqualified(_)
            | EventKind::UnitBanned(_)
            | EventKind::BaseExitedNational(_)
            | EventKind::MajorChangeFiled(_)
            | EventKind::MajorChangeEndorsed(_)
            | EventKind::MajorChangeApproved(_)
            | EventKind::MajorChangeRejected(_)
            | EventKind::PolicyExpired(_)
            | EventKind::ClockAdvanced(_)
            | EventKind::InspectionsDrawn(_)
            | EventKind::InspectionResultRecorded(_)
            | EventKind::PostSubsidyAwarded(_)
            | EventKind::RecommendedToNational(_)
            | EventKind::NationalOutcomeRecorded(_)
            | EventKind::DocumentIssued(_) => {}
        }
    }

    fn mark(&mut self, id: &str) {
        if !self.dirty.contains(id) {
            self.dirty.insert(id.to_string());
        }
    }

    /// Forgets everything: the next sync rebuilds from the world.
    pub fn reset(&mut self) {
        self.stale = true;
        self.dirty.clear();
    }

    /// Brings the view up to date with `world`.
    pub fn sync(&mut self, world: &World) {
        if self.stale {
            *self = ApplicationsView::default();
            for a in world.applications() {
                self.put(&a.id, Some(Keys::of(a)));
            }
            return;
        }
        for id in std::mem::take(&mut self.dirty) {
            let keys = world.application(&id).map(Keys::of);
            self.put(&id, keys);
        }
    }

    fn put(&mut self, id: &str, keys: Option<Keys>) {
        if let Some(old) = self.keys.remove(id) {
            if keys.as_ref() == Some(&old) {
                self.keys.insert(id.to_string(), old);
                return;
            }
            if let Some(c) = self.counts.get_mut(&old.policy) {
                c[slot(old.status)] -= 1;
            }
            uncount(&mut self.per_round, &old.round);
            self.by_submitted.remove(&(old.submitted_on, id.to_string()));
            self.by_unit.remove(&(old.unit, id.to_string()));
            self.by_status.remove(&(old.status as u8, id.to_string()));
            self.by_id.remove(id);
            for login in &old.experts {
                unlist(&mut self.by_expert, login, id);
            }
            unlist(&mut self.by_unit_key, &old.unit_key, id);
            for file in &old.files {
                unlist(&mut self.by_file, file, id);
            }
            self.by_region.remove(&(old.region, id.to_string()));
            if let Some(n) = &old.notice {
                uncount(&mut self.per_notice, n);
            }
        }
        let Some(k) = keys else { return };
        self.by_id.insert(id.to_string());
        self.by_submitted.insert((k.submitted_on, id.to_string()));
        self.by_unit.insert((k.unit.clone(), id.to_string()));
        self.by_status.insert((k.status as u8, id.to_string()));
        for login in &k.experts {
            self.by_expert.entry(login.clone()).or_default().insert(id.to_string());
        }
        self.by_unit_key
            .entry(k.unit_key.clone())
            .or_default()
            .insert(id.to_string());
        for file in &k.files {
            self.by_file.entry(file.clone()).or_default().insert(id.to_string());
        }
        self.by_region.insert((k.region.clone(), id.to_string()));
        self.counts.entry(k.policy.clone()).or_default()[slot(k.status)] += 1;
        *self.per_round.entry(k.round.clone()).or_default() += 1;
        if let Some(n) = &k.notice {
            *self.per_notice.entry(n.clone()).or_default() += 1;
        }
        self.keys.insert(id.to_string(), k);
    }

    /// Applications in the view.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the view holds none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The applications on which the expert `login` holds a seat, by id.
    pub fn seated(&self, login: &str) -> impl Iterator<Item = &str> {
        self.by_expert.get(login).into_iter().flatten().map(String::as_str)
    }

    /// 公示 — the notices that list an application last (those the applications point back
    /// to), in no order.
    pub fn listing_notices(&self) -> impl Iterator<Item = &str> {
        self.per_notice.keys().map(String::as_str)
    }

    /// How many applications were submitted in round `round`.
    pub fn in_round(&self, round: &str) -> usize {
        self.per_round.get(round).copied().unwrap_or(0)
    }

    /// The applications of the support unit `uscc` (compared as [`super::unit_key`] does), by id.
    pub fn of_unit(&self, uscc: &str) -> impl Iterator<Item = &str> {
        self.by_unit_key
            .get(&super::unit_key(uscc))
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// The applications whose facts list the attached file `file`, by id.
    pub fn listing_file(&self, file: &str) -> impl Iterator<Item = &str> {
        self.by_file.get(file).into_iter().flatten().map(String::as_str)
    }

    /// The applications whose unit's region code starts with `prefix`, by region then id; none
    /// for an empty prefix.
    pub fn in_region<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let run = (!prefix.is_empty()).then(|| {
            self.by_region
                .range((prefix.to_string(), String::new())..)
                .take_while(move |(code, _)| code.starts_with(prefix))
                .map(|(_, id)| id.as_str())
        });
        run.into_iter().flatten()
    }

    /// The applications a jurisdiction may cover: those in any of `region_prefixes` and those of
    /// any of `units`, each once.
    fn covered<'a>(&'a self, region_prefixes: &'a [String], units: &[String]) -> Vec<&'a str> {
        let mut ids: BTreeSet<&str> = region_prefixes.iter().flat_map(|p| self.in_region(p)).collect();
        for u in units {
            ids.extend(self.of_unit(u));
        }
        ids.into_iter().collect()
    }

    /// Ids in the order asked. In status order with one status asked, only that status's run
    /// of the index is walked.
    fn ordered<'a>(&'a self, q: &ApplicationQuery) -> Box<dyn Iterator<Item = &'a str> + 'a> {
        fn dir<'a, I: DoubleEndedIterator<Item = &'a str> + 'a>(
            it: I,
            descending: bool,
        ) -> Box<dyn Iterator<Item = &'a str> + 'a> {
            if descending { Box::new(it.rev()) } else { Box::new(it) }
        }
        let descending = q.descending;
        match q.sort {
            ApplicationSort::Status if let Some(status) = q.status => {
                let at = status as u8;
                let run = self.by_status.range((at, String::new())..(at + 1, String::new()));
                dir(run.map(|(_, id)| id.as_str()), descending)
            }
            ApplicationSort::Id => dir(self.by_id.iter().map(String::as_str), descending),
            ApplicationSort::SubmittedOn => dir(self.by_submitted.iter().map(|(_, id)| id.as_str()), descending),
            ApplicationSort::Unit => dir(self.by_unit.iter().map(|(_, id)| id.as_str()), descending),
            ApplicationSort::Status => dir(self.by_status.iter().map(|(_, id)| id.as_str()), descending),
        }
    }

    /// How many applications under `policies` match `q`, from the counts, when the counts can
    /// tell: a filter by round or a search needs the rows.
    fn counted(&self, policies: &[String], q: &ApplicationQuery) -> Option<usize> {
        if q.round.is_some() || !q.needle.is_empty() {
            return None;
        }
        let mut seen = BTreeSet::new();
        let total = policies
            .iter()
            .filter(|p| seen.insert(p.as_str()))
            .filter(|p| q.policy.as_deref().is_none_or(|x| x == p.as_str()))
            .filter_map(|p| self.counts.get(p))
            .map(|c| match q.status {
                Some(s) => c[slot(s)],
                None => c.iter().sum(),
            })
            .sum();
        Some(total)
    }

    /// One page: the applications matching `q` within `scope`, in order, each made into a row by
    /// `row`. Only the page's rows are built; for a scope of whole policies the total comes from
    /// the counts and the walk stops at the end of the page.
    pub fn query<T>(
        &self,
        world: &World,
        q: &ApplicationQuery,
        scope: ApplicationScope<'_>,
        row: impl Fn(&ApplicationCase) -> T,
    ) -> ApplicationPage<T> {
        let counted = match scope {
            ApplicationScope::Policies(p) => self.counted(p, q),
            ApplicationScope::Each(_) => None,
            ApplicationScope::Unit(uscc, rule) => return self.among(world, q, self.of_unit(uscc).collect(), rule, row),
            ApplicationScope::Seated(login, rule) => {
                return self.among(world, q, self.seated(login).collect(), rule, row);
            }
            ApplicationScope::Covered {
                region_prefixes,
                units,
                rule,
            } => {
                // A jurisdiction covering much of the view (a whole province, say) is cheaper
                // walked in order than sorted: each case is then checked against the
                // jurisdiction and the rule.
                let candidates = self.covered(region_prefixes, units);
                if candidates.len().saturating_mul(BROAD_JURISDICTION) < self.len() {
                    return self.among(world, q, candidates, rule, row);
                }
                None
            }
        };
        let end = q.offset.saturating_add(q.limit);
        let mut items = Vec::new();
        let mut seen = 0usize;
        for id in self.ordered(q) {
            if counted.is_some() && seen >= end {
                break;
            }
            let Some(k) = self.keys.get(id) else { continue };
            if !k.matches(q) {
                continue;
            }
            let visible = match scope {
                ApplicationScope::Policies(p) => p.contains(&k.policy),
                ApplicationScope::Each(f) | ApplicationScope::Unit(_, f) | ApplicationScope::Seated(_, f) => {
                    world.application(id).is_some_and(f)
                }
                ApplicationScope::Covered {
                    region_prefixes,
                    units,
                    rule,
                } => k.covered_by(region_prefixes, units) && world.application(id).is_some_and(rule),
            };
            if !visible {
                continue;
            }
            if seen >= q.offset
                && items.len() < q.limit
                && let Some(a) = world.application(id)
            {
                items.push(row(a));
            }
            seen += 1;
        }
        ApplicationPage {
            items,
            total: counted.unwrap_or(seen),
        }
    }

    /// One page among `candidates` (a unit's applications, an expert's seats, a jurisdiction's): those matching
    /// `q` that `rule` accepts, sorted in the order asked as [`Self::ordered`] walks it.
    fn among<T>(
        &self,
        world: &World,
        q: &ApplicationQuery,
        candidates: Vec<&str>,
        rule: &(dyn Fn(&ApplicationCase) -> bool + Sync),
        row: impl Fn(&ApplicationCase) -> T,
    ) -> ApplicationPage<T> {
        let mut found: Vec<(&str, &Keys, &ApplicationCase)> = candidates
            .into_iter()
            .filter_map(|id| Some((id, self.keys.get(id)?, world.application(id)?)))
            .filter(|(_, k, a)| k.matches(q) && rule(a))
            .collect();
        found.sort_unstable_by(|(x, kx, _), (y, ky, _)| {
            let by_key = match q.sort {
                ApplicationSort::Id => Ordering::Equal,
                ApplicationSort::SubmittedOn => kx.submitted_on.cmp(&ky.submitted_on),
                ApplicationSort::Unit => kx.unit.cmp(&ky.unit),
                ApplicationSort::Status => (kx.status as u8).cmp(&(ky.status as u8)),
            };
            let ordered = by_key.then_with(|| x.cmp(y));
            if q.descending { ordered.reverse() } else { ordered }
        });
        let total = found.len();
        let items = found
            .into_iter()
            .skip(q.offset)
            .take(q.limit)
            .map(|(_, _, a)| row(a))
            .collect();
        ApplicationPage { items, total }
    }
}

/// Takes `id` out of `key`'s set in `index`, and the set when it is left empty.
fn unlist(index: &mut HashMap<String, BTreeSet<String>>, key: &str, id: &str) {
    if let Some(ids) = index.get_mut(key) {
        ids.remove(id);
        if ids.is_empty() {
            index.remove(key);
        }
    }
}

/// One fewer under `key`; the key goes when none is left.
fn uncount(counts: &mut HashMap<String, usize>, key: &str) {
    if let Some(n) = counts.get_mut(key) {
        *n -= 1;
        if *n == 0 {
            counts.remove(key);
        }
    }
}
