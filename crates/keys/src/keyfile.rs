//! 密钥文件 — the key file outside the database.
//!
//! A small JSON document of named entries:
//!
//! ```json
//! {
//!   "format": "guohe-keys/1",
//!   "keys": [
//!     { "name": "pii-master", "algorithm": "SM4", "version": 2,
//!       "created_at": "2026-12-01T13:30:00Z", "key": "…32 hex digits…" }
//!   ]
//! }
//! ```
//!
//! Each entry is a name, an algorithm and a version. The personal-information master key is the
//! `pii-master` SM4 entry with the highest version (an older version is present only while a
//! rotation is rewrapping the data keys). SM2 signing keys for checkpoints and verification
//! statements live in the same file as entries of their own (`"algorithm": "SM2"`, see
//! [`crate::signing`]); entries this version does not know are kept untouched when the file is
//! rewritten.
//!
//! The file is written atomically (a temporary file in the same folder, then a rename or a
//! link), readable and writable only by its owner (mode 0600), and refused at open when others
//! can read it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::KeyError;
use crate::signing::Sm2Signer;
use crate::sm4gcm::Sm4Key;

/// The `format` of the file.
pub const FORMAT: &str = "guohe-keys/1";
/// Entry name of the personal-information master key.
pub const PII_MASTER: &str = "pii-master";

/// One named key in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyEntry {
    /// What the key is for, e.g. `pii-master`.
    pub name: String,
    /// `SM4` (later also `SM2`).
    pub algorithm: String,
    /// Version, counting from 1; a rotation adds the next.
    pub version: i64,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// The key, hex.
    pub key: String,
    /// Fields of later formats, kept as they are.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// The keys.
    pub keys: Vec<KeyEntry>,
}

/// A master key and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterKey {
    /// Version.
    pub version: i64,
    /// Key.
    pub key: Sm4Key,
}

impl KeyFile {
    /// A new file holding one fresh master key, version 1.
    pub fn generate() -> Result<KeyFile, KeyError> {
        let mut f = KeyFile {
            format: FORMAT.into(),
            keys: Vec::new(),
        };
        f.add_master(1)?;
        Ok(f)
    }

    /// Adds a fresh master key of the given version and returns it.
    pub fn add_master(&mut self, version: i64) -> Result<MasterKey, KeyError> {
        let key = Sm4Key::random()?;
        self.keys.push(KeyEntry {
            name: PII_MASTER.into(),
            algorithm: "SM4".into(),
            version,
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            key: hex::encode(key.as_bytes()),
            extra: serde_json::Map::new(),
        });
        Ok(MasterKey { version, key })
    }

    /// Every master key in the file, newest first.
    pub fn masters(&self, path: &Path) -> Result<Vec<MasterKey>, KeyError> {
        let mut out = Vec::new();
        for e in self.keys.iter().filter(|e| e.name == PII_MASTER) {
            let bad = |why: &str| KeyError::BadKeyFile {
                file: path.to_path_buf(),
                reason: format!("entry {} version {}: {why}", e.name, e.version),
            };
            if e.algorithm != "SM4" {
                return Err(bad("algorithm must be SM4"));
            }
            let bytes = hex::decode(&e.key).map_err(|_| bad("key is not hex"))?;
            let key = Sm4Key::from_slice(&bytes).ok_or_else(|| bad("key must be 16 bytes (32 hex digits)"))?;
            out.push(MasterKey {
                version: e.version,
                key,
            });
        }
        out.sort_by_key(|m| std::cmp::Reverse(m.version));
        Ok(out)
    }

    /// The newest SM2 signing key of that name, if the file has one.
    pub fn signer(&self, name: &str, path: &Path) -> Result<Option<Sm2Signer>, KeyError> {
        let Some(e) = self
            .keys
            .iter()
            .filter(|e| e.name == name && e.algorithm == "SM2")
            .max_by_key(|e| e.version)
        else {
            return Ok(None);
        };
        Sm2Signer::from_hex(name, e.version, &e.key)
            .map(Some)
            .ok_or_else(|| KeyError::BadKeyFile {
                file: path.to_path_buf(),
                reason: format!("entry {name} version {}: not an SM2 private key", e.version),
            })
    }

    /// Adds a fresh SM2 signing key under `name` (the next version) and returns it.
    pub fn add_signer(&mut self, name: &str) -> Result<Sm2Signer, KeyError> {
        let version = self
            .keys
            .iter()
            .filter(|e| e.name == name)
            .map(|e| e.version)
            .max()
            .unwrap_or(0)
            + 1;
        let signer = Sm2Signer::generate(name, version)?;
        let mut extra = serde_json::Map::new();
        extra.insert("public_key".into(), serde_json::Value::String(signer.public_key_hex()));
        self.keys.push(KeyEntry {
            name: name.into(),
            algorithm: "SM2".into(),
            version,
            created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            key: signer.private_hex(),
            extra,
        });
        Ok(signer)
    }

    /// Keeps only one master version (after a rotation committed); other entries stay.
    pub fn retain_master(&mut self, version: i64) {
        self.keys.retain(|e| e.name != PII_MASTER || e.version == version);
    }

