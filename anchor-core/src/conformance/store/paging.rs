//! Newest-first listings: order, cursors, page bounds and bad requests.

use crate::model::{PageRequest, ProjectName};
use crate::traits::{Expect, StateStore, WriteBatch};

use super::fixtures::*;

/// Deployments in the paging check: not a multiple of the page size, and
/// past 9 so a text sort of versions would show.
const DEPLOYMENTS: u64 = 23;

/// Reads every page of deployment versions, checking that only the last one
/// lacks a cursor and that no page is empty or oversized.
async fn all_versions(store: &dyn StateStore, name: &ProjectName, limit: usize) -> Vec<u64> {
    let mut versions = Vec::new();
    let mut request = PageRequest::first(limit);
    loop {
        let page = ok(
            store.list_deployments(name, &request).await,
            "list_deployments",
        );
        assert!(
            page.items.len() <= limit,
            "a page must hold at most `limit` items"
        );
        versions.extend(page.items.iter().map(|d| d.version));
        match page.next_cursor {
            Some(cursor) => {
                assert_eq!(page.items.len(), limit, "only the last page may be short");
                request.cursor = Some(cursor);
            }
            None => return versions,
        }
        assert!(
            versions.len() <= DEPLOYMENTS as usize * 2,
            "pagination does not end"
        );
    }
}

pub(super) async fn deployments_newest_first(store: &dyn StateStore) {
    let name = project_name("pages");
    let empty = ok(
        store.list_deployments(&name, &PageRequest::first(5)).await,
        "list",
    );
    assert!(
        empty.items.is_empty(),
        "a project with no deployments lists none"
    );
    assert_eq!(empty.next_cursor, None, "an empty listing has no next page");

    let batch = WriteBatch {
        deployments: (1..=DEPLOYMENTS)
            .map(|v| (deployment(&name, v), Expect::Absent))
            .collect(),
        ..WriteBatch::default()
    };
    ok(store.commit(batch).await, "recording deployments");
    let newest_first: Vec<u64> = (1..=DEPLOYMENTS).rev().collect();
    for limit in [1, 5, DEPLOYMENTS as usize, PageRequest::MAX_LIMIT] {
        assert_eq!(
            all_versions(store, &name, limit).await,
            newest_first,
            "pages of {limit} must list every version once, newest first"
        );
    }

    // A cursor resumes strictly after its page even if newer records arrive.
    let first = ok(
        store.list_deployments(&name, &PageRequest::first(5)).await,
        "list",
    );
    let batch = WriteBatch {
        deployments: vec![(deployment(&name, DEPLOYMENTS + 1), Expect::Absent)],
        ..WriteBatch::default()
    };
    ok(store.commit(batch).await, "recording a newer deployment");
    let next = PageRequest {
        limit: 5,
        cursor: first.next_cursor.clone(),
    };
    let second = ok(store.list_deployments(&name, &next).await, "list");
    let versions: Vec<u64> = second.items.iter().map(|d| d.version).collect();
    assert_eq!(
        versions,
        vec![18, 17, 16, 15, 14],
        "the second page must continue below the first, unmoved by a newer deployment"
    );
}

pub(super) async fn bad_page_requests(store: &dyn StateStore) {
    let name = project_name("badpage");
    let bad_cursor = PageRequest {
        limit: 5,
        cursor: Some("not-a-cursor".into()),
    };
    assert_invalid_input(
        store.list_deployments(&name, &bad_cursor).await,
        "cursor",
        "list_deployments with a cursor Anchor never issued",
    );
    assert_invalid_input(
        store.list_rollbacks(&name, &bad_cursor).await,
        "cursor",
        "list_rollbacks with a cursor Anchor never issued",
    );
    for limit in [0, PageRequest::MAX_LIMIT + 1] {
        let request = PageRequest::first(limit);
        assert_invalid_input(
            store.list_deployments(&name, &request).await,
            "limit",
            "list_deployments with an out-of-range limit",
        );
        assert_invalid_input(
            store.list_rollbacks(&name, &request).await,
            "limit",
            "list_rollbacks with an out-of-range limit",
        );
    }
}

pub(super) async fn rollbacks_newest_first(store: &dyn StateStore) {
    let name = project_name("history");
    let target = deployment(&name, 1);
    for sequence in 1..=7 {
        let batch = WriteBatch {
            rollback_event: Some(rollback(&name, sequence, &target)),
            ..WriteBatch::default()
        };
        ok(store.commit(batch).await, "appending a rollback event");
    }
    let mut pages = Vec::new();
    let mut request = PageRequest::first(3);
    loop {
        let page = ok(
            store.list_rollbacks(&name, &request).await,
            "list_rollbacks",
        );
        pages.push(page.items.iter().map(|e| e.sequence).collect::<Vec<_>>());
        match page.next_cursor {
            Some(cursor) => request.cursor = Some(cursor),
            None => break,
        }
        assert!(pages.len() <= 7, "rollback pagination does not end");
    }
    assert_eq!(
        pages,
        vec![vec![7, 6, 5], vec![4, 3, 2], vec![1]],
        "rollbacks must be listed newest first, three to a page"
    );
    let again = WriteBatch {
        rollback_event: Some(rollback(&name, 4, &target)),
        ..WriteBatch::default()
    };
    assert_any_precondition(
        store.commit(again).await,
        "a rollback event with a used sequence must be refused",
    );
    let page = ok(
        store.list_rollbacks(&name, &PageRequest::first(10)).await,
        "list",
    );
    assert_eq!(
        page.items.len(),
        7,
        "a refused rollback event must not be recorded"
    );
}
