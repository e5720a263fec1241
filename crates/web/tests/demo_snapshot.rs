//! The demo's world — both provinces, bases in every state, applications at every stage, a 公示
//! with an objection, draws — survives a snapshot: a service opened on the same database starts
//! from the snapshot and holds exactly the world replayed from every event.

use guohe_app::Guohe;
use guohe_web::ServeConfig;

#[tokio::test]
async fn the_demo_world_round_trips_through_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("g.db").display());
    let cfg = ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: url.clone(),
        demo: true,
        argon2_memory_kib: 64,
        ..ServeConfig::default()
    };
    let (_, state) = guohe_web::app(cfg).await.expect("app");
    let at = state.guohe.take_snapshot().await.unwrap().expect("the demo has events");
    let replayed = state.guohe.read(|w, _, _| w.clone()).await;
    assert!(replayed.bases().count() >= 10, "the demo has bases");

    let keys = guohe_keys::KeyLocation::for_database(&url);
    let g = Guohe::open_with_keys(&url, guohe_policy::PolicySet::default(), keys)
        .await
        .unwrap();
    assert_eq!(g.start_report().from_snapshot, Some(at));
    assert_eq!(g.read(|w, _, _| w.clone()).await, replayed);
}
