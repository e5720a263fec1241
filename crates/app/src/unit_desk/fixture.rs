//! A small log made through the real commands by the generator, for the queries' tests.

use chrono::NaiveDate;
use guohe_policy::PolicySet;

use crate::Guohe;

/// The generator's last business date.
pub fn today() -> NaiveDate {
    crate::generate::Options::default().until
}

/// One province, two years: units with applications in every stage and bases.
pub async fn generated() -> (Guohe, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("unit_desk.db").display());
    let g = Guohe::open(&url, PolicySet::default()).await.unwrap();
    let o = crate::generate::Options {
        provinces: 1,
        bases_per_province: 40,
        years: 2,
        ..Default::default()
    };
    crate::generate::generate(&g, &o, false, "dept:test", |_| {})
        .await
        .unwrap();
    (g, dir)
}

/// The USCC of a unit holding a base and at least one application: the first such by USCC, so
/// that every run picks the same unit (the world's order of bases is not fixed).
pub async fn busiest_unit(g: &Guohe) -> String {
    g.read(|w, _, _| {
        w.bases()
            .map(|b| b.uscc.trim().to_string())
            .filter(|u| {
                w.applications()
                    .any(|a| a.facts.unit.uscc.trim().eq_ignore_ascii_case(u))
            })
            .min()
            .expect("a unit with a base and an application")
    })
    .await
}
