//! 抽查结果导出 — the inspection draws (双随机、一公开) as one table: a row per drawn base with
//! its draw, seed, inspectors and the result recorded, for the department's files and for
//! publication beside the draw pages.

use chrono::NaiveDate;
use guohe_domain::InspectionDraw;

use crate::export::{Cell, Table};

const COLUMNS: [(&str, f64); 12] = [
    ("抽取编号", 20.0),
    ("抽取日期", 12.0),
    ("办法", 12.0),
    ("年度", 8.0),
    ("用途", 10.0),
    ("随机种子", 28.0),
    ("基地编号", 14.0),
    ("基地名称", 40.0),
    ("分层", 12.0),
    ("考察专家", 40.0),
    ("结果记录日期", 12.0),
    ("考察结果", 60.0),
];

/// The draws (newest first, as given) as a table; `expert` names an expert from their login.
pub fn table(draws: &[&InspectionDraw], expert: impl Fn(&str) -> String, as_of: NaiveDate) -> Table {
    let mut rows = Vec::new();
    for d in draws {
        let x = &d.event;
        for s in &x.selected {
            let name = x
                .candidates
                .iter()
                .find(|c| c.base == s.base)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            let result = d.results.get(&s.base);
            rows.push(vec![
                Cell::text(&x.draw),
                Cell::Date(d.drawn_on),
                Cell::text(&x.policy),
                Cell::Number(f64::from(x.year)),
                Cell::text(x.purpose.zh()),
                Cell::text(&x.seed),
                Cell::text(&s.base),
                Cell::Text(name),
                Cell::text(&s.stratum),
                Cell::Text(s.inspectors.iter().map(|e| expert(e)).collect::<Vec<_>>().join("、")),
                result.map_or(Cell::Empty, |(on, _)| Cell::Date(*on)),
                result.map_or(Cell::text("未记录"), |(_, r)| Cell::text(&r.findings)),
            ]);
        }
    }
    Table {
        sheet: "现场考察抽取".into(),
        title: format!(
            "现场考察随机抽取及结果（双随机、一公开）— {} 次抽取，{} 个基地，截至 {as_of}",
            draws.len(),
            rows.len()
        ),
        columns: COLUMNS.iter().map(|(h, w)| (h.to_string(), *w)).collect(),
        rows,
    }
}
