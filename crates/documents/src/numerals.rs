//! 成文日期 in Chinese numerals: 二〇二六年十二月一日.

use chrono::{Datelike, NaiveDate};

const DIGITS: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// A date as a document writes it: the year digit by digit (二〇二六), month and day as numbers
/// (十二、二十一).
pub fn chinese_date(d: NaiveDate) -> String {
    let year: String = d
        .year()
        .to_string()
        .chars()
        .map(|c| c.to_digit(10).map(|n| DIGITS[n as usize]).unwrap_or(c))
        .collect();
    format!("{year}年{}月{}日", number(d.month()), number(d.day()))
}

/// 1–99 as words: 一, 十, 十二, 二十, 三十一.
fn number(n: u32) -> String {
    let (tens, ones) = (n / 10, n % 10);
    let mut s = String::new();
    match tens {
        0 => {}
        1 => s.push('十'),
        t => {
            s.push(DIGITS[t as usize]);
            s.push('十');
        }
    }
    if ones != 0 || tens == 0 {
        s.push(DIGITS[ones as usize]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_in_chinese_numerals() {
        assert_eq!(chinese_date(d(2026, 12, 1)), "二〇二六年十二月一日");
        assert_eq!(chinese_date(d(2026, 2, 13)), "二〇二六年二月十三日");
        assert_eq!(chinese_date(d(2030, 10, 20)), "二〇三〇年十月二十日");
        assert_eq!(chinese_date(d(2027, 1, 31)), "二〇二七年一月三十一日");
        assert_eq!(chinese_date(d(2026, 11, 10)), "二〇二六年十一月十日");
    }
}
