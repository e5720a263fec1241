//! The recommender's queue (`GET /recommender`) and the expert's assignments (`GET /expert`)
//! are read from the applications view: the queue a page at a time within the recommender's
//! jurisdiction, those waiting for it first (已提交待推荐 is the first stage); the assignments from
//! the view's index of seats; the recommender's bases from the register view's index by region.
//! What each shows must be what the world holds for that account.

use crate::api_common;
use crate::common;

use api_common::{Client, demo_app};
use common::lists::{csv_ids, total, urlencode};

#[tokio::test]
async fn the_recommender_queue_is_its_jurisdiction_waiting_first() {
    let app = demo_app().await;
    let mut waiting_seen = 0;
    for (login, region) in [("rec-wuhan", "4201"), ("rec-changsha", "4301"), ("rec-yueyang", "4306")] {
        let c = Client::new(&app);
        c.login(login).await;
        // (stage order, id, unit, domain) of every application of a unit in the region.
        let mut want: Vec<(u8, String, String, String)> = app
            .state
            .guohe
            .read(|w, _, _| {
                w.applications()
                    .filter(|a| a.facts.unit.region_code.starts_with(region))
                    .map(|a| {
                        (
                            a.status as u8,
                            a.id.clone(),
                            a.facts.unit.name.clone(),
                            a.facts.technology_domain.clone(),
                        )
                    })
                    .collect()
            })
            .await;
        want.sort();
        assert!(!want.is_empty(), "{login}: the demo has applications in {region}");
        waiting_seen += want.iter().filter(|w| w.0 == 0).count();

        let page = c.get("/recommender").await;
        assert_eq!(page.status, 200);
        assert_eq!(total(&page.body), want.len(), "{login}");
        // The default order is the stage's, the submitted ones (waiting for formal review) first.
        let all = c.get("/recommender?format=csv").await;
        assert_eq!(all.status, 200);
        assert_eq!(
            csv_ids(&all.body),
            want.iter().map(|w| w.1.clone()).collect::<Vec<_>>(),
            "{login}: by stage, then id"
        );
        let th_stage = {
            let at = page.body.find(">阶段</").expect("the stage heading");
            page.body[page.body[..at].rfind("<th").expect("its cell")..at].to_string()
        };
        assert!(th_stage.contains("aria-sort=\"ascending\""), "{th_stage}");

        // By id, descending.
        let mut by_id: Vec<String> = want.iter().map(|w| w.1.clone()).collect();
        by_id.sort();
        by_id.reverse();
        let got = c.get("/recommender?sort=0&dir=desc&format=csv").await;
        assert_eq!(csv_ids(&got.body), by_id, "{login}: by id, descending");

        // A stage filter and a search, as the world has them.
        let submitted = want.iter().filter(|w| w.0 == 0).count();
        assert_eq!(total(&c.get("/recommender?stage=submitted").await.body), submitted);
        let part: String = want[0].2.chars().take(3).collect();
        let needle = part.to_lowercase();
        let mut expected: Vec<&(u8, String, String, String)> = want
            .iter()
            .filter(|w| [&w.1, &w.2, &w.3].iter().any(|f| f.to_lowercase().contains(&needle)))
            .collect();
        expected.sort();
        let got = c.get(&format!("/recommender?format=csv&q={}", urlencode(&part))).await;
        assert_eq!(
            csv_ids(&got.body),
            expected.iter().map(|w| w.1.clone()).collect::<Vec<_>>(),
            "{login}: search {part}"
        );

        // Nothing from another region, even asked for by its stage or searched by its id.
        let outside = app
            .state
            .guohe
            .read(|w, _, _| {
                w.applications()
                    .filter(|a| !a.facts.unit.region_code.starts_with(region))
                    .map(|a| a.id.clone())
                    .min()
            })
            .await
            .expect("another region's application");
        let got = c
            .get(&format!("/recommender?format=csv&q={}", urlencode(&outside)))
            .await;
        assert!(csv_ids(&got.body).is_empty(), "{login}: {outside} is not in the queue");
        let none = c.get("/recommender?stage=nonsense").await;
        assert_eq!((none.status, total(&none.body)), (200, 0));
        let far = c.get("/recommender?page=999").await;
        assert_eq!((far.status, total(&far.body)), (200, want.len()));
    }
    assert!(waiting_seen > 0, "some application waits for a recommender in the demo");
}

