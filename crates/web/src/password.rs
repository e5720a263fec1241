//! 口令 — Argon2id hashing and the complexity rule (等保2.0 三级 身份鉴别; OWASP ASVS V2).

use argon2::password_hash::PasswordVerifier;
use argon2::{Argon2, PasswordHash};

use crate::error::FieldError;

/// Shortest password accepted.
pub const MIN_LEN: usize = 10;
/// Longest password accepted (Argon2 takes any length; this only bounds the work per request).
pub const MAX_LEN: usize = 128;

/// Checks the complexity rule: at least 10 characters, at least three of upper-case letters,
/// lower-case letters, digits and symbols, and not containing the login.
pub fn check_complexity(login: &str, password: &str, field: &str) -> Result<(), FieldError> {
    let len = password.chars().count();
    let rule_zh = "口令须至少10位，包含大写字母、小写字母、数字、符号中的至少三类，且不得包含用户名";
    let rule_en = "at least 10 characters, with at least three of: upper-case letters, lower-case letters, digits, symbols; must not contain the login";
    if len < MIN_LEN {
        return Err(FieldError::new(
            field,
            format!("口令过短（{len}位）。{rule_zh}。"),
            format!("Too short ({len}). Use {rule_en}."),
        ));
    }
    if len > MAX_LEN {
        return Err(FieldError::new(
            field,
            format!("口令过长（最多{MAX_LEN}位）。"),
            format!("Too long (at most {MAX_LEN})."),
        ));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if classes < 3 {
        return Err(FieldError::new(
            field,
            format!("口令字符类型不足（仅{classes}类）。{rule_zh}。"),
            format!("Only {classes} kinds of character. Use {rule_en}."),
        ));
    }
    let login = login.trim().to_lowercase();
    if !login.is_empty() && password.to_lowercase().contains(&login) {
        return Err(FieldError::new(
            field,
            format!("口令不得包含用户名。{rule_zh}。"),
            format!("Must not contain the login. Use {rule_en}."),
        ));
    }
    Ok(())
}

/// Hashing lives with the application service, which makes accounts too (the import).
pub use guohe_app::passwords::hash;

/// Verifies a password against a stored PHC string (its own parameters apply).
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the login does not exist, so that unknown logins take as long
/// as wrong passwords.
pub fn decoy_hash(memory_kib: u32) -> String {
    hash("decoy-Password-1", memory_kib).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complexity_rule() {
        assert!(check_complexity("zhang", "Short1!", "p").is_err());
        assert!(check_complexity("zhang", "alllowercase1", "p").is_err());
        assert!(check_complexity("zhang", "Guohe@2026x", "p").is_ok());
        assert!(check_complexity("zhang", "Guohe2026xy", "p").is_ok());
        let e = check_complexity("zhang", "Zhang@20261", "p").unwrap_err();
        assert!(e.zh.contains("用户名"), "{}", e.zh);
        assert!(
            check_complexity("zhang", "密码密码密码密码密码1a", "p").is_ok(),
            "CJK counts as a symbol"
        );
    }

    #[test]
    fn hash_and_verify() {
        let h = hash("Guohe@2026x", 64).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Guohe@2026x", &h));
        assert!(!verify("Guohe@2026y", &h));
        assert!(!verify("x", "not a hash"));
    }
}
