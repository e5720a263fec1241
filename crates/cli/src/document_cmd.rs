//! `guohe document issue | download | list | verify` — official documents (公文) as PDF, their SM3
//! hash on the chain, and checking a printed copy against it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, Subcommand};
use guohe_app::documents::{DocumentCheck, DocumentError, DocumentOrder, IssuedPdf};
use guohe_documents::{DEFAULT_FONT_DIR, FONT_DIR_ENV, Fonts};
use guohe_domain::{Actor, DocumentKind};

use crate::lifecycle_cmd::{app_failure, open, runtime, today};
use crate::policy_cmd::parse_date;
use crate::{Cli, CmdResult, Failure, bad};

#[derive(Subcommand, Debug)]
pub enum DocumentCommand {
    /// Issue a document on a case: typeset it from the case, record its SM3 on the chain and
    /// write the PDF. Irreversible.
    Issue(IssueArgs),
    /// Write an issued document's PDF again (the same bytes as issued).
    Download(DownloadArgs),
    /// The documents issued on a case, and those it may have issued.
    List(ListArgs),
    /// Whether a PDF is a genuine copy of an issued document, and which case and event issued
    /// it. Exit code 0 genuine, 2 not (a changed byte is not genuine).
    Verify(VerifyArgs),
}

/// Where the fonts are.
#[derive(Args, Debug)]
pub struct FontArgs {
    /// The directory of the Song face (Noto Serif CJK SC, Debian `fonts-noto-cjk`).
    #[arg(long, env = FONT_DIR_ENV, default_value = DEFAULT_FONT_DIR, value_name = "DIR")]
    pub font_dir: PathBuf,
}

#[derive(Args, Debug)]
pub struct IssueArgs {
    /// `public_notice`, `naming_announcement`, `recognition_notice`, `rectification_notice`,
    /// `termination_decision`, `revocation_decision` or `disqualification_decision`.
    #[arg(long)]
    pub kind: String,
    /// The case: `notice/<id>` or `base/<id>`.
    #[arg(long)]
    pub case: String,
    /// 文号, e.g. 湘科函〔2026〕12号.
    #[arg(long)]
    pub number: String,
    /// 成文日期 (YYYY-MM-DD, default: the business date).
    #[arg(long)]
    pub issued_on: Option<String>,
    /// Who issues: `dept:NAME`.
    #[arg(long = "as", default_value = "dept:cli")]
    pub actor: String,
    /// The business date (default: today).
    #[arg(long)]
    pub on: Option<String>,
    /// Where to write the PDF.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub fonts: FontArgs,
}

#[derive(Args, Debug)]
pub struct DownloadArgs {
    /// The kind (as for `issue`).
    #[arg(long)]
    pub kind: String,
    /// The case.
    #[arg(long)]
    pub case: String,
    /// Where to write the PDF.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub fonts: FontArgs,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// The case.
    #[arg(long)]
    pub case: String,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The PDF to check.
    pub file: PathBuf,
}

pub fn run(cli: &Cli, command: &DocumentCommand) -> CmdResult {
    match command {
        DocumentCommand::Issue(a) => run_issue(cli, a),
        DocumentCommand::Download(a) => run_download(cli, a),
        DocumentCommand::List(a) => run_list(cli, a),
        DocumentCommand::Verify(a) => run_verify(cli, a),
    }
}

fn kind(code: &str) -> Result<DocumentKind, Failure> {
    DocumentKind::from_code(code.trim()).ok_or_else(|| {
        let codes: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.code()).collect();
        bad(format!(
            "--kind “{code}”：公文种类须为 {} 之一 — one of {}",
            codes.join("、"),
            codes.join(", ")
        ))
    })
}

fn fonts(a: &FontArgs) -> Result<Arc<Fonts>, Failure> {
    Fonts::load(&a.font_dir)
        .map(Arc::new)
        .map_err(|e| Failure::Other(anyhow::anyhow!("{}\n{e}", e.message_zh())))
}

fn doc_failure(e: DocumentError) -> Failure {
    match e {
        DocumentError::App(e) => app_failure(e),
        other => Failure::Other(anyhow::anyhow!("{}\n{other}", other.message_zh())),
    }
}

