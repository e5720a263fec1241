//! 公文 — the department's page of a case's official documents: issue each one (typeset as PDF,
//! its SM3 recorded on the chain) and download it again; and the public copy of an issued 公示.
//!
//! Issuing is irreversible, so the form first shows the draft's words and the articles, then
//! asks for confirmation. Without the CJK font the page says which package to install; nothing
//! else in the site depends on the font.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use guohe_app::documents::{DocumentError, DocumentOrder, IssuedPdf};
use guohe_documents::{FontError, Fonts};
use guohe_domain::DocumentKind;

use super::work::{self, ConfirmTpl, Feedback, Vals, render_status, see_other};
use crate::AppState;
use crate::authz::{self, Action, Area, Principal};
use crate::error::{FieldError, WebError, WebResult};
use crate::security::RequestCtx;
use crate::view::{self, Chrome};

/// The fonts, read from the configured directory the first time a document is typeset. A
/// missing font is not remembered: installing the package is enough, no restart needed.
#[derive(Debug)]
pub struct DocumentFonts {
    dir: std::path::PathBuf,
    loaded: std::sync::OnceLock<Arc<Fonts>>,
}

impl DocumentFonts {
    /// Fonts from `dir`, read on first use.
    pub fn new(dir: std::path::PathBuf) -> DocumentFonts {
        DocumentFonts {
            dir,
            loaded: std::sync::OnceLock::new(),
        }
    }

    /// The fonts, or why they cannot be read.
    pub fn get(&self) -> Result<Arc<Fonts>, FontError> {
        if let Some(f) = self.loaded.get() {
            return Ok(f.clone());
        }
        let f = Arc::new(Fonts::load(&self.dir)?);
        Ok(self.loaded.get_or_init(|| f).clone())
    }
}

/// One kind of document on the page.
#[derive(Debug, Clone)]
pub struct DocRow {
    /// Kind code.
    pub code: &'static str,
    /// Kind label.
    pub label: String,
    /// Issued: 文号, date, SM3.
    pub issued: Option<(String, String, String)>,
}

/// `GET /dept/{notices|bases}/{id}/documents`.
#[derive(Template)]
#[template(path = "dept_documents.html")]
pub struct DocumentsTpl {
    /// Layout.
    pub c: Chrome,
    /// `notice/<id>` or `base/<id>`.
    pub case: String,
    /// The case's page.
    pub back: String,
    /// Where the forms post: `/dept/notices/<id>/documents`.
    pub base_path: String,
    /// The case's title.
    pub title: String,
    /// The kinds this case has.
    pub rows: Vec<DocRow>,
    /// Why documents cannot be typeset here (missing font), or empty.
    pub font_problem: String,
    /// The kind the values belong to.
    pub kind: String,
    /// Values typed.
    pub v: Vals,
    /// Messages.
    pub fb: Feedback,
}

fn dept_of(ctx: &RequestCtx) -> WebResult<Principal> {
    let p = ctx.require()?.clone();
    authz::may_enter(&p, Area::Department)?;
    authz::may(&p, Action::RunProcedure)?;
    Ok(p)
}

/// The case from the path's area and id; 404 when it does not exist, 403 for another province.
async fn case_of(state: &AppState, p: &Principal, area: &str, id: &str) -> WebResult<(String, String, String)> {
    let case = match area {
        "notices" => format!("notice/{id}"),
        "bases" => format!("base/{id}"),
        _ => return Err(WebError::NotFound),
    };
    let found = state.guohe.document_case(&case).await.ok_or(WebError::NotFound)?;
    p.in_province(&found.policy)?;
    let title = match area {
        "notices" => format!("公示 {id}"),
        _ => found.base_name,
    };
    let back = match area {
        "notices" => format!("/dept/notices/{id}"),
        _ => format!("/dept/bases/{id}"),
    };
    Ok((case, title, back))
}

async fn page(
    ctx: &RequestCtx,
    state: &AppState,
    area: &str,
    id: &str,
    kind: &str,
    v: Vals,
    fb: Feedback,
) -> WebResult<Response> {
    let p = dept_of(ctx)?;
    let (case, title, back) = case_of(state, &p, area, id).await?;
    let l = ctx.lang;
    let rows = state
        .guohe
        .document_slots(&case)
        .await
        .into_iter()
        .map(|s| DocRow {
            code: s.kind.code(),
            label: l.pick(s.kind.zh().to_string(), s.kind.en().to_string()),
            issued: s
                .issued
                .map(|d| (d.event.number, d.event.issued_on.to_string(), d.event.sm3)),
        })
        .collect();
    let font_problem = match state.documents.get() {
        Ok(_) => String::new(),
        Err(e) => l.pick(e.message_zh(), e.to_string()),
    };
    let tpl = DocumentsTpl {
        c: ctx.chrome("/dept"),
        base_path: format!("/dept/{area}/{id}/documents"),
        case,
        back,
        title,
        rows,
        font_problem,
        kind: kind.to_string(),
        v,
        fb: fb.clone(),
    };
    render_status(&tpl, fb.status)
}

