//! The application service of Guohe: one [`Guohe`] joins the hash-chained event log
//! (`guohe-store`), the pure domain (`guohe-domain`), the policies, the working-day calendar and
//! the clock, for the command line and the web server alike.
//!
//! State is derived from events: [`Guohe::open`] replays the log into a [`World`]; every
//! [`Guohe::execute`] decides a command against the current world, appends the events it causes
//! with optimistic concurrency (the streams' expected versions), and folds them back in log order.
//! When another server appended to the same case in between, the append is refused as a
//! [`AppError::Conflict`] and nothing is written; the caller can retry against the fresh state.
//! Security events (logins, refusals of permission) are appended to `audit/…` streams of the same
//! chain, so `verify` covers them too.
//!
//! [`due`] and [`event_reminders`] compute, without I/O, which reminders are due on a date and
//! which messages events call for; the notifier (`guohe-notify`) delivers them.
//!
//! [`verification`] answers other programmes whether a unit held a validly named base on a date
//! (核验服务), with a signed statement to keep as evidence.
//!
//! Personal information (the objector's real name and contact, accounts' phone, e-mail and ID
//! number) is sealed with the person's own SM4 data key before it reaches the domain or a table
//! (see [`personal`] and the `guohe-keys` crate): the chain holds only tokens, so erasing a person's
//! key honours a deletion request and the chain still verifies.

#![warn(missing_docs)]

pub mod application_desk;
pub mod backup;
pub mod cases;
pub mod checkpoints;
pub mod dept_desk;
pub mod document_desk;
pub mod documents;
pub mod draw_desk;
pub mod draw_export;
pub mod due;
pub mod eligibility_desk;
pub mod event_reminders;
pub mod expert_pool;
pub mod export;
pub mod export_desk;
pub mod exports;
mod fold;
pub mod generate;
pub mod import;
pub mod import_accounts;
pub mod import_columns;
mod import_read;
mod import_row;
pub mod import_status;
pub mod national;
pub mod notice_desk;
pub mod passwords;
pub mod personal;
pub mod policy_standing;
pub mod public_desk;
pub mod read_models;
pub mod round_desk;
pub mod snapshots;
pub mod stats;
pub mod stored_policy;
pub mod subsidies;
pub mod subsidy_desk;
pub mod unit_desk;
pub mod verification;

use chrono::NaiveDate;
use guohe_calendar::{Calendar, Schedule};
use guohe_domain::{Actor, Command, Ctx, Event, Refusal, World};
use guohe_keys::{KeyError, KeyLocation, Vault};
use guohe_policy::PolicySet;
use guohe_store::{EventLog, NewEvent, StoreError, StoredEvent, VerifyReport};
use tokio::sync::RwLock;

/// Streams that are not domain cases: they are in the chain but not folded into the world.
const NON_DOMAIN_PREFIXES: &[&str] = &["calendar/", "audit/", stored_policy::POLICY_STREAM_PREFIX];

/// Why a request could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The rules said no (or the input was invalid): the refusal says why and cites the article.
    #[error("{0}")]
    Refused(Refusal),
    /// Someone else changed the same case first; nothing was written.
    #[error("conflict on {stream}: the case was changed by someone else; reload and try again")]
    Conflict {
        /// The case.
        stream: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored event or schedule cannot be read back.
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    /// The key file or personal-data keys cannot be used (missing or wrong key file, …).
    #[error(transparent)]
    Keys(#[from] KeyError),
}

impl AppError {
    /// The message in Chinese, for people.
    pub fn message_zh(&self) -> String {
        match self {
            AppError::Refused(r) => r.message_zh.clone(),
            AppError::Conflict { .. } => "该案件刚被他人修改，本次操作未保存；请刷新后重试。".into(),
            AppError::Store(_) => "数据库暂时不可用，本次操作未保存；请稍后重试。".into(),
            AppError::Corrupt(_) => "存储的数据无法读取，请联系系统管理员核查审计日志。".into(),
            AppError::Keys(e) => e.message_zh(),
        }
    }
}

struct Inner {
    world: World,
    calendar: Calendar,
    /// Policies loaded into the database (`policy/<id>` streams), by id.
    stored_policies: std::collections::BTreeMap<String, stored_policy::StoredPolicy>,
    last_seq: i64,
    /// The read models of `world` ([`read_models::Views`]).
    views: read_models::Views,
}

/// The running system: event log, world, policies, calendar.
pub struct Guohe {
    log: EventLog,
    /// The policies this process was opened with (built-in and `--policy-file`), before the
    /// stored ones are folded over them.
    given_policies: PolicySet,
    /// The policies in use: `given_policies` with the stored ones folded in, swapped whole
    /// when a load or unload is read from the log. Each set is leaked on purpose: a load or an
    /// unload is a rare administrative act, readers get a plain `&PolicySet` that stays valid
    /// however long they hold it, and a superseded set costs its few hundred kilobytes once.
    policies: std::sync::RwLock<&'static PolicySet>,
    vault: Vault,
    inner: RwLock<Inner>,
    /// How the world was rebuilt at open.
    start: snapshots::StartReport,
    /// Statistics already computed at the current log position.
    stats_memo: std::sync::Mutex<read_models::stats_memo::StatsMemo>,
}

/// What was appended for a command: the domain events and their stored records.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The events, as the domain produced them.
    pub events: Vec<Event>,
    /// Their stored, chained records (seq, hash).
    pub stored: Vec<StoredEvent>,
}

