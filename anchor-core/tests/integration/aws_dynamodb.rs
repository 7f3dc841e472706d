//! The DynamoDB state store against moto: the full state store conformance
//! suite, idempotent table creation, and pages identical to the embedded
//! default's.
//!
//! Moto gaps (moto 5.2, whose server runs each request on its own thread
//! with no lock around DynamoDB's state):
//! - `UpdateItem ADD` is not atomic: 50 concurrent `allocate_version` calls
//!   on a new project got `1` twice. DynamoDB applies `ADD` atomically.
//! - `TransactWriteItems` checks conditions and writes item by item, and
//!   rolls a cancelled transaction back by restoring a copy of the whole
//!   table taken when it started (read in moto's source, not yet seen to
//!   fail), which can undo a concurrent transaction that succeeded.
//!   DynamoDB isolates transactions.
//!
//! So these tests build the store with `serialize_writes(true)`, an option
//! that is off by default, which runs this process's writes one at a time.
//! The suite itself is unchanged: its concurrent checks still race 16
//! commits and 50 allocations, and still demand one winner and 1..=50.

use crate::aws_support;

use std::sync::Arc;

use anchor_core::aws::{DynamoStateStore, TableNames, PROJECT_ID_INDEX};
use anchor_core::conformance;
use anchor_core::conformance::store::fixtures::{deployment, project};
use anchor_core::local::SqliteStateStore;
use anchor_core::model::{PageRequest, ProjectName};
use anchor_core::traits::{Expect, StateStore, WriteBatch};
use anchor_core::{Error, ResourceKind};

