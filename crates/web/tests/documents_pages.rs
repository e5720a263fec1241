//! 公文 over HTTP on the demo data: the department issues the 公示 of HN-GS-2026-2 (湖南第九条第3项
//! with the department's practice: 公示不少于5个工作日) from the notice's documents page — the draft is shown with the article
//! before anything is recorded, a missing 文号 is refused keeping the date typed — then downloads
//! it; the public notice page links the same PDF; the SM3 on the chain verifies the bytes. With
//! an empty font directory the documents page names the package and the rest of the site works.

use crate::pages_support;

use std::net::SocketAddr;

use chrono::NaiveDate;
use guohe_app::documents::DocumentCheck;
use guohe_domain::DocumentKind;
use guohe_web::ServeConfig;
use pages_support::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
}

const DOCS: &str = "/dept/notices/HN-GS-2026-2/documents";
const ISSUE: &str = "/dept/notices/HN-GS-2026-2/documents/public_notice";

#[tokio::test]
async fn issue_download_public_copy_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(&dir.path().join("g.db"), today(), true).await;
    let dept = Browser::new(&s);
    dept.login("hn-dept").await;

    let notice = dept.get("/dept/notices/HN-GS-2026-2").await;
    assert!(notice.body.contains(DOCS), "the notice page links its documents");
    let page = dept.get(DOCS).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(ISSUE), "{}", page.body);
    // Not issued yet: nothing public.
    assert_eq!(dept.get("/notices/HN-GS-2026-2/document.pdf").await.status, 404);

    // A missing 文号: refused beside the field, the date kept.
    let r = dept
        .post_form(DOCS, ISSUE, &[("number", " "), ("issued_on", "2026-11-19")])
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("2026-11-19") && r.body.contains("invalid"),
        "{}",
        r.body
    );
    // A malformed date: refused, kept.
    let r = dept
        .post_form(
            DOCS,
            ISSUE,
            &[("number", "湘科函〔2026〕40号"), ("issued_on", "2026-13-01")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("2026-13-01") && r.body.contains("湘科函〔2026〕40号"),
        "{}",
        r.body
    );

    // The draft with the article, nothing recorded yet.
    let confirm = dept
        .post_form(
            DOCS,
            ISSUE,
            &[("number", "湘科函〔2026〕40号"), ("issued_on", "2026-11-19")],
        )
        .await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(confirm.body.contains("公示期为5个工作日"), "{}", confirm.body);
    assert!(confirm.body.contains("第九条"), "{}", confirm.body);
    assert!(
        s.state
            .guohe
            .read(|w, _, _| w
                .document_of("notice/HN-GS-2026-2", DocumentKind::PublicNotice)
                .is_none())
            .await
    );
    let done = dept.confirm(&confirm.body, ISSUE).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location, DOCS);

    let page = dept.get(DOCS).await;
    assert!(
        page.body.contains("湘科函〔2026〕40号") && page.body.contains("SM3"),
        "{}",
        page.body
    );
    let pdf = dept.get(ISSUE).await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with("%PDF-"));
    // The public copy is the same file, linked from the public notice page.
    let public = dept.get("/notices/HN-GS-2026-2").await;
    assert!(
        public.body.contains("/notices/HN-GS-2026-2/document.pdf"),
        "{}",
        public.body
    );
    let anon = Browser::new(&s);
    let copy = anon.get("/notices/HN-GS-2026-2/document.pdf").await;
    assert_eq!(copy.status, 200);
    assert_eq!(copy.body, pdf.body);

    // The bytes verify against the chain.
    let fonts = s.state.documents.get().unwrap();
    let issued = s
        .state
        .guohe
        .issued_document_pdf(fonts, "notice/HN-GS-2026-2", DocumentKind::PublicNotice)
        .await
        .unwrap();
    match s.state.guohe.verify_document(&issued.pdf).await.unwrap() {
        DocumentCheck::Genuine { document, seq, .. } => {
            assert_eq!(document.event.number, "湘科函〔2026〕40号");
            assert_eq!(seq, issued.seq);
        }
        other => panic!("not genuine: {other:?}"),
    }

    // Issued once: the form is gone; posting again is refused.
    let again = dept
        .post_form(
            DOCS,
            ISSUE,
            &[("number", "湘科函〔2026〕41号"), ("issued_on", "2026-11-19")],
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    // Another province's department may not.
    let hb = Browser::new(&s);
    hb.login("hb-dept").await;
    assert_eq!(hb.get(DOCS).await.status, 403);
}

#[tokio::test]
async fn without_the_font_the_page_names_the_package() {
    let dir = tempfile::tempdir().unwrap();
    let fonts = tempfile::tempdir().unwrap();
    let cfg = ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: format!("sqlite://{}", dir.path().join("g.db").display()),
        demo: true,
        today: Some(today()),
        argon2_memory_kib: 64,
        font_dir: fonts.path().to_path_buf(),
        ..ServeConfig::default()
    };
    let (router, state) = guohe_web::app(cfg).await.expect("app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .await
            .unwrap();
    });
    let s = Server { addr, state };
    let dept = Browser::new(&s);
    dept.login("hn-dept").await;
    let page = dept.get(DOCS).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("fonts-noto-cjk"), "{}", page.body);
    let r = dept
        .post_form(
            DOCS,
            ISSUE,
            &[("number", "湘科函〔2026〕40号"), ("issued_on", "2026-11-19")],
        )
        .await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(
        r.body.contains("fonts-noto-cjk") && r.body.contains("湘科函〔2026〕40号"),
        "{}",
        r.body
    );
    // Everything else keeps working.
    assert_eq!(dept.get("/dept/notices/HN-GS-2026-2").await.status, 200);
    assert_eq!(dept.get("/notices/HN-GS-2026-2").await.status, 200);
    assert_eq!(dept.get("/bases").await.status, 200);
}
