//! The [`KeyValueStore`] suite: optimistic concurrency on the store's
//! ETag, all-or-nothing updates, and CloudFront's limits.

use super::{expect_err, expect_ok, unique};
use crate::error::{Error, ResourceKind};
use crate::traits::{KeyValueStore, KvsUpdate, MAX_KVS_KEY_BYTES, MAX_KVS_VALUE_BYTES};

/// Runs every check against `kvs` on `store`, which must exist. Keys are
/// unique per run, so the store may be shared.
pub async fn run(kvs: &dyn KeyValueStore, store: &str) {
    let run = unique();
    let key = |name: &str| format!("conformance/{run}/{name}");
    let first = expect_ok(
        kvs.describe(store).await,
        "describe returns the store's ETag",
    );
    assert!(!first.etag.is_empty(), "the ETag is not empty");

    let put = KvsUpdate {
        puts: vec![(key("a"), "1".into()), (key("b"), "2".into())],
        deletes: vec![],
    };
    let etag = expect_ok(
        kvs.update(store, &put, &first.etag).await,
        "a current If-Match updates",
    );
    assert_ne!(etag, first.etag, "every write returns a new ETag");
    assert_eq!(
        expect_ok(kvs.get(store, &key("a")).await, "get").as_deref(),
        Some("1"),
        "a read after an update sees it"
    );
    let described = expect_ok(kvs.describe(store).await, "describe");
    assert_eq!(
        described.etag, etag,
        "describe returns the ETag the update returned"
    );
    assert!(described.items >= 2 && described.total_bytes >= 2);

    let stale = KvsUpdate::put(key("a"), "stale");
    let refused = expect_err(
        kvs.update(store, &stale, &first.etag).await,
        "a stale If-Match is refused",
        |e| {
            matches!(
                e,
                Error::PreconditionFailed {
                    kind: ResourceKind::KeyValueStore,
                    ..
                }
            )
        },
    );
    assert!(!refused.to_string().is_empty());
    assert_eq!(
        expect_ok(kvs.get(store, &key("a")).await, "get").as_deref(),
        Some("1"),
        "a refused update changes nothing"
    );

    let mixed = KvsUpdate {
        puts: vec![(key("c"), "3".into())],
        deletes: vec![key("a"), key("never-written")],
    };
    let etag = expect_ok(
        kvs.update(store, &mixed, &etag).await,
        "puts and deletes together",
    );
    assert_eq!(expect_ok(kvs.get(store, &key("a")).await, "get"), None);
    assert_eq!(
        expect_ok(kvs.get(store, &key("c")).await, "get").as_deref(),
        Some("3")
    );
    assert_eq!(
        expect_ok(kvs.get(store, &key("missing")).await, "get"),
        None
    );

    for (bad, field) in [
        (KvsUpdate::default(), "keys"),
        (
            KvsUpdate::put("k".repeat(MAX_KVS_KEY_BYTES + 1), "v"),
            "key",
        ),
        (
            KvsUpdate::put(key("big"), "v".repeat(MAX_KVS_VALUE_BYTES + 1)),
            "value",
        ),
        (
            KvsUpdate {
                puts: vec![(key("twice"), "1".into())],
                deletes: vec![key("twice")],
            },
            "key",
        ),
    ] {
        expect_err(
            kvs.update(store, &bad, &etag).await,
            &format!("a bad update is refused on {field}"),
            |e| matches!(e, Error::InvalidInput { field: f, .. } if f == field),
        );
    }
    assert_eq!(
        expect_ok(kvs.describe(store).await, "describe").etag,
        etag,
        "refused input changes nothing"
    );
    expect_err(
        kvs.describe(&format!("missing-{run}")).await,
        "an unknown store is NotFound",
        |e| {
            matches!(
                e,
                Error::NotFound {
                    kind: ResourceKind::KeyValueStore,
                    ..
                }
            )
        },
    );
}
