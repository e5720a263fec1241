//! 资格自查 — what the instant eligibility check needs from the register: whether the unit
//! already holds a base in the domain, whether the director already heads one, and how long the
//! unit is banned. The check takes these from the world, never from the caller, exactly as the
//! domain does on submission.

use chrono::NaiveDate;
use guohe_policy::{Application, Policy, RegistryFacts};

use crate::Guohe;

impl Guohe {
    /// The register facts for an application of `app`'s unit, domain and director under
    /// `policy`, as of `as_of` (bans still running then, in the policy's province): the domain's
    /// own reading ([`guohe_domain::registry_facts`], from the world's look-up of the unit's
    /// bases), the one the submission makes.
    pub async fn registry_facts(&self, policy: &Policy, app: &Application, as_of: NaiveDate) -> RegistryFacts {
        self.read(|w, _, _| guohe_domain::registry_facts(w, policy, app, as_of))
            .await
    }
}

#[cfg(test)]
mod tests {
    use crate::unit_desk::fixture;

    #[tokio::test(flavor = "multi_thread")]
    async fn the_register_says_what_the_unit_and_director_hold() {
        let (g, _dir) = fixture::generated().await;
        let today = fixture::today();
        // A unit holding a base on the register and having applied (the world's order of bases
        // is not fixed, so the pair is looked for, not taken first).
        let (mut facts, base) = g
            .read(|w, _, _| {
                w.bases()
                    .filter(|b| b.status.on_register())
                    .find_map(|b| {
                        let a = w
                            .applications()
                            .find(|a| a.facts.unit.uscc.trim().eq_ignore_ascii_case(b.uscc.trim()))?;
                        Some((a.facts.clone(), b.clone()))
                    })
                    .expect("a unit with a base on the register and an application")
            })
            .await;
        let policy = g.policies().get(&base.policy).expect("the policy").clone();
        facts.unit.uscc = base.uscc.clone();
        facts.technology_domain = base.domain.clone();
        facts.director.name = base.director.clone();
        let r = g.registry_facts(&policy, &facts, today).await;
        assert!(r.unit_holds_base_in_domain && r.director_heads_base);
        facts.technology_domain = "另一个领域".into();
        facts.director.name = "另一位负责人".into();
        let r = g.registry_facts(&policy, &facts, today).await;
        assert!(!r.unit_holds_base_in_domain && !r.director_heads_base);

        // For every base's unit, domain and director (its code as typed in other cases and
        // padded too), the look-up of the unit's bases gives the answer a scan of every base
        // gives.
        let asked = g
            .read(|w, _, _| {
                w.bases()
                    .map(|b| (b.policy.clone(), b.uscc.clone(), b.domain.clone(), b.director.clone()))
                    .collect::<Vec<_>>()
            })
            .await;
        assert!(asked.len() > 10);
        let mut held = 0;
        for (policy_id, uscc, domain, director) in asked {
            let policy = g.policies().get(&policy_id).expect("the policy").clone();
            for code in [uscc.clone(), uscc.to_lowercase(), format!(" {uscc} ")] {
                facts.unit.uscc = code;
                facts.technology_domain = domain.clone();
                facts.director.name = director.clone();
                let whole = g
                    .read(|w, _, _| guohe_domain::registry_facts_among(w, w.bases(), &policy, &facts, today))
                    .await;
                assert_eq!(g.registry_facts(&policy, &facts, today).await, whole, "{uscc}");
                held += usize::from(whole.unit_holds_base_in_domain);
            }
        }
        assert!(held > 0, "some units hold a base in their domain");
    }
}
