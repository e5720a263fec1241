//! 国合 Guohe web application: server-rendered pages (askama), sign-in with server-side
//! sessions, a central authorization module, security headers, CSRF protection and demo data.
//!
//! The folder tree is the architecture:
//!
//! * [`security`] — the request frame every request passes through: client facts, language,
//!   session, CSRF and origin checks, error pages, permission-refusal audit, security headers;
//! * [`authz`] — who may see and do what ([`authz::Principal`]); every route asks it;
//! * [`accounts`] — account and password services (Argon2id, complexity rule, lock-out), each
//!   change audited on the hash chain;
//! * [`pages`] — one module per audience (`public`, `auth`, `department`, `unit`,
//!   `recommender`, `expert`), one askama struct per page;
//! * [`api`] — the JSON API under `/api/v1`, described by OpenAPI at `/api/v1/openapi.json`;
//! * [`error`] — the one place where errors become HTTP statuses (pages and problem details);
//! * [`verification`] — the verification service's rate limit, signing key and answer;
//! * [`demo`] — realistic demo data for both provinces.

#![warn(missing_docs)]

pub mod accounts;
pub mod admin;
pub mod api;
pub mod authz;
pub mod demo;
pub mod error;
pub mod flash;
pub mod i18n;
pub mod labels;
pub mod page_cache;
pub mod pages;
pub mod password;
pub mod second_factor;
pub mod security;
pub mod session_memo;
pub mod throttle;
pub mod totp;
pub mod upload;
pub mod verification;
pub mod view;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use chrono::{FixedOffset, NaiveDate, Utc};
use guohe_app::Guohe;
use guohe_policy::PolicySet;
use guohe_store::AccountStore;

pub use authz::Principal;
pub use error::WebError;

/// How `guohe serve` runs. Build it with struct update syntax over [`Default`]:
/// `ServeConfig { bind, database_url, demo, ..ServeConfig::default() }`.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to listen on (default `127.0.0.1:8080`).
    pub bind: SocketAddr,
    /// `sqlite://path/guohe.db` (embedded) or `postgres://…` (several servers).
    pub database_url: String,
    /// The key file of personal data (`GUOHE_KEY_FILE`); `None` is beside a SQLite database
    /// (`guohe.db.keys.json`), see [`guohe_keys::KeyLocation::for_database`].
    pub key_file: Option<std::path::PathBuf>,
    /// Fill the database with demo data and print the demo logins.
    pub demo: bool,
    /// The policies.
    pub policies: PolicySet,
    /// A fixed business date (demos, tests); `None` is today in China Standard Time, except
    /// with `demo`, where it is the demo's own date [`demo::DEMO_DATE`].
    pub today: Option<NaiveDate>,
    /// Sessions idle this long end (等保: 30 minutes).
    pub idle_timeout: Duration,
    /// Mark cookies `Secure` (and use `__Host-` names): set when served behind TLS.
    pub secure_cookies: bool,
    /// Take the client IP from the first `X-Forwarded-For` entry (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Failed sign-ins of one login (from one address, or from all) before each further
    /// attempt must wait (see [`throttle`]).
    pub throttle_after: u32,
    /// Failed sign-ins from one client address (any login) before delays start.
    pub throttle_client_after: u32,
    /// The first delay; each further failure doubles it.
    pub throttle_base: Duration,
    /// The longest delay for one login from one address, and for one address.
    pub throttle_cap: Duration,
    /// The longest delay other addresses' failures can impose on a login.
    pub throttle_account_cap: Duration,
    /// Real-name objections accepted per client address per notice per day.
    pub objections_per_day: u32,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Argon2 memory cost in KiB for new hashes (OWASP minimum 19 MiB; lower only in tests).
    pub argon2_memory_kib: u32,
    /// The mail relay for notifications (`GUOHE_SMTP_*`); `None` is inbox only.
    pub smtp: Option<guohe_notify::SmtpConfig>,
    /// Verification requests (`/api/v1/verify`, `/verify`) per client address per minute.
    pub verify_per_minute: u32,
    /// How long a signed verification statement is good for (default 15 minutes).
    pub verify_statement_ttl: Duration,
    /// The portal's name, contacts and record lines (`GUOHE_PORTAL_FILE`); `None` is the
    /// example settings with `demo`, else the policies' issuers without contact lines.
    pub portal: Option<pages::portal::PortalSettings>,
    /// The directory of the Song face official documents are set in (`GUOHE_FONT_DIR`, default
    /// Debian `fonts-noto-cjk`'s).
    pub font_dir: std::path::PathBuf,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://guohe-data/guohe.db".into(),
            key_file: None,
            demo: false,
            policies: PolicySet::default(),
            today: None,
            idle_timeout: Duration::from_secs(30 * 60),
            secure_cookies: false,
            trust_forwarded_for: false,
            throttle_after: 5,
            throttle_client_after: 20,
            throttle_base: Duration::from_secs(1),
            throttle_cap: Duration::from_secs(15 * 60),
            throttle_account_cap: Duration::from_secs(60),
            objections_per_day: 5,
            body_limit: 64 * 1024,
            argon2_memory_kib: guohe_app::passwords::DEFAULT_ARGON2_MEMORY_KIB,
            smtp: None,
            verify_per_minute: 30,
            verify_statement_ttl: guohe_app::verification::DEFAULT_STATEMENT_TTL,
            portal: None,
            font_dir: guohe_documents::Fonts::configured_dir(),
        }
    }
}

