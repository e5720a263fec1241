//! 存量基地导入与导出 over HTTP on the demo data: the department downloads the template, uploads
//! a file with a bad row (refused as a whole, each fault by row, column and Chinese reason), a
//! good file (a dry run, then the confirmation with the same file imports it; a second upload
//! adds nothing), a row of the other province (refused); the register's xlsx with the public
//! filters, and the department's downloads. Accounts named in the file are listed by the dry
//! run, opened by the confirmation with their initial passwords shown that once, and must
//! change the password at the first sign-in.

use crate::pages_support;

use chrono::NaiveDate;
use hyper::Method;
use pages_support::*;

fn uscc(n: u32) -> String {
    guohe_app::import_columns::complete_uscc(&format!("91430100MX{n:06}")).unwrap()
}

const HEAD: &str = "基地编号,基地名称,依托单位,统一社会信用代码,管理办法,基地类型,技术领域,合作国别,地区,基地负责人,认定日期,国家基地,状态\n";

fn csv(rows: &[String]) -> Vec<u8> {
    let mut s = format!("存量基地\n{HEAD}");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

fn hunan_row(i: u32, old_category: &str) -> String {
    format!(
        "HN-OLD-{i},湖南省测试{i}国际技术转移中心,测试单位{i},{},湘科发〔2026〕27号,{old_category},测试领域{i},德国,430100,负责人{i},2019-05-0{i},否,正常运行",
        uscc(i)
    )
}

fn multipart(file: &[u8], checked: Option<&str>) -> (String, Vec<u8>) {
    let boundary = "----guohe-import";
    let mut body = Vec::new();
    if let Some(c) = checked {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"checked\"\r\n\r\n{c}\r\n").as_bytes(),
        );
    }
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bases.csv\"\r\nContent-Type: text/csv\r\n\r\n")
            .as_bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(b: &Browser, path: &str, file: &[u8], checked: Option<&str>) -> Resp {
    let token = csrf_of(&b.get("/dept/import").await.body);
    let (ct, body) = multipart(file, checked);
    b.send(Method::POST, &format!("{path}?_csrf={token}"), body, Some(&ct))
        .await
}

fn checked_of(html: &str) -> String {
    let at = html.find("name=\"checked\" value=\"").expect("a confirmation form") + "name=\"checked\" value=\"".len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// The demo on 2026-11-20, and the Hunan department signed in.
async fn department(dir: &tempfile::TempDir) -> (Server, Browser) {
    let s = serve(
        &dir.path().join("g.db"),
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        true,
    )
    .await;
    let dept = Browser::new(&s);
    dept.login("hn-dept").await;
    (s, dept)
}

#[tokio::test]
async fn the_department_imports_existing_bases_after_a_dry_run_and_downloads_the_exports() {
    let dir = tempfile::tempdir().unwrap();
    let (_server, dept) = department(&dir).await;

    let page = dept.get("/dept/import").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("/dept/import/template.xlsx"), "{}", page.body);
    let tpl = dept.get("/dept/import/template.xlsx").await;
    assert_eq!(tpl.status, 200);
    assert!(tpl.body.starts_with("PK"), "a workbook");

    // A bad row: the whole file is refused, the row named with its column and reason.
    let bad = csv(&[
        hunan_row(1, "国际技术转移中心"),
        hunan_row(2, "国际技术转移中心").replace(&uscc(2), "91430100MX00000200"),
    ]);
    let r = upload(&dept, "/dept/import", &bad, None).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("整份文件未导入"), "{}", r.body);
    assert!(
        r.body
            .contains("<td class=\"num\">4</td><td>统一社会信用代码</td><td>统一社会信用代码"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("id=\"import-confirm\""),
        "no confirmation for a bad file"
    );

    // A good file: the dry run reports the mapping (Hunan 第二十二条) and writes nothing.
    let good = csv(&[
        hunan_row(1, "国际技术转移中心"),
        hunan_row(2, "国际联合研究中心（实验室）"),
    ]);
    let r = upload(&dept, "/dept/import", &good, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("试导入通过"), "{}", r.body);
    assert!(
        unescape(&r.body).contains("国际技术转移中心 → 技术转移类"),
        "{}",
        r.body
    );
    assert!(r.body.contains("第二十二条"), "{}", r.body);
    assert_eq!(dept.get("/bases/HN-OLD-1").await.status, 404, "nothing written yet");
    let checked = checked_of(&r.body);

    // Confirming with another file checks that one instead and writes nothing.
    let other = csv(&[hunan_row(3, "示范型")]);
    let r = upload(&dept, "/dept/import/confirm", &other, Some(&checked)).await;
    assert!(r.body.contains("试导入通过"), "{}", r.body);
    assert_eq!(dept.get("/bases/HN-OLD-3").await.status, 404);

    let r = upload(&dept, "/dept/import/confirm", &good, Some(&checked)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("已导入"), "{}", r.body);
    assert_eq!(dept.get("/bases/HN-OLD-1").await.status, 200);

    // A second upload adds nothing.
    let r = upload(&dept, "/dept/import", &good, None).await;
    assert!(r.body.contains("已在登记簿 2"), "{}", r.body);
    assert!(r.body.contains("没有需要导入的基地"), "{}", r.body);

    // The other province's row: refused for the Hunan department.
    let hubei = csv(&[format!(
        "HB-OLD-9,湖北省测试国际科技合作基地,湖北单位,{},鄂科技规〔2022〕6号,,光电,日本,,负责人,2019-05-01,否,正常运行",
        guohe_app::import_columns::complete_uscc("91420100MX000009").unwrap()
    )]);
    let r = upload(&dept, "/dept/import", &hubei, None).await;
    assert_eq!(r.status, 400);
    assert!(r.body.contains("只能导入本省的基地"), "{}", r.body);

    // The public register's xlsx, with the filters.
    let x = dept.get("/bases.xlsx?policy=hunan-2026&status=on_register").await;
    assert_eq!(x.status, 200);
    assert!(x.body.starts_with("PK"));
    assert!(dept.get("/bases").await.body.contains("/bases.xlsx"));

    // The department's downloads.
    let e = dept.get("/dept/exports").await;
    assert_eq!(e.status, 200);
    assert!(e.body.contains("round=HN-2026-1"), "{}", e.body);
    let rec = dept.get("/dept/exports/applications?round=HN-2026-1&format=csv").await;
    assert_eq!(rec.status, 200);
    assert!(
        rec.body.contains("推荐汇总表") && rec.body.contains("专家平均分"),
        "{}",
        rec.body
    );
    let reg = dept.get("/dept/exports/register?format=csv").await;
    assert!(
        reg.body.contains("HN-OLD-1") && !reg.body.contains("HB-"),
        "the province's own"
    );
    for path in [
        "/dept/exports/register",
        "/dept/exports/assessments?year=2026",
        "/dept/exports/evaluations",
    ] {
        let r = dept.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        assert!(r.body.starts_with("PK"), "{path}");
    }
    assert_eq!(dept.get("/dept/exports/assessments?year=abc").await.status, 400);
    assert_eq!(dept.get("/dept/exports/register?format=pdf").await.status, 400);
}

