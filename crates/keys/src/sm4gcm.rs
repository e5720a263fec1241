//! SM4-GCM: the SM4 block cipher (GB/T 32907) in Galois/Counter Mode, an authenticated mode
//! (GB/T 36624 lists GCM among the modes for SM4). RustCrypto's `aes-gcm` is generic over any
//! 128-bit block cipher of the same trait version, so `AesGcm<Sm4, U12>` is SM4-GCM with a 96-bit
//! nonce and a 128-bit tag. A wrong key, a changed ciphertext or a token moved to another subject
//! (the subject is authenticated data) all fail to open.

use aes_gcm::AesGcm;
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use sm4::Sm4;

use crate::KeyError;

/// Length of an SM4 key in bytes (128 bits).
pub const KEY_LEN: usize = 16;
/// Length of a GCM nonce in bytes.
pub const NONCE_LEN: usize = 12;

type Sm4Gcm = AesGcm<Sm4, U12>;

/// A 128-bit SM4 key. Its `Debug` never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Sm4Key(pub(crate) [u8; KEY_LEN]);

impl std::fmt::Debug for Sm4Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sm4Key(…)")
    }
}

impl Sm4Key {
    /// A fresh random key from the operating system's generator.
    pub fn random() -> Result<Sm4Key, KeyError> {
        let mut k = [0u8; KEY_LEN];
        getrandom::fill(&mut k).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(Sm4Key(k))
    }

    /// A key from its bytes (16).
    pub fn from_slice(bytes: &[u8]) -> Option<Sm4Key> {
        <[u8; KEY_LEN]>::try_from(bytes).ok().map(Sm4Key)
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    fn cipher(&self) -> Result<Sm4Gcm, KeyError> {
        Sm4Gcm::new_from_slice(&self.0).map_err(|_| KeyError::Crypto("SM4 key length".into()))
    }

    /// Encrypts `plain` with a fresh random nonce; returns (nonce, ciphertext with tag).
    pub fn seal(&self, aad: &[u8], plain: &[u8]) -> Result<([u8; NONCE_LEN], Vec<u8>), KeyError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| KeyError::Random(e.to_string()))?;
        let ct = self
            .cipher()?
            .encrypt(&nonce.into(), Payload { msg: plain, aad })
            .map_err(|_| KeyError::Crypto("SM4-GCM encryption failed".into()))?;
        Ok((nonce, ct))
    }

    /// Decrypts and authenticates; `None` when the key, the data or the associated data do not
    /// match.
    pub fn open(&self, aad: &[u8], nonce: &[u8], ct: &[u8]) -> Option<Vec<u8>> {
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce).ok()?;
        self.cipher()
            .ok()?
            .decrypt(&nonce.into(), Payload { msg: ct, aad })
            .ok()
    }

    /// [`Sm4Key::seal`] into one blob: nonce ‖ ciphertext ‖ tag.
    pub fn seal_blob(&self, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, KeyError> {
        let (nonce, ct) = self.seal(aad, plain)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Opens a blob made by [`Sm4Key::seal_blob`].
    pub fn open_blob(&self, aad: &[u8], blob: &[u8]) -> Option<Vec<u8>> {
        if blob.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ct) = blob.split_at(NONCE_LEN);
        self.open(aad, nonce, ct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_then_open_round_trips_and_authenticates() {
        let k = Sm4Key::random().unwrap();
        let (n, ct) = k.seal(b"aad", "张三".as_bytes()).unwrap();
        assert_eq!(k.open(b"aad", &n, &ct).unwrap(), "张三".as_bytes());
        assert!(k.open(b"other", &n, &ct).is_none(), "associated data is authenticated");
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert!(k.open(b"aad", &n, &bad).is_none(), "a changed ciphertext is refused");
        let other = Sm4Key::random().unwrap();
        assert!(other.open(b"aad", &n, &ct).is_none(), "a wrong key is refused");
        assert!(!ct.windows(6).any(|w| w == "张三".as_bytes()));
    }

    #[test]
    fn sm4_block_matches_the_standard_example() {
        // GB/T 32907-2016 Appendix A, example 1: key = plaintext = 0123456789abcdeffedcba9876543210.
        use sm4::cipher::{BlockCipherEncrypt, KeyInit as _};
        let key = hex::decode("0123456789abcdeffedcba9876543210").unwrap();
        let c = Sm4::new_from_slice(&key).unwrap();
        let mut block = [0u8; 16];
        block.copy_from_slice(&key);
        let mut b = block.into();
        c.encrypt_block(&mut b);
        assert_eq!(hex::encode(b), "681edf34d206965e86b3e94f536e4246");
    }
}
