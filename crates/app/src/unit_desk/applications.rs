//! Whether a unit may still withdraw an application, and the applications listing an attachment
//! (to decide who may download it). The application itself is [`Guohe::application`].

use guohe_domain::{ApplicationCase, ApplicationStatus};

use crate::Guohe;

/// Whether an application in this stage may still be withdrawn by its unit: until the
/// department has decided on it (or it left the procedure).
pub fn withdrawable(status: ApplicationStatus) -> bool {
    matches!(
        status,
        ApplicationStatus::Submitted
            | ApplicationStatus::Returned
            | ApplicationStatus::Recommended
            | ApplicationStatus::UnderReview
    )
}

impl Guohe {
    /// What `judge` says of each application whose attachments include the file `file` (none
    /// when no application lists it), from the applications view's index of files.
    pub async fn applications_listing_file<R>(&self, file: &str, judge: impl Fn(&ApplicationCase) -> R) -> Vec<R> {
        let inner = self.inner.read().await;
        inner
            .views
            .applications
            .listing_file(file)
            .filter_map(|id| inner.world.application(id))
            .map(judge)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn only_an_undecided_application_may_be_withdrawn() {
        use ApplicationStatus::*;
        for s in [Submitted, Returned, Recommended, UnderReview] {
            assert!(withdrawable(s), "{s:?}");
        }
        for s in [Approved, Rejected, InNotice, Named, Withdrawn] {
            assert!(!withdrawable(s), "{s:?}");
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_case_is_found_by_id_and_a_file_by_the_applications_listing_it() {
        let (g, _dir) = fixture::generated().await;
        let (id, file) = g
            .read(|w, _, _| {
                let a = w.applications().next().expect("an application");
                (a.id.clone(), a.facts.attachments.first().map(|x| x.file.clone()))
            })
            .await;
        assert_eq!(g.application(&id).await.map(|a| a.id), Some(id.clone()));
        assert!(g.application("no-such-application").await.is_none());
        assert!(
            g.applications_listing_file("no-such-file", |a| a.id.clone())
                .await
                .is_empty()
        );
        if let Some(file) = file {
            let listing = g.applications_listing_file(&file, |a| a.id.clone()).await;
            assert!(listing.contains(&id));
        }
    }
}
