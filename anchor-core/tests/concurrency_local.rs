//! 100 mixed operations at once on one project, on the embedded default
//! (SQLite records, local functions, CDN and CA): the shared scenario of
//! `concurrency/mod.rs`, with certificates issued as soon as they are
//! requested so domains attach during the burst.

mod common;
mod concurrency;

use std::time::Duration;

use anchor_core::{Anchor, LocalOptions};
use concurrency::Mix;

const P: &str = "shop";

/// 20 deploys (12 promoted, 8 previews) and 80 cheaper operations.
fn mix() -> Mix {
    Mix {
        deploys: 12,
        previews: 8,
        rollbacks_by_id: 14,
        rollbacks_by_version: 10,
        rollbacks_to_new_versions: 6,
        rollbacks_to_previous: 8,
        promotes: 10,
        domain_adds: 12,
        domain_refreshes: 10,
        domain_removes: 10,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_mixed_operations_at_once_lose_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let options = LocalOptions {
        auto_issue_after: Some(chrono::Duration::zero()),
        ..LocalOptions::default()
    };
    let a = Anchor::local_with(tmp.path().join("anchor"), options)
        .await
        .unwrap();
    let mix = mix();
    assert_eq!(mix.total(), 100);
    let before = concurrency::prepare(
        &a,
        P,
        &tmp.path().join("builds"),
        3,
        2,
        &mix,
        Duration::ZERO,
    )
    .await;
    let figures = concurrency::run(&a, P, &before, &mix).await;
    assert_eq!(figures.operations, 100);
    assert!(
        figures.successes.values().sum::<usize>() > 0,
        "some operations win"
    );
}
