//! 申报与考核评估 — the department's statistics beyond the register: the applications of each
//! round by stage and by recommender, and the annual assessment and evaluation outcomes of each
//! year by grade.

use super::*;

/// Applications per round by stage and by recommender.
pub(super) fn applications(world: &World, chosen: &[String], as_of: NaiveDate) -> Vec<Statistic> {
    let mut rounds: Vec<_> = world
        .rounds()
        .filter(|r| chosen.contains(&r.policy) && r.opens_on <= as_of)
        .collect();
    rounds.sort_by(|a, b| a.opens_on.cmp(&b.opens_on).then_with(|| a.id.cmp(&b.id)));
    let mut apps: Vec<&ApplicationCase> = world
        .applications()
        .filter(|a| chosen.contains(&a.policy) && a.submitted_on <= as_of)
        .collect();
    apps.sort_by(|a, b| a.id.cmp(&b.id));
    let round_label = |r: &guohe_domain::Round| Label::new(r.id.clone(), r.title.clone(), r.id.clone());

    let stage_rows = rounds
        .iter()
        .map(|r| {
            let mut counts = vec![0u64; STAGES.len()];
            for a in apps.iter().filter(|a| a.round == r.id) {
                let s = stage_on(world, a, as_of);
                if let Some(i) = STAGES.iter().position(|x| *x == s) {
                    counts[i] += 1;
                }
            }
            (round_label(r), counts)
        })
        .collect();
    let by_stage = statistic(
        "applications_by_stage",
        Label::new("", "各批次申报（按阶段）", "Applications per round by stage"),
        Label::new("", "申报批次", "Round"),
        STAGES
            .iter()
            .map(|s| Label::new(stage_key(*s), s.zh(), s.en()))
            .collect(),
        stage_rows,
    );

    let mut rec_rows = Vec::new();
    for r in &rounds {
        let mut by: BTreeMap<(u8, String), u64> = BTreeMap::new();
        for a in apps.iter().filter(|a| a.round == r.id) {
            let key = match (&a.recommendation, a.direct) {
                (Some((name, _)), _) => (0, name.clone()),
                (None, true) => (1, String::new()),
                (None, false) => (2, String::new()),
            };
            *by.entry(key).or_default() += 1;
        }
        for ((kind, name), n) in by {
            let (zh, en) = match kind {
                0 => (name.clone(), name.clone()),
                1 => (
                    "无需推荐（直接申报）".to_string(),
                    "Direct (no recommender)".to_string(),
                ),
                _ => ("尚未推荐".to_string(), "Not yet recommended".to_string()),
            };
            let key = match kind {
                0 => format!("{}/{name}", r.id),
                1 => format!("{}/(direct)", r.id),
                _ => format!("{}/(pending)", r.id),
            };
            rec_rows.push((
                Label::new(key, format!("{} · {zh}", r.title), format!("{} · {en}", r.id)),
                vec![n],
            ));
        }
    }
    let by_recommender = statistic(
        "applications_by_recommender",
        Label::new("", "各批次申报（按推荐单位）", "Applications per round by recommender"),
        Label::new("", "批次 · 推荐单位", "Round · recommender"),
        vec![Label::new("applications", "申报数", "Applications")],
        rec_rows,
    );
    vec![by_stage, by_recommender]
}

/// Annual assessment and evaluation outcomes per year, by grade.
pub(super) fn grades(
    policies: &PolicySet,
    chosen: &[String],
    bases: &[(&Base, BaseStatus)],
    as_of: NaiveDate,
) -> Vec<Statistic> {
    let vocab = |annual: bool| -> Vec<Label> {
        let mut out: Vec<Label> = Vec::new();
        for p in chosen.iter().filter_map(|p| policies.get(p)) {
            let terms = if annual {
                &p.vocabularies.annual_grades
            } else {
                &p.vocabularies.evaluation_grades
            };
            for t in terms {
                if !out.iter().any(|l| l.key == t.code) {
                    out.push(Label::new(t.code.clone(), t.zh.clone(), t.en.clone()));
                }
            }
        }
        out
    };
    let table = |id: &str, title: Label, rows_are: Label, mut series: Vec<Label>, seen: Vec<(i32, String)>| {
        for (_, g) in &seen {
            if !series.iter().any(|l| &l.key == g) {
                series.push(Label::new(g.clone(), g.clone(), g.clone()));
            }
        }
        let mut by_year: BTreeMap<i32, Vec<u64>> = BTreeMap::new();
        for (y, g) in &seen {
            let i = series.iter().position(|l| &l.key == g).unwrap_or(0);
            by_year.entry(*y).or_insert_with(|| vec![0; series.len()])[i] += 1;
        }
        let rows = by_year
            .into_iter()
            .map(|(y, c)| (Label::new(y.to_string(), format!("{y}年度"), y.to_string()), c))
            .collect();
        statistic(id, title, rows_are, series, rows)
    };
    let mut annual = Vec::new();
    let mut evaluations = Vec::new();
    for (b, _) in bases {
        for (year, g) in &b.annual_grades {
            if g.recorded_on <= as_of {
                annual.push((*year, g.grade.clone()));
            }
        }
        for e in b.evaluations.iter().filter(|e| e.on <= as_of) {
            evaluations.push((e.on.year(), e.grade.clone()));
        }
    }
    vec![
        table(
            "assessments_by_year",
            Label::new("", "年度考核结果（按年度）", "Annual assessment outcomes per year"),
            Label::new("", "考核年度", "Assessment year"),
            vocab(true),
            annual,
        ),
        table(
            "evaluations_by_year",
            Label::new("", "评估结果（按年度）", "Evaluation outcomes per year"),
            Label::new("", "评估年度", "Evaluation year"),
            vocab(false),
            evaluations,
        ),
    ]
}
