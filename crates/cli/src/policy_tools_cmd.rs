//! `guohe policy diff` and `guohe policy coverage`: thin printers over
//! `guohe_policy::diff` and `guohe_policy::coverage`.

use std::path::{Path, PathBuf};

use guohe_policy::coverage::{Coverage, coverage, scan_tests};
use guohe_policy::diff::{LineStatus, PolicyDiff, Side, diff};
use guohe_policy::{Policy, PolicySet, load};

use crate::output::{Format, print_json};
use crate::{CmdResult, Failure, bad};

/// A policy named on the command line: an id of the set, or a path to a policy file (so two
/// versions of one province's policy, which share an id, can be compared).
fn resolve(set: &PolicySet, arg: &str, which: &str) -> Result<Policy, Failure> {
    if let Some(p) = set.get(arg) {
        return Ok(p.clone());
    }
    let path = Path::new(arg);
    if path.is_file() {
        return load::from_path(path).map_err(|e| bad(format!("{which}: 策略文件无效 invalid policy file: {e}")));
    }
    Err(bad(format!(
        "{which}: 未知的办法“{arg}”，也不是文件 unknown policy `{arg}` and no such file; 可选 known: {}",
        set.ids().join(", ")
    )))
}

/// `guohe policy diff A B`.
pub fn run_diff(set: &PolicySet, a: &str, b: &str, all: bool, format: Format) -> CmdResult {
    let pa = resolve(set, a, "A")?;
    let pb = resolve(set, b, "B")?;
    let d = diff(&pa, &pb);
    match format {
        Format::Json => print_json(&d),
        Format::Csv => Err(bad("--format: diff 输出 text 或 json — diff prints text or json")),
        Format::Text => {
            print_diff(&d, all);
            Ok(())
        }
    }
}

fn side(s: &Option<Side>) -> String {
    match s {
        None => "（无 none）".into(),
        Some(s) if s.articles.is_empty() => s.value.clone(),
        Some(s) => {
            let at: Vec<&str> = s.articles.iter().map(|c| c.citation.as_str()).collect();
            format!("{}  [{}]", s.value, at.join(", "))
        }
    }
}

fn print_diff(d: &PolicyDiff, all: bool) {
    println!("A: {} {}（{}）", d.a.id, d.a.title, d.a.document_number);
    println!("B: {} {}（{}）", d.b.id, d.b.title, d.b.document_number);
    if !d.articles_compared {
        println!(
            "（不同省份：只比较内容，不比较条款编号 — different provinces: contents compared, not article numbers）"
        );
    }
    println!("不同 {} 项 differences", d.difference_count());
    for s in &d.sections {
        println!();
        println!("== {} {} ==", s.title_zh, s.title_en);
        for l in &s.lines {
            let mark = match l.status {
                LineStatus::Same if !all => continue,
                LineStatus::Same => "=",
                LineStatus::Changed => "≠",
                LineStatus::OnlyA => "A",
                LineStatus::OnlyB => "B",
            };
            println!("{mark} {}", l.label);
            match l.status {
                LineStatus::Same => println!("    {}", side(&l.a)),
                _ => {
                    println!("    A: {}", side(&l.a));
                    println!("    B: {}", side(&l.b));
                }
            }
        }
        let same = s.same_count();
        if same > 0 && !all {
            println!("  … 相同 {same} 项已折叠 {same} identical folded (--all shows them)");
        }
    }
}

/// `guohe policy coverage ID`.
pub fn run_coverage(set: &PolicySet, id: &str, tests: Option<&PathBuf>, format: Format) -> CmdResult {
    let p = resolve(set, id, "ID")?;
    let dir = tests.cloned().unwrap_or_else(|| PathBuf::from("crates"));
    if !dir.is_dir() {
        return Err(bad(format!(
            "--tests: 目录不存在 no such directory: {} (默认为当前目录下的 crates/ — default: crates/ in the current directory)",
            dir.display()
        )));
    }
    let sources = scan_tests(&dir)?;
    let c = coverage(&p, &sources);
    match format {
        Format::Json => print_json(&c),
        Format::Csv => print_coverage_csv(&c),
        Format::Text => {
            print_coverage(&c);
            Ok(())
        }
    }
}

fn print_coverage(c: &Coverage) {
    println!("{}（{}） 条款覆盖 coverage", c.title, c.document_number);
    let s = c.summary;
    println!(
        "共 {} 条：已编码 {} · 说明不编码 {} · 未说明 {} · 已编码而无测试 {}",
        s.articles, s.encoded, s.not_encoded, s.gaps, s.untested
    );
    let mut chapter: Option<&str> = None;
    for a in &c.articles {
        if a.chapter.as_deref() != chapter {
            chapter = a.chapter.as_deref();
            if let Some(ch) = chapter {
                println!();
                println!("== {ch} ==");
            }
        }
        println!("{} {}", a.article_zh, a.citation);
        for e in &a.encodings {
            println!("  ▸ {} {} [{}] {}", e.kind.zh(), e.id, e.at, e.title);
        }
        if let Some(n) = &a.not_encoded {
            println!("  – 不编码（{}）：{}", n.reason.zh(), n.note);
        }
        if a.is_gap() {
            println!("  ✗ 未编码且未说明理由 — not encoded and no reason given");
        }
        for t in &a.tests {
            println!("  ✓ 测试 {} {}", t.file, t.test);
        }
        if !a.encodings.is_empty() && a.tests.is_empty() {
            println!("  ! 无测试 — no test mentions this article");
        }
    }
}

fn print_coverage_csv(c: &Coverage) -> CmdResult {
    let mut w = csv::Writer::from_writer(std::io::stdout());
    w.write_record(["article", "citation", "article_zh", "encodings", "not_encoded", "tests"])?;
    for a in &c.articles {
        let enc: Vec<String> = a.encodings.iter().map(|e| format!("{}:{}", e.id, e.at)).collect();
        let ne = a
            .not_encoded
            .as_ref()
            .map(|n| format!("{}：{}", n.reason.zh(), n.note))
            .unwrap_or_default();
        let tests: Vec<String> = a.tests.iter().map(|t| format!("{}::{}", t.file, t.test)).collect();
        w.write_record([
            a.article.to_string(),
            a.citation.clone(),
            a.article_zh.clone(),
            enc.join("; "),
            ne,
            tests.join("; "),
        ])?;
    }
    w.flush()?;
    Ok(())
}
