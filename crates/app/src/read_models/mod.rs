//! 读模型 — views of the world kept up to date as each event is folded in, so that the lists
//! the web serves most (the register page, its CSV and xlsx, `GET /api/v1/bases`, the
//! department dashboard's counts) cost what the page costs, not what the register weighs.
//!
//! Every path that changes the world goes through [`Guohe`]'s fold (`catch_up`, a batch, a
//! snapshot at start, a rebuild after a refused batch), and each of them notes its events to the
//! views and syncs them before the world's lock is released: a reader never sees a view behind
//! its world. The views hold statuses as of one date, the business date; the first question for
//! a new business date moves them (a write lock, once a day). A question about another date (the
//! API's `as_of`) is answered by looking at every base, as before the views existed.

pub mod announcements;
pub mod applications;
pub mod due_list;
pub mod query;
pub mod register;
pub mod stats_memo;
mod units;

#[cfg(test)]
mod applications_tests;
#[cfg(test)]
mod due_tests;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use guohe_domain::{ApplicationCase, Base, Event, World};

pub use announcements::AnnouncementsView;
pub use applications::{ApplicationPage, ApplicationQuery, ApplicationScope, ApplicationSort, ApplicationsView};
pub use due_list::{APPLICATION_STAGES, DueCase, DueCount, DueEntry, DueKind, DuePage, DueQuery, DueView};
pub use query::{RegionFilter, RegisterChoices, RegisterPage, RegisterQuery, status_codes};
pub use register::{MAX_DOMAIN_CHOICES, RegisterRow, RegisterView, SortKey, status_at, status_code};

use crate::Guohe;

/// Every view kept beside the world, noted, reset and synced together.
pub(crate) struct Views {
    /// The register, synced before the world's lock is released.
    pub register: RegisterView,
    /// The department's work queue: noted as events are folded in, synced (on a date) when read.
    pub due: DueView,
    /// The applications in every order the lists use, synced like the register.
    pub applications: ApplicationsView,
    /// The announcements of naming, synced like the register.
    pub announcements: AnnouncementsView,
}

impl Views {
    pub(crate) fn new(today: NaiveDate) -> Views {
        Views {
            register: RegisterView::new(today),
            due: DueView::new(),
            applications: ApplicationsView::new(),
            announcements: AnnouncementsView::new(),
        }
    }

    /// Notes an event just applied to `world`.
    pub(crate) fn note(&mut self, world: &World, e: &Event) {
        self.register.note(world, e);
        self.due.note(world, e);
        self.applications.note(e);
        self.announcements.note(world, e);
    }

    /// Forgets everything noted: the next sync rebuilds each view from the world.
    pub(crate) fn reset(&mut self) {
        self.register.reset();
        self.due.reset();
        self.applications.reset();
        self.announcements.reset();
    }

    /// Syncs the views that do not depend on a date (the due list is synced when read).
    pub(crate) fn sync(&mut self, world: &World) {
        self.register.sync(world);
        self.applications.sync(world);
        self.announcements.sync(world);
    }
}

/// The base an event just folded into `world` concerns: the base named in it, or, for an event
/// on an application, the base the application was named as (whose region and name come from
/// it).
pub(crate) fn base_concerned<'a>(world: &'a World, e: &'a Event) -> Option<&'a str> {
    e.kind.base_concerned().or_else(|| {
        let a = e.stream.strip_prefix("application/")?;
        world.application(a)?.base.as_deref()
    })
}

/// A support unit's 统一社会信用代码 as the views index it: trimmed and in upper case, so that
/// `uscc` and a record's code compare as the unit's own pages compare them
/// (`unit_desk::same_unit`, case-insensitive on the trimmed record).
pub(crate) fn unit_key(uscc: &str) -> String {
    uscc.trim().to_ascii_uppercase()
}

/// The register's rows on `date`, without indexes (for a date other than the view's).
pub fn rows_at(world: &World, date: NaiveDate) -> Vec<RegisterRow> {
    world.bases().map(|b| RegisterRow::of(world, b, date)).collect()
}

impl Guohe {
    /// Runs `f` on the register view with statuses as of `date`, moving the view's date first if
    /// it differs (under the write lock, then reading under the shared one).
    async fn with_register<R>(&self, date: NaiveDate, f: impl FnOnce(&RegisterView, &World) -> R) -> R {
        {
            let inner = self.inner.read().await;
            if inner.views.register.date() == date {
                return f(&inner.views.register, &inner.world);
            }
        }
        let mut inner = self.inner.write().await;
        {
            let inner = &mut *inner;
            inner.views.register.set_date(&inner.world, date);
        }
        let inner = inner.downgrade();
        f(&inner.views.register, &inner.world)
    }

    /// One page of the register with statuses as of `as_of`. On the business date `today` it is
    /// answered from the register view; on any other date every base is looked at.
    pub async fn register(&self, q: &RegisterQuery, as_of: NaiveDate, today: NaiveDate) -> RegisterPage {
        if as_of == today {
            return self.with_register(today, |v, _| v.query(q)).await;
        }
        self.read(|w, _, _| query::scan(&rows_at(w, as_of), q)).await
    }

    /// The seq of the last event folded into the world (and its views): anything derived from
    /// them may be reused until it moves.
    pub async fn folded_seq(&self) -> i64 {
        self.inner.read().await.last_seq
    }

    /// One page of the applications matching `q` within `scope`, each made into a row by `row`
    /// (only the page's rows are built).
    pub async fn applications<T>(
        &self,
        q: &ApplicationQuery,
        scope: ApplicationScope<'_>,
        row: impl Fn(&ApplicationCase) -> T,
    ) -> ApplicationPage<T> {
        let inner = self.inner.read().await;
        inner.views.applications.query(&inner.world, q, scope, row)
    }

    /// What the register's filters offer (values in use, whatever the status).
    pub async fn register_choices(&self) -> RegisterChoices {
        self.inner.read().await.views.register.choices()
    }

    /// Bases by (policy, status code) on `today` (the department dashboard).
    pub async fn register_counts(&self, today: NaiveDate) -> BTreeMap<(String, &'static str), usize> {
        self.with_register(today, |v, _| v.counts().clone()).await
    }

    /// The register's rows for a query, as the export workbook lays them out (every matching
    /// base, in the query's order), with `filter` in words and `today` in its title.
    pub async fn register_table(&self, q: &RegisterQuery, filter: &str, today: NaiveDate) -> crate::export::Table {
        let q = RegisterQuery {
            per_page: None,
            ..q.clone()
        };
        let policies = self.policies();
        self.with_register(today, |v, w| {
            let page = v.query(&q);
            let bases: Vec<&Base> = page.rows.iter().filter_map(|r| w.base(&r.id)).collect();
            crate::exports::register_table(policies, &bases, filter, today)
        })
        .await
    }

    /// The department's work queue on `today` for the policies `in_scope`: a page of what is
    /// due or overdue, the counts of every kind, and the applications by stage (the dashboard
    /// and `GET /dept/due`). The view is brought up to date first if events were folded in or
    /// the date moved since it was last read (under the write lock, then read under the shared
    /// one).
    pub async fn due_list(&self, in_scope: &(dyn Fn(&str) -> bool + Sync), q: &DueQuery, today: NaiveDate) -> DuePage {
        {
            let inner = self.inner.read().await;
            if inner.views.due.is_current(today) {
                return inner.views.due.query(in_scope, q);
            }
        }
        let mut inner = self.inner.write().await;
        {
            let inner = &mut *inner;
            inner.views.due.sync(&inner.world, self.policies(), today);
        }
        inner.downgrade().views.due.query(in_scope, q)
    }
}