/// Runs of events of one stream, each with the stream version it expects.
type Batch = Vec<(String, i64, Vec<NewEvent>)>;

/// A decided command not yet appended (see [`Guohe::decide`]): its events and the stream
/// versions they were decided against.
pub struct Decided {
    events: Vec<Event>,
    batch: Batch,
    pending: Option<guohe_keys::PendingSubject>,
}

impl Decided {
    /// The events the command causes.
    pub fn events(&self) -> &[Event] {
        &self.events
    }
}

/// Groups events into runs of one stream, each at the version the world has for it.
fn batch_at_versions(world: &World, events: &[Event]) -> Batch {
    let mut versions: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    let mut batch: Batch = Vec::new();
    for e in events {
        let v = versions
            .entry(e.stream.as_str())
            .or_insert_with(|| world.stream_version(&e.stream));
        match batch.last_mut() {
            Some((s, _, run)) if *s == e.stream => run.push(to_new(e)),
            _ => batch.push((e.stream.clone(), *v, vec![to_new(e)])),
        }
        *v += 1;
    }
    batch
}

/// Decodes a stored record into a domain event.
pub fn decode(e: &StoredEvent) -> Result<Event, AppError> {
    Event::from_parts(
        e.stream.clone(),
        e.occurred_on,
        e.actor.clone(),
        &e.articles,
        &e.kind,
        e.payload.clone(),
    )
    .map_err(|err| AppError::Corrupt(format!("event {}: {err}", e.seq)))
}

/// Whether a stream holds domain events.
pub fn is_domain_stream(stream: &str) -> bool {
    !NON_DOMAIN_PREFIXES.iter().any(|p| stream.starts_with(p))
}

fn to_new(e: &Event) -> NewEvent {
    NewEvent {
        stream: e.stream.clone(),
        kind: e.kind_name().to_string(),
        actor: e.actor.clone(),
        occurred_on: e.on,
        articles: e.article_texts(),
        payload: e.payload(),
    }
}

/// Connects to the event log, creating a SQLite file's folder on first use.
pub async fn connect(url: &str) -> Result<EventLog, AppError> {
    if let Some(path) = url.strip_prefix("sqlite://")
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
        && !path.starts_with(':')
    {
        std::fs::create_dir_all(dir).map_err(|e| AppError::Corrupt(format!("cannot create {}: {e}", dir.display())))?;
    }
    Ok(EventLog::connect(url).await?)
}

/// Stores (or corrects) holiday schedules, one year at a time; each load is audited on the chain.
pub async fn store_holiday_schedule(
    log: &EventLog,
    schedule: &Schedule,
    loaded_by: &str,
    on: NaiveDate,
) -> Result<Vec<i32>, AppError> {
    let mut years = Vec::new();
    for year in schedule.years() {
        let mut csv = format!("{}\n", guohe_calendar::HEADER);
        for r in schedule.rows().filter(|r| r.notice_year() == year) {
            csv.push_str(&format!("{},{},{}\n", r.date, r.kind.as_str(), r.festival));
        }
        log.put_holiday_schedule_on(year, &csv, loaded_by, on).await?;
        years.push(year);
    }
    Ok(years)
}

