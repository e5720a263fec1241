//! Reports: an [`Evaluation`] rendered for people and other systems — each finding's reason in
//! Chinese and English, with the figures that decided it.

use rust_decimal::Decimal;
use serde::Serialize;

use super::*;

/// A finding rendered for people and other systems.
#[derive(Debug, Clone, Serialize)]
pub struct FindingReport {
    /// Rule id.
    pub rule: String,
    /// Machine citation, e.g. `hubei-2022:10.4`.
    pub article: String,
    /// Chinese citation, e.g. `第十条第（四）项`.
    pub article_zh: String,
    /// More precise articles cited inside the condition.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_cites: Vec<String>,
    /// Computed, attested or judged.
    pub mode: Mode,
    /// Outcome.
    pub status: Status,
    /// What the rule requires (Chinese).
    pub title_zh: String,
    /// Reason in Chinese.
    pub reason_zh: String,
    /// Reason in English.
    pub reason_en: String,
    /// Facts read, path → value.
    pub facts: Vec<FactReport>,
    /// Interpretations the rule relies on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub interpretations: Vec<String>,
}

/// One fact read.
#[derive(Debug, Clone, Serialize)]
pub struct FactReport {
    /// Path.
    pub path: String,
    /// Value (lists are summarised by their length).
    pub value: serde_json::Value,
}

/// An evaluation rendered for people and other systems.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Policy id.
    pub policy: String,
    /// 文号.
    pub document_number: String,
    /// Application date (anchor of look-back windows).
    pub application_date: NaiveDate,
    /// Date of the check.
    pub as_of: NaiveDate,
    /// Verdict.
    pub verdict: Verdict,
    /// Verdict in Chinese.
    pub verdict_zh: String,
    /// Count of findings by status.
    pub summary: Summary,
    /// Findings.
    pub findings: Vec<FindingReport>,
    /// Engine version, for reproducing the decision.
    pub engine_version: String,
}

/// Counts by status.
#[derive(Debug, Clone, Copy, Serialize, Default)]
pub struct Summary {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Needs review.
    pub review: usize,
    /// Not applicable.
    pub not_applicable: usize,
}

fn pct(d: Decimal) -> String {
    format!("{}%", (d * Decimal::ONE_HUNDRED).round_dp(2).normalize())
}

/// A ratio in percent, with the digits needed to see how it stands against `min`.
fn pct_against(d: Decimal, min: Decimal) -> String {
    format!("{}%", against(d, min, Decimal::ONE_HUNDRED, 2))
}

fn money(d: Decimal) -> String {
    let n = d.normalize();
    if n >= Decimal::from(10_000) {
        format!("{}万元", (n / Decimal::from(10_000)).round_dp(4).normalize())
    } else {
        format!("{n}元")
    }
}

fn label(e: &Expr, list_ctx: &str) -> (String, String) {
    if let Some(l) = &e.label {
        return (l.zh.clone(), l.en.clone());
    }
    let cat = |p: &str| {
        catalogue_entry(p)
            .map(|c| (c.2.to_string(), c.3.to_string()))
            .unwrap_or((p.to_string(), p.to_string()))
    };
    match &e.kind {
        ExprKind::Fact(p) => cat(p),
        ExprKind::Item(f) => cat(&format!("{list_ctx}[].{f}")),
        ExprKind::Count(op) => {
            let (z, en) = cat(&op.list);
            (format!("{z}数量"), format!("number of {en}"))
        }
        ExprKind::CountDistinct(op) => {
            let (lz, len) = cat(&op.list);
            let (fz, fen) = cat(&format!("{}[].{}", op.list, op.field.as_deref().unwrap_or_default()));
            (format!("{lz}涉及的不同{fz}数"), format!("distinct {fen} among {len}"))
        }
        ExprKind::Sum(op) => {
            let (fz, fen) = cat(&format!("{}[].{}", op.list, op.field.as_deref().unwrap_or_default()));
            (format!("{fz}合计"), format!("total {fen}"))
        }
        ExprKind::Latest { list, field, .. } => {
            let (fz, fen) = cat(&format!("{list}[].{field}"));
            (format!("最近一年{fz}"), format!("latest {fen}"))
        }
        ExprKind::Average(op) => {
            let (fz, fen) = cat(&format!("{}[].{}", op.list, op.field.as_deref().unwrap_or_default()));
            (format!("{fz}平均值"), format!("average {fen}"))
        }
        ExprKind::Arith(op, args) => {
            let parts: Vec<(String, String)> = args.iter().map(|a| operand_label(a, list_ctx)).collect();
            let (sz, sen) = match op {
                ArithOp::Add => ("＋", "+"),
                ArithOp::Subtract => ("－", "−"),
                ArithOp::Multiply => ("×", "×"),
                ArithOp::Divide => ("÷", "÷"),
            };
            (
                parts.iter().map(|p| p.0.as_str()).collect::<Vec<_>>().join(sz),
                parts
                    .iter()
                    .map(|p| p.1.as_str())
                    .collect::<Vec<_>>()
                    .join(&format!(" {sen} ")),
            )
        }
        _ => ("取值".into(), "value".into()),
    }
}

