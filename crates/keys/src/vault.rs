//! 个人信息加密 — per-person data keys under one master key.
//!
//! Every person (subject) gets a random SM4 data key, stored in the database only wrapped
//! (SM4-GCM) under the master key from the key file. Personal values are sealed with the data key
//! into [`Token`]s. Erasing a subject deletes its wrapped key: its tokens stay wherever they are
//! (on the hash chain, in tables) and can never be opened again. Rotating the master key rewraps
//! the data keys only, so no token — and nothing on the chain — changes.

use std::path::{Path, PathBuf};
use std::sync::RwLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use guohe_store::{EventLog, KeyCheck, KeyStore, SubjectKeyRow};

use crate::keyfile::{KeyFile, MasterKey};
use crate::signing::Sm2Signer;
use crate::sm4gcm::Sm4Key;
use crate::token::{Subject, Token};
use crate::{KeyError, mask};

const CHECK_PLAIN: &[u8] = b"guohe personal-data master key check";

/// Where the master key lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLocation {
    /// A key file (created on first start).
    File(PathBuf),
    /// Only in memory, for an in-memory database that disappears with the process.
    Ephemeral,
}

impl KeyLocation {
    /// The default for a database URL: beside a SQLite file (`guohe.db` → `guohe.db.keys.json`);
    /// in memory for an in-memory SQLite database; `guohe-data/guohe.keys.json` (relative to the
    /// working directory) for PostgreSQL, where every server must be given the same file.
    pub fn for_database(url: &str) -> KeyLocation {
        if let Some(rest) = url.strip_prefix("sqlite:") {
            let path = rest.trim_start_matches("//");
            let path = path.split('?').next().unwrap_or("");
            if path.is_empty() || path.starts_with(':') || url.contains("mode=memory") {
                return KeyLocation::Ephemeral;
            }
            return KeyLocation::File(PathBuf::from(format!("{path}.keys.json")));
        }
        KeyLocation::File(PathBuf::from("guohe-data/guohe.keys.json"))
    }
}

/// A revealed personal value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revealed {
    /// The value (decrypted, or a record from before encryption, which is plaintext).
    Value(String),
    /// The person's key was erased: the value is gone for good.
    Erased,
}

impl Revealed {
    /// The value in full, or 「已删除」/"erased".
    pub fn full(&self, zh: bool) -> String {
        match self {
            Revealed::Value(v) => v.clone(),
            Revealed::Erased => erased(zh),
        }
    }

    /// The value through a mask (e.g. [`mask::name`]), or 「已删除」/"erased".
    pub fn masked(&self, f: fn(&str) -> String, zh: bool) -> String {
        match self {
            Revealed::Value(v) => f(v),
            Revealed::Erased => erased(zh),
        }
    }

    /// The value, if not erased.
    pub fn value(&self) -> Option<&str> {
        match self {
            Revealed::Value(v) => Some(v),
            Revealed::Erased => None,
        }
    }
}

fn erased(zh: bool) -> String {
    if zh { mask::ERASED_ZH } else { mask::ERASED_EN }.to_string()
}

/// A new subject whose data key is not stored yet: seal its values, then [`Vault::commit`] it
/// before anything holding the tokens is written.
#[derive(Debug)]
pub struct PendingSubject {
    subject: Subject,
    key: Sm4Key,
}

impl PendingSubject {
    /// The subject.
    pub fn subject(&self) -> &Subject {
        &self.subject
    }

    /// Seals a value into a token.
    pub fn seal(&self, plain: &str) -> Result<String, KeyError> {
        seal_with(&self.key, &self.subject, plain)
    }
}

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Old master version.
    pub from_version: i64,
    /// New master version.
    pub to_version: i64,
    /// Data keys rewrapped.
    pub rewrapped: usize,
    /// The key file.
    pub key_file: PathBuf,
}

/// The master key, the key tables and the operations on personal data.
pub struct Vault {
    store: KeyStore,
    location: KeyLocation,
    master: RwLock<MasterKey>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("location", &self.location).finish()
    }
}

fn check_aad(version: i64) -> Vec<u8> {
    format!("guohe-key-check:v{version}").into_bytes()
}