/// The working-day calendar: the built-in schedules plus those loaded into the database.
pub async fn load_calendar(log: &EventLog) -> Result<Calendar, AppError> {
    let mut cal = Calendar::builtin();
    for (year, csv) in log.holiday_schedules().await? {
        let s = Schedule::parse_csv(&csv).map_err(|e| AppError::Corrupt(format!("holiday schedule {year}: {e}")))?;
        cal = cal.with_schedule(s);
    }
    Ok(cal)
}

impl Guohe {
    /// Connects to the database (`sqlite://…` or `postgres://…`), migrating it on first use,
    /// and rebuilds the world from the whole log. The key file is the default one for the
    /// database ([`KeyLocation::for_database`]: beside a SQLite file).
    pub async fn open(url: &str, policies: PolicySet) -> Result<Guohe, AppError> {
        Self::open_with_keys(url, policies, KeyLocation::for_database(url)).await
    }

    /// [`Guohe::open`] with the key file given (`GUOHE_KEY_FILE`, `--key-file`). A missing key
    /// file for a database that holds encrypted personal data, or a key file that is not the
    /// database's, is an error naming the file; a first start creates the file (mode 0600).
    ///
    /// Policies stored in the database (`guohe policy load`) are folded over `policies`: they
    /// replace a built-in of the same id but not one given for this run (`--policy-file`). A
    /// policy loaded or unloaded later, by this process or another, is taken as soon as the log
    /// is next read ([`Guohe::refresh`], or before any command).
    pub async fn open_with_keys(url: &str, policies: PolicySet, keys: KeyLocation) -> Result<Guohe, AppError> {
        let log = connect(url).await?;
        let vault = Vault::open(&log, keys).await?;
        let calendar = load_calendar(&log).await?;
        let mut inner = Inner {
            world: World::new(),
            calendar,
            stored_policies: Default::default(),
            last_seq: 0,
            views: read_models::Views::new(chrono::Utc::now().date_naive()),
        };
        let start = snapshots::restore(&log, &vault, &mut inner).await?;
        let g = Guohe {
            log,
            given_policies: policies.clone(),
            policies: std::sync::RwLock::new(Box::leak(Box::new(policies))),
            vault,
            inner: RwLock::new(inner),
            start,
            stats_memo: Default::default(),
        };
        // Policies stored before the snapshot are in it, not in the tail: install them first.
        {
            let inner = g.inner.read().await;
            if !inner.stored_policies.is_empty() {
                g.install_policies(&inner.stored_policies)?;
            }
        }
        g.refresh().await?;
        Ok(g)
    }

    /// The event log.
    pub fn log(&self) -> &EventLog {
        &self.log
    }

    /// 申报草稿与附件 — the support units' drafts and uploaded files, kept in the log's database.
    pub fn drafts(&self) -> guohe_store::drafts::DraftStore {
        guohe_store::drafts::DraftStore::new(&self.log)
    }

    /// 会话与限流 — sign-in throttling, second factors, flash messages and per-form counters,
    /// kept in the log's database so that every server on it shares them.
    pub fn signin(&self) -> guohe_store::signin::SigninStore {
        guohe_store::signin::SigninStore::new(&self.log)
    }

    /// The latest `n` records of the chain, oldest first (the audit page's window).
    pub async fn recent_records(&self, n: i64) -> Result<Vec<StoredEvent>, StoreError> {
        let head = self.log.head().await?.map(|h| h.0).unwrap_or(0);
        self.log.read_all((head - n).max(0), n).await
    }

