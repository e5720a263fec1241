//! 脱敏 — how personal values look to those who do not need them: enough to recognise one's own
//! entry, not enough to identify or contact anyone.

/// What pages show for the value of an erased person (已删除).
pub const ERASED_ZH: &str = "已删除";
/// English of [`ERASED_ZH`].
pub const ERASED_EN: &str = "erased";

fn stars(n: usize) -> String {
    "*".repeat(n)
}

/// A name: the first character, the rest starred (张三 → 张*, 欧阳娜娜 → 欧***).
pub fn name(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        n => format!("{}{}", chars[0], stars(n - 1)),
    }
}

/// A mobile number: the first three and last four digits (13812341234 → 138****1234).
pub fn phone(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.len() >= 8 {
        let n = chars.len();
        format!(
            "{}{}{}",
            chars[..3].iter().collect::<String>(),
            stars(n - 7),
            chars[n - 4..].iter().collect::<String>()
        )
    } else {
        generic(s)
    }
}

/// An e-mail address: the first character of the local part and the domain (z***@example.cn).
pub fn email(s: &str) -> String {
    match s.trim().split_once('@') {
        Some((local, domain)) if !local.is_empty() => {
            format!("{}***@{domain}", local.chars().next().unwrap_or('*'))
        }
        _ => generic(s),
    }
}

/// An ID number: the first and last character (430…X → 4****************X).
pub fn id_number(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    match chars.len() {
        0..=2 => stars(chars.len()),
        n => format!("{}{}{}", chars[0], stars(n - 2), chars[n - 1]),
    }
}

/// A free-form contact (phone, e-mail or ID number, as an objector typed it).
pub fn contact(s: &str) -> String {
    let t = s.trim();
    if t.contains('@') {
        email(t)
    } else if t.chars().filter(char::is_ascii_digit).count() >= 15 {
        id_number(t)
    } else if t
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '+')
    {
        phone(t)
    } else {
        generic(t)
    }
}

/// Anything else: a quarter shown at each end at most, the middle starred.
pub fn generic(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    let n = chars.len();
    if n <= 2 {
        return stars(n);
    }
    let keep = (n / 4).max(1);
    let tail = if n > 4 { keep } else { 0 };
    format!(
        "{}{}{}",
        chars[..keep].iter().collect::<String>(),
        stars(n - keep - tail),
        chars[n - tail..].iter().collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(name("张三"), "张*");
        assert_eq!(name("李卫东"), "李**");
        assert_eq!(name("张"), "*");
        assert_eq!(phone("13812341234"), "138****1234");
        assert_eq!(email("zhang.san@example.cn"), "z***@example.cn");
        assert_eq!(id_number("43010219900101123X"), "4****************X");
        assert_eq!(contact("13812341234"), "138****1234");
        assert_eq!(contact("0731-88881234"), "073******1234");
        assert_eq!(contact("a@b.cn"), "a***@b.cn");
        assert_eq!(contact("43010219900101123X"), "4****************X");
        assert_eq!(contact("微信 zhangsan"), "微信*******an");
        for s in ["13812341234", "李卫东", "zhang.san@example.cn"] {
            assert_ne!(contact(s), s);
        }
    }
}
