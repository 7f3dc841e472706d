//! Cursors handed to callers are bound to one project and one listing, so
//! a cursor of another project's history, or of the rollback history, is
//! refused instead of silently paging through the wrong records.
//!
//! The state stores page by a bare sort key (`v<n>`); the entry point wraps
//! it as `<listing>.<project>.<key>` on the way out and checks and unwraps
//! it on the way in.

use super::{Page, PageRequest, ProjectName};
use crate::error::{Error, Result};

/// A newest-first listing of one project that hands out cursors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// The deployment history.
    Deployments,
    /// The rollback history.
    Rollbacks,
}

impl Listing {
    fn tag(self) -> &'static str {
        match self {
            Self::Deployments => "d",
            Self::Rollbacks => "r",
        }
    }

    fn prefix(self, project: &ProjectName) -> String {
        format!("{}.{project}.", self.tag())
    }

    /// `request` with its cursor unwrapped for the store. Fails with
    /// `InvalidInput` naming `cursor` unless the cursor was issued by
    /// [`Listing::scope`] for this listing of `project`; the store then
    /// checks what is inside.
    pub fn unscope(self, project: &ProjectName, request: &PageRequest) -> Result<PageRequest> {
        let cursor = match &request.cursor {
            None => None,
            Some(c) => match c.strip_prefix(&self.prefix(project)) {
                Some(inner) => Some(inner.to_string()),
                None => {
                    return Err(Error::invalid_input(
                        "cursor",
                        format!(
                            "{c:?} is not a cursor Anchor issued for the {} of project {project}",
                            self.noun()
                        ),
                    ))
                }
            },
        };
        Ok(PageRequest {
            limit: request.limit,
            cursor,
        })
    }

    /// `page` with its next cursor bound to this listing of `project`.
    pub fn scope<T>(self, project: &ProjectName, mut page: Page<T>) -> Page<T> {
        page.next_cursor = page
            .next_cursor
            .map(|c| format!("{}{c}", self.prefix(project)));
        page
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Deployments => "deployment history",
            Self::Rollbacks => "rollback history",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> ProjectName {
        ProjectName::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_cursor_works_only_where_it_was_issued() {
        let page = Page::<u8> {
            items: vec![],
            next_cursor: Some("v7".into()),
        };
        let issued = Listing::Deployments.scope(&name("shop"), page).next_cursor;
        let request = PageRequest {
            limit: 5,
            cursor: issued,
        };
        let inner = Listing::Deployments.unscope(&name("shop"), &request);
        assert_eq!(inner.ok().and_then(|r| r.cursor).as_deref(), Some("v7"));
        for (listing, project) in [
            (Listing::Deployments, "shop-2"),
            (Listing::Deployments, "sho"),
            (Listing::Rollbacks, "shop"),
        ] {
            let err = listing.unscope(&name(project), &request);
            assert!(
                matches!(err, Err(Error::InvalidInput { ref field, .. }) if field == "cursor"),
                "{listing:?} {project}: {err:?}"
            );
        }
    }
}