/// `GET /dept/notices/{id}/documents` — the notice's documents: issued ones to download, the
/// others to issue.
pub async fn notice_list(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<Response> {
    list(ctx, state, "notices", id).await
}

/// `GET /dept/bases/{id}/documents` — the base's documents.
pub async fn base_list(ctx: RequestCtx, State(state): State<AppState>, Path(id): Path<String>) -> WebResult<Response> {
    list(ctx, state, "bases", id).await
}

/// `GET /dept/notices/{id}/documents/{kind}` — an issued document's PDF.
pub async fn notice_download(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path((id, kind)): Path<(String, String)>,
) -> WebResult<Response> {
    download(ctx, state, "notices", id, kind).await
}

/// `GET /dept/bases/{id}/documents/{kind}` — an issued document's PDF.
pub async fn base_download(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path((id, kind)): Path<(String, String)>,
) -> WebResult<Response> {
    download(ctx, state, "bases", id, kind).await
}

/// `POST /dept/notices/{id}/documents/{kind}` — issue a notice's document.
pub async fn notice_issue(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path((id, kind)): Path<(String, String)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    issue(ctx, state, "notices", id, kind, form).await
}

/// `POST /dept/bases/{id}/documents/{kind}` — issue a base's document.
pub async fn base_issue(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path((id, kind)): Path<(String, String)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    issue(ctx, state, "bases", id, kind, form).await
}

async fn list(ctx: RequestCtx, state: AppState, area: &str, id: String) -> WebResult<Response> {
    page(
        &ctx,
        &state,
        area,
        &id,
        "",
        Vals::from_map(BTreeMap::new()),
        Feedback::none(ctx.lang),
    )
    .await
}

fn pdf_response(issued: IssuedPdf) -> Response {
    let d = &issued.document.event;
    let file = format!("{}-{}.pdf", d.case.replace('/', "-"), d.kind.code());
    let mut r = issued.pdf.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{file}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&d.sm3) {
        h.insert("x-guohe-sm3", v);
    }
    r
}

fn kind_of(code: &str) -> WebResult<DocumentKind> {
    DocumentKind::from_code(code).ok_or(WebError::NotFound)
}

/// The page said when a document cannot be typeset (no font, typesetting changed): 503, the
/// cause in words, the rest of the site unaffected.
#[derive(Template)]
#[template(path = "document_unavailable.html")]
pub struct UnavailableTpl {
    /// Layout.
    pub c: Chrome,
    /// Why.
    pub message: String,
}

fn document_failure(ctx: &RequestCtx, e: DocumentError) -> WebResult<Response> {
    match e {
        DocumentError::App(e) => Err(WebError::App(e)),
        other => render_status(
            &UnavailableTpl {
                c: ctx.chrome(""),
                message: ctx.lang.pick(other.message_zh(), other.to_string()),
            },
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    }
}

/// The issued PDF, the same bytes as issued.
async fn download(ctx: RequestCtx, state: AppState, area: &str, id: String, kind: String) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    let (case, _, _) = case_of(&state, &p, area, &id).await?;
    let kind = kind_of(&kind)?;
    let fonts = match state.documents.get() {
        Ok(f) => f,
        Err(e) => return document_failure(&ctx, DocumentError::Render(e.into())),
    };
    match state.guohe.issued_document_pdf(fonts, &case, kind).await {
        Ok(issued) => Ok(pdf_response(issued)),
        Err(e) => document_failure(&ctx, e),
    }
}

