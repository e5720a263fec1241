//! 动态口令 — TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), base32 secrets (RFC
//! 4648), the `otpauth://` enrolment URI as an inline SVG QR code, and one-time recovery codes.
//!
//! Pure functions only: the stored state (secrets, the last step accepted, spent recovery codes)
//! is in [`guohe_store::signin`], the rules in [`crate::second_factor`].

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Seconds per time step (RFC 6238's default, which every authenticator app uses).
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Steps of clock drift tolerated either side of now.
pub const DRIFT_STEPS: i64 = 1;
/// Bytes of a new secret (160 bits, RFC 4226's recommendation for HMAC-SHA1).
pub const SECRET_BYTES: usize = 20;
/// Recovery codes issued at enrolment.
pub const RECOVERY_CODES: usize = 10;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base32 (RFC 4648) without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32, ignoring case, spaces, hyphens and padding; `None` on any other character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in text.chars() {
        if matches!(c, ' ' | '-' | '=') {
            continue;
        }
        let c = c.to_ascii_uppercase();
        let v = BASE32.iter().position(|&x| x as char == c)? as u32;
        buf = ((buf << 5) | v) & 0xFFFF;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    Some(out)
}

/// HOTP (RFC 4226) with `digits` digits.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC accepts keys of any length; this cannot fail.
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let off = (h[h.len() - 1] & 0x0f) as usize;
    let bin = (u32::from(h[off] & 0x7f) << 24)
        | (u32::from(h[off + 1]) << 16)
        | (u32::from(h[off + 2]) << 8)
        | u32::from(h[off + 3]);
    bin % 10u32.pow(digits)
}

/// The time step of a Unix time.
pub fn step_of(unix: i64) -> i64 {
    unix.div_euclid(STEP_SECONDS)
}

/// The code for a step, zero-padded.
pub fn code_at_step(key: &[u8], step: i64) -> String {
    format!(
        "{:0width$}",
        hotp(key, step.max(0) as u64, DIGITS),
        width = DIGITS as usize
    )
}

/// The code for a Unix time.
pub fn code_at(key: &[u8], unix: i64) -> String {
    code_at_step(key, step_of(unix))
}

/// The step within ±[`DRIFT_STEPS`] of `unix` whose code is `code`, trying the oldest first (so
/// that a replay check on "later than the last step accepted" leaves the newer ones usable).
/// Compares in constant time.
pub fn matching_step(key: &[u8], code: &str, unix: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix);
    (now - DRIFT_STEPS..=now + DRIFT_STEPS).find(|s| crate::security::same_secret(&code_at_step(key, *s), code))
}

/// A new random secret, base32.
pub fn new_secret() -> String {
    let mut buf = [0u8; SECRET_BYTES];
    // As for session ids: a predictable secret would be worse than failing.
    getrandom::fill(&mut buf).expect("the operating system's random generator failed");
    base32_encode(&buf)
}

/// The `otpauth://` URI authenticator apps read from the QR code.
pub fn otpauth_uri(issuer: &str, login: &str, secret: &str) -> String {
    let label = format!("{}:{}", crate::view::urlencode(issuer), crate::view::urlencode(login));
    format!(
        "otpauth://totp/{label}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        crate::view::urlencode(issuer)
    )
}

/// The QR code of `data` as an inline SVG element (no script, no external reference).
pub fn qr_svg(data: &str) -> Result<String, String> {
    let code =
        qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M).map_err(|e| e.to_string())?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Drop the XML declaration so the element can sit inside the page.
    Ok(match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => svg,
    })
}

/// New recovery codes: ten of `xxxx-xxxx-xxxx` (60 random bits each, base32, lower case).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut buf = [0u8; 8];
            getrandom::fill(&mut buf).expect("the operating system's random generator failed");
            let s = base32_encode(&buf).to_ascii_lowercase();
            format!("{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
        })
        .collect()
}

/// The canonical form of a typed recovery code: lower case, without spaces or hyphens.
pub fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The stored digest of a recovery code: SM3 over the login and the canonical code. The codes
/// carry 60 random bits, so a fast hash suffices (nobody can guess them offline).
pub fn recovery_code_hash(login: &str, code: &str) -> String {
    guohe_store::sm3_hex(format!("guohe-recovery\n{login}\n{}", normalise_recovery_code(code)).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (8 digits, the 20-byte ASCII key "12345678901234567890").
    #[test]
    fn rfc6238_test_vectors() {
        let key = b"12345678901234567890";
        for (t, want) in [
            (59i64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            let got = format!("{:08}", hotp(key, step_of(t) as u64, 8));
            assert_eq!(got, want, "T = {t}");
        }
        // Six digits are the last six of the eight.
        assert_eq!(code_at(key, 59), "287082");
    }

    /// RFC 4226 appendix D: HOTP values for counters 0–9.
    #[test]
    fn rfc4226_test_vectors() {
        let key = b"12345678901234567890";
        let want = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (c, w) in want.iter().enumerate() {
            assert_eq!(hotp(key, c as u64, 6), *w, "counter {c}");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(base32_decode("MZXW6YTBOI======").unwrap(), b"foobar");
        assert_eq!(base32_decode("mzxw 6ytb-oi").unwrap(), b"foobar");
        assert!(base32_decode("MZXW1").is_none(), "1 is not base32");
        let s = new_secret();
        assert_eq!(s.len(), 32);
        assert_eq!(base32_decode(&s).unwrap().len(), SECRET_BYTES);
        assert_ne!(new_secret(), s);
    }

    #[test]
    fn codes_match_within_one_step_of_drift_only() {
        let key = b"12345678901234567890";
        let t = 1_111_111_111;
        let now = step_of(t);
        assert_eq!(matching_step(key, &code_at(key, t), t), Some(now));
        assert_eq!(matching_step(key, &code_at(key, t - 30), t), Some(now - 1));
        assert_eq!(matching_step(key, &code_at(key, t + 30), t), Some(now + 1));
        assert_eq!(matching_step(key, &code_at(key, t - 90), t), None);
        assert_eq!(matching_step(key, "12345", t), None);
        assert_eq!(matching_step(key, "abcdef", t), None);
    }

    #[test]
    fn the_qr_code_is_an_inline_svg_of_the_uri() {
        let uri = otpauth_uri("国合 Guohe", "hn-dept", "JBSWY3DPEHPK3PXP");
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(uri.contains("secret=JBSWY3DPEHPK3PXP"));
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(!svg.contains("<script"));
        assert!(!svg.contains("style="), "no inline style: the CSP forbids it");
    }

    #[test]
    fn recovery_codes_are_random_and_hashed_canonically() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(
            codes.iter().collect::<std::collections::BTreeSet<_>>().len(),
            RECOVERY_CODES
        );
        let c = &codes[0];
        assert_eq!(c.len(), 14);
        assert_eq!(
            recovery_code_hash("a", c),
            recovery_code_hash("a", &c.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_code_hash("a", c), recovery_code_hash("b", c));
    }
}
