//! 个人信息密文 — the token a personal value is stored as:
//! `pii:v1:<subject>:<nonce>:<ciphertext>`, nonce and ciphertext (with its GCM tag) in unpadded
//! URL-safe base64. The subject names the person whose data key encrypts it, so erasing that key
//! makes every token of the person unreadable while the tokens themselves — and the hash chain
//! over them — stay as they were.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::KeyError;

/// Every token starts with this.
pub const PREFIX: &str = "pii:v1:";

/// Longest subject id.
pub const MAX_SUBJECT_LEN: usize = 160;

/// 个人信息主体 — whose personal data it is: `kind/id`, e.g. `objector/3f9a0c…` or
/// `account/zhang`. Kinds and ids are ASCII letters, digits and `._@-`, never `:` or spaces.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subject(String);

impl Subject {
    /// Parses and checks a subject id.
    pub fn parse(s: &str) -> Result<Subject, KeyError> {
        let bad = |why: &str| KeyError::BadSubject {
            subject: s.chars().take(MAX_SUBJECT_LEN).collect(),
            reason: why.into(),
        };
        let (kind, id) = s
            .split_once('/')
            .ok_or_else(|| bad("expected kind/id, e.g. objector/3f9a or account/zhang"))?;
        if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(bad("the kind is lower-case letters"));
        }
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || "._@-".contains(c)) {
            return Err(bad("the id is letters, digits and . _ @ -"));
        }
        if s.len() > MAX_SUBJECT_LEN {
            return Err(bad("too long"));
        }
        Ok(Subject(s.to_string()))
    }

    /// A new objector with a random id (an objection is made once; its person has no other key).
    pub fn new_objector() -> Result<Subject, KeyError> {
        let mut id = [0u8; 12];
        getrandom::fill(&mut id).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(Subject(format!("objector/{}", hex::encode(id))))
    }

    /// The subject of an account's personal fields.
    pub fn account(login: &str) -> Result<Subject, KeyError> {
        Subject::parse(&format!("account/{login}"))
    }

    /// The kind (`objector`, `account`, …).
    pub fn kind(&self) -> &str {
        self.0.split_once('/').map(|(k, _)| k).unwrap_or("")
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A token taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Whose data.
    pub subject: Subject,
    /// GCM nonce.
    pub nonce: Vec<u8>,
    /// Ciphertext with tag.
    pub ciphertext: Vec<u8>,
}

impl Token {
    /// Whether a stored value is a token (older records hold plaintext).
    pub fn is_token(s: &str) -> bool {
        s.starts_with(PREFIX)
    }

    /// Parses a token.
    pub fn parse(s: &str) -> Result<Token, KeyError> {
        let bad = |why: &str| KeyError::BadToken(why.into());
        let rest = s.strip_prefix(PREFIX).ok_or_else(|| bad("not a pii:v1 token"))?;
        let mut parts = rest.rsplitn(3, ':');
        let ct = parts.next().ok_or_else(|| bad("no ciphertext"))?;
        let nonce = parts.next().ok_or_else(|| bad("no nonce"))?;
        let subject = parts.next().ok_or_else(|| bad("no subject"))?;
        Ok(Token {
            subject: Subject::parse(subject)?,
            nonce: URL_SAFE_NO_PAD.decode(nonce).map_err(|_| bad("nonce is not base64"))?,
            ciphertext: URL_SAFE_NO_PAD
                .decode(ct)
                .map_err(|_| bad("ciphertext is not base64"))?,
        })
    }

    /// The associated data every token of `subject` is sealed with.
    pub fn aad(subject: &Subject) -> Vec<u8> {
        format!("{PREFIX}{subject}").into_bytes()
    }
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{PREFIX}{}:{}:{}",
            self.subject,
            URL_SAFE_NO_PAD.encode(&self.nonce),
            URL_SAFE_NO_PAD.encode(&self.ciphertext)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_checked() {
        assert_eq!(Subject::parse("account/zhang.san").unwrap().kind(), "account");
        assert!(Subject::parse("account").is_err());
        assert!(Subject::parse("Account/x").is_err());
        assert!(Subject::parse("account/a:b").is_err());
        assert!(Subject::parse("account/").is_err());
        assert!(Subject::parse(&format!("account/{}", "a".repeat(200))).is_err());
        assert!(Subject::new_objector().unwrap().as_str().starts_with("objector/"));
    }

    #[test]
    fn tokens_round_trip() {
        let t = Token {
            subject: Subject::parse("objector/ab12").unwrap(),
            nonce: vec![1; 12],
            ciphertext: vec![0xfb, 0xff, 3],
        };
        let s = t.to_string();
        assert!(Token::is_token(&s));
        assert_eq!(Token::parse(&s).unwrap(), t);
        assert!(Token::parse("pii:v1:objector/ab12:AAAA").is_err());
        assert!(Token::parse("张三").is_err());
    }
}
