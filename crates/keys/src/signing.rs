//! 签名密钥 — SM2 signing keys (GB/T 32918, SM3 digest) kept in the same key file as the master key,
//! for signed checkpoints of the chain and signed verification statements.
//!
//! An entry is named for its use (e.g. [`CHECKPOINT_SIGNING`]) with `"algorithm": "SM2"`; `key` is
//! the 32-byte private scalar in hex and `public_key` (an extra field) the SEC 1 uncompressed public
//! point in hex, so a verifier can be given the public key without the file. Signatures are the
//! 64-byte `r ‖ s` in hex, made with the default distinguishing identifier of GM/T 0009
//! (`1234567812345678`).

use sm2::dsa::signature::{Signer as _, Verifier as _};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};

use crate::KeyError;

/// Entry name of the key that signs checkpoints of the chain.
pub const CHECKPOINT_SIGNING: &str = "checkpoint-signing";

/// Entry name of the key that signs verification statements (核验声明, `/api/v1/verify`).
pub const VERIFICATION_SIGNING: &str = "verification-signing";

/// The distinguishing identifier (GM/T 0009 default).
pub const DIST_ID: &str = "1234567812345678";

/// An SM2 key able to sign.
pub struct Sm2Signer {
    name: String,
    version: i64,
    key: SigningKey,
}

impl std::fmt::Debug for Sm2Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sm2Signer")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("public_key", &self.public_key_hex())
            .finish()
    }
}

impl Sm2Signer {
    /// A fresh key from the operating system's generator.
    pub fn generate(name: &str, version: i64) -> Result<Sm2Signer, KeyError> {
        // A random 256-bit string is a valid scalar except with negligible probability; draw
        // again in that case.
        for _ in 0..16 {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
            if let Ok(key) = SigningKey::from_slice(DIST_ID, &bytes) {
                return Ok(Sm2Signer {
                    name: name.into(),
                    version,
                    key,
                });
            }
        }
        Err(KeyError::Crypto("no valid SM2 scalar drawn".into()))
    }

    /// A key from its private scalar (hex).
    pub fn from_hex(name: &str, version: i64, hex_key: &str) -> Option<Sm2Signer> {
        let bytes = hex::decode(hex_key).ok()?;
        let key = SigningKey::from_slice(DIST_ID, &bytes).ok()?;
        Some(Sm2Signer {
            name: name.into(),
            version,
            key,
        })
    }

    /// The entry name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The version.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The private scalar, hex (for the key file only).
    pub(crate) fn private_hex(&self) -> String {
        hex::encode(self.key.to_bytes())
    }

    /// The public key, SEC 1 uncompressed, hex.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().to_sec1_bytes())
    }

    /// Signs a message: `r ‖ s`, hex.
    pub fn sign(&self, message: &[u8]) -> String {
        let sig: Signature = self.key.sign(message);
        hex::encode(sig.to_bytes())
    }
}

/// Whether `signature` (hex `r ‖ s`) is the SM2 signature of `message` under `public_key` (hex SEC 1).
/// Malformed keys or signatures are simply not valid.
pub fn verify(public_key: &str, message: &[u8], signature: &str) -> bool {
    let Ok(pk) = hex::decode(public_key) else {
        return false;
    };
    let Ok(sig) = hex::decode(signature) else {
        return false;
    };
    let (Ok(vk), Ok(sig)) = (VerifyingKey::from_sec1_bytes(DIST_ID, &pk), Signature::from_slice(&sig)) else {
        return false;
    };
    vk.verify(message, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let s = Sm2Signer::generate(CHECKPOINT_SIGNING, 1).unwrap();
        let pk = s.public_key_hex();
        assert_eq!(pk.len(), 130, "04 ‖ x ‖ y");
        let sig = s.sign(b"seq 42 head 9f3a");
        assert_eq!(sig.len(), 128);
        assert!(verify(&pk, b"seq 42 head 9f3a", &sig));
        assert!(!verify(&pk, b"seq 43 head 9f3a", &sig), "another message");
        let other = Sm2Signer::generate(CHECKPOINT_SIGNING, 1).unwrap();
        assert!(
            !verify(&other.public_key_hex(), b"seq 42 head 9f3a", &sig),
            "another key"
        );
        assert!(!verify("zz", b"x", &sig) && !verify(&pk, b"x", "00"));
        let back = Sm2Signer::from_hex(CHECKPOINT_SIGNING, 1, &s.private_hex()).unwrap();
        assert_eq!(back.public_key_hex(), pk);
    }
}