async fn store(m: &aws_support::Moto) -> DynamoStateStore {
    let store = DynamoStateStore::new(
        m.clients.dynamodb.clone(),
        TableNames::with_prefix("anchor"),
    )
    .serialize_writes(true);
    store.ensure_tables().await.expect("ensure_tables");
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_suite() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let store = store(&m).await;
    conformance::store::state_store(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ensure_tables_twice_changes_nothing() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let ddb = &m.clients.dynamodb;
    let names = TableNames::with_prefix("anchor");
    assert_eq!(names.projects, "anchor-projects");
    assert_eq!(names.deployments, "anchor-deployments");
    assert_eq!(names.domains, "anchor-domains");
    assert_eq!(names.rollbacks, "anchor-rollbacks");

    let store = store(&m).await;
    let listed = ddb.list_tables().send().await.unwrap();
    let first: Vec<String> = listed.table_names().to_vec();
    assert_eq!(first.len(), 4, "{first:?}");

    // Records survive a second run: it adopts, never recreates.
    let app = ProjectName::parse("twice").unwrap();
    let batch = WriteBatch {
        deployments: vec![(deployment(&app, 1), Expect::Absent)],
        ..WriteBatch::default()
    };
    store.commit(batch).await.unwrap();
    store.ensure_tables().await.expect("second ensure_tables");
    let listed = ddb.list_tables().send().await.unwrap();
    assert_eq!(listed.table_names().to_vec(), first);
    assert!(store
        .get_deployment_by_version(&app, 1)
        .await
        .unwrap()
        .is_some());

    for table in [
        &names.projects,
        &names.deployments,
        &names.domains,
        &names.rollbacks,
    ] {
        let described = ddb.describe_table().table_name(table).send().await.unwrap();
        let described = described.table.expect("a table description");
        assert_eq!(described.table_name(), Some(table.as_str()));
        let indexes: Vec<_> = described
            .global_secondary_indexes()
            .iter()
            .filter_map(|i| i.index_name())
            .collect();
        if table == &names.domains {
            assert_eq!(indexes, vec![PROJECT_ID_INDEX]);
        } else {
            assert!(indexes.is_empty(), "{table}: {indexes:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_match_the_embedded_default() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let dynamo = store(&m).await;
    let sqlite = SqliteStateStore::in_memory().unwrap();
    let app = ProjectName::parse("paged").unwrap();
    let batch = WriteBatch {
        deployments: (1..=12)
            .map(|v| (deployment(&app, v), Expect::Absent))
            .collect(),
        ..WriteBatch::default()
    };
    dynamo.commit(batch.clone()).await.unwrap();
    sqlite.commit(batch).await.unwrap();
    for limit in [1, 5, 12, 13] {
        let mut request = PageRequest::first(limit);
        loop {
            let d = dynamo.list_deployments(&app, &request).await.unwrap();
            let s = sqlite.list_deployments(&app, &request).await.unwrap();
            assert_eq!(d, s, "page {request:?}");
            match d.next_cursor {
                Some(cursor) => request.cursor = Some(cursor),
                None => break,
            }
        }
    }
    // A cursor from one store reads the same page from the other.
    let request = PageRequest {
        limit: 4,
        cursor: Some(PageRequest::cursor_for(7)),
    };
    assert_eq!(
        dynamo.list_deployments(&app, &request).await.unwrap(),
        sqlite.list_deployments(&app, &request).await.unwrap()
    );
}

/// `import_deployments` writes records in bulk exactly as commits write
/// them: read back by id and by version, listed in the same pages as the
/// embedded default's committed copies, and updatable under their revision.
/// Records still in progress are refused before any write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_deployments_read_back_like_committed_ones() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let dynamo = store(&m).await;
    let sqlite = SqliteStateStore::in_memory().unwrap();
    let app = ProjectName::parse("imported").unwrap();
    let mut records = Vec::new();
    for _ in 0..60 {
        let version = dynamo.allocate_version(&app).await.unwrap();
        records.push(deployment(&app, version));
    }
    dynamo.import_deployments(&records).await.unwrap();
    sqlite
        .commit(WriteBatch {
            deployments: records
                .iter()
                .map(|d| (d.clone(), Expect::Absent))
                .collect(),
            ..WriteBatch::default()
        })
        .await
        .unwrap();
    for d in [&records[0], &records[59]] {
        assert_eq!(
            dynamo.get_deployment(&app, &d.id).await.unwrap().as_ref(),
            Some(d)
        );
        let by_version = dynamo.get_deployment_by_version(&app, d.version).await;
        assert_eq!(by_version.unwrap().as_ref(), Some(d));
    }
    let first = PageRequest::first(20);
    assert_eq!(
        dynamo.list_deployments(&app, &first).await.unwrap(),
        sqlite.list_deployments(&app, &first).await.unwrap()
    );
    assert_eq!(dynamo.allocate_version(&app).await.unwrap(), 61);
    let updated = anchor_core::model::Deployment {
        revision: records[3].revision + 1,
        ..records[3].clone()
    };
    dynamo
        .commit(WriteBatch {
            deployments: vec![(updated, Expect::Revision(records[3].revision))],
            ..WriteBatch::default()
        })
        .await
        .unwrap();

    let mut unfinished = deployment(&app, 62);
    unfinished.status = anchor_core::model::DeploymentStatus::Uploading;
    let err = dynamo
        .import_deployments(&[unfinished.clone()])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
    assert_eq!(
        dynamo.get_deployment(&app, &unfinished.id).await.unwrap(),
        None
    );
}

/// moto returns CancellationReasons in item order, with the old item when
/// asked (`ReturnValuesOnConditionCheckFailure = ALL_OLD`): the error names
/// the first failing record and what was found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preconditions_name_the_first_failure_and_what_was_found() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let store = store(&m).await;
    let app = ProjectName::parse("found").unwrap();
    let created = project(&app);
    let held = deployment(&app, 1);
    let batch = WriteBatch {
        project: Some((created.clone(), Expect::Absent)),
        deployments: vec![(held.clone(), Expect::Absent)],
        ..WriteBatch::default()
    };
    store.commit(batch).await.unwrap();

    let mut stale = created.clone();
    stale.revision = 6;
    let twin = deployment(&app, 1);
    let batch = WriteBatch {
        project: Some((stale, Expect::Revision(5))),
        deployments: vec![(twin, Expect::Absent)],
        ..WriteBatch::default()
    };
    match store.commit(batch).await {
        Err(Error::PreconditionFailed { kind, id, reason }) => {
            assert_eq!((kind, id.as_str()), (ResourceKind::Project, "found"));
            assert_eq!(reason, "expected revision 5, found revision 1");
        }
        other => panic!("expected PreconditionFailed, got {other:?}"),
    }
    let twin = deployment(&app, 1);
    let batch = WriteBatch {
        deployments: vec![(twin.clone(), Expect::Absent)],
        ..WriteBatch::default()
    };
    match store.commit(batch).await {
        Err(Error::PreconditionFailed { kind, id, reason }) => {
            assert_eq!(
                (kind, id.as_str()),
                (ResourceKind::Deployment, twin.id.as_str())
            );
            let expected = format!(
                "expected no record, found version 1 of found recorded as deployment {}",
                held.id
            );
            assert_eq!(reason, expected);
        }
        other => panic!("expected PreconditionFailed, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_repeating_batches_are_refused_before_any_write() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let store = store(&m).await;
    let app = ProjectName::parse("limits").unwrap();
    // 51 new deployments need 102 items (slot and id pointer each).
    let batch = WriteBatch {
        deployments: (1..=51)
            .map(|v| (deployment(&app, v), Expect::Absent))
            .collect(),
        ..WriteBatch::default()
    };
    match store.commit(batch).await {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "batch"),
        other => panic!("expected InvalidInput on batch, got {other:?}"),
    }
    // 50 fit exactly.
    let batch = WriteBatch {
        deployments: (1..=50)
            .map(|v| (deployment(&app, v), Expect::Absent))
            .collect(),
        ..WriteBatch::default()
    };
    store.commit(batch).await.unwrap();

    // Two new deployments in one slot: the second is a precondition failure,
    // as on SQLite; nothing is written.
    let (a, b) = (deployment(&app, 51), deployment(&app, 51));
    let batch = WriteBatch {
        deployments: vec![(a.clone(), Expect::Absent), (b.clone(), Expect::Absent)],
        ..WriteBatch::default()
    };
    match store.commit(batch).await {
        Err(Error::PreconditionFailed { kind, id, .. }) => {
            assert_eq!((kind, id), (ResourceKind::Deployment, b.id.to_string()))
        }
        other => panic!("expected PreconditionFailed, got {other:?}"),
    }
    assert_eq!(store.get_deployment(&app, &a.id).await.unwrap(), None);

    // An empty batch makes no call and succeeds.
    store.commit(WriteBatch::default()).await.unwrap();
}
