//! Reading an application's facts and checking what depends on the policy: vocabulary codes,
//! countries, the province.

use super::*;

impl Application {
    /// Reads an application from JSON; errors name the field path.
    pub fn parse(json: &str) -> Result<Application, FactError> {
        let de = &mut serde_json::Deserializer::from_str(json);
        let app: Application = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let path = if path == "." { String::new() } else { path };
            let en = inner.to_string();
            let zh = if inner.is_syntax() || inner.is_eof() {
                format!("JSON 格式错误（第{}行第{}列）", inner.line(), inner.column())
            } else if en.starts_with("missing field") {
                format!(
                    "缺少必填项：{}",
                    en.trim_start_matches("missing field ").split(' ').next().unwrap_or("")
                )
            } else if en.starts_with("unknown field") {
                "未知字段（请检查拼写）".to_string()
            } else if en.starts_with("unknown variant") {
                "取值不在允许范围内".to_string()
            } else {
                "类型或取值错误".to_string()
            };
            FactError::new(path, format!("{zh}：{en}"), en)
        })?;
        app.validate_shape()?;
        Ok(app)
    }

    /// Checks what does not depend on the policy: codes, dates, duplicates.
    pub fn validate_shape(&self) -> Result<(), FactError> {
        match guohe_reference::uscc::parse(&self.unit.uscc) {
            Err(e) => return Err(FactError::new("unit.uscc", e.message_zh(), e.to_string())),
            // GB 32100: registration authority 9 (工商) with category 2 is a 个体工商户, which is
            // not an independent legal person and so cannot be a support unit (Hunan 第五条,
            // Hubei 第八条 both require an independent legal person).
            Ok(code) if code.registration_authority() == '9' && code.organisation_category() == '2' => {
                return Err(FactError::new(
                    "unit.uscc",
                    format!(
                        "统一社会信用代码“{}”的登记管理部门码为9、机构类别码为2，属个体工商户；个体工商户不具有独立法人资格，不能作为依托单位",
                        code.as_str()
                    ),
                    format!(
                        "`{}` has registration authority 9 and category 2 (GB 32100): an individual business (个体工商户), which is not an independent legal person and cannot be a support unit",
                        code.as_str()
                    ),
                ));
            }
            Ok(_) => {}
        }
        // The primary partner may be written as CN: the eligibility rule that requires a
        // partner outside the mainland then fails with its article, instead of a bare input error.
        check_country_code("primary_partner.country", &self.primary_partner.country)?;
        if let Some(o) = &self.primary_partner.organisation {
            check_country(
                "primary_partner.organisation.headquarters_country",
                &o.headquarters_country,
            )?;
        }
        for (i, p) in self.partner_institutions.iter().enumerate() {
            check_country(&format!("partner_institutions[{i}].country"), &p.country)?;
        }
        for (i, p) in self.unit.partner_organisations.iter().enumerate() {
            check_country(&format!("unit.partner_organisations[{i}].country"), &p.country)?;
        }
        for (i, t) in self.unit.technology_transfers.iter().enumerate() {
            check_country(&format!("unit.technology_transfers[{i}].country"), &t.country)?;
        }
        if guohe_reference::region::province_code(&self.unit.region_code).is_err() {
            return Err(FactError::new(
                "unit.region_code",
                format!("行政区划代码“{}”应为6位数字（GB/T 2260）", self.unit.region_code),
                format!("`{}` is not a six-digit GB/T 2260 region code", self.unit.region_code),
            ));
        }
        for (path, text) in [
            ("technology_domain", &self.technology_domain),
            ("unit.name", &self.unit.name),
            ("director.name", &self.director.name),
        ] {
            if text.trim().is_empty() {
                return Err(FactError::new(path, "不能为空", "must not be empty"));
            }
            if text.chars().count() > 200 {
                return Err(FactError::new(
                    path,
                    "过长（最多200字）",
                    "too long (200 characters at most)",
                ));
            }
        }
        let mut years: Vec<i32> = self.unit.finance.iter().map(|f| f.year).collect();
        years.sort_unstable();
        if let Some(w) = years.windows(2).find(|w| w[0] == w[1]) {
            return Err(FactError::new(
                "unit.finance",
                format!("{}年度的财务数据重复", w[0]),
                format!("fiscal year {} is given twice", w[0]),
            ));
        }
        for (i, f) in self.unit.finance.iter().enumerate() {
            if f.sales_revenue.0.is_sign_negative() || f.rd_expense.0.is_sign_negative() {
                return Err(FactError::new(
                    format!("unit.finance[{i}]"),
                    "金额不能为负数",
                    "amounts must not be negative",
                ));
            }
        }
        for (list, projects) in [
            ("unit.international_projects", &self.unit.international_projects),
            ("director.projects_led", &self.director.projects_led),
        ] {
            for (i, p) in projects.iter().enumerate() {
                if p.end_date.is_some_and(|e| e < p.start_date) {
                    return Err(FactError::new(
                        format!("{list}[{i}].end_date"),
                        format!("项目“{}”的结束日期早于开始日期", p.name),
                        format!("project `{}` ends before it starts", p.name),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Checks what depends on the policy: the category and unit kind must be its codes, and the
    /// policy id must match.
    pub fn validate(&self, policy: &Policy) -> Result<(), FactError> {
        if self.policy != policy.id {
            return Err(FactError::new(
                "policy",
                format!("申报所依据的办法为“{}”，与所选办法“{}”不一致", self.policy, policy.id),
                format!("the application is for policy `{}`, not `{}`", self.policy, policy.id),
            ));
        }
        let cats = &policy.vocabularies.categories;
        match (&self.category, cats.is_empty()) {
            (None, false) => {
                return Err(FactError::new(
                    "category",
                    format!("缺少基地类型；可选：{}", codes_zh(cats)),
                    format!("missing; one of {}", codes(cats)),
                ));
            }
            (Some(c), false) if term(cats, c).is_none() => {
                return Err(FactError::new(
                    "category",
                    format!("基地类型“{c}”无效；可选：{}", codes_zh(cats)),
                    format!("unknown category `{c}`; one of {}", codes(cats)),
                ));
            }
            (Some(c), true) => {
                return Err(FactError::new(
                    "category",
                    format!("《{}》不分基地类型，不应填写“{c}”", policy.title),
                    format!("policy `{}` has no categories", policy.id),
                ));
            }
            _ => {}
        }
        let kinds = &policy.vocabularies.unit_kinds;
        if term(kinds, &self.unit.kind).is_none() {
            return Err(FactError::new(
                "unit.kind",
                format!("依托单位类型“{}”无效；可选：{}", self.unit.kind, codes_zh(kinds)),
                format!("unknown unit kind `{}`; one of {}", self.unit.kind, codes(kinds)),
            ));
        }
        Ok(())
    }

    /// The fact tree the interpreter reads.
    pub fn to_facts(&self) -> FactTree {
        let value = serde_json::to_value(self).expect("an Application always serialises");
        FactTree(Fact::from_json(&value, ""))
    }
}

fn codes(terms: &[crate::model::Term]) -> String {
    terms.iter().map(|t| t.code.as_str()).collect::<Vec<_>>().join(", ")
}

fn codes_zh(terms: &[crate::model::Term]) -> String {
    terms
        .iter()
        .map(|t| format!("{}（{}）", t.code, t.zh))
        .collect::<Vec<_>>()
        .join("、")
}

/// Checks that a code is an ISO 3166-1 alpha-2 country or region (CN included).
fn check_country_code(path: &str, code: &str) -> Result<(), FactError> {
    match guohe_reference::country::lookup(code) {
        None => Err(FactError::new(
            path,
            format!("“{code}”不是有效的国家（地区）代码（ISO 3166-1 二位字母代码）"),
            format!("`{code}` is not an ISO 3166-1 alpha-2 country or region code"),
        )),
        Some(_) => Ok(()),
    }
}

/// Checks a foreign partner's country: a valid code outside the Chinese mainland.
fn check_country(path: &str, code: &str) -> Result<(), FactError> {
    check_country_code(path, code)?;
    match guohe_reference::country::lookup(code) {
        Some(c) if c.alpha2 == "CN" => Err(FactError::new(
            path,
            "合作国家（地区）应为国（境）外，不能为中国内地；港澳台地区请填写 HK、MO、TW",
            "the partner must be outside the Chinese mainland (use HK, MO or TW for Hong Kong, Macao, Taiwan)",
        )),
        _ => Ok(()),
    }
}
