//! 省科技厅基地管理 — what the department's list of bases shows, read from the world here so
//! that the web only authorizes, labels and lays it out. Scoped by the policies the caller works
//! under (the web's own authorization decides which).

use chrono::NaiveDate;
use guohe_domain::{Base, BaseStatus, ChangeStatus};
use guohe_policy::Policy;

use crate::Guohe;
use crate::read_models::RegisterQuery;
use crate::unit_desk::{NextDue, next_due};

/// One base of the department's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeptBaseRow {
    /// Base id.
    pub id: String,
    /// Policy id.
    pub policy: String,
    /// Official name.
    pub name: String,
    /// Support unit.
    pub unit: String,
    /// Technology domain.
    pub domain: String,
    /// Date of recognition.
    pub recognised_on: NaiveDate,
    /// Status on the date asked (its current one before it was recognised).
    pub status: BaseStatus,
    /// What it must file next.
    pub next_due: Option<NextDue>,
    /// Major changes awaiting the department.
    pub pending_changes: usize,
}

/// One base's row, on `today`.
fn dept_row(b: &Base, policy: Option<&Policy>, today: NaiveDate) -> DeptBaseRow {
    DeptBaseRow {
        id: b.id.clone(),
        policy: b.policy.clone(),
        name: b.official_name.clone(),
        unit: b.unit_name.clone(),
        domain: b.domain.clone(),
        recognised_on: b.recognised_on,
        status: b.status_on(today).unwrap_or(b.status),
        next_due: next_due(b, policy, today),
        pending_changes: b
            .major_changes
            .values()
            .filter(|c| c.status == ChangeStatus::Pending)
            .count(),
    }
}

/// One page of the department's list of bases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeptBasePage {
    /// Matching bases in all.
    pub total: usize,
    /// The page shown (a page past the last shows the last).
    pub page: usize,
    /// Its rows, in order.
    pub rows: Vec<DeptBaseRow>,
}

impl Guohe {
    /// Every base under the policies `works_under` accepts, as of `today`, in no order.
    pub async fn dept_bases(&self, works_under: impl Fn(&str) -> bool, today: NaiveDate) -> Vec<DeptBaseRow> {
        let policies = self.policies();
        self.read(|w, _, _| {
            w.bases()
                .filter(|b| works_under(&b.policy))
                .map(|b| dept_row(b, policies.get(&b.policy), today))
                .collect()
        })
        .await
    }

    /// One page of the bases matching `q` on `today`, found in the register view (search,
    /// filters, order, page); what is due next and the pending changes are worked out for the
    /// page's bases only.
    pub async fn dept_base_page(&self, q: &RegisterQuery, today: NaiveDate) -> DeptBasePage {
        let found = self.register(q, today, today).await;
        let policies = self.policies();
        let rows = self
            .read(|w, _, _| {
                found
                    .rows
                    .iter()
                    .filter_map(|r| w.base(&r.id))
                    .map(|b| dept_row(b, policies.get(&b.policy), today))
                    .collect()
            })
            .await;
        DeptBasePage {
            total: found.total,
            page: found.page,
            rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_list_holds_the_bases_of_the_policies_asked_with_their_status_on_the_date() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("d.db").display());
        let g = Guohe::open(&url, guohe_policy::PolicySet::default()).await.unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let dept = guohe_domain::Actor::parse("dept:test").unwrap();
        for (id, policy, uscc, category) in [
            ("HB-2015-01", "hubei-2022", "91420100MA4K0001", None),
            // 湖南第二十二条: a carried-over base is given its category.
            ("HN-2015-01", "hunan-2026", "91430100MA4L0001", Some("joint_research")),
        ] {
            let cmd: guohe_domain::Command = serde_json::from_value(serde_json::json!({
                "type": "CarryOverBase", "base_id": id, "policy": policy, "category": category,
                "official_name": format!("{id}国际科技合作基地"), "unit_name": "某公司",
                "uscc": crate::generate::facts::complete_uscc(uscc), "domain": "新材料",
                "director": "张三", "partner_country": "DE", "recognised_on": "2015-06-01"
            }))
            .unwrap();
            g.execute(&dept, today, cmd).await.unwrap();
        }
        // 湖北第三十一条第一项: a base carried over joins the register, 正常运行.
        let hubei = g.dept_bases(|p| p == "hubei-2022", today).await;
        assert_eq!(hubei.len(), 1);
        let b = &hubei[0];
        assert_eq!(
            (b.id.as_str(), b.policy.as_str(), b.status),
            ("HB-2015-01", "hubei-2022", BaseStatus::Active)
        );
        assert_eq!(
            (b.recognised_on, b.pending_changes),
            (NaiveDate::from_ymd_opt(2015, 6, 1).unwrap(), 0)
        );
        assert_eq!(
            b.next_due,
            g.read(|w, _, p| next_due(w.base("HB-2015-01").unwrap(), p.get("hubei-2022"), today))
                .await
        );
        assert_eq!(g.dept_bases(|_| true, today).await.len(), 2);
        assert!(g.dept_bases(|_| false, today).await.is_empty());
    }
}
