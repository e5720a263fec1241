//! Tests of the statistics (Hubei 第二十二条, 第二十八条 in the example timeline).

use super::*;
use guohe_calendar::Calendar;
use guohe_domain::{Timeline, simulate};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The Hubei example: a base named in 2026, graded 合格 for 2026, then 不合格 twice
/// (2027 for a missing report, Hubei 第二十二条), terminated on 2029-02-01 (第二十八条第（一）项).
fn example() -> (World, PolicySet) {
    let text = include_str!("../../domain/examples/hubei-two-fails.json");
    let policies = PolicySet::default();
    let out = simulate(&Timeline::from_json(text).unwrap(), &policies, &Calendar::builtin()).unwrap();
    (out.world, policies)
}

fn counts(s: &Statistic) -> Vec<(String, Vec<u64>)> {
    s.rows
        .iter()
        .filter(|r| r.total > 0)
        .map(|r| (r.label.key.clone(), r.counts.clone()))
        .collect()
}

#[test]
fn an_empty_world_counts_nothing_and_keeps_every_status_row() {
    let policies = PolicySet::default();
    let s = compute(&World::new(), &policies, &[], d("2026-11-20"), Scope::Department);
    assert_eq!(s.on_register, 0);
    let status = s.get("bases_by_status").unwrap();
    assert_eq!(status.rows.len(), STATUSES.len());
    assert_eq!(status.total, 0);
    assert!(s.get("applications_by_stage").unwrap().rows.is_empty());
    let public = compute(&World::new(), &policies, &[], d("2026-11-20"), Scope::Public);
    assert!(
        public.get("applications_by_stage").is_none(),
        "the public view has no applications"
    );
    assert!(public.get("evaluations_by_year").is_none());
}

#[test]
fn the_register_on_a_date_is_counted_and_a_terminated_base_leaves_it() {
    let (w, p) = example();
    let named = w.base("HB-0001").unwrap().recognised_on;
    let before = compute(&w, &p, &[], named.pred_opt().unwrap(), Scope::Department);
    assert_eq!(before.on_register, 0);
    assert_eq!(before.get("bases_by_status").unwrap().total, 0);

    let s = compute(&w, &p, &["hubei-2022".into()], d("2028-06-30"), Scope::Department);
    assert_eq!(s.on_register, guohe_domain::register(&w, d("2028-06-30")).len() as u64);
    assert_eq!(s.on_register, 1);
    assert_eq!(
        counts(s.get("bases_by_country").unwrap()),
        [("DE".to_string(), vec![1])]
    );
    assert_eq!(
        counts(s.get("bases_by_prefecture").unwrap()),
        [("420100".to_string(), vec![1])]
    );
    assert_eq!(
        counts(s.get("bases_by_year").unwrap()),
        [(named.year().to_string(), vec![1])]
    );
    // 2027 graded 不合格 for the missing report on 2028-01-16 (Hubei 第二十二条).
    let a = s.get("assessments_by_year").unwrap();
    let q = a.series.iter().position(|l| l.key == "qualified").unwrap();
    let u = a.series.iter().position(|l| l.key == "unqualified").unwrap();
    assert_eq!(a.rows.len(), 2);
    assert_eq!((a.rows[0].counts[q], a.rows[1].counts[u]), (1, 1));

    // Hubei 第二十八条第（一）项: two 不合格 in a row end the base on 2029-02-01.
    let after = compute(&w, &p, &[], d("2029-02-01"), Scope::Public);
    assert_eq!(after.on_register, 0);
    assert_eq!(
        counts(after.get("bases_by_status").unwrap()),
        [("terminated".to_string(), vec![1])]
    );
    assert!(after.get("bases_by_domain").unwrap().rows.is_empty());
}

#[test]
fn an_application_is_shown_at_the_stage_it_had_on_the_date() {
    let (w, p) = example();
    let a = w.application("A-2026-001").unwrap();
    assert_eq!(a.status, ApplicationStatus::Named);
    let (_, _, decided) = a.decision.clone().unwrap();
    let named = w.base("HB-0001").unwrap().recognised_on;
    assert_eq!(stage_on(&w, a, named), ApplicationStatus::Named);
    assert_eq!(stage_on(&w, a, decided), ApplicationStatus::Approved);
    assert_eq!(
        stage_on(&w, a, decided.pred_opt().unwrap()),
        ApplicationStatus::UnderReview
    );
    let s = compute(&w, &p, &[], decided, Scope::Department);
    let st = s.get("applications_by_stage").unwrap();
    let i = st.series.iter().position(|l| l.key == "approved").unwrap();
    assert_eq!(st.rows.len(), 1);
    assert_eq!(st.rows[0].counts[i], 1);
    assert_eq!(st.total, 1);
    let before = compute(&w, &p, &[], a.submitted_on.pred_opt().unwrap(), Scope::Department);
    assert_eq!(before.get("applications_by_stage").unwrap().total, 0);
}

#[test]
fn another_provinces_policy_counts_none_of_these() {
    let (w, p) = example();
    let s = compute(&w, &p, &["hunan-2026".into()], d("2028-06-30"), Scope::Department);
    assert_eq!(s.on_register, 0);
    assert_eq!(s.get("applications_by_stage").unwrap().total, 0);
    assert_eq!(s.get("assessments_by_year").unwrap().total, 0);
}

#[test]
fn the_workbook_has_a_sheet_per_statistic_with_its_title_and_numbers() {
    let (w, p) = example();
    let s = compute(&w, &p, &[], d("2028-06-30"), Scope::Department);
    let bytes = xlsx(&s).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let sheets = z
        .file_names()
        .filter(|n| n.as_ref().is_ok_and(|n| n.starts_with("xl/worksheets/sheet")))
        .count();
    assert_eq!(sheets, s.statistics.len());
    let mut strings = String::new();
    std::io::Read::read_to_string(&mut z.by_name("xl/sharedStrings.xml").unwrap(), &mut strings).unwrap();
    assert!(strings.contains("基地（按状态），截至 2028-06-30"), "{strings}");
    let names: Vec<String> = tables(&s).into_iter().map(|t| t.sheet).collect();
    assert!(names.iter().all(|n| n.chars().count() <= 31));
}
