//! 附件上传 — `multipart/form-data` bodies and the PDF check.
//!
//! Attachments are accepted by what they are, never by their name: a file must begin with the
//! `%PDF-` header and end with a trailer whose `startxref` offset points at a cross-reference
//! table or stream inside the file, followed by `%%EOF`. The body limit is raised only on the
//! upload route ([`MAX_BODY`]); the file itself must stay under [`MAX_PDF`].

/// Largest attachment accepted, in bytes (10 MiB).
pub const MAX_PDF: usize = 10 * 1024 * 1024;

/// Body limit of the upload route: the file plus the form's other fields and boundaries.
pub const MAX_BODY: usize = MAX_PDF + 64 * 1024;

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub struct Part {
    /// Field name.
    pub name: String,
    /// File name, for file fields.
    pub file_name: Option<String>,
    /// Content.
    pub data: Vec<u8>,
}

impl Part {
    /// The content as text (fields other than files).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// Why an upload was refused, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

fn rejected(zh: &str, en: &str) -> Rejected {
    Rejected {
        zh: zh.into(),
        en: en.into(),
    }
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() || from > hay.len() - needle.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn header_param(line: &str, key: &str) -> Option<String> {
    line.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case(key).then(|| {
            let v = v.trim();
            v.strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .unwrap_or(v)
                .replace("\\\"", "\"")
        })
    })
}

/// Splits a multipart body into its parts.
pub fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, Rejected> {
    let bad = || {
        rejected(
            "上传内容格式不正确。",
            "The upload is not a well-formed multipart body.",
        )
    };
    let delim = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut pos = find(body, delim.as_bytes(), 0).ok_or_else(bad)? + delim.len();
    loop {
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err(bad());
        }
        pos += 2;
        let head_end = find(body, b"\r\n\r\n", pos).ok_or_else(bad)?;
        let head = String::from_utf8_lossy(&body[pos..head_end]).into_owned();
        let data_start = head_end + 4;
        let next = find(body, format!("\r\n{delim}").as_bytes(), data_start).ok_or_else(bad)?;
        let mut name = None;
        let mut file_name = None;
        for line in head.split("\r\n") {
            let Some((k, _)) = line.split_once(':') else { continue };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                name = header_param(line, "name");
                file_name = header_param(line, "filename");
            }
        }
        parts.push(Part {
            name: name.ok_or_else(bad)?,
            file_name,
            data: body[data_start..next].to_vec(),
        });
        pos = next + 2 + delim.len();
        if parts.len() > 50 {
            return Err(bad());
        }
    }
}

/// Checks that the bytes are a PDF file: header, `startxref` offset inside the file pointing at
/// a cross-reference table (`xref`) or stream (`n g obj`), and `%%EOF` at the end.
pub fn check_pdf(data: &[u8]) -> Result<(), Rejected> {
    let not_pdf = || {
        rejected(
            "文件不是有效的PDF文件（按文件内容判断，与文件名无关），请上传PDF格式的材料。",
            "The file is not a valid PDF (judged by its content, not its name); upload a PDF.",
        )
    };
    if data.is_empty() {
        return Err(rejected("请选择要上传的文件。", "Choose a file to upload."));
    }
    if data.len() > MAX_PDF {
        return Err(rejected(
            "文件超过10 MiB，请压缩后再上传。",
            "The file is larger than 10 MiB; compress it and try again.",
        ));
    }
    let head = &data[..data.len().min(1024)];
    let start = find(head, b"%PDF-", 0).ok_or_else(not_pdf)?;
    let version = &data[start + 5..(start + 8).min(data.len())];
    if version.len() < 3 || !version[0].is_ascii_digit() || version[1] != b'.' || !version[2].is_ascii_digit() {
        return Err(not_pdf());
    }
    let tail_from = data.len().saturating_sub(2048);
    let tail = &data[tail_from..];
    let eof = tail.windows(5).rposition(|w| w == b"%%EOF").ok_or_else(not_pdf)?;
    let sx = tail[..eof]
        .windows(9)
        .rposition(|w| w == b"startxref")
        .ok_or_else(not_pdf)?;
    let digits: String = String::from_utf8_lossy(&tail[sx + 9..eof]).trim().to_string();
    let offset: usize = digits.parse().map_err(|_| not_pdf())?;
    if offset < start || offset >= tail_from + sx {
        return Err(not_pdf());
    }
    let at = &data[offset..];
    let at = &at[..at.len().min(64)];
    let text = String::from_utf8_lossy(at);
    let text = text.trim_start();
    let is_table = text.starts_with("xref");
    let mut words = text.split_ascii_whitespace();
    let is_stream = matches!(
        (words.next(), words.next(), words.next()),
        (Some(n), Some(g), Some(o)) if n.bytes().all(|b| b.is_ascii_digit())
            && g.bytes().all(|b| b.is_ascii_digit())
            && o.starts_with("obj")
    );
    if is_table || is_stream { Ok(()) } else { Err(not_pdf()) }
}

/// A small, valid one-page PDF: for tests and the demo.
pub fn sample_pdf(title: &str) -> Vec<u8> {
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    let content = format!("BT /F1 12 Tf 72 720 Td ({}) Tj ET", title.replace(['(', ')', '\\'], ""));
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
    ];
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_pdf_passes_and_impostors_fail() {
        assert!(check_pdf(&sample_pdf("ok")).is_ok());
        assert!(check_pdf(b"hello, I am a text file named x.pdf").is_err());
        assert!(check_pdf(b"%PDF-1.4\nno trailer at all").is_err());
        let mut truncated = sample_pdf("t");
        truncated.truncate(truncated.len() - 30);
        assert!(check_pdf(&truncated).is_err());
        let mut wrong = sample_pdf("w");
        let s = String::from_utf8(wrong.clone())
            .unwrap()
            .replace("startxref\n", "startxref\n9");
        wrong = s.into_bytes();
        assert!(check_pdf(&wrong).is_err());
        assert!(check_pdf(&[]).is_err());
    }

    #[test]
    fn multipart_parts_and_boundary() {
        let b = boundary("multipart/form-data; boundary=----x1").unwrap();
        let body = b"------x1\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nmanagement_systems\r\n------x1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n\r\n------x1--\r\n";
        let parts = parse_multipart(body, &b).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].text(), "management_systems");
        assert_eq!(parts[1].file_name.as_deref(), Some("a.pdf"));
        assert_eq!(parts[1].data, b"%PDF-1.4\r\n");
        assert!(boundary("application/x-www-form-urlencoded").is_none());
    }
}