#[tokio::test]
async fn the_expert_sees_their_seats_and_only_them() {
    let app = demo_app().await;
    let mut seats_seen = 0;
    for login in ["expert-chen", "expert-liu", "expert-wang"] {
        let c = Client::new(&app);
        c.login(login).await;
        // Every application seating the expert, with whether they reviewed it.
        let seats: Vec<(String, bool)> = app
            .state
            .guohe
            .read(|w, _, _| {
                let mut v: Vec<(String, bool)> = w
                    .applications()
                    .filter_map(|a| a.experts.get(login).map(|e| (a.id.clone(), e.review.is_some())))
                    .collect();
                v.sort();
                v
            })
            .await;
        seats_seen += seats.len();
        let page = c.get("/expert").await;
        assert_eq!(page.status, 200);
        assert_eq!(total(&page.body), seats.len(), "{login}");
        let listed = csv_ids(&c.get("/expert?format=csv&sort=0").await.body);
        assert_eq!(listed, seats.iter().map(|s| s.0.clone()).collect::<Vec<_>>(), "{login}");
        let todo = seats.iter().filter(|s| !s.1).count();
        assert_eq!(total(&c.get("/expert?mine=todo").await.body), todo, "{login}");
        assert_eq!(
            total(&c.get("/expert?mine=done").await.body),
            seats.len() - todo,
            "{login}"
        );
    }
    assert!(seats_seen > 0, "the demo seats experts");
}

/// `GET /recommender/bases` lists, by id, the bases of the recommender's jurisdiction (辖区): a
/// prefecture's, and for a 省直部门 the units it lists by name, wherever they are registered. The
/// register view gives the candidates; what the page shows is what the rule
/// (`Jurisdiction::covers` on the base's region) accepts over every base.
#[tokio::test]
async fn the_recommender_bases_are_its_jurisdiction() {
    use guohe_web::authz::{self, Jurisdiction};
    let app = demo_app().await;
    let mut seen = 0;
    let mut waiting_seen = 0;
    for login in ["rec-changsha", "rec-wuhan", "rec-hnedu", "rec-yueyang"] {
        let c = Client::new(&app);
        c.login(login).await;
        let org = app
            .state
            .accounts
            .organisation(login)
            .await
            .unwrap()
            .expect("its organisation");
        let j = Jurisdiction::of(&org);
        let policies = authz::province_policies(app.state.guohe.policies(), &org.province);
        let want: Vec<String> = app
            .state
            .guohe
            .read(|w, _, _| {
                let mut v: Vec<String> = w
                    .bases()
                    .filter(|b| policies.contains(&b.policy))
                    .filter(|b| j.covers(authz::base_region(w, b).as_deref(), b.uscc.trim()))
                    .map(|b| b.id.clone())
                    .collect();
                v.sort();
                v
            })
            .await;
        let page = c.get("/recommender/bases").await;
        assert_eq!(page.status, 200, "{login}");
        let listed: Vec<String> = page
            .body
            .split("<h2><a href=\"/bases/")
            .skip(1)
            .map(|s| s[..s.find('"').expect("the link's end")].to_string())
            .collect();
        // The demo's jurisdictions fit on one page of 20; a page past the end shows the last.
        assert!(want.len() <= 20, "{login}: {}", want.len());
        assert_eq!(listed, want, "{login}");
        assert!(page.body.contains(&format!("辖区内基地共{}个", want.len())), "{login}");
        let past_end = c.get("/recommender/bases?page=9").await;
        assert_eq!(past_end.status, 200);
        assert_eq!(
            past_end.body.matches("<h2><a href=\"/bases/").count(),
            want.len(),
            "{login}"
        );
        if want.is_empty() {
            assert!(page.body.contains("辖区内暂无基地"), "{login}: says none");
        }
        // Above the list, every base of the jurisdiction with a change waiting for the
        // recommender, with its decision form.
        let waiting: Vec<String> = app
            .state
            .guohe
            .read(|w, _, _| {
                want.iter()
                    .filter_map(|id| w.base(id))
                    .filter(|b| {
                        b.major_changes.values().any(|ch| {
                            ch.status == guohe_domain::ChangeStatus::Pending
                                && ch.approval.get(ch.approved_by.len())
                                    == Some(&guohe_policy::model::Approver::Recommender)
                        })
                    })
                    .map(|b| b.id.clone())
                    .collect()
            })
            .await;
        let shown: Vec<String> = page
            .body
            .split("<h3><a href=\"/bases/")
            .skip(1)
            .map(|s| s[..s.find('"').expect("the link's end")].to_string())
            .collect();
        assert_eq!(shown, waiting, "{login}");
        waiting_seen += waiting.len();
        seen += want.len();
    }
    assert!(seen > 0, "the demo has bases in some jurisdiction");
    assert!(waiting_seen > 0, "the demo has a change waiting for a recommender");
}