/// An operand of an arithmetic node as named in a reason: literals as numbers, the rest by label.
fn operand_label(e: &Expr, list_ctx: &str) -> (String, String) {
    match &e.kind {
        ExprKind::Literal(Literal::Num(n)) if e.label.is_none() => {
            (n.normalize().to_string(), n.normalize().to_string())
        }
        ExprKind::Arith(..) if e.label.is_none() => {
            let (z, en) = label(e, list_ctx);
            (format!("（{z}）"), format!("({en})"))
        }
        _ => label(e, list_ctx),
    }
}

/// A computed number shown with enough digits to tell it from the bound it is compared with:
/// 7,499,999 / 150,000,000 against 5% reads 4.9999993%, never a rounded 5%.
fn against(actual: Decimal, bound: Decimal, scale: Decimal, min_dp: u32) -> Decimal {
    let (a, b) = (actual * scale, bound * scale);
    for dp in min_dp..=20 {
        let r = a.round_dp(dp);
        if r.cmp(&b) == a.cmp(&b) {
            // One digit more than the least that shows the difference.
            return if a == b || dp == min_dp {
                r.normalize()
            } else {
                a.round_dp(dp + 1).normalize()
            };
        }
    }
    a.normalize()
}

fn render_detail(policy: &Policy, d: &Detail<'_>) -> (String, String) {
    match d.kind {
        DetailKind::Compare {
            op,
            value,
            actual,
            required,
        } => {
            let (lz, len) = label(value, "");
            let (ozh, oen) = match (op, d.negated) {
                ("≥", false) => ("不少于", "at least"),
                ("≥", true) => ("少于", "less than"),
                ("≤", false) => ("不超过", "at most"),
                ("≤", true) => ("超过", "more than"),
                (_, false) => ("应为", "must be"),
                (_, true) => ("不应为", "must not be"),
            };
            let shown = match (actual, required) {
                (Val::Num(a), Val::Num(b)) => against(a, b, Decimal::ONE, 2).to_string(),
                _ => actual.render(),
            };
            let shown_en = match actual {
                Val::Num(_) => shown.clone(),
                _ => actual.render_en(),
            };
            (
                format!("{lz}为{shown}，要求{ozh}{}", required.render()),
                format!("{len} is {shown_en}, {oen} {} required", required.render_en()),
            )
        }
        DetailKind::Undefined { value } => {
            let (lz, len) = label(value, "");
            (
                format!("{lz}无法计算：除数为零"),
                format!("{len} cannot be computed: division by zero"),
            )
        }
        DetailKind::OneOf { value, actual, set } => {
            let (lz, len) = label(value, "");
            let set: Vec<String> = set
                .iter()
                .map(|l| match l {
                    Literal::Bool(b) => b.to_string(),
                    Literal::Num(n) => n.to_string(),
                    Literal::Text(t) => t.clone(),
                })
                .collect();
            let actual_text = actual.render();
            let set_zh: Vec<String> = set.iter().map(|c| code_zh(policy, c)).collect();
            let (zh_verb, en_verb) = match (d.negated, set.len()) {
                (false, 1) => ("应为", "must be"),
                (false, _) => ("应为以下之一：", "must be one of"),
                (true, 1) => ("不应为", "must not be"),
                (true, _) => ("不应为以下任何一项：", "must be none of"),
            };
            (
                format!(
                    "{lz}为“{}”，{zh_verb}{}",
                    code_zh(policy, &actual_text),
                    set_zh.join("、")
                ),
                format!("{len} is `{actual_text}`, {en_verb} {}", set.join(", ")),
            )
        }
        DetailKind::Ratio {
            numerator,
            denominator,
            band_value,
            band,
            band_by,
        } => {
            let (bz, ben) = label(band_by, "");
            let ratio = if denominator.is_zero() {
                None
            } else {
                numerator.checked_div(denominator)
            };
            let band_zh = match band.up_to {
                Some(u) => format!("{bz}{}，不超过{}", money(band_value), money(u)),
                None => format!("{bz}{}", money(band_value)),
            };
            let band_en = match band.up_to {
                Some(u) => format!("{ben} {} ≤ {}", band_value.normalize(), u.normalize()),
                None => format!("{ben} {}", band_value.normalize()),
            };
            match ratio {
                Some(r) => (
                    format!(
                        "研发费用总额 {} 占销售收入总额 {} 的比例为 {}；{band_zh}，标准为不低于 {}",
                        money(numerator),
                        money(denominator),
                        pct_against(r, band.min_ratio),
                        pct(band.min_ratio)
                    ),
                    format!(
                        "R&D expense {} / sales revenue {} = {}; {band_en}, so at least {} is required",
                        numerator.normalize(),
                        denominator.normalize(),
                        pct_against(r, band.min_ratio),
                        pct(band.min_ratio)
                    ),
                ),
                None => (
                    format!(
                        "销售收入总额为零，无法计算研发费用占比；标准为不低于 {}",
                        pct(band.min_ratio)
                    ),
                    format!(
                        "total sales revenue is zero, so no ratio can be shown; at least {} is required",
                        pct(band.min_ratio)
                    ),
                ),
            }
        }
    }
}