    /// Reads and checks a key file; `Ok(None)` when it does not exist.
    pub fn load(path: &Path) -> Result<Option<KeyFile>, KeyError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(KeyError::Io {
                    file: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        check_private(path)?;
        let f: KeyFile = serde_json::from_str(&text).map_err(|e| KeyError::BadKeyFile {
            file: path.to_path_buf(),
            reason: format!("not a Guohe key file: {e}"),
        })?;
        if f.format != FORMAT {
            return Err(KeyError::BadKeyFile {
                file: path.to_path_buf(),
                reason: format!("format `{}` is not {FORMAT}", f.format),
            });
        }
        if f.masters(path)?.is_empty() {
            return Err(KeyError::BadKeyFile {
                file: path.to_path_buf(),
                reason: format!("no `{PII_MASTER}` entry"),
            });
        }
        Ok(Some(f))
    }

    /// Creates the file only if it does not exist yet (another server may be creating it at the
    /// same moment: exactly one wins). Returns false when it already existed.
    pub fn create_new(&self, path: &Path) -> Result<bool, KeyError> {
        let tmp = write_temp(self, path)?;
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                sync_dir(path);
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(KeyError::Io {
                file: path.to_path_buf(),
                reason: e.to_string(),
            }),
        }
    }

    /// Replaces the file atomically.
    pub fn replace(&self, path: &Path) -> Result<(), KeyError> {
        let tmp = write_temp(self, path)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            KeyError::Io {
                file: path.to_path_buf(),
                reason: e.to_string(),
            }
        })?;
        sync_dir(path);
        Ok(())
    }
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> KeyError + '_ {
    move |e| KeyError::Io {
        file: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Writes the file's text to a fresh temporary file beside `path`, mode 0600, synced.
fn write_temp(f: &KeyFile, path: &Path) -> Result<PathBuf, KeyError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).map_err(|e| KeyError::Random(e.to_string()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", hex::encode(suffix)));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut file = opts.open(&tmp).map_err(io(&tmp))?;
    let text = serde_json::to_string_pretty(f).map_err(|e| KeyError::Crypto(e.to_string()))?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .and_then(|()| file.sync_all());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(&tmp)(e));
    }
    Ok(tmp)
}

fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
}

/// Refuses a key file that others than its owner can read or write.
fn check_private(path: &Path) -> Result<(), KeyError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).map_err(io(path))?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(KeyError::BadKeyFile {
                file: path.to_path_buf(),
                reason: format!(
                    "mode {:o} lets others read it; only its owner may (chmod 600)",
                    mode & 0o777
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_file_is_private_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.json");
        let f = KeyFile::generate().unwrap();
        assert!(f.create_new(&p).unwrap());
        assert!(
            !KeyFile::generate().unwrap().create_new(&p).unwrap(),
            "never replaced by create_new"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(KeyFile::load(&p).unwrap().unwrap(), f);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn unknown_entries_survive_a_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.json");
        let mut f = KeyFile::generate().unwrap();
        let mut extra = serde_json::Map::new();
        extra.insert("public_key".into(), serde_json::json!("04ab"));
        f.keys.push(KeyEntry {
            name: "checkpoint-signing".into(),
            algorithm: "SM2".into(),
            version: 1,
            created_at: "2026-12-01T00:00:00Z".into(),
            key: "00".into(),
            extra,
        });
        f.add_master(2).unwrap();
        f.retain_master(2);
        f.replace(&p).unwrap();
        let back = KeyFile::load(&p).unwrap().unwrap();
        assert_eq!(back.masters(&p).unwrap().len(), 1);
        assert_eq!(back.masters(&p).unwrap()[0].version, 2);
        assert_eq!(
            back.keys.iter().find(|e| e.name == "checkpoint-signing").unwrap().extra["public_key"],
            "04ab"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.json");
        KeyFile::generate().unwrap().create_new(&p).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = KeyFile::load(&p).unwrap_err().to_string();
        assert!(e.contains("chmod 600") && e.contains("k.json"), "{e}");
    }

    #[test]
    fn signing_keys_live_beside_the_master_key() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.json");
        let mut f = KeyFile::generate().unwrap();
        assert!(f.signer("checkpoint-signing", &p).unwrap().is_none());
        let s = f.add_signer("checkpoint-signing").unwrap();
        f.replace(&p).unwrap();
        let back = KeyFile::load(&p).unwrap().unwrap();
        let s2 = back.signer("checkpoint-signing", &p).unwrap().unwrap();
        assert_eq!((s2.version(), s2.public_key_hex()), (1, s.public_key_hex()));
        let entry = back.keys.iter().find(|e| e.name == "checkpoint-signing").unwrap();
        assert_eq!(entry.extra["public_key"], s.public_key_hex());
        assert!(crate::signing::verify(&s.public_key_hex(), b"m", &s2.sign(b"m")));
        assert_eq!(back.masters(&p).unwrap().len(), 1, "the master key is untouched");
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.json");
        KeyFile::generate().unwrap().create_new(&p).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::write(&p, "{\"format\": \"guohe-keys/1\", \"keys\": []}").unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let e = KeyFile::load(&p).unwrap_err().to_string();
        assert!(e.contains("pii-master"), "{e}");
    }
}
