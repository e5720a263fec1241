//! Typesetting a document with the real font: the text as `pdftotext` reads it, the first page
//! as `pdftoppm` draws it, the same bytes every time, and a clear error without the font.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use guohe_documents::{DEFAULT_FONT_DIR, FONT_PACKAGE, FontError, Fonts, Sheet, render, sm3_hex};
use guohe_domain::{DocumentKind, DocumentText};

fn text() -> DocumentText {
    DocumentText {
        issuer: "湖南省科学技术厅".into(),
        title: "关于2026年度拟认定国际科技合作基地的公示".into(),
        addressee: None,
        paragraphs: vec![
            "根据《湖南省科学技术厅国际科技合作基地管理办法》第九条的规定，拟认定以下单位为国际科技合作基地，现予以公示。".into(),
            "公示期为5个工作日，自二〇二六年十二月一日起至二〇二六年十二月七日止。".into(),
            // Typed text cannot change the layout: markup characters stay characters.
            "异议请以实名提出 #emph[不是标记] \"引号\" \\ 反斜杠。".into(),
        ],
        list: vec!["湖南某某大学（新材料领域，联合研究类）".into()],
        closing: Some("特此公示。".into()),
    }
}

fn sheet(t: &DocumentText) -> Sheet<'_> {
    Sheet {
        kind: DocumentKind::PublicNotice,
        number: "湘科函〔2026〕12号",
        issued_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        text: t,
        ident: "notice/N1#public_notice#湘科函〔2026〕12号",
    }
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

#[test]
fn renders_text_page_and_same_bytes() {
    let fonts = Fonts::load(Path::new(DEFAULT_FONT_DIR)).expect("fonts-noto-cjk is installed on the test machine");
    let t = text();
    let pdf = render(&fonts, &sheet(&t)).expect("typeset");
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    // Deterministic: the same document typeset again is the same bytes, so the same SM3.
    let again = render(&fonts, &sheet(&t)).expect("typeset again");
    assert_eq!(sm3_hex(&pdf), sm3_hex(&again));
    assert_eq!(sm3_hex(&pdf).len(), 64);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notice.pdf");
    std::fs::write(&file, &pdf).unwrap();
    assert!(tool("pdftotext") && tool("pdftoppm"), "poppler-utils is installed");
    let out = Command::new("pdftotext").arg(&file).arg("-").output().unwrap();
    assert!(out.status.success());
    let txt = String::from_utf8(out.stdout).unwrap();
    let flat: String = txt.chars().filter(|c| !c.is_whitespace()).collect();
    for want in [
        "湖南省科学技术厅",
        "湘科函〔2026〕12号",
        "关于2026年度拟认定国际科技合作基地的公示",
        "第九条",
        "公示期为5个工作日",
        "#emph[不是标记]",
        "湖南某某大学",
        "特此公示。",
        "二〇二六年十二月一日",
    ] {
        assert!(flat.contains(want), "pdftotext lacks “{want}”:\n{txt}");
    }

    let png = dir.path().join("page");
    let st = Command::new("pdftoppm")
        .args(["-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&file)
        .arg(&png)
        .status()
        .unwrap();
    assert!(st.success());
    let bytes = std::fs::read(dir.path().join("page.png")).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    // A4 at 40 dpi: 331 × 468 pixels (width and height are big-endian at bytes 16..24).
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((w, h), (331, 468));
}

#[test]
fn empty_font_dir_names_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let err = Fonts::load(dir.path()).expect_err("no font there");
    let FontError::Missing { package, .. } = &err;
    assert_eq!(*package, FONT_PACKAGE);
    assert!(err.message_zh().contains("fonts-noto-cjk"), "{}", err.message_zh());
    assert!(err.to_string().contains("apt-get install fonts-noto-cjk"), "{err}");
    let missing = Fonts::load(&dir.path().join("nowhere")).expect_err("no directory");
    assert!(missing.to_string().contains("fonts-noto-cjk"));
}
