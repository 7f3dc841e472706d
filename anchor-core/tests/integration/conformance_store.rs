//! The state store conformance suite against SQLite, on disk and in memory,
//! plus what only the SQLite store promises: durability across reopening,
//! paging deep histories, and the wording of its precondition errors.

use std::sync::Arc;

use anchor_core::conformance;
use anchor_core::conformance::store::fixtures::{deployment, project};
use anchor_core::local::SqliteStateStore;
use anchor_core::model::{PageRequest, Project, ProjectName};
use anchor_core::traits::{Expect, StateStore, WriteBatch};
use anchor_core::{Error, ResourceKind};

fn name(s: &str) -> ProjectName {
    ProjectName::parse(s).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn suite_on_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStateStore::open(dir.path().join("home")).unwrap();
    assert_eq!(
        store.path(),
        Some(dir.path().join("home/state.db").as_path())
    );
    conformance::store::state_store(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn suite_in_memory() {
    let store = SqliteStateStore::in_memory().unwrap();
    conformance::store::state_store(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_the_file_keeps_records_and_counters() {
    let dir = tempfile::tempdir().unwrap();
    let app = name("reopen");
    let first = deployment(&app, 1);
    {
        let store = SqliteStateStore::open(dir.path()).unwrap();
        let mut live = project(&app);
        live.active_deployment = Some(first.id.clone());
        let batch = WriteBatch {
            project: Some((live, Expect::Absent)),
            deployments: vec![(first.clone(), Expect::Absent)],
            ..WriteBatch::default()
        };
        store.commit(batch).await.unwrap();
        assert_eq!(store.allocate_version(&app).await.unwrap(), 1);
        assert_eq!(store.allocate_version(&app).await.unwrap(), 2);
    }
    let store = SqliteStateStore::open(dir.path()).unwrap();
    let read = store.get_project(&app).await.unwrap().unwrap();
    assert_eq!(read.active_deployment, Some(first.id.clone()));
    assert_eq!(
        store.get_deployment(&app, &first.id).await.unwrap(),
        Some(first)
    );
    assert_eq!(
        store.allocate_version(&app).await.unwrap(),
        3,
        "the version counter must survive reopening"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_deep_in_ten_thousand_deployments() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStateStore::open(dir.path()).unwrap();
    let app = name("deep");
    let batch = WriteBatch {
        deployments: (1..=10_000)
            .map(|v| (deployment(&app, v), Expect::Absent))
            .collect(),
        ..WriteBatch::default()
    };
    store.commit(batch).await.unwrap();
    // A neighbour's deployments must not leak into the listing.
    let other = name("deep-neighbour");
    let batch = WriteBatch {
        deployments: (1..=50)
            .map(|v| (deployment(&other, v), Expect::Absent))
            .collect(),
        ..WriteBatch::default()
    };
    store.commit(batch).await.unwrap();

    let first = store
        .list_deployments(&app, &PageRequest::first(20))
        .await
        .unwrap();
    let versions: Vec<u64> = first.items.iter().map(|d| d.version).collect();
    assert_eq!(versions, (9_981..=10_000).rev().collect::<Vec<_>>());

    let deep = PageRequest {
        limit: 20,
        cursor: Some(PageRequest::cursor_for(5_000)),
    };
    let page = store.list_deployments(&app, &deep).await.unwrap();
    let versions: Vec<u64> = page.items.iter().map(|d| d.version).collect();
    assert_eq!(versions, (4_980..=4_999).rev().collect::<Vec<_>>());
    assert_eq!(page.next_cursor, Some(PageRequest::cursor_for(4_980)));

    let tail = PageRequest {
        limit: 20,
        cursor: Some(PageRequest::cursor_for(11)),
    };
    let page = store.list_deployments(&app, &tail).await.unwrap();
    assert_eq!(page.items.len(), 10);
    assert_eq!(page.next_cursor, None, "the last page carries no cursor");
}

#[tokio::test]
async fn precondition_errors_name_expected_and_found_revisions() {
    let store = SqliteStateStore::in_memory().unwrap();
    let app = name("wording");
    let mut p = project(&app);
    let create = |p: &Project, e| WriteBatch {
        project: Some((p.clone(), e)),
        ..WriteBatch::default()
    };
    store.commit(create(&p, Expect::Absent)).await.unwrap();
    p.revision = 4;
    match store.commit(create(&p, Expect::Revision(3))).await {
        Err(Error::PreconditionFailed { kind, id, reason }) => {
            assert_eq!(kind, ResourceKind::Project);
            assert_eq!(id, "wording");
            assert!(reason.contains("expected revision 3"), "{reason}");
            assert!(reason.contains("found revision 1"), "{reason}");
        }
        other => panic!("expected PreconditionFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn corrupt_rows_and_huge_keys_are_reported_not_panicked() {
    let dir = tempfile::tempdir().unwrap();
    let app = name("corrupt");
    {
        let store = SqliteStateStore::open(dir.path()).unwrap();
        let batch = WriteBatch {
            project: Some((project(&app), Expect::Absent)),
            ..WriteBatch::default()
        };
        store.commit(batch).await.unwrap();
        let huge = WriteBatch {
            deployments: vec![(deployment(&app, u64::MAX), Expect::Absent)],
            ..WriteBatch::default()
        };
        match store.commit(huge).await {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "deployment.version"),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }
    // Damage the row behind the store's back, as a bad manual edit would.
    let conn = rusqlite::Connection::open(dir.path().join("state.db")).unwrap();
    conn.execute("UPDATE projects SET json = '{not json'", [])
        .unwrap();
    drop(conn);
    let store = SqliteStateStore::open(dir.path()).unwrap();
    match store.get_project(&app).await {
        Err(err @ Error::Service { .. }) => {
            let text = err.to_string();
            assert!(
                text.contains("projects") && text.contains("corrupt"),
                "{text}"
            );
            assert!(!err.is_retryable());
        }
        other => panic!("expected a service error, got {other:?}"),
    }
}

/// Two handles on one file stand in for two processes: they share no mutex,
/// so only SQLite's IMMEDIATE transactions keep the winner unique.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_winner_across_two_handles_on_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let handles = [
        SqliteStateStore::open(dir.path()).unwrap(),
        SqliteStateStore::open(dir.path()).unwrap(),
    ];
    let app = name("two-handles");
    let base = project(&app);
    let create = WriteBatch {
        project: Some((base.clone(), Expect::Absent)),
        ..WriteBatch::default()
    };
    handles[0].commit(create).await.unwrap();
    let mut tasks = Vec::new();
    for version in 1..=16u64 {
        let store = handles[version as usize % 2].clone();
        let (app, base) = (app.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mine = deployment(&app, version);
            let mut next = base.clone();
            next.revision = 2;
            next.active_deployment = Some(mine.id.clone());
            let batch = WriteBatch {
                project: Some((next, Expect::Revision(1))),
                deployments: vec![(mine, Expect::Absent)],
                ..WriteBatch::default()
            };
            store.commit(batch).await
        }));
    }
    let mut wins = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => wins += 1,
            Err(Error::PreconditionFailed { .. }) => {}
            Err(other) => panic!("a loser must see PreconditionFailed, got {other:?}"),
        }
    }
    assert_eq!(wins, 1, "exactly one commit may win across handles");
    // Each handle reads the other's write.
    for store in &handles {
        let read = store.get_project(&app).await.unwrap().unwrap();
        assert_eq!(read.revision, 2);
        let page = store
            .list_deployments(&app, &PageRequest::first(20))
            .await
            .unwrap();
        assert_eq!(
            page.items.len(),
            1,
            "only the winner's deployment is recorded"
        );
    }
}
