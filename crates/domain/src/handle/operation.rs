//! 运行管理 — annual reports and assessments, evaluations and re-evaluations, and findings.

use super::*;

impl H<'_, '_> {
    // ---------- operation ----------

    pub(super) fn annual_report(&self, c: SubmitAnnualReport) -> R {
        self.role(
            &[Role::SupportUnit, Role::Department],
            "报送年度报告",
            "file an annual report",
        )?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let ar = &policy.lifecycle.annual_report;
        self.on_register(b, policy, ar.article)?;
        if c.submitted_on > self.ctx.today {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                "报送日期晚于今天",
                "submitted_on is in the future",
            )
            .at("submitted_on"));
        }
        if self.world.clock.is_some_and(|clk| c.submitted_on < clk) {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                "报送日期早于系统时钟，逾期规则已执行，不能倒签",
                "submitted_on is before the clock; deadlines up to then have been applied",
            )
            .at("submitted_on"));
        }
        if c.year >= c.submitted_on.year() || c.year < b.recognised_on.year() {
            let (first, last) = (b.recognised_on.year(), c.submitted_on.year() - 1);
            // A base recognised this year has no finished year yet: say when its first report is due
            // rather than print an empty range.
            let (zh, en) = if first > last {
                (
                    format!(
                        "该基地于{first}年认定，尚无已结束的年度；首份年度报告为{first}年度，于{}年报送",
                        first + 1
                    ),
                    format!(
                        "the base was recognised in {first} and no year of it has ended yet: its first report covers {first} and is filed in {}",
                        first + 1
                    ),
                )
            } else if first == last {
                (
                    format!("年度报告应报送已结束的年度（{first}年）"),
                    format!("the report covers the finished year {first}"),
                )
            } else {
                (
                    format!("年度报告应报送已结束的年度（{first}—{last}年）"),
                    format!("the report covers a finished year between {first} and {last}"),
                )
            };
            return Err(Refusal::invalid("year", zh, en).cite(policy.cite(ar.article)));
        }
        if b.reports.contains_key(&c.year) {
            return Err(Refusal::new(
                RefusalCode::AlreadyRecorded,
                format!("{}年度报告已报送", c.year),
                format!("the report for {} was already filed", c.year),
            )
            .cite(policy.cite(ar.article))
            .at("year"));
        }
        let due_on = NaiveDate::from_ymd_opt(c.year + 1, ar.due_month, ar.due_day).ok_or_else(|| {
            Refusal::new(
                RefusalCode::PolicyUnavailable,
                "办法规定的报送截止日期无效",
                "the policy's report deadline is not a date",
            )
        })?;
        let late = if ar.due_inclusive {
            c.submitted_on > due_on
        } else {
            c.submitted_on >= due_on
        };
        Ok(vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(ar.article)],
            EventKind::AnnualReportSubmitted(AnnualReportSubmitted {
                base: b.id.clone(),
                year: c.year,
                submitted_on: c.submitted_on,
                due_on,
                late,
                recommender_copy: ar.recommender_copy,
            }),
        )])
    }

    pub(super) fn annual_assessment(&self, c: RecordAnnualAssessment) -> R {
        self.role(&[Role::Department], "记录年度考核结果", "record annual assessments")?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let Some(aa) = &policy.lifecycle.annual_assessment else {
            return Err(Refusal::new(
                RefusalCode::NotProvided,
                format!("《{}》不设年度考核", policy.title),
                format!("{} has no annual assessment", policy.id),
            ));
        };
        vocab_check(
            "grade",
            &policy.vocabularies.annual_grades,
            &c.grade,
            "年度考核结果",
            policy,
        )?;
        self.on_register(b, policy, aa.article)?;
        if b.annual_grades.contains_key(&c.year) {
            return Err(Refusal::new(
                RefusalCode::AlreadyRecorded,
                format!("{}年度考核结果已记录", c.year),
                format!("the {} assessment is already recorded", c.year),
            )
            .cite(policy.cite(aa.article))
            .at("year"));
        }
        match b.reports.get(&c.year) {
            Some(r) if !r.late => {}
            _ => {
                return Err(Refusal::new(
                    RefusalCode::WrongState,
                    format!(
                        "{}年度未按时报送年度报告，考核结果依规则定为不合格，不能另行评定",
                        c.year
                    ),
                    format!("no on-time report for {}; its grade is set by rule", c.year),
                )
                .cite(policy.cite(aa.article)));
            }
        }
        let year = c.year;
        let grade = c.grade.clone();
        let grade_of = |y: i32| -> Option<&str> {
            if y == year {
                Some(grade.as_str())
            } else {
                b.annual_grades.get(&y).map(|g| g.grade.as_str())
            }
        };
        let fired = consequence::matching(
            policy,
            &Happening::Annual {
                year,
                grade_of: &grade_of,
            },
        );
        let mut out = vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(aa.article)],
            EventKind::AnnualAssessmentRecorded(AnnualAssessmentRecorded {
                base: b.id.clone(),
                year,
                grade: c.grade.clone(),
                missing_report: false,
            }),
        )];
        out.extend(consequence::on_base(policy, b, &fired, self.ctx.today, &self.emit)?);
        Ok(out)
    }

    pub(super) fn evaluation(&self, c: RecordEvaluation) -> R {
        self.role(&[Role::Department], "记录评估结果", "record evaluations")?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let art = policy.lifecycle.evaluation.article;
        vocab_check(
            "grade",
            &policy.vocabularies.evaluation_grades,
            &c.grade,
            "评估结果",
            policy,
        )?;
        self.on_register(b, policy, art)?;
        if !b.evaluated {
            let legacy = policy
                .transitions
                .legacy_bases
                .as_ref()
                .map(|l| l.article)
                .unwrap_or(art);
            return Err(wrong_state(
                format!(
                    "基地“{}”不参加阶段性评估（{}）",
                    b.official_name,
                    policy.cite_zh(legacy)
                ),
                format!("base `{}` takes no periodic evaluation ({})", b.id, policy.cite(legacy)),
            )
            .cite(policy.cite(legacy)));
        }
        if let BaseStatus::UnderRectification { until } = b.status {
            return Err(wrong_state(
                format!("基地正在限期整改（至 {until}），整改期满后请记录复评结果"),
                format!("the base is under rectification until {until}; record a re-evaluation after it"),
            )
            .cite(policy.cite(art)));
        }
        let fired = consequence::matching(policy, &Happening::Evaluation(&c.grade));
        let mut out = vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(art)],
            EventKind::EvaluationRecorded(EvaluationRecorded {
                base: b.id.clone(),
                grade: c.grade,
                re_evaluation: false,
            }),
        )];
        out.extend(consequence::on_base(policy, b, &fired, self.ctx.today, &self.emit)?);
        Ok(out)
    }

    pub(super) fn re_evaluation(&self, c: RecordReEvaluation) -> R {
        self.role(&[Role::Department], "记录复评结果", "record re-evaluations")?;
        let b = self.base(&c.base, "base")?;
        let policy = self.policy(&b.policy)?;
        let art = policy
            .lifecycle
            .rectification
            .as_ref()
            .map(|r| r.article)
            .unwrap_or(policy.lifecycle.evaluation.article);
        vocab_check(
            "grade",
            &policy.vocabularies.evaluation_grades,
            &c.grade,
            "复评结果",
            policy,
        )?;
        let BaseStatus::UnderRectification { until } = b.status else {
            return Err(wrong_state(
                format!("基地“{}”不在限期整改中，无需复评", b.official_name),
                format!("base `{}` is not under rectification", b.id),
            )
            .cite(policy.cite(art)));
        };
        if self.ctx.today < until {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                format!("整改期至 {until} 止，期满后方可复评"),
                format!("rectification runs until {until}; re-evaluation comes after it"),
            )
            .cite(policy.cite(art)));
        }
        let fired = consequence::matching(policy, &Happening::ReEvaluation(&c.grade));
        let mut out = vec![self.ev(
            base_stream(&b.id),
            vec![policy.cite(art)],
            EventKind::EvaluationRecorded(EvaluationRecorded {
                base: b.id.clone(),
                grade: c.grade.clone(),
                re_evaluation: true,
            }),
        )];
        let effects = consequence::on_base(policy, b, &fired, self.ctx.today, &self.emit)?;
        if effects.is_empty() {
            out.push(self.ev(
                base_stream(&b.id),
                vec![policy.cite(art)],
                EventKind::RectificationCompleted(RectificationCompleted {
                    base: b.id.clone(),
                    grade: c.grade,
                }),
            ));
        }
        out.extend(effects);
        Ok(out)
    }

    pub(super) fn finding(&self, c: RecordFinding) -> R {
        self.role(&[Role::Department], "记录查实情形", "record findings")?;
        non_empty("evidence", &c.evidence, "证据材料")?;
        if c.effective_on > self.ctx.today {
            return Err(Refusal::new(
                RefusalCode::DateOutOfOrder,
                "生效日期晚于今天",
                "effective_on is in the future",
            )
            .at("effective_on"));
        }
        let (kind, id) = c.case.split_once('/').unwrap_or(("", ""));
        let term_article = |policy: &Policy| -> Vec<Citation> {
            term(&policy.vocabularies.findings, &c.finding)
                .and_then(|t| t.article)
                .map(|a| vec![policy.cite(a)])
                .unwrap_or_default()
        };
        match kind {
            "base" => {
                let b = self.base(id, "case")?;
                let policy = self.policy(&b.policy)?;
                vocab_check("finding", &policy.vocabularies.findings, &c.finding, "情形", policy)?;
                if b.status.is_final() {
                    return Err(wrong_state(
                        format!("基地“{}”已{}", b.official_name, b.status.zh()),
                        format!("base `{}` is already off the register ({})", b.id, b.status.en()),
                    ));
                }
                // A status history read as of a date must stay in order: a finding cannot take
                // effect before the base's last recorded change of status.
                let last = b
                    .history
                    .last()
                    .map(|h| h.from)
                    .unwrap_or(b.recognised_on)
                    .max(b.recognised_on);
                if c.effective_on < last {
                    return Err(Refusal::new(
                        RefusalCode::DateOutOfOrder,
                        format!("生效日期 {} 早于基地最近一次状态变化（{last}）", c.effective_on),
                        format!(
                            "effective_on {} is before the base's last change of status on {last}",
                            c.effective_on
                        ),
                    )
                    .at("effective_on"));
                }
                let fired = consequence::matching(policy, &Happening::Finding(&c.finding));
                let mut out = vec![self.ev(
                    base_stream(&b.id),
                    term_article(policy),
                    EventKind::FindingRecorded(FindingRecorded {
                        case: c.case.clone(),
                        finding: c.finding.clone(),
                        effective_on: c.effective_on,
                        evidence: c.evidence,
                    }),
                )];
                out.extend(consequence::on_base(policy, b, &fired, c.effective_on, &self.emit)?);
                Ok(out)
            }
            "application" => {
                let a = self.application(id, "case")?;
                let policy = self.policy(&a.policy)?;
                vocab_check("finding", &policy.vocabularies.findings, &c.finding, "情形", policy)?;
                if !a.status.in_progress() {
                    let hint = match &a.base {
                        Some(b) => format!("；已命名的请对 base/{b} 记录"),
                        None => String::new(),
                    };
                    return Err(wrong_state(
                        format!("申报“{}”当前为“{}”，不在申请阶段{hint}", a.id, a.status.zh()),
                        format!("application `{}` is {}, not in progress", a.id, a.status.en()),
                    )
                    .at("case"));
                }
                let fired = consequence::matching(policy, &Happening::Finding(&c.finding));
                let effects = consequence::on_application(policy, a, &fired, c.effective_on, &self.emit)?;
                let mut out = vec![self.ev(
                    application_stream(&a.id),
                    term_article(policy),
                    EventKind::FindingRecorded(FindingRecorded {
                        case: c.case.clone(),
                        finding: c.finding.clone(),
                        effective_on: c.effective_on,
                        evidence: c.evidence,
                    }),
                )];
                out.extend(effects);
                Ok(out)
            }
            _ => Err(Refusal::invalid(
                "case",
                format!("“{}”应写作 base/<编号> 或 application/<编号>", c.case),
                format!("`{}` must be base/<id> or application/<id>", c.case),
            )),
        }
    }
}
