//! The parts of generated cases that are data, not rules: a seeded random source, valid
//! 统一社会信用代码, application facts (申报材料) from the shipped examples, names.

use chrono::{Datelike, NaiveDate};
use serde_json::{Value, json};

use super::provinces::Template;

const HUBEI_APP: &str = include_str!("../../../../examples/applications/hubei-enterprise.json");
const HUNAN_APP: &str = include_str!("../../../../examples/applications/hunan-joint-research.json");

/// A small deterministic random source (SplitMix64): the same seed gives the same sequence on
/// every platform and in every release, which a general-purpose generator does not promise.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A source for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6775_6f68_652d_6765)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }
    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.next_u64() % 100 < u64::from(percent)
    }
    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A valid 统一社会信用代码 (GB 32100) for registration type `head` (`91` enterprise, `12`
/// public institution), division `division` and the `serial`-th organisation of `series` (two
/// letters of the code's character set, keeping the generator's kinds of units apart).
pub fn uscc(head: &str, division: &str, series: &str, serial: u32) -> String {
    complete_uscc(&format!("{head}{division}{series}{:06}", serial % 1_000_000))
}

/// A 16-character stem (registration type, division, the first eight characters of the
/// organisation code) completed with the organisation code's GB 11714 check character and the
/// code's GB 32100 check character.
pub fn complete_uscc(stem: &str) -> String {
    for a in CHARS.chars() {
        for b in CHARS.chars() {
            let code = format!("{stem}{a}{b}");
            if guohe_reference::uscc::is_valid(&code) {
                return code;
            }
        }
    }
    // Every 16-character stem has exactly one valid pair of check characters.
    stem.to_string()
}

/// A support unit as the application facts describe it.
#[derive(Debug, Clone, Copy)]
pub struct UnitFacts<'a> {
    /// Name.
    pub name: &'a str,
    /// 统一社会信用代码.
    pub uscc: &'a str,
    /// Kind code (`enterprise`, `university`, …).
    pub kind: &'a str,
    /// Affiliation: `local`, `provincial`, `central`.
    pub affiliation: &'a str,
    /// Division code of the unit's prefecture.
    pub region: &'a str,
}

/// Application facts (申报材料) from the template policy's shipped example, for a unit, domain,
/// partner and date: the finance years, projects and partnerships are moved to the application
/// date so the example's eligibility holds in any year.
#[allow(clippy::too_many_arguments)]
pub fn application_facts(
    template: Template,
    policy: &str,
    u: &UnitFacts<'_>,
    domain: &str,
    category: Option<&str>,
    country: &str,
    director: &str,
    on: NaiveDate,
) -> Value {
    let mut v: Value = serde_json::from_str(match template {
        Template::Hunan => HUNAN_APP,
        Template::Hubei => HUBEI_APP,
    })
    .unwrap_or(Value::Null);
    let y = on.year();
    v["policy"] = json!(policy);
    v["application_date"] = json!(on);
    v["technology_domain"] = json!(domain);
    v["primary_partner"] = json!({ "country": country });
    if let Some(c) = category {
        v["category"] = json!(c);
    }
    if let Some(list) = v.pointer_mut("/partner_institutions").and_then(Value::as_array_mut) {
        for p in list.iter_mut() {
            p["country"] = json!(country);
        }
    }
    let unit = &mut v["unit"];
    unit["name"] = json!(u.name);
    unit["uscc"] = json!(u.uscc);
    unit["kind"] = json!(u.kind);
    unit["affiliation"] = json!(u.affiliation);
    unit["region_code"] = json!(u.region);
    unit["finance"] = json!([
        { "year": y - 3, "sales_revenue": 42000000, "rd_expense": 2300000 },
        { "year": y - 2, "sales_revenue": 46000000, "rd_expense": 2500000 },
        { "year": y - 1, "sales_revenue": 50000000, "rd_expense": 2700000 }
    ]);
    // `pointer_mut`, not indexing: indexing would insert a null where the example has no list.
    if let Some(list) = unit
        .pointer_mut("/international_projects")
        .and_then(Value::as_array_mut)
    {
        for p in list.iter_mut() {
            p["start_date"] = json!(format!("{}-01-01", y - 2));
            p["end_date"] = json!(format!("{}-12-31", y + 1));
        }
    }
    v["director"]["name"] = json!(director);
    if let Some(list) = v.pointer_mut("/director/projects_led").and_then(Value::as_array_mut) {
        for p in list.iter_mut() {
            p["start_date"] = json!(format!("{}-01-01", y - 2));
        }
    }
    v
}