/// A code as people read it: the policy's vocabulary, the facts' enumerations, or a country's
/// Chinese name, with the code after it — 正高级（senior）.
fn code_zh(policy: &Policy, code: &str) -> String {
    let v = &policy.vocabularies;
    let from_policy = [
        &v.categories,
        &v.unit_kinds,
        &v.annual_grades,
        &v.evaluation_grades,
        &v.expert_conclusions,
        &v.decisions,
    ]
    .iter()
    .find_map(|terms| crate::model::term(terms, code).map(|t| t.zh.clone()));
    let label = from_policy
        .or_else(|| crate::facts::code_label(code).map(str::to_string))
        .or_else(|| {
            (code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()))
                .then(|| guohe_reference::country::lookup(code).map(|c| c.name_zh.to_string()))
                .flatten()
        });
    match label {
        Some(l) => format!("{l}（{code}）"),
        None => code.to_string(),
    }
}

fn collect_articles(e: &Expr, out: &mut Vec<ArticleRef>) {
    if let Some(a) = e.article
        && !out.contains(&a)
    {
        out.push(a);
    }
    match &e.kind {
        ExprKind::All(v) | ExprKind::Any(v) => v.iter().for_each(|c| collect_articles(c, out)),
        ExprKind::Not(c) => collect_articles(c, out),
        ExprKind::AtLeast(a, b) | ExprKind::AtMost(a, b) | ExprKind::Equals(a, b) => {
            collect_articles(a, out);
            collect_articles(b, out);
        }
        ExprKind::OneOf(a, _) => collect_articles(a, out),
        ExprKind::Count(op) | ExprKind::Sum(op) | ExprKind::CountDistinct(op) | ExprKind::Average(op) => {
            if let Some(f) = &op.filter {
                collect_articles(f, out);
            }
        }
        ExprKind::Arith(_, args) => args.iter().for_each(|c| collect_articles(c, out)),
        ExprKind::RatioBanded {
            numerator,
            denominator,
            band_by,
            ..
        } => {
            for x in [numerator, denominator, band_by] {
                collect_articles(x, out);
            }
        }
        _ => {}
    }
}

