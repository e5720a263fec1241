//! 公文 — official documents as PDF, laid out after GB/T 9704 (党政机关公文格式) and typeset by
//! typst, used as a library, from CJK font files read at run time.
//!
//! The crate is pure: it turns a document's words ([`guohe_domain::DocumentText`]), its 文号 and
//! date into PDF bytes and their SM3 hash. Nothing is fetched: no typst packages, no network, no
//! fonts built into the binary — [`Fonts::load`] reads the font files of one directory (Debian's
//! `fonts-noto-cjk` by default) and says which package to install when the Song face is missing.
//!
//! The bytes are deterministic: the PDF's creation date is the document's date and its
//! identifier is derived from the case and 文号, so typesetting the same issued document again,
//! with the same fonts, gives the same bytes and the same hash.

#![warn(missing_docs)]

mod fonts;
mod layout;
mod numerals;

pub use fonts::{DEFAULT_FONT_DIR, FONT_DIR_ENV, FONT_PACKAGE, FontError, Fonts, SONG_FAMILIES};
pub use layout::{Sheet, typst_source};
pub use numerals::chinese_date;

use sm3::{Digest, Sm3};

/// Why a document could not be typeset.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The fonts are missing (the message names the package to install).
    #[error(transparent)]
    Fonts(#[from] FontError),
    /// typst refused the generated source or could not write the PDF.
    #[error("typesetting failed: {0}")]
    Typeset(String),
}

impl RenderError {
    /// The message in Chinese, for pages.
    pub fn message_zh(&self) -> String {
        match self {
            RenderError::Fonts(e) => e.message_zh(),
            RenderError::Typeset(m) => format!("公文排版失败：{m}"),
        }
    }
}

/// The SM3 hash of bytes, lowercase hex — the fingerprint recorded on the chain.
pub fn sm3_hex(bytes: &[u8]) -> String {
    hex::encode(Sm3::digest(bytes))
}

/// Typesets a document to PDF.
pub fn render(fonts: &Fonts, sheet: &Sheet<'_>) -> Result<Vec<u8>, RenderError> {
    let source = layout::typst_source(sheet);
    let world = fonts::DocWorld::new(fonts, source, sheet.issued_on);
    let warned = typst::compile::<typst_layout::PagedDocument>(&world);
    let document = warned.output.map_err(|errors| {
        RenderError::Typeset(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    let timestamp = fonts::timestamp(sheet.issued_on);
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(sheet.ident.to_string()),
        creator: typst::foundations::Smart::Custom(Some("Guohe".into())),
        timestamp,
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| {
        RenderError::Typeset(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}
