//! Stored policies (入库的办法): a policy loaded into the database is an audited act on the hash
//! chain, after which every [`crate::Guohe::open`] — every server and every command — folds it
//! over the built-in ones without `--policy-file`.
//!
//! Each policy id has its own stream `policy/<id>`: a `PolicyLoaded` event carries the full YAML
//! text and its SM3 digest (so the chain proves which text was in force), a `PolicyUnloaded`
//! event withdraws it. The text is validated with the same loader as the built-ins before
//! anything is written. Because cases (rounds, applications, notices, bases) name their policy
//! by id and are judged by its articles, a stored policy may replace a built-in of the same id,
//! or change a version that cases use, only when the operator says so (`replace`); and it cannot
//! be unloaded while any case uses it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use guohe_domain::World;
use guohe_policy::{Policy, PolicyError, PolicySet, PolicySource, load};
use guohe_store::{EventLog, NewEvent, StoreError, sm3_hex};

use crate::{AppError, Guohe};

/// The prefix of the streams holding stored policies.
pub const POLICY_STREAM_PREFIX: &str = "policy/";
/// Event kind: a policy was loaded into the database.
pub const POLICY_LOADED: &str = "PolicyLoaded";
/// Event kind: a stored policy was withdrawn.
pub const POLICY_UNLOADED: &str = "PolicyUnloaded";

/// A policy as stored on the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredPolicy {
    /// The policy id.
    pub id: String,
    /// The YAML text, exactly as loaded.
    pub yaml: String,
    /// SM3 digest (hex) of the text.
    pub sm3: String,
    /// Who loaded it.
    pub loaded_by: String,
    /// The business date of the load.
    pub loaded_on: NaiveDate,
    /// The seq of the `PolicyLoaded` event.
    pub seq: i64,
}

impl StoredPolicy {
    /// Where a policy folded from this record comes from.
    pub fn source(&self) -> PolicySource {
        PolicySource::Stored {
            sm3: self.sm3.clone(),
            loaded_on: self.loaded_on,
            loaded_by: self.loaded_by.clone(),
        }
    }
    /// Parses the stored text (validated when it was loaded; a failure now means the record or
    /// this build's schema changed).
    pub fn policy(&self) -> Result<Policy, AppError> {
        load::from_yaml(&self.yaml, &format!("{POLICY_STREAM_PREFIX}{}", self.id))
            .map_err(|e| AppError::Corrupt(format!("stored policy {}: {e}", self.id)))
    }
}

/// How many cases use a policy (rounds, applications, notices, bases).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicyUse {
    /// 申报批次.
    pub rounds: usize,
    /// 申报.
    pub applications: usize,
    /// 公示.
    pub notices: usize,
    /// 国合基地.
    pub bases: usize,
}

impl PolicyUse {
    /// Counts the cases of `world` under policy `id`.
    pub fn of(world: &World, id: &str) -> PolicyUse {
        PolicyUse {
            rounds: world.rounds().filter(|r| r.policy == id).count(),
            applications: world.applications().filter(|a| a.policy == id).count(),
            notices: world.notices().filter(|n| n.policy == id).count(),
            bases: world.bases().filter(|b| b.policy == id).count(),
        }
    }
    /// Whether no case uses it.
    pub fn is_none(&self) -> bool {
        *self == PolicyUse::default()
    }
    fn zh(&self) -> String {
        format!(
            "批次 {} 个、申报 {} 件、公示 {} 次、基地 {} 个",
            self.rounds, self.applications, self.notices, self.bases
        )
    }
    fn en(&self) -> String {
        format!(
            "{} round(s), {} application(s), {} notice(s), {} base(s)",
            self.rounds, self.applications, self.notices, self.bases
        )
    }
}