/// Settings the request handlers read.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Fixed business date, if any.
    pub today: Option<NaiveDate>,
    /// Idle timeout of sessions.
    pub idle_timeout: Duration,
    /// `Secure` cookies.
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// See [`ServeConfig::throttle_after`].
    pub throttle_after: u32,
    /// See [`ServeConfig::throttle_client_after`].
    pub throttle_client_after: u32,
    /// See [`ServeConfig::throttle_base`].
    pub throttle_base: Duration,
    /// See [`ServeConfig::throttle_cap`].
    pub throttle_cap: Duration,
    /// See [`ServeConfig::throttle_account_cap`].
    pub throttle_account_cap: Duration,
    /// See [`ServeConfig::objections_per_day`].
    pub objections_per_day: u32,
    /// Body limit.
    pub body_limit: usize,
    /// Argon2 memory cost.
    pub argon2_memory_kib: u32,
    /// The portal's name, contacts and record lines.
    pub portal: pages::portal::PortalSettings,
}

/// Shared state of the running application. Every extractor clones it, so it is one `Arc`:
/// a clone is one reference-count increment, not one per part.
#[derive(Clone)]
pub struct AppState(Arc<AppParts>);

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct AppParts {
    /// The application service (event log, world, calendar, policies).
    pub guohe: Arc<Guohe>,
    /// Accounts, organisations and sessions.
    pub accounts: AccountStore,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Inboxes and the mail outbox.
    pub notify: guohe_notify::Notifier,
    /// The verification service: signing key, statement lifetime, rate limit.
    pub verifier: Arc<verification::Verifier>,
    /// The CJK font of official documents, read on first use.
    pub documents: Arc<pages::documents::DocumentFonts>,
    /// Rendered public register answers, reused until the next event or day.
    pub pages: Arc<page_cache::PageCache>,
    /// Signed-in sessions as last loaded, reused by readings for a moment.
    pub sessions: Arc<session_memo::SessionMemo>,
}

impl AppState {
    /// The business date: the fixed date if configured, else today in China Standard Time.
    pub fn today(&self) -> NaiveDate {
        self.today_at(Utc::now())
    }

    /// What a public answer computed now depends on: the last event folded in and the date.
    pub async fn stamp(&self) -> page_cache::Stamp {
        page_cache::Stamp {
            seq: self.guohe.folded_seq().await,
            today: self.today(),
        }
    }

    /// The business date when the real time is `now`: the fixed date if configured, else the
    /// date of `now` in China Standard Time.
    pub fn today_at(&self, now: chrono::DateTime<Utc>) -> NaiveDate {
        self.settings.today.unwrap_or_else(|| {
            let cst = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"));
            now.with_timezone(&cst).date_naive()
        })
    }
}

