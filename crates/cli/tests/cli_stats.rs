//! `guohe stats` — the statistics as of a date agree with `guohe register` on the same date
//! (the register counted here, base by base); the JSON is a snapshot; the xlsx opens with a sheet
//! per statistic; a bad `--as-of` is refused in Chinese naming the flag and what was typed.
//! Four Hubei bases carried over (湖北第三十条), two evaluated on 2026-09-01 (第二十四条).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_guohe"))
            .args(args)
            .arg("--database")
            .arg(format!("sqlite://{}", self.dir.path().join("guohe.db").display()))
            .current_dir(root())
            .output()
            .unwrap()
    }
    fn apply(&self, name: &str, v: serde_json::Value, on: &str) {
        let p = self.dir.path().join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        let o = self.run(&["apply", p.to_str().unwrap(), "--as", "dept:zhang", "--on", on]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    }
    fn json(&self, args: &[&str]) -> serde_json::Value {
        let o = self.run(args);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    }
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A valid unified social credit code of a Wuhan unit (division 420100).
fn uscc(n: u32) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let body = format!("{n:08}");
    let org_sum: u32 = body
        .bytes()
        .zip([3, 7, 9, 10, 5, 8, 4, 2])
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    let org_check = match 11 - org_sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from_digit(c, 10).unwrap(),
    };
    let stem = format!("91420100{body}{org_check}");
    let sum: u32 = stem
        .bytes()
        .zip(W)
        .map(|(c, w)| CHARS.iter().position(|&x| x == c).unwrap() as u32 * w)
        .sum();
    let check = CHARS[((31 - sum % 31) % 31) as usize] as char;
    format!("{stem}{check}")
}

fn setup() -> Env {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let base = |i: u32, domain: &str, country: &str, recognised: &str| {
        env.apply(
            &format!("b{i}.json"),
            serde_json::json!({"type": "CarryOverBase", "base_id": format!("HB-{i}"), "policy": "hubei-2022",
                "official_name": format!("湖北省{domain}国际科技合作基地{i}"), "unit_name": format!("单位{i}"), "uscc": uscc(i),
                "domain": domain, "director": format!("负责人{i}"), "partner_country": country, "recognised_on": recognised}),
            if recognised < "2026-03-01" { "2026-03-01" } else { recognised },
        );
    };
    base(1, "光电子信息", "DE", "2023-03-01");
    base(2, "光电子信息", "DE", "2023-03-01");
    base(3, "生物医药", "US", "2024-05-10");
    for (i, grade) in [(1, "excellent"), (2, "qualified")] {
        env.apply(
            &format!("e{i}.json"),
            serde_json::json!({"type": "RecordEvaluation", "base": format!("HB-{i}"), "grade": grade}),
            "2026-09-01",
        );
    }
    base(4, "新材料", "FR", "2026-10-15");
    env
}

/// Counts of a one-series statistic by key.
fn counts(stats: &serde_json::Value, id: &str) -> BTreeMap<String, u64> {
    let st = stats["statistics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no {id}"));
    st["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["total"].as_u64().unwrap() > 0)
        .map(|r| {
            (
                r["label"]["key"].as_str().unwrap().to_string(),
                r["total"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn stats_agree_with_the_register_on_the_same_date() {
    let env = setup();
    for as_of in ["2023-01-01", "2024-01-01", "2026-10-01", "2026-12-31"] {
        let register = env.json(&["register", "--as-of", as_of, "--format", "json"]);
        let register = register.as_array().unwrap();
        let stats = env.json(&["stats", "--as-of", as_of, "--format", "json"]);
        assert_eq!(stats["on_register"].as_u64().unwrap(), register.len() as u64, "{as_of}");
        let mut by_domain: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_country: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_year: BTreeMap<String, u64> = BTreeMap::new();
        for e in register {
            *by_domain.entry(e["domain"].as_str().unwrap().into()).or_default() += 1;
            *by_country
                .entry(e["partner_country"].as_str().unwrap().into())
                .or_default() += 1;
            *by_year
                .entry(e["recognised_on"].as_str().unwrap()[..4].into())
                .or_default() += 1;
        }
        assert_eq!(counts(&stats, "bases_by_domain"), by_domain, "{as_of}");
        assert_eq!(counts(&stats, "bases_by_country"), by_country, "{as_of}");
        assert_eq!(counts(&stats, "bases_by_year"), by_year, "{as_of}");
        let prefectures = counts(&stats, "bases_by_prefecture");
        if register.is_empty() {
            assert!(prefectures.is_empty());
        } else {
            assert_eq!(
                prefectures,
                BTreeMap::from([("420100".to_string(), register.len() as u64)])
            );
        }
    }
    // HB-4 is recognised on 2026-10-15: not on 2026-10-01, on by the year's end.
    let before = env.json(&["stats", "--as-of", "2026-10-01", "--format", "json"]);
    assert_eq!(before["on_register"], 3);
    let after = env.json(&["stats", "--as-of", "2026-12-31", "--format", "json"]);
    assert_eq!(after["on_register"], 4);
}

#[test]
fn the_json_is_stable() {
    let env = setup();
    // The output itself, as other systems read it.
    let o = env.run(&["stats", "--as-of", "2026-10-01", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    insta::assert_snapshot!("stats_2026_10_01", String::from_utf8(o.stdout).unwrap());
}

#[test]
fn the_text_and_the_workbook() {
    let env = setup();
    let o = env.run(&["stats", "--as-of", "2026-10-01", "--policy", "hubei-2022"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("截至 as of 2026-10-01") && text.contains("在册基地 on the register: 3"),
        "{text}"
    );
    assert!(
        text.contains("评估结果（按年度）") && text.contains("2026年度"),
        "{text}"
    );

    let file = env.dir.path().join("stats.xlsx");
    let o = env.run(&[
        "stats",
        "--as-of",
        "2026-10-01",
        "--format",
        "xlsx",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let mut z = zip::ZipArchive::new(std::fs::File::open(&file).unwrap()).unwrap();
    let sheets = z
        .file_names()
        .filter(|n| n.as_ref().is_ok_and(|n| n.starts_with("xl/worksheets/sheet")))
        .count();
    assert_eq!(sheets, 10, "one sheet per statistic");
    let mut strings = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/sharedStrings.xml").unwrap(), &mut strings).unwrap();
    assert!(strings.contains("在册基地（按技术领域），截至 2026-10-01"), "{strings}");
    assert!(strings.contains("光电子信息") && strings.contains("优秀"), "{strings}");

    // xlsx needs a file.
    let o = env.run(&["stats", "--format", "xlsx"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("需要输出文件"), "{}", err(&o));
}

#[test]
fn a_bad_date_or_policy_is_refused_naming_the_flag() {
    let env = setup();
    let o = env.run(&["stats", "--as-of", "2026-13-01"]);
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(
        e.contains("--as-of") && e.contains("日期格式") && e.contains("2026-13-01"),
        "{e}"
    );
    let o = env.run(&["stats", "--policy", "no-such"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("未载入办法“no-such”"), "{}", err(&o));
}
