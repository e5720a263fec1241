//! The GB/T 9704 layout as typst markup.
//!
//! GB/T 9704—2012 (党政机关公文格式) read as follows:
//! - A4, margins top 37 mm, left 28 mm (版心 156 × 225 mm), body 3号 (16 pt) Song/Fangsong,
//!   22 lines a page;
//! - 发文机关标志 in red, centred, with a red separator line (版头中的分隔线) under the 发文字号;
//! - title in 2号 (22 pt) bold, centred; 主送机关 flush left; paragraphs indented two characters;
//! - 发文机关署名 and 成文日期 right of centre, the date in Chinese numerals (the reading taken:
//!   the 2012 standard writes the date in Arabic numerals, the department's practice for these
//!   documents — and the requirement here — is 二〇二六年十二月一日);
//! - page numbers as “— 1 —”, 4号 (14 pt), at the foot.
//!
//! Every piece of text from the case goes into the markup as a typst string literal, never as
//! markup, so no character a user typed can change the layout.

use chrono::NaiveDate;
use guohe_domain::{DocumentKind, DocumentText};

use crate::fonts::SONG_FAMILIES;
use crate::numerals::chinese_date;

/// What is typeset: the words and the marks around them.
#[derive(Debug, Clone, Copy)]
pub struct Sheet<'a> {
    /// Kind (decides the 发文机关标志's suffix).
    pub kind: DocumentKind,
    /// 文号.
    pub number: &'a str,
    /// 成文日期.
    pub issued_on: NaiveDate,
    /// The words.
    pub text: &'a DocumentText,
    /// A stable identifier (the case and the 文号): the PDF's document id is derived from it.
    pub ident: &'a str,
}

/// The red of the header (GB/T 9704: 红色).
const RED: &str = "rgb(\"#d40000\")";

/// A typst string literal holding `s` verbatim.
fn lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The 发文机关标志: the issuer and, for a 文件-form document, “文件”.
fn organ_mark(sheet: &Sheet<'_>) -> String {
    match sheet.kind {
        DocumentKind::PublicNotice | DocumentKind::NamingAnnouncement => sheet.text.issuer.clone(),
        _ => format!("{}文件", sheet.text.issuer),
    }
}

/// The typst source of a document.
pub fn typst_source(sheet: &Sheet<'_>) -> String {
    let t = sheet.text;
    let fonts = SONG_FAMILIES.iter().map(|f| lit(f)).collect::<Vec<_>>().join(", ");
    let mut s = String::new();
    s.push_str(&format!(
        "#set document(title: {}, author: {})\n",
        lit(&t.title),
        lit(&t.issuer)
    ));
    s.push_str(
        "#set page(paper: \"a4\", margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm), \
         footer: context align(center, text(size: 14pt)[— #counter(page).display() —]))\n",
    );
    s.push_str(&format!(
        "#set text(font: ({fonts},), size: 16pt, lang: \"zh\", region: \"cn\", cjk-latin-spacing: none)\n"
    ));
    s.push_str(
        "#set par(leading: 12.5pt, spacing: 12.5pt, justify: true, first-line-indent: (amount: 2em, all: true))\n",
    );
    // 版头: the organ's mark in red, the 文号, the red line.
    s.push_str(&format!(
        "#align(center, text(fill: {RED}, size: 30pt, weight: \"bold\", tracking: 2pt, {}))\n",
        lit(&organ_mark(sheet))
    ));
    s.push_str("#v(18pt)\n");
    s.push_str(&format!("#align(center, text({}))\n", lit(sheet.number)));
    s.push_str(&format!(
        "#v(-4pt)\n#line(length: 100%, stroke: 1.5pt + {RED})\n#v(24pt)\n"
    ));
    // 标题.
    s.push_str(&format!(
        "#align(center, text(size: 22pt, weight: \"bold\", {}))\n#v(16pt)\n",
        lit(&t.title)
    ));
    if let Some(a) = &t.addressee {
        s.push_str(&format!("#par(first-line-indent: 0em, {} + \"：\")\n", lit(a)));
    }
    for p in t.paragraphs.iter().filter(|p| !p.trim().is_empty()) {
        s.push_str(&format!("#par({})\n", lit(p.trim())));
    }
    for (i, item) in t.list.iter().enumerate() {
        s.push_str(&format!("#par({})\n", lit(&format!("{}. {}", i + 1, item.trim()))));
    }
    if let Some(c) = &t.closing {
        s.push_str(&format!("#par({})\n", lit(c)));
    }
    // 署名 and 成文日期: right-aligned, four characters in from the right edge.
    s.push_str("#v(36pt)\n");
    s.push_str(&format!(
        "#align(right, block(inset: (right: 4em), align(center, stack(spacing: 14pt, text({}), text({})))))\n",
        lit(&t.issuer),
        lit(&chinese_date(sheet.issued_on))
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_goes_in_as_literals() {
        assert_eq!(lit(r#"a"b\c#[x]"#), r#""a\"b\\c#[x]""#);
        assert_eq!(lit("行一\n行二"), "\"行一 行二\"");
    }

    #[test]
    fn source_carries_the_header_title_and_date() {
        let text = DocumentText {
            issuer: "湖南省科学技术厅".into(),
            title: "关于认定某某基地的通知".into(),
            addressee: Some("某某大学".into()),
            paragraphs: vec!["根据第十条……".into()],
            list: vec![],
            closing: None,
        };
        let src = typst_source(&Sheet {
            kind: DocumentKind::RecognitionNotice,
            number: "湘科函〔2026〕12号",
            issued_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            text: &text,
            ident: "base/b1/recognition_notice",
        });
        assert!(src.contains("\"湖南省科学技术厅文件\""), "{src}");
        assert!(src.contains("\"湘科函〔2026〕12号\""));
        assert!(src.contains("\"二〇二六年十二月一日\""));
        assert!(src.contains(RED));
    }
}
