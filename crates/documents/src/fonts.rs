//! Fonts read from files at run time, and the typst world a document is compiled in.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, Source};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// Where Debian's `fonts-noto-cjk` puts Noto Serif CJK.
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/opentype/noto";

/// The environment variable naming the font directory.
pub const FONT_DIR_ENV: &str = "GUOHE_FONT_DIR";

/// The Debian package with the Song face.
pub const FONT_PACKAGE: &str = "fonts-noto-cjk";

/// The Song (宋体) families a document is set in, in order of preference: Noto Serif CJK SC
/// (Debian `fonts-noto-cjk`), then AR PL UMing (Debian `fonts-arphic-uming`).
pub const SONG_FAMILIES: &[&str] = &["Noto Serif CJK SC", "AR PL UMing CN"];

/// The fonts are not there.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FontError {
    /// No Song face in the directory.
    #[error(
        "no Song (serif CJK) font in {dir}: install the Debian package {package} (apt-get install {package}) or point {env} at a directory holding Noto Serif CJK SC"
    )]
    Missing {
        /// The directory searched.
        dir: PathBuf,
        /// The package to install.
        package: &'static str,
        /// The setting.
        env: &'static str,
    },
}

impl FontError {
    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            FontError::Missing { dir, package, env } => format!(
                "未找到公文用宋体字体（Noto Serif CJK SC）：目录 {} 中没有。请安装 Debian 软件包 {package}（apt-get install {package}），或用 {env} 指定字体目录。",
                dir.display()
            ),
        }
    }
}

struct Slot {
    path: PathBuf,
    index: u32,
    font: OnceLock<Option<Font>>,
}

/// The fonts of one directory: their descriptions are read once; a font file's bytes are read
/// the first time a document uses it and kept.
pub struct Fonts {
    dir: PathBuf,
    book: LazyHash<FontBook>,
    slots: Vec<Slot>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts")
            .field("dir", &self.dir)
            .field("faces", &self.slots.len())
            .finish()
    }
}

impl Fonts {
    /// The directory from [`FONT_DIR_ENV`], else [`DEFAULT_FONT_DIR`].
    pub fn configured_dir() -> PathBuf {
        std::env::var_os(FONT_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_FONT_DIR))
    }

    /// Reads the font files (`.ttc`, `.ttf`, `.otf`) directly in `dir`. Fails, naming the package
    /// to install, when none of them is a Song face of [`SONG_FAMILIES`].
    pub fn load(dir: &Path) -> Result<Fonts, FontError> {
        let missing = || FontError::Missing {
            dir: dir.to_path_buf(),
            package: FONT_PACKAGE,
            env: FONT_DIR_ENV,
        };
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .and_then(|x| x.to_str())
                        .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "ttc" | "ttf" | "otf"))
                })
                .collect(),
            Err(_) => return Err(missing()),
        };
        // Sorted so the font book, and so the PDF, does not depend on directory order.
        files.sort();
        let mut book = FontBook::new();
        let mut slots = Vec::new();
        for path in files {
            let Ok(data) = std::fs::read(&path) else { continue };
            // Faces by their index in the collection (a `.ttc` holds several; the index is what
            // reads the face back), up to the first index that is not there.
            for index in 0u32.. {
                let Some(info) = FontInfo::new(&data, index) else { break };
                // Only the families documents are set in: the rest would be read for nothing.
                if !SONG_FAMILIES.iter().any(|f| info.family.eq_ignore_ascii_case(f)) {
                    continue;
                }
                book.push(info);
                slots.push(Slot {
                    path: path.clone(),
                    index,
                    font: OnceLock::new(),
                });
            }
        }
        if slots.is_empty() {
            return Err(missing());
        }
        Ok(Fonts {
            dir: dir.to_path_buf(),
            book: LazyHash::new(book),
            slots,
        })
    }

    /// The directory the fonts were read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn font(&self, i: usize) -> Option<Font> {
        let slot = self.slots.get(i)?;
        slot.font
            .get_or_init(|| {
                let data = std::fs::read(&slot.path).ok()?;
                Font::new(Bytes::new(data), slot.index)
            })
            .clone()
    }
}

fn library() -> &'static LazyHash<Library> {
    static LIBRARY: OnceLock<LazyHash<Library>> = OnceLock::new();
    LIBRARY.get_or_init(|| LazyHash::new(Library::default()))
}

/// One document's compilation: the generated source, the fonts, the document's date as today.
pub(crate) struct DocWorld<'f> {
    fonts: &'f Fonts,
    source: Source,
    today: NaiveDate,
}

impl<'f> DocWorld<'f> {
    pub(crate) fn new(fonts: &'f Fonts, text: String, today: NaiveDate) -> Self {
        DocWorld {
            fonts,
            source: Source::detached(text),
            today,
        }
    }
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.source.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.source.id() {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, _id: FileId) -> FileResult<Bytes> {
        // Documents include no files: nothing outside the generated source is read.
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Datetime::from_ymd(self.today.year(), self.today.month() as u8, self.today.day() as u8)
    }
}

/// The PDF's creation date: the document's date at midnight UTC, so the bytes are the same
/// whenever the document is typeset.
pub(crate) fn timestamp(d: NaiveDate) -> Option<typst_pdf::Timestamp> {
    Datetime::from_ymd_hms(d.year(), d.month() as u8, d.day() as u8, 0, 0, 0).map(typst_pdf::Timestamp::new_utc)
}
