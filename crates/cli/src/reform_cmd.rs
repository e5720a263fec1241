//! `guohe reform --policy-file DRAFT.yaml`: what a draft policy would change if it replaced a
//! policy in force — a thin printer over `guohe_domain::reform`.
//!
//! The last `--policy-file` is the draft; any earlier ones are loaded as usual. The draft is
//! never written anywhere: the world is read from the database under the policies in force.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::ValueEnum;
use guohe_domain::reform::{ReformReport, Said, what_if};
use guohe_policy::{Policy, PolicySet, PolicySource, load};
use rust_xlsxwriter::{Format as XFormat, Workbook, Worksheet};

use crate::lifecycle_cmd::{app_failure, database_exists, runtime, today};
use crate::output::print_json;
use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, Failure, bad};

/// How `reform` prints its report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ReformFormat {
    /// Readable text, Chinese first.
    #[default]
    Text,
    /// JSON.
    Json,
    /// An Excel workbook (needs `-o FILE`).
    Xlsx,
}

/// Re-checks the open rounds' applications and replays every base under a draft policy given
/// with `--policy-file` (the last one), and reports what would change, with the articles.
#[derive(clap::Args, Debug)]
pub struct ReformArgs {
    /// The policy the draft would replace (default: the one with the draft's id, else the only
    /// policy of the draft's province).
    #[arg(long, value_name = "ID")]
    pub replaces: Option<String>,
    /// The day of the replay (YYYY-MM-DD, default today).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: ReformFormat,
    /// Where to write the workbook (xlsx; text and json print to standard output).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

fn choose_current<'a>(set: &'a PolicySet, draft: &Policy, replaces: Option<&str>) -> Result<&'a Policy, Failure> {
    if let Some(id) = replaces {
        return set.get(id).ok_or_else(|| {
            bad(format!(
                "--replaces: 未知的办法“{id}” unknown policy `{id}`; 可选 known: {}",
                set.ids().join(", ")
            ))
        });
    }
    if let Some(p) = set.get(&draft.id) {
        return Ok(p);
    }
    let same: Vec<&Policy> = set
        .all()
        .iter()
        .filter(|p| p.province.code == draft.province.code)
        .collect();
    match same.as_slice() {
        [one] => Ok(one),
        [] => Err(bad(format!(
            "--replaces: 没有{}的办法可供替换，请用 --replaces 指定 — no policy of province {} to replace; name one with --replaces",
            draft.province.name, draft.province.code
        ))),
        many => Err(bad(format!(
            "--replaces: {}有多部办法，请指定其一 — several policies of province {}; name one: {}",
            draft.province.name,
            draft.province.code,
            many.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// `guohe reform`.
pub fn run(cli: &Cli, args: &ReformArgs) -> CmdResult {
    let Some((draft_file, others)) = cli.policy_files.split_last() else {
        return Err(bad(
            "--policy-file: 请给出草案文件 — give the draft policy with --policy-file DRAFT.yaml",
        ));
    };
    let draft =
        load::from_path(draft_file).map_err(|e| bad(format!("--policy-file: 草案无效 invalid draft policy: {e}")))?;
    let as_of = match &args.as_of {
        Some(d) => parse_date("--as-of", d)?,
        None => today(),
    };
    if args.format == ReformFormat::Xlsx && args.output.is_none() {
        return Err(bad("-o: xlsx 需要输出文件 — xlsx needs an output file: -o FILE.xlsx"));
    }
    if !database_exists(&cli.database) {
        return Err(bad(format!(
            "--database: 数据库不存在：{} — no database there",
            cli.database
        )));
    }
    let mut set = PolicySet::default();
    for f in others {
        let p = load::from_path(f).map_err(|e| bad(format!("--policy-file: 策略文件无效 invalid policy file: {e}")))?;
        set.add_from(
            p,
            PolicySource::CommandLine {
                file: f.display().to_string(),
            },
        );
    }
    let report = runtime()?.block_on(async {
        let g = guohe_app::Guohe::open_with_keys(&cli.database, set, cli.key_location())
            .await
            .map_err(app_failure)?;
        g.read(|w, _, policies| {
            let current = choose_current(policies, &draft, args.replaces.as_deref())?;
            Ok::<_, Failure>(what_if(w, current, &draft, as_of))
        })
        .await
    })?;
    match args.format {
        ReformFormat::Json => print_json(&report),
        ReformFormat::Text => {
            print_text(&report);
            Ok(())
        }
        ReformFormat::Xlsx => {
            let path = args.output.as_ref().expect("checked above");
            write_xlsx(&report, as_of, path)?;
            println!("已写入 written: {}", path.display());
            Ok(())
        }
    }
}

fn said(s: &Said) -> String {
    if s.articles_zh.is_empty() {
        s.value.clone()
    } else {
        format!("{}  [{}]", s.value, s.articles.join(", "))
    }
}

fn print_text(r: &ReformReport) {
    println!(
        "改革推演 reform what-if：{}（{}）替换 replacing {}，截至 as of {}",
        r.draft_title, r.draft, r.current, r.as_of
    );
    println!(
        "申报 applications: 复核 {} 件，变化 {} 件；基地 bases: 推演 {} 个，变化 {} 项",
        r.applications_checked,
        r.applications.len(),
        r.bases_replayed,
        r.bases.len()
    );
    for a in &r.applications {
        println!();
        println!(
            "申报 {}（{}，{}）：{} → {}",
            a.application, a.round, a.unit, a.current, a.draft
        );
        for c in &a.rules {
            println!("  {}", c.rule);
            println!(
                "    现行 current: {}",
                c.current.as_ref().map_or("（无此条件 none）".into(), said)
            );
            println!(
                "    草案 draft:   {}",
                c.draft.as_ref().map_or("（无此条件 none）".into(), said)
            );
            println!("    理由 why:     {}", c.reason_zh);
        }
    }
    if !r.bases.is_empty() {
        println!();
    }
    for b in &r.bases {
        println!("基地 {}（{}）{}", b.base, b.name, b.topic);
        println!("    现行 current: {}", said(&b.current));
        println!("    草案 draft:   {}", said(&b.draft));
    }
}

fn sheet_header(ws: &mut Worksheet, title: &str, headers: &[(&str, f64)]) -> Result<(), rust_xlsxwriter::XlsxError> {
    let bold = XFormat::new().set_bold();
    ws.write_string_with_format(0, 0, title, &bold)?;
    for (i, (h, width)) in headers.iter().enumerate() {
        let col = i as u16;
        ws.write_string_with_format(1, col, *h, &bold)?;
        ws.set_column_width(col, *width)?;
    }
    ws.set_freeze_panes(2, 0)?;
    Ok(())
}

fn write_xlsx(r: &ReformReport, as_of: NaiveDate, path: &std::path::Path) -> Result<(), Failure> {
    let mut wb = Workbook::new();
    let title = format!(
        "改革推演：{}（{}）替换 {}，截至 {as_of}",
        r.draft_title, r.draft, r.current
    );
    let ws = wb.add_worksheet().set_name("申报")?;
    sheet_header(
        ws,
        &title,
        &[
            ("申报编号", 14.0),
            ("批次", 14.0),
            ("依托单位", 28.0),
            ("现行结论", 14.0),
            ("草案结论", 14.0),
            ("条件", 26.0),
            ("现行", 12.0),
            ("现行条款", 22.0),
            ("草案", 12.0),
            ("草案条款", 22.0),
            ("理由（草案）", 60.0),
        ],
    )?;
    let mut row = 2u32;
    for a in &r.applications {
        let lines = a.rules.len().max(1);
        for i in 0..lines {
            ws.write_string(row, 0, &a.application)?;
            ws.write_string(row, 1, &a.round)?;
            ws.write_string(row, 2, &a.unit)?;
            ws.write_string(row, 3, &a.current)?;
            ws.write_string(row, 4, &a.draft)?;
            if let Some(c) = a.rules.get(i) {
                ws.write_string(row, 5, &c.rule)?;
                let (cv, ca) = c
                    .current
                    .as_ref()
                    .map_or(("", String::new()), |s| (s.value.as_str(), s.articles_zh.join("、")));
                let (dv, da) = c
                    .draft
                    .as_ref()
                    .map_or(("", String::new()), |s| (s.value.as_str(), s.articles_zh.join("、")));
                ws.write_string(row, 6, cv)?;
                ws.write_string(row, 7, &ca)?;
                ws.write_string(row, 8, dv)?;
                ws.write_string(row, 9, &da)?;
                ws.write_string(row, 10, &c.reason_zh)?;
            }
            row += 1;
        }
    }
    let ws = wb.add_worksheet().set_name("基地")?;
    sheet_header(
        ws,
        &title,
        &[
            ("基地编号", 14.0),
            ("基地名称", 36.0),
            ("事项", 30.0),
            ("现行", 24.0),
            ("现行条款", 22.0),
            ("草案", 24.0),
            ("草案条款", 22.0),
        ],
    )?;
    for (i, b) in r.bases.iter().enumerate() {
        let row = 2 + i as u32;
        ws.write_string(row, 0, &b.base)?;
        ws.write_string(row, 1, &b.name)?;
        ws.write_string(row, 2, &b.topic)?;
        ws.write_string(row, 3, &b.current.value)?;
        ws.write_string(row, 4, b.current.articles_zh.join("、"))?;
        ws.write_string(row, 5, &b.draft.value)?;
        ws.write_string(row, 6, b.draft.articles_zh.join("、"))?;
    }
    wb.save(path)?;
    Ok(())
}