impl Evaluation<'_> {
    /// Renders one finding.
    pub fn finding_report(&self, f: &Finding<'_>) -> FindingReport {
        let p = self.policy;
        let rule = f.rule;
        let details: Vec<(String, String)> = self.details(f).iter().map(|d| render_detail(self.policy, d)).collect();
        let joined = |zh: bool| -> String {
            let parts: Vec<&str> = details
                .iter()
                .map(|d| if zh { d.0.as_str() } else { d.1.as_str() })
                .collect();
            if parts.is_empty() {
                String::new()
            } else if zh {
                format!("（{}）", parts.join("；"))
            } else {
                format!(" ({})", parts.join("; "))
            }
        };
        let (reason_zh, reason_en) = match (f.status, f.missing_evidence) {
            (Status::Pass, _) => (
                format!("符合：{}{}", rule.title_zh, joined(true)),
                format!("Met: {}{}", rule.title_en, joined(false)),
            ),
            (Status::Fail, Some(ev)) => (
                format!("不符合：{}（已声明，但缺少证明材料“{ev}”）", rule.title_zh),
                format!(
                    "Not met: {} (declared, but the supporting attachment `{ev}` is missing)",
                    rule.title_en
                ),
            ),
            (Status::Fail, None) => (
                format!("不符合：{}{}", rule.title_zh, joined(true)),
                format!("Not met: {}{}", rule.title_en, joined(false)),
            ),
            (Status::Review, _) => (
                format!("需专家评审：{}（该条件须由专家判断，系统不作结论）", rule.title_zh),
                format!("Needs expert review: {} (only an expert can judge this)", rule.title_en),
            ),
            (Status::NotApplicable, _) => (
                format!("不适用：{}", rule.title_zh),
                format!("Not applicable: {}", rule.title_en),
            ),
        };
        let mut also = Vec::new();
        if let Some(c) = &rule.condition {
            collect_articles(c, &mut also);
        }
        also.retain(|a| *a != rule.article);
        FindingReport {
            rule: rule.id.clone(),
            article: Citation {
                policy: p.id.clone(),
                at: rule.article,
            }
            .to_string(),
            article_zh: chinese_article(rule.article, p.item_style),
            also_cites: also
                .iter()
                .map(|a| {
                    Citation {
                        policy: p.id.clone(),
                        at: *a,
                    }
                    .to_string()
                })
                .collect(),
            mode: rule.mode,
            status: f.status,
            title_zh: rule.title_zh.clone(),
            reason_zh,
            reason_en,
            facts: self
                .uses(f)
                .iter()
                .map(|u| FactReport {
                    path: u.path.to_string(),
                    value: u.value.to_json(),
                })
                .collect(),
            interpretations: rule.interpretations.clone(),
        }
    }

    /// Renders the whole evaluation.
    pub fn report(&self) -> Report {
        let mut summary = Summary::default();
        for f in &self.findings {
            match f.status {
                Status::Pass => summary.pass += 1,
                Status::Fail => summary.fail += 1,
                Status::Review => summary.review += 1,
                Status::NotApplicable => summary.not_applicable += 1,
            }
        }
        Report {
            policy: self.policy.id.clone(),
            document_number: self.policy.document_number.clone(),
            application_date: self.anchor,
            as_of: self.as_of,
            verdict: self.verdict,
            verdict_zh: self.verdict.zh().into(),
            summary,
            findings: self.findings.iter().map(|f| self.finding_report(f)).collect(),
            engine_version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}