#[tokio::test]
async fn accounts_in_the_file_are_opened_with_their_passwords_shown_once() {
    let dir = tempfile::tempdir().unwrap();
    let (s, dept) = department(&dir).await;
    let head = HEAD.trim_end().to_string()
        + ",状态日期,状态依据,依托单位账号,依托单位手机,依托单位邮箱,负责人账号,负责人手机,负责人邮箱\n";
    let file = format!(
        "{head}{},,,imp-unit-7,13812341234,,imp-director-7,,d7@example.cn\n",
        hunan_row(7, "国际技术转移中心")
    )
    .into_bytes();

    let r = upload(&dept, "/dept/import", &file, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("将开设的账号"), "{}", r.body);
    assert!(
        r.body.contains("imp-unit-7") && r.body.contains("imp-director-7"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("initial-password"),
        "no password before the confirmation"
    );
    assert!(
        s.state.accounts.account("imp-unit-7").await.unwrap().is_none(),
        "a dry run opens nothing"
    );

    let r = upload(&dept, "/dept/import/confirm", &file, Some(&checked_of(&r.body))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("id=\"import-passwords-notice\""), "{}", r.body);
    let passwords: Vec<String> = r
        .body
        .split("<code class=\"initial-password\">")
        .skip(1)
        .map(|c| unescape(c.split_once("</code>").unwrap().0))
        .collect();
    assert_eq!(passwords.len(), 2, "{}", r.body);
    let unit = s.state.accounts.account("imp-unit-7").await.unwrap().unwrap();
    assert!(unit.must_change_password);
    assert!(!unit.password_hash.contains(&passwords[0]), "stored only as its hash");

    // Shown once: neither the form page nor a second upload shows it again.
    assert!(!dept.get("/dept/import").await.body.contains(&passwords[0]));
    let again = upload(&dept, "/dept/import", &file, None).await;
    assert!(again.body.contains("已有账号 2"), "{}", again.body);
    assert!(!again.body.contains(&passwords[0]) && !again.body.contains("initial-password"));

    // The unit signs in with it and must change it first.
    let u = Browser::new(&s);
    let r = u
        .post_form(
            "/login",
            "/login",
            &[("login", "imp-unit-7"), ("password", &passwords[0]), ("otp", "")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = u.get("/unit").await;
    assert_eq!((r.status, r.location.as_str()), (303, "/account?due=1"));

    // On the chain: who imported, and no password.
    let day = s.state.guohe.history("audit/2026-11-20").await.unwrap();
    let imported: Vec<_> = day.iter().filter(|e| e.kind == "BasesImported").collect();
    assert_eq!(imported.len(), 1);
    assert_eq!(imported[0].actor, "dept:hn-dept");
    assert!(day.iter().all(|e| !e.payload.to_string().contains(&passwords[0])));
}