/// Builds the router and its state: opens (and migrates) the database, seeds the demo data
/// when asked. Used by [`serve`] and by the tests.
pub async fn app(cfg: ServeConfig) -> anyhow::Result<(Router, AppState)> {
    let keys = match &cfg.key_file {
        Some(p) => guohe_keys::KeyLocation::File(p.clone()),
        None => guohe_keys::KeyLocation::for_database(&cfg.database_url),
    };
    let guohe = Guohe::open_with_keys(&cfg.database_url, cfg.policies.clone(), keys)
        .await
        .map_err(|e| match e {
            // A missing or wrong key file: say which file, in both languages.
            guohe_app::AppError::Keys(k) => anyhow::anyhow!("{}\n{k}", k.message_zh()),
            other => anyhow::anyhow!("{}", other.message_zh()),
        })
        .context("opening the database")?;
    let start = guohe.start_report();
    for (seq, why) in &start.ignored {
        tracing::warn!(seq, %why, "a snapshot does not match the chain and was ignored");
    }
    if let Some(seq) = start.from_snapshot {
        tracing::info!(seq, "started from a snapshot and the events after it");
    }
    match guohe.vault().key_file() {
        Some(f) => {
            tracing::info!(key_file = %f.display(), version = guohe.vault().master_version(), "personal data key file")
        }
        None => tracing::info!("personal data key in memory (in-memory database)"),
    }
    let accounts = AccountStore::open(guohe.log())
        .await
        .context("opening the account tables")?;
    let notify = guohe_notify::Notifier::open(guohe.log(), accounts.clone(), cfg.smtp.as_ref())
        .await
        .context("opening the notification tables")?;
    let signer = verification_signer(&guohe, cfg.demo)?;
    checkpoint_key(&guohe, cfg.demo);
    let verifier = verification::Verifier {
        signer,
        ttl: cfg.verify_statement_ttl,
        limiter: verification::RateLimiter::new(guohe.signin(), cfg.verify_per_minute, verification::WINDOW),
    };
    let state = AppState(Arc::new(AppParts {
        pages: Arc::default(),
        sessions: Arc::default(),
        documents: Arc::new(pages::documents::DocumentFonts::new(cfg.font_dir.clone())),
        verifier: Arc::new(verifier),
        guohe: Arc::new(guohe),
        notify,
        accounts,
        settings: Arc::new(Settings {
            // The demo keeps its own date unless one is given: see `demo::DEMO_DATE`.
            today: cfg.today.or(cfg.demo.then_some(demo::DEMO_DATE)),
            idle_timeout: cfg.idle_timeout,
            secure_cookies: cfg.secure_cookies,
            trust_forwarded_for: cfg.trust_forwarded_for,
            throttle_after: cfg.throttle_after.max(1),
            throttle_client_after: cfg.throttle_client_after.max(1),
            throttle_base: cfg.throttle_base,
            throttle_cap: cfg.throttle_cap,
            throttle_account_cap: cfg.throttle_account_cap,
            objections_per_day: cfg.objections_per_day.max(1),
            body_limit: cfg.body_limit,
            argon2_memory_kib: cfg.argon2_memory_kib,
            portal: match (&cfg.portal, cfg.demo) {
                (Some(p), _) => p.clone(),
                (None, true) => pages::portal::PortalSettings::example(),
                (None, false) => pages::portal::PortalSettings::from_policies(&cfg.policies),
            },
        }),
    }));
    if cfg.demo {
        demo::seed(&state, state.today())
            .await
            .context("seeding the demo data")?;
    }
    Ok((router(state.clone()), state))
}

/// The key that signs verification statements: the key file's entry, made on the spot for a
/// demo that has none. Without one, answers come unsigned and say why.
fn verification_signer(guohe: &Guohe, demo: bool) -> anyhow::Result<Option<guohe_keys::Sm2Signer>> {
    use guohe_keys::signing::VERIFICATION_SIGNING;
    let found = guohe
        .vault()
        .signer(VERIFICATION_SIGNING)
        .map_err(|e| anyhow::anyhow!("{}\n{e}", e.message_zh()))
        .context("reading the verification signing key")?;
    match found {
        Some(s) => {
            tracing::info!(
                key = s.name(),
                version = s.version(),
                "verification statements are signed"
            );
            Ok(Some(s))
        }
        None if demo => match guohe.vault().add_signer(VERIFICATION_SIGNING) {
            Ok(s) => Ok(Some(s)),
            Err(e) => {
                tracing::warn!(error = %e, "no verification signing key for the demo; answers are unsigned");
                Ok(None)
            }
        },
        None => {
            tracing::warn!(
                "no `{VERIFICATION_SIGNING}` key in the key file: verification answers carry no signed statement (guohe key add-signing-key --name {VERIFICATION_SIGNING})"
            );
            Ok(None)
        }
    }
}