/// Moves the example's partnerships to start years before `on`, for runs in years before the
/// example's own partnerships began.
pub fn partnerships_before(v: &mut Value, on: NaiveDate) {
    if let Some(list) = v.pointer_mut("/partner_institutions").and_then(Value::as_array_mut) {
        for (i, p) in list.iter_mut().enumerate() {
            p["since"] = json!(format!("{}-03-01", on.year() - 6 + i as i32));
        }
    }
}

/// Three international technology transfers completed in the years before `on` (湖南第七条第2项:
/// at least three for a technology-transfer base), for applications of that category.
pub fn technology_transfers(v: &mut Value, on: NaiveDate, country: &str) {
    let y = on.year();
    v["unit"]["technology_transfers"] = json!([
        { "name": "关键工艺技术许可", "kind": "licence", "completed_on": format!("{}-04-01", y - 3), "country": country },
        { "name": "核心装备技术转让", "kind": "transfer", "completed_on": format!("{}-09-15", y - 2), "country": country },
        { "name": "联合开发成果技术许可", "kind": "licence", "completed_on": format!("{}-06-30", y - 1), "country": country }
    ]);
}

/// Technology domains (技术领域) of generated bases.
pub const DOMAINS: &[&str] = &[
    "生物医药",
    "光电子信息",
    "先进储能材料",
    "智能制造",
    "轨道交通装备",
    "新能源汽车",
    "有色金属新材料",
    "现代农业",
    "绿色化工",
    "人工智能与大数据",
    "航空航天",
    "医疗器械",
    "船舶与海洋工程",
    "核技术应用",
    "节能环保",
    "新一代信息技术",
];

/// Partner countries (ISO 3166-1 alpha-2).
pub const COUNTRIES: &[&str] = &[
    "DE", "FR", "US", "GB", "JP", "KR", "SG", "AU", "IT", "NL", "CH", "RU", "DK", "NO", "CA", "IL", "SE", "FI", "AT",
    "BE", "ES", "NZ", "TH", "MY", "BR", "ZA", "EG", "PK",
];

const UNIT_WORDS: &[&str] = &[
    "科技",
    "新材料",
    "生物",
    "智能装备",
    "电子",
    "能源",
    "精密制造",
    "农业科技",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "强", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚", "建华",
    "志强", "晓红", "文斌", "海涛", "国平", "振华", "丽", "晨", "宇", "婷", "鹏",
];

/// A person's name.
pub fn person(rng: &mut Rng) -> String {
    format!("{}{}", rng.pick(SURNAMES), rng.pick(GIVEN))
}

/// A company name in a prefecture: its name, a domain, a word and a serial that keeps every
/// generated unit distinct.
pub fn company(rng: &mut Rng, prefecture: &str, domain: &str, serial: u32) -> String {
    let place = prefecture.trim_end_matches(['市', '州']);
    format!("{place}{domain}{}有限公司（{serial:05}）", rng.pick(UNIT_WORDS))
}

/// A mobile number for an objector's contact.
pub fn phone(rng: &mut Rng) -> String {
    format!("13{:09}", rng.next_u64() % 1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_random_source_is_fixed_for_a_seed() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..5).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, {
            let mut r = Rng::new(8);
            (0..5).map(|_| r.next_u64()).collect::<Vec<_>>()
        });
    }

    #[test]
    fn generated_codes_are_valid_and_carry_their_division() {
        for serial in [0, 1, 999_999, 123_456] {
            let code = uscc("91", "110100", "MA", serial);
            let parsed = guohe_reference::uscc::parse(&code).unwrap();
            assert_eq!(parsed.division_code(), "110100");
        }
        assert_ne!(uscc("91", "110100", "MA", 1), uscc("91", "110100", "MB", 1));
    }

    #[test]
    fn facts_from_the_example_pass_their_policy() {
        let on = NaiveDate::from_ymd_opt(2019, 3, 15).unwrap();
        let code = uscc("91", "420100", "MA", 1);
        let u = UnitFacts {
            name: "武汉光电子信息科技有限公司（00001）",
            uscc: &code,
            kind: "enterprise",
            affiliation: "local",
            region: "420100",
        };
        let mut v = application_facts(Template::Hubei, "hubei-2022", &u, "光电子信息", None, "DE", "李明", on);
        partnerships_before(&mut v, on);
        assert_eq!(v["unit"]["finance"][2]["year"], 2018);
        assert_eq!(v["partner_institutions"][0]["since"], "2013-03-01");
        let app = guohe_policy::Application::parse(&v.to_string()).unwrap();
        assert_eq!(app.unit.uscc, code);
    }
}