/// Why a policy could not be loaded or unloaded; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PolicyStoreError {
    /// The text is not a valid policy (file, path inside it, reason).
    #[error("invalid policy: {0}")]
    Invalid(#[from] PolicyError),
    /// The id is a built-in policy and `replace` was not given.
    #[error("policy `{id}` is built in; loading another version needs --replace (cases may depend on it)")]
    ReplacesBuiltin {
        /// The id.
        id: String,
    },
    /// A different version of a policy that cases use, without `replace`.
    #[error("policy `{id}` is used by {}; loading a changed version needs --replace", used.en())]
    ChangesUsed {
        /// The id.
        id: String,
        /// The cases using it.
        used: PolicyUse,
    },
    /// Unloading a policy that cases still use.
    #[error("policy `{id}` cannot be unloaded: it is used by {}", used.en())]
    InUse {
        /// The id.
        id: String,
        /// The cases using it.
        used: PolicyUse,
    },
    /// Unloading a built-in policy.
    #[error("policy `{id}` is built in and cannot be unloaded")]
    Builtin {
        /// The id.
        id: String,
    },
    /// Unloading an id that is not stored.
    #[error("no stored policy `{id}`; stored: {known}")]
    NotStored {
        /// The id.
        id: String,
        /// The stored ids, for the message.
        known: String,
    },
    /// The database or the chain failed.
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<StoreError> for PolicyStoreError {
    fn from(e: StoreError) -> Self {
        PolicyStoreError::App(AppError::Store(e))
    }
}

impl PolicyStoreError {
    /// The message in Chinese, for people.
    pub fn message_zh(&self) -> String {
        match self {
            PolicyStoreError::Invalid(e) => format!("办法文件无效：{}，位置 `{}`：{}", e.file, e.path, e.reason),
            PolicyStoreError::ReplacesBuiltin { id } => {
                format!("“{id}”是内置办法；案件可能依据它，载入其他版本须加 --replace")
            }
            PolicyStoreError::ChangesUsed { id, used } => {
                format!("“{id}”正被案件使用（{}），载入改动后的版本须加 --replace", used.zh())
            }
            PolicyStoreError::InUse { id, used } => format!("“{id}”正被案件使用（{}），不能卸载", used.zh()),
            PolicyStoreError::Builtin { id } => format!("“{id}”是内置办法，不能卸载"),
            PolicyStoreError::NotStored { id, known } => format!("数据库中没有办法“{id}”；已入库：{known}"),
            PolicyStoreError::App(e) => e.message_zh(),
        }
    }
    /// Whether the operator's input is at fault (as opposed to the database).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, PolicyStoreError::App(_))
    }
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loaded {
    /// Recorded on the chain at this seq.
    Recorded {
        /// The policy id.
        id: String,
        /// SM3 of the text.
        sm3: String,
        /// The event's seq.
        seq: i64,
    },
    /// The same text was already stored: nothing written.
    Unchanged {
        /// The policy id.
        id: String,
        /// SM3 of the text.
        sm3: String,
    },
}

/// Folds one event of a `policy/` stream into the stored policies.
pub(crate) fn fold_event(
    stored: &mut BTreeMap<String, StoredPolicy>,
    e: &guohe_store::ReplayEvent<'_>,
) -> Result<(), AppError> {
    let corrupt = |what: &str| AppError::Corrupt(format!("event {}: {what}", e.seq));
    let id = e
        .stream
        .strip_prefix(POLICY_STREAM_PREFIX)
        .ok_or_else(|| corrupt("not a policy stream"))?
        .to_string();
    match e.kind {
        POLICY_LOADED => {
            #[derive(serde::Deserialize)]
            struct Payload {
                yaml: String,
                sm3: String,
            }
            let p: Payload = serde_json::from_str(e.payload).map_err(|err| corrupt(&err.to_string()))?;
            if sm3_hex(p.yaml.as_bytes()) != p.sm3 {
                return Err(corrupt("the stored policy text does not match its SM3 digest"));
            }
            stored.insert(
                id.clone(),
                StoredPolicy {
                    id,
                    yaml: p.yaml,
                    sm3: p.sm3,
                    loaded_by: e.actor.to_string(),
                    loaded_on: e.occurred_on,
                    seq: e.seq,
                },
            );
        }
        POLICY_UNLOADED => {
            stored.remove(&id);
        }
        other => return Err(corrupt(&format!("unknown policy event `{other}`"))),
    }
    Ok(())
}

/// Folds the stored policies over `set` (see [`PolicySet::fold_stored`]).
pub(crate) fn fold_into(set: &mut PolicySet, stored: &BTreeMap<String, StoredPolicy>) -> Result<(), AppError> {
    for s in stored.values() {
        set.fold_stored(s.policy()?, s.source());
    }
    Ok(())
}

/// Reads the policies stored in the database (for commands that do not open a [`Guohe`]): the
/// policy streams only, not the whole log.
pub async fn read_stored_policies(log: &EventLog) -> Result<Vec<StoredPolicy>, AppError> {
    let mut stored = BTreeMap::new();
    for ev in log.read_streams_with_prefix(POLICY_STREAM_PREFIX).await? {
        let articles: Vec<std::borrow::Cow<'_, str>> = ev.articles.iter().map(|a| a.as_str().into()).collect();
        let payload = ev.payload.to_string();
        let e = guohe_store::ReplayEvent {
            seq: ev.seq,
            stream: &ev.stream,
            kind: &ev.kind,
            actor: &ev.actor,
            occurred_on: ev.occurred_on,
            articles: &articles,
            payload: &payload,
        };
        fold_event(&mut stored, &e)?;
    }
    Ok(stored.into_values().collect())
}

/// `set` with the policies stored in the database folded in (see [`PolicySet::fold_stored`]).
pub async fn with_stored_policies(log: &EventLog, mut set: PolicySet) -> Result<PolicySet, AppError> {
    for s in read_stored_policies(log).await? {
        set.fold_stored(s.policy()?, s.source());
    }
    Ok(set)
}

impl Guohe {
    /// The policies stored in the database, as of the last refresh, by id.
    pub async fn stored_policies(&self) -> Vec<StoredPolicy> {
        self.inner.read().await.stored_policies.values().cloned().collect()
    }

    /// Validates `yaml` (named `file` in errors) with the same loader as the built-ins and
    /// records it on stream `policy/<id>` with its SM3 digest. A built-in id, or a changed
    /// version of an id that cases use, needs `replace`. Loading the text already stored is
    /// a no-op. This process uses it at once; other processes and servers take it when they
    /// next read the log (before any command, and on each server's clock pass).
    pub async fn load_policy(
        &self,
        yaml: &str,
        file: &str,
        replace: bool,
        loaded_by: &str,
        on: NaiveDate,
    ) -> Result<Loaded, PolicyStoreError> {
        let policy = load::from_yaml(yaml, file)?;
        let id = policy.id.clone();
        let sm3 = sm3_hex(yaml.as_bytes());
        let mut inner = self.inner.write().await;
        self.catch_up(&mut inner).await?;
        let current = inner.stored_policies.get(&id);
        if current.is_some_and(|c| c.sm3 == sm3) {
            return Ok(Loaded::Unchanged { id, sm3 });
        }
        if !replace {
            if current.is_none() && guohe_policy::builtin_policy(&id).is_some() {
                return Err(PolicyStoreError::ReplacesBuiltin { id });
            }
            let used = PolicyUse::of(&inner.world, &id);
            if current.is_some() && !used.is_none() {
                return Err(PolicyStoreError::ChangesUsed { id, used });
            }
        }
        let stream = format!("{POLICY_STREAM_PREFIX}{id}");
        let event = NewEvent {
            stream: stream.clone(),
            kind: POLICY_LOADED.to_string(),
            actor: loaded_by.to_string(),
            occurred_on: on,
            articles: Vec::new(),
            payload: serde_json::json!({
                "id": id,
                "file": file,
                "yaml": yaml,
                "sm3": sm3,
                "replace": replace,
            }),
        };
        let seq = self.append_policy_event(&mut inner, &stream, event).await?;
        Ok(Loaded::Recorded { id, sm3, seq })
    }

    /// Withdraws a stored policy: refused for a built-in, for an id not stored, and while any
    /// case (round, application, notice, base) uses it. Returns the event's seq.
    pub async fn unload_policy(&self, id: &str, unloaded_by: &str, on: NaiveDate) -> Result<i64, PolicyStoreError> {
        let mut inner = self.inner.write().await;
        self.catch_up(&mut inner).await?;
        let Some(current) = inner.stored_policies.get(id) else {
            if guohe_policy::builtin_policy(id).is_some() {
                return Err(PolicyStoreError::Builtin { id: id.to_string() });
            }
            let known: Vec<&str> = inner.stored_policies.keys().map(String::as_str).collect();
            return Err(PolicyStoreError::NotStored {
                id: id.to_string(),
                known: if known.is_empty() {
                    "—".into()
                } else {
                    known.join(", ")
                },
            });
        };
        let sm3 = current.sm3.clone();
        let used = PolicyUse::of(&inner.world, id);
        if !used.is_none() {
            return Err(PolicyStoreError::InUse {
                id: id.to_string(),
                used,
            });
        }
        let stream = format!("{POLICY_STREAM_PREFIX}{id}");
        let event = NewEvent {
            stream: stream.clone(),
            kind: POLICY_UNLOADED.to_string(),
            actor: unloaded_by.to_string(),
            occurred_on: on,
            articles: Vec::new(),
            payload: serde_json::json!({ "id": id, "sm3": sm3 }),
        };
        Ok(self.append_policy_event(&mut inner, &stream, event).await?)
    }

    async fn append_policy_event(
        &self,
        inner: &mut crate::Inner,
        stream: &str,
        event: NewEvent,
    ) -> Result<i64, AppError> {
        let version = self.log.stream_version(stream).await?;
        let stored = match self.log.append(stream, version, vec![event]).await {
            Ok(s) => s,
            Err(StoreError::Conflict { stream, .. }) => {
                self.catch_up(inner).await?;
                return Err(AppError::Conflict { stream });
            }
            Err(e) => return Err(e.into()),
        };
        self.catch_up(inner).await?;
        stored
            .first()
            .map(|s| s.seq)
            .ok_or_else(|| AppError::Corrupt(format!("nothing appended to {stream}")))
    }
}
