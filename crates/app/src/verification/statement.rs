//! 核验声明 — the signed statement of a verification answer: its canonical text, the SM2
//! signature under the key file's `verification-signing` entry, and why an answer may have none.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use guohe_keys::Sm2Signer;
use serde::Serialize;

use super::Verification;

/// The first line of every statement: its format and version.
pub const STATEMENT_FORMAT: &str = "guohe-verification/1";

/// How long a statement is good for unless the server is told otherwise: long enough for the
/// asking system to store it with its own decision, short enough that nobody presents an old
/// answer as a fresh one.
pub const DEFAULT_STATEMENT_TTL: Duration = Duration::from_secs(15 * 60);

/// A signed verification statement (核验声明).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    /// [`STATEMENT_FORMAT`].
    pub format: String,
    /// The unit.
    pub uscc: String,
    /// The date asked about.
    pub on: NaiveDate,
    /// The verdict's code.
    pub result: String,
    /// The bases validly named on the date.
    pub bases: Vec<String>,
    /// When it was issued (UTC, seconds).
    pub issued_at: String,
    /// When it stops being a fresh answer (UTC, seconds).
    pub expires_at: String,
    /// The key file entry that signed it.
    pub key_name: String,
    /// Its version.
    pub key_version: i64,
    /// The exact text signed (UTF-8): every field above, one `name=value` line each.
    pub canonical: String,
    /// The SM2 signature of `canonical`: `r ‖ s`, 64 bytes, hex.
    pub signature: String,
    /// The signing public key, SEC 1 uncompressed, hex (also at `/api/v1/verify/public-key`).
    pub public_key: String,
    /// `SM2-SM3`.
    pub algorithm: String,
    /// The SM2 distinguishing identifier used (GM/T 0009 default).
    pub distinguishing_id: String,
    /// How to check it.
    pub how_to_verify: String,
}

impl Statement {
    /// The text that is signed: one `name=value` line each, in this order, each ending in `\n`
    /// (ids, codes and dates only, so nothing needs escaping).
    #[allow(clippy::too_many_arguments)]
    pub fn canonical_text(
        uscc: &str,
        on: NaiveDate,
        result: &str,
        bases: &[String],
        issued_at: &str,
        expires_at: &str,
        key_name: &str,
        key_version: i64,
    ) -> String {
        format!(
            "format={STATEMENT_FORMAT}\nuscc={uscc}\non={on}\nresult={result}\nbases={}\nissued_at={issued_at}\nexpires_at={expires_at}\nkey={key_name}\nkey_version={key_version}\n",
            bases.join(",")
        )
    }

    /// Signs the answer at `now`, good for `ttl`.
    pub fn sign(v: &Verification, signer: &Sm2Signer, now: DateTime<Utc>, ttl: Duration) -> Statement {
        let issued = now.to_rfc3339_opts(SecondsFormat::Secs, true);
        let expires = (now + chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::minutes(15)))
            .to_rfc3339_opts(SecondsFormat::Secs, true);
        let bases = v.valid_base_ids();
        let canonical = Statement::canonical_text(
            &v.uscc,
            v.on,
            v.result.code(),
            &bases,
            &issued,
            &expires,
            signer.name(),
            signer.version(),
        );
        Statement {
            format: STATEMENT_FORMAT.into(),
            uscc: v.uscc.clone(),
            on: v.on,
            result: v.result.code().into(),
            bases,
            issued_at: issued,
            expires_at: expires,
            key_name: signer.name().into(),
            key_version: signer.version(),
            signature: signer.sign(canonical.as_bytes()),
            canonical,
            public_key: signer.public_key_hex(),
            algorithm: "SM2-SM3".into(),
            distinguishing_id: guohe_keys::signing::DIST_ID.into(),
            how_to_verify: format!(
                "Verify `signature` (r‖s, hex) over the UTF-8 bytes of `canonical` with SM2 (GB/T 32918, SM3, distinguishing id {}) and the public key at /api/v1/verify/public-key (key `{}` version {}); then check that `canonical` names the unit, date and result you rely on and that `expires_at` had not passed when you received it. 用 /api/v1/verify/public-key 公布的公钥按 SM2 验证 canonical 的 UTF-8 字节上的签名。",
                guohe_keys::signing::DIST_ID,
                signer.name(),
                signer.version()
            ),
        }
    }

    /// Whether the signature holds over `canonical` under `public_key`.
    pub fn verifies(&self) -> bool {
        guohe_keys::signing::verify(&self.public_key, self.canonical.as_bytes(), &self.signature)
    }
}

/// Why an answer comes without a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoStatement {
    /// In Chinese.
    pub reason_zh: String,
    /// In English.
    pub reason_en: String,
}

impl NoStatement {
    /// No verification key in the key file.
    pub fn no_key() -> NoStatement {
        NoStatement {
            reason_zh: format!(
                "本系统尚未配置核验签名密钥（密钥文件中的 {0}），答复未附签名声明；系统管理员可运行 guohe key add-signing-key --name {0} 后重启服务。",
                guohe_keys::signing::VERIFICATION_SIGNING
            ),
            reason_en: format!(
                "No verification signing key is configured (entry {0} of the key file), so the answer carries no signed statement; an administrator can run `guohe key add-signing-key --name {0}` and restart the server.",
                guohe_keys::signing::VERIFICATION_SIGNING
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verification::verify;
    use guohe_policy::PolicySet;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_statement_is_the_signed_canonical_text() {
        let policies = PolicySet::default();
        let v = verify(&[], &policies, "91430100MA4L0XQ53A", d("2026-11-20"));
        let signer = Sm2Signer::generate(guohe_keys::signing::VERIFICATION_SIGNING, 2).unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-20T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let s = Statement::sign(&v, &signer, now, Duration::from_secs(600));
        assert_eq!(
            s.canonical,
            "format=guohe-verification/1\nuscc=91430100MA4L0XQ53A\non=2026-11-20\nresult=not_named\nbases=\nissued_at=2026-11-20T08:00:00Z\nexpires_at=2026-11-20T08:10:00Z\nkey=verification-signing\nkey_version=2\n"
        );
        assert!(s.verifies());
        let mut forged = s.clone();
        forged.canonical = forged.canonical.replace("not_named", "named");
        assert!(!forged.verifies());
    }
}
