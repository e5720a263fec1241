//! `guohe document` on the demo's data: the 公示 notice (湖南第九条第3项 read with the department's
//! practice: 公示不少于5个工作日, 实名异议),
//! the naming 公告 and 认定通知书 (第九条, 命名), the decisions on bases — each typeset as PDF with
//! its SM3 on the chain; downloading again gives the same bytes; `verify` names the case and the
//! event, and a changed byte fails it; without the font the command names the package and
//! records nothing, while verifying keeps working.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The demo's data on its business date, in a SQLite file of its own.
fn demo_database(dir: &Path) -> String {
    let url = format!("sqlite://{}", dir.join("g.db").display());
    let cfg = guohe_web::ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: url.clone(),
        demo: true,
        argon2_memory_kib: 64,
        ..guohe_web::ServeConfig::default()
    };
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async { guohe_web::app(cfg).await.map(|_| ()) })
        .expect("the demo builds");
    url
}

const ON: &str = "2026-11-20";

fn guohe(db: &str, args: &[&str], font_dir: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guohe"));
    c.arg("document")
        .args(args)
        .arg("--database")
        .arg(db)
        .current_dir(root());
    match font_dir {
        Some(d) => c.env("GUOHE_FONT_DIR", d),
        None => c.env_remove("GUOHE_FONT_DIR"),
    };
    c.output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn pdftotext(file: &Path) -> String {
    let o = Command::new("pdftotext")
        .arg(file)
        .arg("-")
        .output()
        .expect("poppler-utils");
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn issue(db: &str, kind: &str, case: &str, number: &str, file: &Path) -> Output {
    guohe(
        db,
        &[
            "issue",
            "--kind",
            kind,
            "--case",
            case,
            "--number",
            number,
            "--issued-on",
            ON,
            "--on",
            ON,
            "--as",
            "dept:zhang",
            "-o",
        ]
        .iter()
        .copied()
        .chain([file.to_str().unwrap()])
        .collect::<Vec<_>>(),
        None,
    )
}

#[test]
fn issue_download_verify_and_no_font() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_database(dir.path());
    let a = dir.path().join("gs.pdf");

    // Without the font: the package is named, nothing is recorded.
    let empty = tempfile::tempdir().unwrap();
    let o = guohe(
        &db,
        &[
            "issue",
            "--kind",
            "public_notice",
            "--case",
            "notice/HN-GS-2026-1",
            "--number",
            "湘科函〔2026〕12号",
            "--on",
            ON,
            "-o",
            a.to_str().unwrap(),
        ],
        Some(empty.path()),
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("fonts-noto-cjk"), "{}", err(&o));
    let o = guohe(&db, &["list", "--case", "notice/HN-GS-2026-1"], Some(empty.path()));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        out(&o).contains("public_notice") && out(&o).contains("未印发"),
        "{}",
        out(&o)
    );

    // The 公示: the period in working days with its dates, how to object, the article.
    let o = issue(&db, "public_notice", "notice/HN-GS-2026-1", "湘科函〔2026〕12号", &a);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("SM3 "), "{}", out(&o));
    let text = pdftotext(&a);
    for want in [
        "湖南省科学技术厅",
        "湘科函〔2026〕12号",
        "公示期为5个工作日",
        "二〇二六年六月一日",
        "实名",
        "第九条",
        "特此公示。",
        "二〇二六年十一月二十日",
    ] {
        assert!(text.contains(want), "the 公示 lacks “{want}”: {text}");
    }
    let png = dir.path().join("gs");
    let st = Command::new("pdftoppm")
        .args(["-png", "-r", "30", "-singlefile"])
        .arg(&a)
        .arg(&png)
        .status()
        .unwrap();
    assert!(st.success());
    assert!(
        std::fs::read(dir.path().join("gs.png"))
            .unwrap()
            .starts_with(b"\x89PNG")
    );

    // Issued once: a second issue is refused, a download gives the same bytes.
    let o = issue(
        &db,
        "public_notice",
        "notice/HN-GS-2026-1",
        "湘科函〔2026〕13号",
        &dir.path().join("x.pdf"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(err(&o).contains("已于"), "{}", err(&o));
    let b = dir.path().join("again.pdf");
    let o = guohe(
        &db,
        &[
            "download",
            "--kind",
            "public_notice",
            "--case",
            "notice/HN-GS-2026-1",
            "-o",
            b.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap(), "the same bytes");

    // Verify: genuine, with the case and the event; without the font too.
    let o = guohe(&db, &["verify", a.to_str().unwrap()], Some(empty.path()));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let s = out(&o);
    assert!(
        s.contains("GENUINE") && s.contains("notice/HN-GS-2026-1") && s.contains("DocumentIssued"),
        "{s}"
    );
    assert!(s.contains("hunan-2026:9"), "{s}");
    // One changed byte: not genuine.
    let mut bytes = std::fs::read(&a).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    let c = dir.path().join("changed.pdf");
    std::fs::write(&c, &bytes).unwrap();
    let o = guohe(&db, &["verify", c.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(err(&o).contains("NOT GENUINE"), "{}", err(&o));

    // The naming 公告 and a base's 认定通知书.
    let n = dir.path().join("gg.pdf");
    let o = issue(
        &db,
        "naming_announcement",
        "notice/HN-GS-2026-1",
        "湘科发〔2026〕30号",
        &n,
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = pdftotext(&n);
    assert!(
        text.contains("湘科发〔2026〕30号") && text.contains("特此公告。"),
        "{text}"
    );
    assert!(text.contains("国际科技合作基地") && text.contains("依托单位"), "{text}");
    let r = dir.path().join("rd.pdf");
    let o = issue(&db, "recognition_notice", "base/HN-2026-01", "湘科函〔2026〕31号", &r);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = pdftotext(&r);
    assert!(
        text.contains("湖南省科学技术厅文件") && text.contains("特此通知。"),
        "{text}"
    );
    // A number already used is refused.
    let o = issue(
        &db,
        "recognition_notice",
        "base/HN-2026-02",
        "湘科函〔2026〕31号",
        &dir.path().join("y.pdf"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(err(&o).contains("number"), "{}", err(&o));
    // A kind the case does not call for is refused; an unknown kind names the choices.
    let o = issue(
        &db,
        "revocation_decision",
        "base/HN-2026-01",
        "湘科函〔2026〕32号",
        &dir.path().join("z.pdf"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let o = issue(
        &db,
        "memo",
        "base/HN-2026-01",
        "湘科函〔2026〕32号",
        &dir.path().join("z.pdf"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("public_notice"), "{}", err(&o));
}

#[test]
fn decisions_on_bases_cite_their_articles() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_database(dir.path());
    // Whatever measures the demo's bases carry, each listed document issues and reads back.
    let mut issued = 0;
    for (i, base) in ["HN-2018-05", "HN-2019-11", "HB-2023-04"].iter().enumerate() {
        let case = format!("base/{base}");
        let o = guohe(&db, &["list", "--case", &case], None);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        for (j, line) in out(&o).lines().enumerate() {
            let kind = line.split_whitespace().next().unwrap().to_string();
            if !kind.ends_with("_decision") && kind != "rectification_notice" {
                continue;
            }
            let f = dir.path().join(format!("{base}-{kind}.pdf"));
            let o = issue(&db, &kind, &case, &format!("科函〔2026〕{i}{j}号"), &f);
            assert_eq!(o.status.code(), Some(0), "{kind} {case}: {}", err(&o));
            let text = pdftotext(&f);
            assert!(text.contains("经查") && text.contains("根据《"), "{kind}: {text}");
            assert!(text.contains("条"), "{kind} cites an article: {text}");
            let v = guohe(&db, &["verify", f.to_str().unwrap()], None);
            assert_eq!(v.status.code(), Some(0), "{}", err(&v));
            assert!(out(&v).contains(&case), "{}", out(&v));
            issued += 1;
        }
    }
    assert!(issued >= 2, "the demo has bases under measures: {issued}");
}
