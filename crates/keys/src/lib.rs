//! 密钥 — one place for Guohe's key material.
//!
//! * [`keyfile`]: the key file outside the database (JSON of named entries, mode 0600, written
//!   atomically). It holds the SM4 master key for personal information; its format leaves room
//!   for an SM2 signing key beside it.
//! * [`sm4gcm`]: SM4 in GCM, the authenticated mode every personal value and every wrapped key
//!   is sealed with.
//! * [`token`]: how a personal value is stored — `pii:v1:<subject>:<nonce>:<ciphertext>`.
//! * [`vault`]: per-person data keys (one per subject: an objector, an account, an expert),
//!   wrapped under the master key in the database; sealing, revealing, erasing (crypto-shredding)
//!   and rotating the master key.
//! * [`mask`]: how personal values look to those who do not need them (张*, 138****1234).
//! * [`signing`]: SM2 signing keys in the same key file (checkpoints, verification statements).
//!
//! Personal information law (个人信息保护法) and GB/T 39786 level 3: personal fields are stored
//! only encrypted, the key lives outside the database, and a deletion request is honoured by
//! erasing the person's data key — the hash chain, which holds only tokens, still verifies.

#![warn(missing_docs)]

pub mod keyfile;
pub mod mask;
pub mod signing;
pub mod sm4gcm;
pub mod token;
pub mod vault;

use std::path::PathBuf;

use guohe_store::StoreError;

pub use keyfile::{KeyFile, MasterKey};
pub use signing::Sm2Signer;
pub use sm4gcm::Sm4Key;
pub use token::{Subject, Token};
pub use vault::{KeyLocation, PendingSubject, Revealed, Rotation, Vault};

/// Why key material could not be used. Messages name the key file, never the key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The database holds encrypted personal information but its key file is gone.
    #[error(
        "key file {} is missing, but this database already holds encrypted personal data; restore the key file (or point GUOHE_KEY_FILE at it) — a new key would never open that data",
        file.display()
    )]
    MissingKeyFile {
        /// Where the key file was looked for.
        file: PathBuf,
    },
    /// The key file's master key does not open this database's data.
    #[error(
        "key file {} does not hold this database's master key (version {version}); wrong key file?",
        file.display()
    )]
    WrongKey {
        /// The key file.
        file: PathBuf,
        /// The master key version the database expects.
        version: i64,
    },
    /// The key file cannot be used as it is.
    #[error("key file {}: {reason}", file.display())]
    BadKeyFile {
        /// The key file.
        file: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("{}: {reason}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// A subject id is malformed.
    #[error("subject `{subject}`: {reason}")]
    BadSubject {
        /// The id as given.
        subject: String,
        /// What is wrong.
        reason: String,
    },
    /// A stored token is malformed or does not open under its subject's key.
    #[error("personal data token cannot be read: {0}")]
    BadToken(String),
    /// The subject's data key was erased: nothing more can be stored for it.
    #[error("the personal data of {0} was erased")]
    Erased(String),
    /// The key of an in-memory database lives only in memory: there is nothing to rotate.
    #[error("an in-memory database has no key file to rotate")]
    NotRotatable,
    /// The operating system's random generator failed.
    #[error("random generator failed: {0}")]
    Random(String),
    /// A cryptographic operation failed.
    #[error("cryptography failed: {0}")]
    Crypto(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl KeyError {
    /// The message in Chinese (with the file named), for administrators.
    pub fn message_zh(&self) -> String {
        match self {
            KeyError::MissingKeyFile { file } => format!(
                "密钥文件 {} 不存在，但数据库中已有加密的个人信息：请恢复该密钥文件（或用 GUOHE_KEY_FILE 指向它），系统不会另生成新密钥。",
                file.display()
            ),
            KeyError::WrongKey { file, version } => format!(
                "密钥文件 {} 不是本数据库的主密钥（应为第 {version} 版），请核对密钥文件。",
                file.display()
            ),
            KeyError::BadKeyFile { file, reason } => format!("密钥文件 {} 不可用：{reason}", file.display()),
            KeyError::Io { file, reason } => format!("无法读写 {}：{reason}", file.display()),
            KeyError::BadSubject { subject, reason } => format!("个人信息主体“{subject}”格式不正确：{reason}"),
            KeyError::BadToken(r) => format!("个人信息密文无法读取：{r}"),
            KeyError::Erased(s) => format!("{s} 的个人信息已删除。"),
            KeyError::NotRotatable => "内存数据库没有密钥文件，无需轮换。".into(),
            KeyError::Random(_) | KeyError::Crypto(_) => "密码运算失败，请联系系统管理员。".into(),
            KeyError::Store(_) => "数据库暂时不可用，请稍后重试。".into(),
        }
    }
}
