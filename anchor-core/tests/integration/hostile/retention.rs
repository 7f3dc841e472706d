//! Hostile retention policies and prunes: numbers out of range and
//! projects that are not there.

use anchor_core::model::RetentionPolicy;
use anchor_core::{PruneOptions, ResourceKind};

use super::catalogue::{Case, Want};
use super::world::{World, P};
use crate::op;

fn input(field: &'static str, reason: &'static str) -> Want {
    Want::Input { field, reason }
}

/// Sets the policy a binding would build from these numbers.
async fn set(w: &World, keep: i64, age: i64) -> anchor_core::Result<()> {
    let policy = RetentionPolicy::from_signed(keep, age, false)?;
    w.plain().set_retention_policy(P, policy).await.map(drop)
}

/// Retention policies and prunes that must change nothing.
pub fn retention_cases() -> Vec<Case> {
    vec![
        Case {
            name: "retention-keep-promoted-negative",
            op: op!(|w, dir| set(w, -1, 60).await),
            want: input("retention.keep_promoted", "not within"),
        },
        Case {
            name: "retention-keep-promoted-too-many",
            op: op!(|w, dir| set(w, 10_001, 60).await),
            want: input("retention.keep_promoted", "over"),
        },
        Case {
            name: "retention-preview-age-negative",
            op: op!(|w, dir| set(w, 3, -1).await),
            want: input("retention.preview_max_age_seconds", "negative"),
        },
        Case {
            name: "retention-preview-age-past-ten-years",
            op: op!(|w, dir| set(w, 3, 11 * 365 * 86_400).await),
            want: input("retention.preview_max_age_seconds", "10 years"),
        },
        Case {
            name: "prune-unknown-project",
            op: op!(|w, dir| w
                .plain()
                .prune("ghost", PruneOptions::default())
                .await
                .map(drop)),
            want: Want::NotFound(ResourceKind::Project),
        },
        Case {
            name: "prune-malformed-project-name",
            op: op!(|w, dir| w
                .plain()
                .prune("Shop/..", PruneOptions::default())
                .await
                .map(drop)),
            want: input("project", "lowercase"),
        },
    ]
}