/// The issue form (`number`, `issued_on`, `confirmed`): shows the draft with its articles,
/// then issues it and goes back to the case's documents.
async fn issue(
    ctx: RequestCtx,
    state: AppState,
    area: &str,
    id: String,
    code: String,
    form: Vec<(String, String)>,
) -> WebResult<Response> {
    let p = dept_of(&ctx)?;
    let (case, title, _) = case_of(&state, &p, area, &id).await?;
    let kind = kind_of(&code)?;
    let l = ctx.lang;
    let v = Vals::new(form);
    let mut errs: Vec<FieldError> = Vec::new();
    let number = work::required(&v, "number", 80, &mut errs);
    if number.contains(['<', '>']) {
        errs.push(FieldError::new(
            "number",
            "文号不能含有“<”“>”（如 湘科函〔2026〕12号）",
            "a 文号 has no `<` or `>` (e.g. 湘科函〔2026〕12号)",
        ));
    }
    // An empty date is the business date.
    let issued_on = match v.t("issued_on").is_empty() {
        true => None,
        false => work::date_field(&v, "issued_on", &mut errs),
    };
    if !errs.is_empty() {
        return page(&ctx, &state, area, &id, &code, v, Feedback::invalid(l, errs)).await;
    }
    let issued_on = issued_on.unwrap_or_else(|| state.today());
    let fonts = match state.documents.get() {
        Ok(f) => f,
        Err(e) => {
            let mut fb = Feedback::none(l);
            fb.alert = l.pick(e.message_zh(), e.to_string());
            fb.status = StatusCode::SERVICE_UNAVAILABLE;
            return page(&ctx, &state, area, &id, &code, v, fb).await;
        }
    };
    let policies = state.guohe.policies();
    let field_of = |f: &str| -> String {
        match f {
            "number" | "issued_on" => f.to_string(),
            _ => "kind".to_string(),
        }
    };
    if v.get("confirmed") != "yes" {
        let (text, cites) = match state.guohe.draft_document(kind, &case).await {
            Ok(d) => d,
            Err(e) => {
                let fb = Feedback::from_app(l, policies, e, &field_of)?;
                return page(&ctx, &state, area, &id, &code, v, fb).await;
            }
        };
        let mut facts = vec![
            (l.t("公文", "Document").to_string(), kind.zh().to_string()),
            (l.t("案件", "Case").to_string(), format!("{title}（{case}）")),
            (l.t("文号", "Number").to_string(), number.clone()),
            (
                l.t("成文日期", "Dated").to_string(),
                guohe_documents::chinese_date(issued_on),
            ),
            (l.t("标题", "Title").to_string(), text.title.clone()),
        ];
        if let Some(a) = &text.addressee {
            facts.push((l.t("主送", "To").to_string(), a.clone()));
        }
        for (i, para) in text.paragraphs.iter().enumerate() {
            facts.push((format!("{}{}", l.t("正文", "Body "), i + 1), para.clone()));
        }
        for item in &text.list {
            facts.push((String::new(), item.clone()));
        }
        let articles: Vec<String> = cites.iter().map(|c| c.to_string()).collect();
        let mut hidden = ConfirmTpl::hidden_of(&v);
        hidden.retain(|(k, _)| k != "issued_on");
        hidden.push(("issued_on".into(), issued_on.to_string()));
        return view::render(&ConfirmTpl {
            c: ctx.chrome("/dept"),
            title: l.pick(format!("印发{}：{number}", kind.zh()), format!("Issue the {}: {number}", kind.en())),
            facts,
            consequence: l
                .t(
                    "确认后系统按上述内容排版为 PDF，其 SM3 摘要记入办理链，不能撤回、不能再次印发；此后下载的都是同一份文件，任何人可核验打印件的真伪。",
                    "Once confirmed the document is typeset as PDF and its SM3 hash goes on the chain; it cannot be withdrawn or issued again. Every later download is the same file, and anyone can check a printed copy.",
                )
                .into(),
            articles: work::quotes(policies, &articles, l),
            action: format!("/dept/{area}/{id}/documents/{code}"),
            hidden,
            back: format!("/dept/{area}/{id}/documents"),
        });
    }
    match state
        .guohe
        .issue_document(
            fonts,
            &p.actor(),
            state.today(),
            DocumentOrder {
                kind,
                case: &case,
                number: &number,
                issued_on,
            },
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!("/dept/{area}/{id}/documents"))),
        Err(DocumentError::App(e)) => {
            let fb = Feedback::from_app(l, policies, e, &field_of)?;
            page(&ctx, &state, area, &id, &code, v, fb).await
        }
        Err(other) => {
            let mut fb = Feedback::none(l);
            fb.alert = l.pick(other.message_zh(), other.to_string());
            fb.status = StatusCode::SERVICE_UNAVAILABLE;
            page(&ctx, &state, area, &id, &code, v, fb).await
        }
    }
}

/// `GET /notices/{id}/document.pdf` — the issued 公示 as PDF, for anyone; 404 until issued.
pub async fn public_notice_pdf(
    ctx: RequestCtx,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let case = format!("notice/{id}");
    if !state.guohe.document_issued(&case, DocumentKind::PublicNotice).await {
        return Err(WebError::NotFound);
    }
    let fonts = match state.documents.get() {
        Ok(f) => f,
        Err(e) => return document_failure(&ctx, DocumentError::Render(e.into())),
    };
    match state
        .guohe
        .issued_document_pdf(fonts, &case, DocumentKind::PublicNotice)
        .await
    {
        Ok(issued) => Ok(pdf_response(issued)),
        Err(e) => document_failure(&ctx, e),
    }
}
