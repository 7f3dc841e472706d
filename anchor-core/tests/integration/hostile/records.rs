//! Hostile arguments to projects, rollbacks, promotion and history pages.

use anchor_core::model::PageRequest;
use anchor_core::ResourceKind;

use super::catalogue::{Case, Want};
use super::world::{World, P};
use crate::op;

fn input(field: &'static str, reason: &'static str) -> Want {
    Want::Input { field, reason }
}

async fn history(w: &World, limit: usize, cursor: &str) -> anchor_core::Result<()> {
    let page = PageRequest {
        limit,
        cursor: Some(cursor.to_string()).filter(|c| !c.is_empty()),
    };
    w.plain().history(P, &page).await.map(drop)
}

/// Project names, unknown projects and history pages.
pub fn project_cases() -> Vec<Case> {
    vec![
        Case {
            name: "project-name-empty",
            op: op!(|w, dir| w.plain().create_project("").await.map(drop)),
            want: input("project", "must not be empty"),
        },
        Case {
            name: "project-name-too-long",
            op: op!(|w, dir| w.plain().create_project(&"a".repeat(49)).await.map(drop)),
            want: input("project", "at most 48"),
        },
        Case {
            name: "project-name-uppercase",
            op: op!(|w, dir| w.plain().create_project("Shop").await.map(drop)),
            want: input("project", "lowercase"),
        },
        Case {
            name: "project-name-with-slashes",
            op: op!(|w, dir| w.plain().create_project("shop/../blog").await.map(drop)),
            want: input("project", "'/'"),
        },
        Case {
            name: "project-name-starting-with-a-digit",
            op: op!(|w, dir| w.plain().create_project("1shop").await.map(drop)),
            want: input("project", "lowercase letter"),
        },
        Case {
            name: "project-name-ending-with-a-hyphen",
            op: op!(|w, dir| w.plain().create_project("shop-").await.map(drop)),
            want: input("project", "end with '-'"),
        },
        Case {
            name: "project-name-with-underscore",
            op: op!(|w, dir| w.plain().create_project("shop_").await.map(drop)),
            want: input("project", "'_'"),
        },
        Case {
            name: "project-unknown-deployed-to",
            op: op!(|w, dir| w.plain().deployer("ghost", dir).execute().await.map(drop)),
            want: Want::NotFound(ResourceKind::Project),
        },
        Case {
            // A project that does not exist has no history, not an empty one.
            name: "history-of-unknown-project",
            op: op!(|w, dir| w
                .plain()
                .history("ghost", &PageRequest::first(20))
                .await
                .map(drop)),
            want: Want::NotFound(ResourceKind::Project),
        },
        Case {
            name: "rollback-history-of-unknown-project",
            op: op!(|w, dir| {
                let page = PageRequest::first(20);
                w.plain().rollback_history("ghost", &page).await.map(drop)
            }),
            want: Want::NotFound(ResourceKind::Project),
        },
        Case {
            name: "history-cursor-garbage",
            op: op!(|w, dir| history(w, 10, "garbage").await),
            want: input("cursor", "not a cursor"),
        },
        Case {
            name: "history-cursor-of-another-project",
            op: op!(|w, dir| history(w, 10, &w.other_cursor).await),
            want: input("cursor", "not a cursor"),
        },
        Case {
            name: "history-cursor-of-the-rollback-history",
            op: op!(|w, dir| history(w, 10, &w.rollback_cursor).await),
            want: input("cursor", "not a cursor"),
        },
        Case {
            name: "rollback-history-cursor-garbage",
            op: op!(|w, dir| {
                let page = PageRequest {
                    limit: 10,
                    cursor: Some("v-1".into()),
                };
                w.plain().rollback_history(P, &page).await.map(drop)
            }),
            want: input("cursor", "not a cursor"),
        },
        Case {
            name: "history-limit-zero",
            op: op!(|w, dir| history(w, 0, "").await),
            want: input("limit", "between 1 and"),
        },
        Case {
            name: "history-limit-huge",
            op: op!(|w, dir| history(w, usize::MAX, "").await),
            want: input("limit", "between 1 and"),
        },
    ]
}

/// Rollback and promotion targets that cannot go live.
pub fn switch_cases() -> Vec<Case> {
    vec![
        Case {
            name: "rollback-to-unknown-deployment",
            op: op!(|w, dir| {
                let id = "dpl_01h0000000000000000000000z";
                w.plain()
                    .rollback(P)
                    .to_deployment(id)
                    .execute()
                    .await
                    .map(drop)
            }),
            want: Want::NotFound(ResourceKind::Deployment),
        },
        Case {
            name: "rollback-to-malformed-deployment-id",
            op: op!(|w, dir| w
                .plain()
                .rollback(P)
                .to_deployment("../dpl_x")
                .execute()
                .await
                .map(drop)),
            want: input("deployment", "not a deployment id"),
        },
        Case {
            name: "rollback-to-another-projects-deployment",
            op: op!(|w, dir| {
                let id = w.other.id.as_str();
                w.plain()
                    .rollback(P)
                    .to_deployment(id)
                    .execute()
                    .await
                    .map(drop)
            }),
            want: Want::NotFound(ResourceKind::Deployment),
        },
        Case {
            name: "rollback-to-a-failed-deployment",
            op: op!(|w, dir| {
                let id = w.failed.id.as_str();
                w.plain()
                    .rollback(P)
                    .to_deployment(id)
                    .execute()
                    .await
                    .map(drop)
            }),
            want: Want::State {
                kind: ResourceKind::Deployment,
                state: "failed",
            },
        },
        Case {
            name: "rollback-to-version-zero",
            op: op!(|w, dir| w
                .plain()
                .rollback(P)
                .to_version(0)
                .execute()
                .await
                .map(drop)),
            want: input("version", "start at 1"),
        },
        Case {
            name: "rollback-to-version-beyond-the-last",
            op: op!(|w, dir| w
                .plain()
                .rollback(P)
                .to_version(9_999)
                .execute()
                .await
                .map(drop)),
            want: Want::NotFound(ResourceKind::Deployment),
        },
        Case {
            name: "rollback-to-the-live-version",
            op: op!(|w, dir| {
                let v = w.live.version;
                w.plain()
                    .rollback(P)
                    .to_version(v)
                    .execute()
                    .await
                    .map(drop)
            }),
            want: Want::State {
                kind: ResourceKind::Deployment,
                state: "live",
            },
        },
        Case {
            name: "rollback-reason-over-1-kib",
            op: op!(|w, dir| {
                let id = w.preview.id.as_str();
                let reason = "r".repeat(64 * 1024);
                w.plain()
                    .rollback(P)
                    .to_deployment(id)
                    .reason(reason)
                    .execute()
                    .await
                    .map(drop)
            }),
            want: input("reason", "1024"),
        },
        Case {
            name: "promote-the-live-deployment",
            op: op!(|w, dir| w.plain().promote(P, w.live.id.as_str()).await.map(drop)),
            want: Want::State {
                kind: ResourceKind::Deployment,
                state: "live",
            },
        },
        Case {
            name: "promote-a-failed-deployment",
            op: op!(|w, dir| w.plain().promote(P, w.failed.id.as_str()).await.map(drop)),
            want: Want::State {
                kind: ResourceKind::Deployment,
                state: "failed",
            },
        },
        Case {
            name: "promote-another-projects-deployment",
            op: op!(|w, dir| w.plain().promote(P, w.other.id.as_str()).await.map(drop)),
            want: Want::NotFound(ResourceKind::Deployment),
        },
    ]
}