fn write_pdf(path: &Path, issued: &IssuedPdf) -> CmdResult {
    std::fs::write(path, &issued.pdf).map_err(|e| bad(format!("-o {}: {e}", path.display())))?;
    let d = &issued.document.event;
    println!(
        "{}《{}》{}（{}） {}",
        d.kind.zh(),
        d.text.title,
        d.number,
        d.issued_on,
        path.display()
    );
    println!("  SM3 {}", d.sm3);
    println!(
        "  案件 case {} · 事件 event #{} {} [{}]",
        d.case,
        issued.seq,
        issued.event_hash,
        issued.document.articles.join(", ")
    );
    Ok(())
}

fn run_issue(cli: &Cli, a: &IssueArgs) -> CmdResult {
    let kind = kind(&a.kind)?;
    let actor = Actor::parse(&a.actor).map_err(|e| bad(format!("--as: {e}")))?;
    let on = match &a.on {
        Some(d) => parse_date("--on", d)?,
        None => today(),
    };
    let issued_on = match &a.issued_on {
        Some(d) => parse_date("--issued-on", d)?,
        None => on,
    };
    let fonts = fonts(&a.fonts)?;
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let issued = g
            .issue_document(
                fonts,
                &actor,
                on,
                DocumentOrder {
                    kind,
                    case: a.case.trim(),
                    number: &a.number,
                    issued_on,
                },
            )
            .await
            .map_err(doc_failure)?;
        write_pdf(&a.output, &issued)
    })
}

fn run_download(cli: &Cli, a: &DownloadArgs) -> CmdResult {
    let kind = kind(&a.kind)?;
    let fonts = fonts(&a.fonts)?;
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let issued = g
            .issued_document_pdf(fonts, a.case.trim(), kind)
            .await
            .map_err(doc_failure)?;
        write_pdf(&a.output, &issued)
    })
}

fn run_list(cli: &Cli, a: &ListArgs) -> CmdResult {
    runtime()?.block_on(async {
        let g = open(cli).await?;
        let case = a.case.trim();
        let issued = g.documents_of(case).await;
        let may = g.read(|w, _, _| w.document_kinds_for(case)).await;
        if may.is_empty() && issued.is_empty() {
            return Err(bad(format!(
                "--case “{case}”：案件不存在或没有公文 — no such case, or none of its documents apply"
            )));
        }
        for k in may {
            match issued.iter().find(|d| d.event.kind == k) {
                Some(d) => println!(
                    "{:<26} {}  已印发 issued {} {}  SM3 {}",
                    k.code(),
                    k.zh(),
                    d.event.number,
                    d.event.issued_on,
                    d.event.sm3
                ),
                None => println!("{:<26} {}  未印发 not issued", k.code(), k.zh()),
            }
        }
        Ok(())
    })
}

fn run_verify(cli: &Cli, a: &VerifyArgs) -> CmdResult {
    let bytes = std::fs::read(&a.file).map_err(|e| bad(format!("{}: {e}", a.file.display())))?;
    runtime()?.block_on(async {
        let g = open(cli).await?;
        match g.verify_document(&bytes).await.map_err(app_failure)? {
            DocumentCheck::Genuine {
                sm3,
                document,
                seq,
                event_hash,
            } => {
                let d = &document.event;
                println!("真本 GENUINE: {} 是已印发公文的原件副本", a.file.display());
                println!("  {}《{}》{}，成文日期 {}", d.kind.zh(), d.text.title, d.number, d.issued_on);
                println!("  案件 case {}", d.case);
                println!("  事件 event #{seq} DocumentIssued，记录于 {}，链上哈希 {event_hash}", document.recorded_on);
                println!("  SM3 {sm3}");
                println!("  依据 articles {}", document.articles.join(", "));
                Ok(())
            }
            DocumentCheck::Unknown { sm3 } => Err(bad(format!(
                "非真本 NOT GENUINE: {} 的 SM3 {sm3} 不是任何已印发公文的摘要（文件被改动过，或不是本系统印发的）\nno issued document has this SM3: the file was changed or was not issued here",
                a.file.display()
            ))),
        }
    })
}