    /// The policies in use now (a snapshot: a later load does not change it).
    pub fn policies(&self) -> &'static PolicySet {
        match self.policies.read() {
            Ok(p) => *p,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    /// Folds events appended since the last read (by this or another server) into the world.
    pub async fn refresh(&self) -> Result<(), AppError> {
        let mut inner = self.inner.write().await;
        self.catch_up(&mut inner).await
    }

    /// Folds in what other servers appended, if anything: one look at the chain head, and the
    /// write lock only when the log is ahead of this world. Returns whether anything was new.
    /// Servers sharing a database call it a few times a second, so that a case created through
    /// one is visible on the others at once (docs/deployment.md).
    pub async fn refresh_if_behind(&self) -> Result<bool, AppError> {
        let head = self.log.head().await?.map_or(0, |(seq, _)| seq);
        if head <= self.inner.read().await.last_seq {
            return Ok(false);
        }
        self.refresh().await?;
        Ok(true)
    }

    /// Folds in what the log holds beyond `inner.last_seq`; a policy loaded or unloaded there
    /// replaces the policy set in use.
    async fn catch_up(&self, inner: &mut Inner) -> Result<(), AppError> {
        let before = inner.stored_policies.clone();
        fold::catch_up_log(&self.log, inner).await?;
        if inner.stored_policies != before {
            self.install_policies(&inner.stored_policies)?;
            // Due dates come from the policies (the annual report's day).
            inner.views.due.reset();
        }
        Ok(())
    }

    /// Puts the given policies with `stored` folded over them in use.
    fn install_policies(
        &self,
        stored: &std::collections::BTreeMap<String, stored_policy::StoredPolicy>,
    ) -> Result<(), AppError> {
        let mut set = self.given_policies.clone();
        stored_policy::fold_into(&mut set, stored)?;
        let set: &'static PolicySet = Box::leak(Box::new(set));
        match self.policies.write() {
            Ok(mut p) => *p = set,
            Err(poisoned) => *poisoned.into_inner() = set,
        }
        Ok(())
    }

    /// Reads the world, the calendar and the policies under a shared lock.
    pub async fn read<R>(&self, f: impl FnOnce(&World, &Calendar, &PolicySet) -> R) -> R {
        let inner = self.inner.read().await;
        f(&inner.world, &inner.calendar, self.policies())
    }

    /// Decides a command and appends its events; refusals are returned, nothing is written.
    pub async fn execute(&self, actor: &Actor, today: NaiveDate, cmd: Command) -> Result<Outcome, AppError> {
        let mut inner = self.inner.write().await;
        let decided = self.decide_in(&mut inner, actor, today, cmd).await?;
        self.append_in(&mut inner, decided).await
    }

    /// The first half of [`Guohe::execute`]: decides a command against the world as it is now
    /// and fixes the stream versions its events expect, without appending. Whatever another
    /// server appends to the same case before [`Guohe::append_decided`] makes that append an
    /// [`AppError::Conflict`] (optimistic concurrency), which is what a slow decision meets.
    pub async fn decide(&self, actor: &Actor, today: NaiveDate, cmd: Command) -> Result<Decided, AppError> {
        let mut inner = self.inner.write().await;
        self.decide_in(&mut inner, actor, today, cmd).await
    }

    /// The second half of [`Guohe::execute`]: appends a decision at the versions it was made
    /// against; [`AppError::Conflict`] and nothing written if a stream moved on since.
    pub async fn append_decided(&self, decided: Decided) -> Result<Outcome, AppError> {
        let mut inner = self.inner.write().await;
        self.append_in(&mut inner, decided).await
    }

    async fn decide_in(
        &self,
        inner: &mut Inner,
        actor: &Actor,
        today: NaiveDate,
        cmd: Command,
    ) -> Result<Decided, AppError> {
        self.catch_up(inner).await?;
        let policies = self.policies();
        let ctx = Ctx {
            policies,
            calendar: &inner.calendar,
            actor: actor.clone(),
            today,
        };
        // Personal fields are checked in plaintext, then sealed: the domain and the chain see
        // only tokens.
        let (cmd, pending) = match cmd {
            Command::LodgeObjection(c) => {
                guohe_domain::check_objection_input(&inner.world, policies, &c).map_err(AppError::Refused)?;
                let (c, pending) = self.seal_objection(c)?;
                (Command::LodgeObjection(c), Some(pending))
            }
            other => (other, None),
        };
        let events = guohe_domain::handle(&inner.world, &ctx, cmd).map_err(AppError::Refused)?;
        let batch = batch_at_versions(&inner.world, &events);
        Ok(Decided { events, batch, pending })
    }

    async fn append_in(&self, inner: &mut Inner, d: Decided) -> Result<Outcome, AppError> {
        // The data key is stored before the tokens it opens are appended; if the append then
        // fails, an unused key is left, never an unreadable record.
        if let Some(p) = &d.pending {
            self.vault.commit(p).await?;
        }
        self.append_batch(inner, d.events, d.batch).await
    }

    /// Advances the clock to `up_to`, appending whatever fell due (idempotent).
    pub async fn tick(&self, up_to: NaiveDate) -> Result<Outcome, AppError> {
        let mut inner = self.inner.write().await;
        self.catch_up(&mut inner).await?;
        let policies = self.policies();
        let ctx = Ctx {
            policies,
            calendar: &inner.calendar,
            actor: Actor::system(),
            today: up_to,
        };
        let events = guohe_domain::tick(&inner.world, &ctx, up_to).map_err(AppError::Refused)?;
        self.commit(&mut inner, events).await
    }

    /// Appends domain events in order, each run of one stream at its expected version, then
    /// folds the log back in (so the world always follows the log's order).
    async fn commit(&self, inner: &mut Inner, events: Vec<Event>) -> Result<Outcome, AppError> {
        let batch = batch_at_versions(&inner.world, &events);
        self.append_batch(inner, events, batch).await
    }

    async fn append_batch(&self, inner: &mut Inner, events: Vec<Event>, batch: Batch) -> Result<Outcome, AppError> {
        if events.is_empty() {
            return Ok(Outcome {
                events,
                stored: Vec::new(),
            });
        }
        let stored = match self.log.append_many(batch).await {
            Ok(s) => s,
            Err(StoreError::Conflict { stream, .. }) => {
                self.catch_up(inner).await?;
                return Err(AppError::Conflict { stream });
            }
            Err(e) => return Err(e.into()),
        };
        self.catch_up(inner).await?;
        Ok(Outcome { events, stored })
    }

    /// Loads (or corrects) holiday schedules; each year is audited on the chain.
    pub async fn load_holiday_schedule(
        &self,
        schedule: &Schedule,
        loaded_by: &str,
        on: NaiveDate,
    ) -> Result<Vec<i32>, AppError> {
        let years = store_holiday_schedule(&self.log, schedule, loaded_by, on).await?;
        self.refresh().await?;
        Ok(years)
    }

    /// Appends a security audit record (login, failed login, permission refused, …) to the chain.
    pub async fn audit(
        &self,
        on: NaiveDate,
        actor: &str,
        kind: &str,
        payload: serde_json::Value,
    ) -> Result<StoredEvent, AppError> {
        let stream = format!("audit/{on}");
        for _ in 0..8 {
            let version = self.log.stream_version(&stream).await?;
            let e = NewEvent {
                stream: stream.clone(),
                kind: kind.to_string(),
                actor: actor.to_string(),
                occurred_on: on,
                articles: Vec::new(),
                payload: payload.clone(),
            };
            match self.log.append(&stream, version, vec![e]).await {
                Ok(mut s) => return Ok(s.remove(0)),
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict { stream })
    }

    /// 核验 — whether the unit with this USCC held a validly named base on `on` (default
    /// `today`; a later date is refused), from the register as of that date. The log is caught
    /// up first, so an answer kept as evidence reflects what every server has appended.
    pub async fn verify_unit(
        &self,
        uscc: &str,
        on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<verification::Verification, AppError> {
        let uscc = verification::parse_uscc(uscc).map_err(AppError::Refused)?;
        let on = verification::check_date(on, today).map_err(AppError::Refused)?;
        self.refresh().await?;
        let inner = self.inner.read().await;
        let candidates: Vec<&guohe_domain::Base> = inner
            .views
            .register
            .of_unit(&uscc)
            .into_iter()
            .filter_map(|id| inner.world.base(id))
            .collect();
        Ok(verification::verify(&candidates, self.policies(), &uscc, on))
    }

    /// Units with a base, found by (part of) their name or by their code, for the public
    /// verification page: from the register view's index of unit names
    /// ([`read_models::RegisterView::search_units`]).
    pub async fn search_units(&self, needle: &str, limit: usize) -> Vec<verification::UnitMatch> {
        self.inner.read().await.views.register.search_units(needle, limit)
    }

    /// Audits a verification answer on the chain (`VerificationAnswered`): who asked, through
    /// what, the question and the verdict — nothing personal.
    pub async fn record_verification(
        &self,
        today: NaiveDate,
        actor: &str,
        via: &str,
        v: &verification::Verification,
        statement: Option<&verification::Statement>,
    ) -> Result<StoredEvent, AppError> {
        self.audit(
            today,
            actor,
            "VerificationAnswered",
            verification::audit_payload(v, via, statement),
        )
        .await
    }

    /// Proves the chain intact, or names the first altered, deleted or reordered record.
    pub async fn verify(&self) -> Result<VerifyReport, AppError> {
        Ok(self.log.verify().await?)
    }

    /// The events of one case, decoded, with their stored records.
    pub async fn history(&self, stream: &str) -> Result<Vec<StoredEvent>, AppError> {
        Ok(self.log.read_stream(stream).await?)
    }
}