/// The associated data a subject's data key is wrapped with.
pub fn wrap_aad(subject: &str) -> Vec<u8> {
    format!("guohe-subject-key:{subject}").into_bytes()
}

fn make_check(m: &MasterKey) -> Result<KeyCheck, KeyError> {
    Ok(KeyCheck {
        master_version: m.version,
        check_value: STANDARD.encode(m.key.seal_blob(&check_aad(m.version), CHECK_PLAIN)?),
    })
}

fn check_opens(m: &MasterKey, c: &KeyCheck) -> bool {
    m.version == c.master_version
        && STANDARD
            .decode(&c.check_value)
            .ok()
            .and_then(|b| m.key.open_blob(&check_aad(m.version), &b))
            .is_some_and(|p| p == CHECK_PLAIN)
}

fn wrap(m: &MasterKey, subject: &str, key: &Sm4Key) -> Result<String, KeyError> {
    Ok(STANDARD.encode(m.key.seal_blob(&wrap_aad(subject), key.as_bytes())?))
}

fn unwrap(m: &MasterKey, subject: &str, wrapped: &str) -> Option<Sm4Key> {
    let blob = STANDARD.decode(wrapped).ok()?;
    Sm4Key::from_slice(&m.key.open_blob(&wrap_aad(subject), &blob)?)
}

fn seal_with(key: &Sm4Key, subject: &Subject, plain: &str) -> Result<String, KeyError> {
    let (nonce, ciphertext) = key.seal(&Token::aad(subject), plain.as_bytes())?;
    Ok(Token {
        subject: subject.clone(),
        nonce: nonce.to_vec(),
        ciphertext,
    }
    .to_string())
}

/// Opens the key file at `path` for a database whose check value is `check` (if any), creating
/// the file when neither exists. Returns the master key in force.
async fn open_file(store: &KeyStore, path: &Path) -> Result<MasterKey, KeyError> {
    let check = store.check().await?;
    let file = match KeyFile::load(path)? {
        Some(f) => f,
        None => {
            if check.is_some() || store.has_subjects().await? {
                return Err(KeyError::MissingKeyFile {
                    file: path.to_path_buf(),
                });
            }
            let f = KeyFile::generate()?;
            if f.create_new(path)? {
                f
            } else {
                // Another server created it first: use that one.
                KeyFile::load(path)?.ok_or_else(|| KeyError::MissingKeyFile {
                    file: path.to_path_buf(),
                })?
            }
        }
    };
    let masters = file.masters(path)?;
    let check = match check {
        Some(c) => c,
        None => {
            let newest = masters.first().ok_or_else(|| KeyError::BadKeyFile {
                file: path.to_path_buf(),
                reason: "no master key".into(),
            })?;
            store.init_check(&make_check(newest)?, Utc::now()).await?
        }
    };
    let Some(master) = masters.iter().find(|m| check_opens(m, &check)).cloned() else {
        return Err(KeyError::WrongKey {
            file: path.to_path_buf(),
            version: check.master_version,
        });
    };
    if masters.len() > 1 {
        // A rotation stopped half-way: the database says which version is in force; the other
        // one is of no use any more and must not linger.
        let mut f = file;
        f.retain_master(master.version);
        f.replace(path)?;
    }
    Ok(master)
}

impl Vault {
    /// Opens the key tables and the master key. A first start creates the key file (0600); a
    /// missing key file for a database with encrypted data, or a key file that does not open
    /// the database's check value, is an error naming the file.
    pub async fn open(log: &EventLog, location: KeyLocation) -> Result<Vault, KeyError> {
        let store = KeyStore::open(log).await?;
        let master = match &location {
            KeyLocation::File(path) => open_file(&store, path).await?,
            KeyLocation::Ephemeral => {
                let m = MasterKey {
                    version: 1,
                    key: Sm4Key::random()?,
                };
                let c = store.init_check(&make_check(&m)?, Utc::now()).await?;
                if !check_opens(&m, &c) {
                    return Err(KeyError::BadKeyFile {
                        file: PathBuf::from(":memory:"),
                        reason: "an in-memory database already has another key".into(),
                    });
                }
                m
            }
        };
        Ok(Vault {
            store,
            location,
            master: RwLock::new(master),
        })
    }

