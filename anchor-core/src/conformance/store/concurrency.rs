//! Guarantees that only show under concurrent callers: one winner per
//! revision, and a version counter that never repeats or skips.

use std::sync::Arc;

use tokio::sync::Barrier;

use crate::error::Error;
use crate::traits::{Expect, StateStore, WriteBatch};

use super::fixtures::*;

/// Contenders racing for one project revision.
const CONTENDERS: usize = 16;
/// Callers racing for version numbers.
const ALLOCATORS: u64 = 50;

pub(super) async fn one_winner_per_revision(store: Arc<dyn StateStore>) {
    let name = project_name("race");
    let base = project(&name);
    ok(
        store.commit(project_batch(&base, Expect::Absent)).await,
        "create project",
    );
    // All tasks are released together so their commits really overlap.
    let start = Arc::new(Barrier::new(CONTENDERS));
    let mut tasks = Vec::new();
    for version in 1..=CONTENDERS as u64 {
        let (store, start, name, base) = (store.clone(), start.clone(), name.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mine = deployment(&name, version);
            let batch = WriteBatch {
                project: Some((activated(&base, &mine), Expect::Revision(base.revision))),
                deployments: vec![(mine.clone(), Expect::Absent)],
                ..WriteBatch::default()
            };
            start.wait().await;
            (mine, store.commit(batch).await)
        }));
    }
    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for task in tasks {
        let (mine, result) = task.await.expect("a commit task panicked");
        match result {
            Ok(()) => winners.push(mine),
            Err(Error::PreconditionFailed { .. }) => losers.push(mine),
            Err(other) => {
                panic!("a losing commit must fail with PreconditionFailed, got {other:?}")
            }
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one of {CONTENDERS} commits expecting the same revision must win"
    );
    let winner = &winners[0];
    let read = ok(store.get_project(&name).await, "get_project");
    let read = read.expect("the raced project must still exist");
    assert_eq!(
        read.revision,
        base.revision + 1,
        "the winner's revision must be stored"
    );
    assert_eq!(
        read.active_deployment.as_ref(),
        Some(&winner.id),
        "the project must point at the winner's deployment"
    );
    for loser in &losers {
        let found = ok(
            store.get_deployment(&name, &loser.id).await,
            "get_deployment",
        );
        assert_eq!(
            found, None,
            "a losing batch must not leave its deployment behind"
        );
    }
}

pub(super) async fn versions_unique_and_gap_free(store: Arc<dyn StateStore>) {
    let name = project_name("alloc");
    let start = Arc::new(Barrier::new(ALLOCATORS as usize));
    let mut tasks = Vec::new();
    for _ in 0..ALLOCATORS {
        let (store, start, name) = (store.clone(), start.clone(), name.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            store.allocate_version(&name).await
        }));
    }
    let mut got = Vec::new();
    for task in tasks {
        let result = task.await.expect("an allocate_version task panicked");
        got.push(ok(result, "allocate_version under concurrency"));
    }
    got.sort_unstable();
    let expected: Vec<u64> = (1..=ALLOCATORS).collect();
    assert_eq!(
        got, expected,
        "{ALLOCATORS} concurrent allocate_version calls must return 1..={ALLOCATORS}, each once"
    );
    let next = ok(store.allocate_version(&name).await, "allocate_version");
    assert_eq!(
        next,
        ALLOCATORS + 1,
        "the counter must continue after the race"
    );

    let other = project_name("alloc");
    let first = ok(store.allocate_version(&other).await, "allocate_version");
    assert_eq!(first, 1, "each project's versions must start at 1");
}