/// Signed checkpoints of the chain (docs/audit.md) need the key file's `checkpoint-signing`
/// key: made on the spot for a demo, otherwise the server says once that it signs none.
fn checkpoint_key(guohe: &Guohe, demo: bool) {
    use guohe_keys::signing::CHECKPOINT_SIGNING;
    match guohe.checkpoint_public_key() {
        Ok(Some(_)) => tracing::info!(
            "the chain head is signed every {} events and daily",
            guohe_app::checkpoints::EVERY_EVENTS
        ),
        Ok(None) if demo => {
            if let Err(e) = guohe.vault().add_signer(CHECKPOINT_SIGNING) {
                tracing::warn!(error = %e, "no checkpoint signing key for the demo");
            }
        }
        Ok(None) => tracing::warn!(
            "no `{CHECKPOINT_SIGNING}` key in the key file: no signed checkpoints of the chain (guohe key add-signing-key --name {CHECKPOINT_SIGNING})"
        ),
        Err(e) => tracing::warn!(error = %e, "reading the checkpoint signing key failed"),
    }
}

/// Every route. Role pages added later go in `pages::<role>` and are listed here.
pub fn router(state: AppState) -> Router {
    use pages::{auth, department, expert, public, public_notices, recommender, unit};
    Router::new()
        .route("/", get(pages::portal::home))
        .route("/bases", get(public::register))
        .route("/bases.csv", get(public::register_csv))
        .route("/bases.xlsx", get(pages::register_export::register_xlsx))
        .route("/bases/{id}", get(public::base))
        .route("/notices", get(public_notices::notices))
        .route("/notices/{id}", get(public_notices::notice))
        .route("/notices/{id}/objections", post(public_notices::lodge_objection))
        .route("/notices/{id}/document.pdf", get(pages::documents::public_notice_pdf))
        .route("/announcements", get(public::announcements))
        .route("/draws", get(pages::draws::list))
        .route("/draws/{id}", get(pages::draws::show))
        .route("/subsidies", get(pages::subsidies::list))
        .route("/subsidies.csv", get(pages::subsidies::csv))
        .route("/subsidies.xlsx", get(pages::subsidies::xlsx))
        .route("/subsidies/{year}", get(pages::subsidies::year))
        .route("/stats", get(pages::stats::public))
        .route("/panels/{application}", get(pages::panels::show))
        .route("/draws.csv", get(pages::draws::csv))
        .route("/draws.xlsx", get(pages::draws::xlsx))
        .route("/policies/compare", get(pages::compare::compare))
        .route("/policies", get(pages::policies::index))
        .route("/policies/{id}", get(pages::policies::show))
        .route("/guide", get(pages::portal::guide_index))
        .route("/guide/{policy}", get(pages::portal::guide_page))
        .route("/downloads/{file}", get(pages::portal::download))
        .route("/verify", get(pages::verify::page))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/account", get(auth::account))
        .route("/account/password", post(auth::change_password))
        .route("/account/personal", post(auth::save_personal))
        .route(
            "/account/2fa",
            get(pages::second_factor::enrol_form).post(pages::second_factor::enrol),
        )
        .route("/dept", get(department::home))
        .route("/unit", get(unit::home))
        .route("/recommender", get(recommender::home))
        .route("/expert", get(expert::home))
        .merge(pages::role_routes())
        .merge(pages::admin::routes())
        .route(
            "/register",
            get(pages::registration::form).post(pages::registration::register),
        )
        .merge(pages::notifications::routes())
        .route("/static/{file}", get(pages::static_file))
        .route("/healthz", get(pages::healthz))
        .merge(api::router())
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(state.settings.body_limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::frame))
        .layer(axum::middleware::map_response(security::headers))
        .with_state(state)
}

