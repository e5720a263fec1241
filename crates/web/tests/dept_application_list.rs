//! The department's list of applications (`GET /dept/applications`) is served a page at a time
//! from the applications view: what it shows — totals, order, filters, search, the CSV of every
//! page — must be what the world holds under the department's policies, and a page past the end
//! or a stage that does not exist must answer plainly.

use crate::api_common;
use crate::common;

use api_common::{Client, demo_app};
use common::lists::{csv_ids, total, urlencode};

#[tokio::test]
async fn the_department_list_is_the_world_a_page_at_a_time() {
    let app = demo_app().await;
    for (login, prefix) in [("hb-dept", "hubei"), ("hn-dept", "hunan")] {
        let c = Client::new(&app);
        c.login(login).await;
        // (id, unit, status, domain) of every application under the province's policies, by id.
        let mut want: Vec<(String, String, String, String)> = app
            .state
            .guohe
            .read(|w, _, _| {
                w.applications()
                    .filter(|a| a.policy.starts_with(prefix))
                    .map(|a| {
                        (
                            a.id.clone(),
                            a.facts.unit.name.clone(),
                            format!("{:?}", a.status),
                            a.facts.technology_domain.clone(),
                        )
                    })
                    .collect()
            })
            .await;
        want.sort();
        assert!(!want.is_empty(), "{login}: the demo has applications");

        let page = c.get("/dept/applications").await;
        assert_eq!(page.status, 200);
        assert_eq!(total(&page.body), want.len(), "{login}");
        let all = c.get("/dept/applications?format=csv").await;
        let ids: Vec<String> = want.iter().map(|w| w.0.clone()).collect();
        assert_eq!(csv_ids(&all.body), ids, "{login}: every page, by id");

        // By unit, descending: ties by id, reversed too.
        let mut by_unit = want.clone();
        by_unit.sort_by(|a, b| (&b.1, &b.0).cmp(&(&a.1, &a.0)));
        let got = c.get("/dept/applications?sort=1&dir=desc&format=csv").await;
        assert_eq!(
            csv_ids(&got.body),
            by_unit.iter().map(|w| w.0.clone()).collect::<Vec<_>>(),
            "{login}: by unit, descending"
        );

        // A stage filter: as many as the world holds in that stage.
        let named = want.iter().filter(|w| w.2 == "Named").count();
        let got = c.get("/dept/applications?stage=named").await;
        assert_eq!(total(&got.body), named, "{login}: named");

        // The search looks in the id, the unit's name and the domain, whatever the case typed.
        for part in [want[0].1.chars().take(4).collect::<String>(), want[0].0.to_uppercase()] {
            let got = c
                .get(&format!("/dept/applications?format=csv&q={}", urlencode(&part)))
                .await;
            let needle = part.to_lowercase();
            let expected: Vec<String> = want
                .iter()
                .filter(|w| [&w.0, &w.1, &w.3].iter().any(|f| f.to_lowercase().contains(&needle)))
                .map(|w| w.0.clone())
                .collect();
            assert!(expected.contains(&want[0].0));
            assert_eq!(csv_ids(&got.body), expected, "{login}: search by {part}");
        }

        // A stage that does not exist matches nothing; a page past the end shows the last.
        let none = c.get("/dept/applications?stage=nonsense").await;
        assert_eq!((none.status, total(&none.body)), (200, 0));
        assert!(none.body.contains("没有符合条件的记录"));
        let far = c.get("/dept/applications?page=999").await;
        assert_eq!(far.status, 200);
        let last = want.len().div_ceil(20).max(1);
        assert!(
            last == 1 || far.body.contains(&format!("<span aria-current=\"page\">{last}</span>")),
            "{login}: page 999 shows page {last}"
        );
        assert_eq!(total(&far.body), want.len());

        // Columns the view does not order by have no sort link; those it does, have one.
        assert!(page.body.contains("<th scope=\"col\" aria-sort=\"none\">技术领域</th>"));
        let th = |label: &str| {
            let at = page.body.find(&format!(">{label}</")).expect("a heading");
            page.body[page.body[..at].rfind("<th").expect("its cell")..at].to_string()
        };
        assert!(th("依托单位").contains("sort=1"), "{}", th("依托单位"));
        assert!(!th("合作国别").contains("href"), "{}", th("合作国别"));
    }
}

/// The department's list of bases (`GET /dept/bases`) is served a page at a time from the
/// register view; what is due next is worked out for the page's bases only.
#[tokio::test]
async fn the_department_bases_are_the_world_a_page_at_a_time() {
    let app = demo_app().await;
    let today = app.state.today();
    for (login, prefix, other) in [("hb-dept", "hubei", "hunan-2026"), ("hn-dept", "hunan", "hubei-2022")] {
        let c = Client::new(&app);
        c.login(login).await;
        // (name, id, status code, recognised on) of every base under the province's policies.
        let want: Vec<(String, String, String, String)> = app
            .state
            .guohe
            .read(|w, _, _| {
                w.bases()
                    .filter(|b| b.policy.starts_with(prefix))
                    .map(|b| {
                        (
                            b.official_name.clone(),
                            b.id.clone(),
                            guohe_app::read_models::status_code(b.status_on(today).unwrap_or(b.status)).to_string(),
                            b.recognised_on.to_string(),
                        )
                    })
                    .collect()
            })
            .await;
        assert!(!want.is_empty(), "{login}: the demo has bases");
        let page = c.get("/dept/bases").await;
        assert_eq!(page.status, 200);
        assert_eq!(total(&page.body), want.len(), "{login}");
        assert!(page.body.contains("下一项待办"));

        // By name (the default), and by recognition date descending, ties by id reversed.
        let mut by_name = want.clone();
        by_name.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        let got = c.get("/dept/bases?format=csv").await;
        assert_eq!(
            csv_ids(&got.body),
            by_name.iter().map(|w| w.0.clone()).collect::<Vec<_>>()
        );
        let mut by_date = want.clone();
        by_date.sort_by(|a, b| (&b.3, &b.1).cmp(&(&a.3, &a.1)));
        let got = c.get("/dept/bases?sort=3&dir=desc&format=csv").await;
        assert_eq!(
            csv_ids(&got.body),
            by_date.iter().map(|w| w.0.clone()).collect::<Vec<_>>()
        );

        // A status filter counts what the world holds in that status on the business date.
        for code in ["active", "rectification", "terminated"] {
            let n = want.iter().filter(|w| w.2 == code).count();
            let got = c.get(&format!("/dept/bases?status={code}")).await;
            assert_eq!(total(&got.body), n, "{login} {code}");
        }
        // A status that does not exist, or the other province's policy, matches nothing.
        for q in ["status=nonsense", &format!("policy={other}")] {
            let got = c.get(&format!("/dept/bases?{q}")).await;
            assert_eq!((got.status, total(&got.body)), (200, 0), "{login} {q}");
        }
        // The two columns worked out per base carry no sort link.
        let th = |label: &str| {
            let at = page.body.find(&format!(">{label}</")).expect("a heading");
            page.body[page.body[..at].rfind("<th").expect("its cell")..at].to_string()
        };
        assert!(!th("下一项待办").contains("href"));
        assert!(th("认定日期").contains("sort=3"));
    }
}