    /// The key file, if there is one.
    pub fn key_file(&self) -> Option<&Path> {
        match &self.location {
            KeyLocation::File(p) => Some(p),
            KeyLocation::Ephemeral => None,
        }
    }

    /// The key tables.
    pub fn store(&self) -> &KeyStore {
        &self.store
    }

    /// The version of the master key in use.
    pub fn master_version(&self) -> i64 {
        self.master().version
    }

    fn master(&self) -> MasterKey {
        self.master.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Follows a rotation made by another process: re-reads the key file when the database's
    /// master version is not ours.
    async fn current_master(&self) -> Result<MasterKey, KeyError> {
        let ours = self.master();
        let Some(check) = self.store.check().await? else {
            return Ok(ours);
        };
        if check.master_version == ours.version {
            return Ok(ours);
        }
        let KeyLocation::File(path) = &self.location else {
            return Ok(ours);
        };
        let file = KeyFile::load(path)?.ok_or_else(|| KeyError::MissingKeyFile { file: path.clone() })?;
        let m = file
            .masters(path)?
            .into_iter()
            .find(|m| check_opens(m, &check))
            .ok_or_else(|| KeyError::WrongKey {
                file: path.clone(),
                version: check.master_version,
            })?;
        *self.master.write().unwrap_or_else(|e| e.into_inner()) = m.clone();
        Ok(m)
    }

    /// A new subject with a fresh data key, not stored yet.
    pub fn pending(&self, subject: Subject) -> Result<PendingSubject, KeyError> {
        Ok(PendingSubject {
            subject,
            key: Sm4Key::random()?,
        })
    }

    /// Stores a pending subject's wrapped data key.
    pub async fn commit(&self, p: &PendingSubject) -> Result<(), KeyError> {
        let m = self.current_master().await?;
        let row = self
            .store
            .insert_subject(
                p.subject.as_str(),
                p.subject.kind(),
                m.version,
                &wrap(&m, p.subject.as_str(), &p.key)?,
                Utc::now(),
            )
            .await?;
        match self.data_key(&row).await? {
            Some(k) if k == p.key => Ok(()),
            Some(_) => Err(KeyError::Crypto(format!("{} already has another data key", p.subject))),
            None => Err(KeyError::Erased(p.subject.to_string())),
        }
    }

    /// The subject's data key, unwrapped; `None` when erased.
    async fn data_key(&self, row: &SubjectKeyRow) -> Result<Option<Sm4Key>, KeyError> {
        let Some((version, wrapped)) = &row.wrapped else {
            return Ok(None);
        };
        let mut m = self.master();
        if m.version != *version {
            m = self.current_master().await?;
        }
        if m.version != *version {
            return Err(KeyError::BadToken(format!(
                "the key of {} is wrapped under master version {version}, the key file has {}",
                row.subject, m.version
            )));
        }
        unwrap(&m, &row.subject, wrapped)
            .map(Some)
            .ok_or_else(|| KeyError::BadToken(format!("the wrapped key of {} does not open", row.subject)))
    }

    /// Seals a value for a subject, creating its data key on first use. Refused for an erased
    /// subject: an erased person stays erased.
    pub async fn seal(&self, subject: &Subject, plain: &str) -> Result<String, KeyError> {
        let key = match self.store.subject(subject.as_str()).await? {
            Some(row) => self
                .data_key(&row)
                .await?
                .ok_or_else(|| KeyError::Erased(subject.to_string()))?,
            None => {
                let p = self.pending(subject.clone())?;
                self.commit(&p).await?;
                p.key
            }
        };
        seal_with(&key, subject, plain)
    }

    /// Opens a stored value: a token is decrypted (or reported erased); anything else is a
    /// record from before encryption and is returned as it is.
    pub async fn reveal(&self, stored: &str) -> Result<Revealed, KeyError> {
        if !Token::is_token(stored) {
            return Ok(Revealed::Value(stored.to_string()));
        }
        let t = Token::parse(stored)?;
        // No row at all means the key is gone as surely as an erased one.
        let Some(row) = self.store.subject(t.subject.as_str()).await? else {
            return Ok(Revealed::Erased);
        };
        let Some(key) = self.data_key(&row).await? else {
            return Ok(Revealed::Erased);
        };
        let plain = key
            .open(&Token::aad(&t.subject), &t.nonce, &t.ciphertext)
            .ok_or_else(|| KeyError::BadToken(format!("a token of {} does not open", t.subject)))?;
        String::from_utf8(plain)
            .map(Revealed::Value)
            .map_err(|_| KeyError::BadToken("not UTF-8".into()))
    }

    /// The subject's key row (live or erased), if it ever had one.
    pub async fn subject(&self, subject: &Subject) -> Result<Option<SubjectKeyRow>, KeyError> {
        Ok(self.store.subject(subject.as_str()).await?)
    }

    /// Erases a subject's data key. Returns false when it was unknown or already erased.
    pub async fn erase(&self, subject: &Subject) -> Result<bool, KeyError> {
        Ok(self.store.erase_subject(subject.as_str(), Utc::now()).await?)
    }

    /// The SM2 signing key of that name (e.g. [`crate::signing::CHECKPOINT_SIGNING`]) from the key
    /// file, if it has one.
    pub fn signer(&self, name: &str) -> Result<Option<Sm2Signer>, KeyError> {
        let KeyLocation::File(path) = &self.location else {
            return Ok(None);
        };
        let file = KeyFile::load(path)?.ok_or_else(|| KeyError::MissingKeyFile { file: path.clone() })?;
        file.signer(name, path)
    }

    /// Adds a new SM2 signing key (the next version of `name`) to the key file and returns it;
    /// the master key and other entries stay as they are. An administrator's step, not done on
    /// the fly, so two servers never make two different keys.
    pub fn add_signer(&self, name: &str) -> Result<Sm2Signer, KeyError> {
        let KeyLocation::File(path) = &self.location else {
            return Err(KeyError::NotRotatable);
        };
        let mut file = KeyFile::load(path)?.ok_or_else(|| KeyError::MissingKeyFile { file: path.clone() })?;
        let signer = file.add_signer(name)?;
        file.replace(path)?;
        Ok(signer)
    }

    /// Rotates the master key: a new version is added to the key file, every live data key is
    /// rewrapped under it in one transaction, and only then is the old version removed from the
    /// file. If the rewrap fails, the file goes back to the old key alone and nothing changed.
    pub async fn rotate(&self) -> Result<Rotation, KeyError> {
        let KeyLocation::File(path) = &self.location else {
            return Err(KeyError::NotRotatable);
        };
        let old = self.current_master().await?;
        let mut file = KeyFile::load(path)?.ok_or_else(|| KeyError::MissingKeyFile { file: path.clone() })?;
        let next = file
            .masters(path)?
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap_or(old.version)
            + 1;
        let new = file.add_master(next)?;
        let mut rewrapped = Vec::new();
        for row in self.store.subjects().await? {
            let Some((version, wrapped)) = &row.wrapped else {
                continue;
            };
            if *version != old.version {
                return Err(KeyError::BadToken(format!(
                    "the key of {} is wrapped under master version {version}, not {}",
                    row.subject, old.version
                )));
            }
            let key = unwrap(&old, &row.subject, wrapped)
                .ok_or_else(|| KeyError::BadToken(format!("the wrapped key of {} does not open", row.subject)))?;
            rewrapped.push((row.subject.clone(), wrap(&new, &row.subject, &key)?));
        }
        // Both versions are in the file while the database moves over: a crash in between leaves
        // a file that opens whichever version the database committed to.
        file.replace(path)?;
        if let Err(e) = self.store.rewrap(old.version, &make_check(&new)?, &rewrapped).await {
            file.retain_master(old.version);
            file.replace(path)?;
            return Err(e.into());
        }
        file.retain_master(new.version);
        file.replace(path)?;
        *self.master.write().unwrap_or_else(|e| e.into_inner()) = new.clone();
        Ok(Rotation {
            from_version: old.version,
            to_version: new.version,
            rewrapped: rewrapped.len(),
            key_file: path.clone(),
        })
    }
}
