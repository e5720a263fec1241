//! 初始口令 — Argon2id hashing and one-time initial passwords, shared by everything that makes
//! accounts (the administration pages, `guohe account create`, the import of existing bases).
//! Checking a password at sign-in stays with the web server.

use argon2::password_hash::PasswordHasher;
use argon2::{Algorithm, Argon2, Params, Version};

/// Argon2 memory (KiB) unless configured otherwise: 19 MiB, OWASP's minimum for Argon2id.
pub const DEFAULT_ARGON2_MEMORY_KIB: u32 = 19 * 1024;

/// Hashes a password with Argon2id (t=2, p=1, memory in KiB) and a random salt.
pub fn hash(password: &str, memory_kib: u32) -> Result<String, String> {
    let params = Params::new(memory_kib.max(8), 2, 1, None).map_err(|e| e.to_string())?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    argon
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Hashes off the async workers: Argon2 is deliberately slow.
pub async fn hash_blocking(password: &str, memory_kib: u32) -> Result<String, String> {
    let p = password.to_string();
    tokio::task::spawn_blocking(move || hash(&p, memory_kib))
        .await
        .map_err(|e| format!("hashing task: {e}"))?
}

/// A random initial password that meets the complexity rule (upper and lower case, digits, a
/// symbol; 19 characters, about 80 bits): shown once to whoever hands it over, never stored in
/// clear, and changed at the first sign-in.
pub fn initial_password() -> Result<String, String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 14];
    getrandom::fill(&mut bytes).map_err(|e| format!("random: {e}"))?;
    let body: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    Ok(format!("Gh#{body}7a"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initial_passwords_differ_and_hash() {
        let (a, b) = (initial_password().unwrap(), initial_password().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 19);
        assert!(hash(&a, 64).unwrap().starts_with("$argon2id$"));
    }
}