/// How often the server sweeps idle sessions out of the table.
pub const SESSION_SWEEP_EVERY: Duration = Duration::from_secs(300);
/// How often the server looks for events other servers appended to a shared database.
pub const FOLLOW_EVERY: Duration = Duration::from_millis(250);
/// How often the server advances the clock and runs the notification pass.
pub const CLOCK_EVERY: Duration = Duration::from_secs(600);

/// One pass of the server's clock: advances the world to the business date if it is behind
/// (到期自动生效: notice periods ending, missed deadlines). Returns how many events fell due;
/// 0 when the clock is already there.
pub async fn clock_pass(state: &AppState) -> Result<usize, guohe_app::AppError> {
    // What other servers and commands appended (a policy loaded, a case moved) is read here
    // even when this server gives no command.
    state.guohe.refresh().await?;
    let today = state.today();
    let behind = state.guohe.clock().await.is_none_or(|c| c < today);
    if !behind {
        return Ok(0);
    }
    Ok(state.guohe.tick(today).await?.events.len())
}

/// One pass of the session sweeper: removes the sessions idle longer than the configured
/// timeout as of `now`. Returns how many were removed.
pub async fn sweep_sessions(state: &AppState, now: chrono::DateTime<Utc>) -> Result<u64, guohe_store::StoreError> {
    let cutoff = now - chrono::Duration::from_std(state.settings.idle_timeout).unwrap_or_default();
    let removed = state.accounts.purge_idle_sessions(cutoff).await?;
    if removed > 0 {
        state.sessions.forget_all();
    }
    Ok(removed)
}

/// Runs the server until Ctrl-C: `guohe serve`.
pub async fn serve(cfg: ServeConfig) -> anyhow::Result<()> {
    let bind = cfg.bind;
    let demo = cfg.demo;
    let (router, state) = app(cfg).await?;
    if demo {
        demo::print_logins(&state).await.context("listing the demo logins")?;
        println!("{}", demo::date_line(state.today()));
    }
    // Idle sessions are refused on use anyway, and ended rate windows start again; the sweep
    // only keeps the tables small.
    let sweeper = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(SESSION_SWEEP_EVERY).await;
            if let Err(e) = sweep_sessions(&sweeper, Utc::now()).await {
                tracing::warn!(error = %e, "purging idle sessions failed");
            }
            if let Err(e) = sweeper.verifier.limiter.prune(Utc::now()).await {
                tracing::warn!(error = %e, "purging ended verification rate windows failed");
            }
        }
    });
    // Several servers may share one PostgreSQL database: each folds in what the others appended
    // within a fraction of a second, rather than at its next command or clock pass.
    let follower = state.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(FOLLOW_EVERY).await;
            if let Err(e) = follower.guohe.refresh_if_behind().await {
                tracing::warn!(error = %e, "reading events appended by other servers failed");
            }
        }
    });
    // Rules that fire on their own (a notice period ending, a missed report deadline) must not
    // wait for someone to run `guohe tick`: the server advances the clock to the business date
    // at start and then every ten minutes. Ticking is idempotent, so several servers may do it.
    let clock = state.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = clock_pass(&clock).await {
                tracing::warn!(error = %e, today = %clock.today(), "advancing the clock failed");
            }
            if let Err(e) = clock.guohe.snapshot_if_due().await {
                tracing::warn!(error = %e, "taking a snapshot failed");
            }
            // Two servers may both sign the same head: the second is dropped by its seq.
            if let Err(e) = clock.guohe.checkpoint_if_due(Utc::now()).await {
                tracing::warn!(error = %e, "signing a checkpoint of the chain failed");
            }
            tokio::time::sleep(CLOCK_EVERY).await;
        }
    });
    // Reminders due today into the inboxes and the mail due now out, on the same schedule but in
    // a task of its own, so a slow mail relay never holds up the clock. Once-only keys and
    // claims make it safe on every server.
    let notifier = state.clone();
    tokio::spawn(async move {
        loop {
            let today = notifier.today();
            if let Err(e) = notifier.notify.run_pass(&notifier.guohe, today, Utc::now()).await {
                tracing::warn!(error = %e, %today, "the notification pass failed");
            }
            tokio::time::sleep(CLOCK_EVERY).await;
        }
    });
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    println!("国合 Guohe: http://{}", listener.local_addr()?);
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the server stopped")?;
    Ok(())
}
