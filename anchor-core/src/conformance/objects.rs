//! The [`ObjectStore`] suite.

use std::io::Write as _;

use futures::future::join_all;
use futures::stream::{self, StreamExt};

use super::{expect_err, expect_ok, unique, KnownGaps};
use crate::error::{Error, ResourceKind};
use crate::model::PageRequest;
use crate::traits::{ListedObject, ObjectBody, ObjectMeta, ObjectStore, PutOptions};

fn is_object_precondition(e: &Error) -> bool {
    matches!(
        e,
        Error::PreconditionFailed {
            kind: ResourceKind::Object,
            ..
        }
    )
}

fn is_object_not_found(e: &Error) -> bool {
    matches!(
        e,
        Error::NotFound {
            kind: ResourceKind::Object,
            ..
        }
    )
}

/// Checks every guarantee of [`ObjectStore`] under a fresh key prefix:
/// writes visible at once with their metadata, streamed file bodies,
/// overwrites, atomic `if_none_match` (also under concurrent writers),
/// copies that replace metadata, `NotFound` for a missing copy source, no
/// partial object after a failed write, idempotent deletes, listings by
/// exact prefix in key order with sizes, paged (past 1,000 keys too), and
/// a stable, non-empty location.
pub async fn objects(store: &dyn ObjectStore) {
    objects_with(store, &KnownGaps::NONE).await
}

/// [`objects`] without the checks `gaps` excuses.
pub async fn objects_with(store: &dyn ObjectStore, gaps: &KnownGaps) {
    let prefix = format!("anchor-conformance/{}/", unique());
    let key = |name: &str| format!("{prefix}{name}");

    // The location names the store, and writing does not change it.
    let location = store.location();
    assert!(!location.trim().is_empty(), "an empty location");

    // A put is visible to head and get at once, with the given metadata.
    let manifest = key("manifest.json");
    let options = PutOptions {
        content_type: Some("application/json".into()),
        cache_control: Some("no-cache".into()),
        sha256: Some("ab".repeat(32)),
        if_none_match: false,
        known_size: None,
    };
    let meta = expect_ok(
        store
            .put(
                &manifest,
                ObjectBody::Bytes(b"{\"a\":1}".to_vec()),
                &options,
            )
            .await,
        "put of bytes",
    );
    let expected = ObjectMeta {
        key: manifest.clone(),
        size: 7,
        sha256: options.sha256.clone(),
        content_type: options.content_type.clone(),
        cache_control: options.cache_control.clone(),
    };
    assert_eq!(meta, expected, "put must return the metadata it stored");
    let head = expect_ok(store.head(&manifest).await, "head after put");
    assert_eq!(
        head,
        Some(expected),
        "a completed put must be visible to head at once"
    );
    let body = expect_ok(store.get(&manifest).await, "get after put");
    assert_eq!(
        body.as_deref(),
        Some(&b"{\"a\":1}"[..]),
        "get must return the bytes put"
    );

    // Missing keys read as None.
    let missing = key("missing.txt");
    assert_eq!(
        expect_ok(store.head(&missing).await, "head of a missing key"),
        None
    );
    assert_eq!(
        expect_ok(store.get(&missing).await, "get of a missing key"),
        None
    );

    // A file body, larger than any single buffer, arrives whole.
    let big: Vec<u8> = (0..3 * 1024 * 1024 + 17).map(|i| (i % 251) as u8).collect();
    let file = std::env::temp_dir().join(format!("anchor-conformance-{}", unique()));
    expect_ok(
        std::fs::File::create(&file)
            .and_then(|mut f| f.write_all(&big))
            .map_err(|e| Error::io(&file, e)),
        "writing the test file",
    );
    let nested = key("_next/static/chunks/big.js");
    let meta = expect_ok(
        store
            .put(
                &nested,
                ObjectBody::File(file.clone()),
                &PutOptions::default(),
            )
            .await,
        "put of a file body",
    );
    let _ = std::fs::remove_file(&file);
    assert_eq!(
        meta.size,
        big.len() as u64,
        "a file body's size must be the file's size"
    );
    let body = expect_ok(store.get(&nested).await, "get of a file body");
    assert!(
        body.as_deref() == Some(big.as_slice()),
        "a file body must be stored whole and unchanged"
    );

    // An overwrite replaces both the bytes and the metadata.
    let meta = expect_ok(
        store
            .put(
                &manifest,
                ObjectBody::Bytes(b"v2".to_vec()),
                &PutOptions::default(),
            )
            .await,
        "overwrite",
    );
    assert_eq!(
        (meta.size, meta.content_type),
        (2, None),
        "an overwrite must replace the metadata"
    );
    assert_eq!(
        expect_ok(store.get(&manifest).await, "get after overwrite").as_deref(),
        Some(&b"v2"[..])
    );

    // if_none_match refuses an existing key and leaves it unchanged.
    let guarded = PutOptions {
        if_none_match: true,
        ..PutOptions::default()
    };
    expect_err(
        store
            .put(&manifest, ObjectBody::Bytes(b"v3".to_vec()), &guarded)
            .await,
        "if_none_match on an existing key must fail with PreconditionFailed(Object)",
        is_object_precondition,
    );
    assert_eq!(
        expect_ok(store.get(&manifest).await, "get after refused put").as_deref(),
        Some(&b"v2"[..]),
        "a refused if_none_match put must not change the object"
    );

    // Of concurrent if_none_match writers to one new key, exactly one wins.
    let contested = key("contested.txt");
    let bodies: Vec<Vec<u8>> = (0..8u8).map(|i| vec![i; 64]).collect();
    let results = join_all(
        bodies
            .iter()
            .map(|b| store.put(&contested, ObjectBody::Bytes(b.clone()), &guarded)),
    )
    .await;
    let winners: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_ok())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one concurrent if_none_match put must win, got {results:?}"
    );
    for result in results.into_iter().filter(|r| r.is_err()) {
        expect_err(
            result,
            "a losing if_none_match put must fail with PreconditionFailed(Object)",
            is_object_precondition,
        );
    }
    assert_eq!(
        expect_ok(store.get(&contested).await, "get of the contested key"),
        Some(bodies[winners[0]].clone()),
        "the contested key must hold the winner's bytes"
    );

    // A copy carries the bytes and replaces the metadata.
    let copy = key("copy/manifest.json");
    let copy_options = PutOptions {
        content_type: Some("text/plain".into()),
        cache_control: Some("max-age=60".into()),
        sha256: Some("cd".repeat(32)),
        if_none_match: true,
        known_size: None,
    };
    let meta = expect_ok(store.copy(&manifest, &copy, &copy_options).await, "copy");
    let expected = ObjectMeta {
        key: copy.clone(),
        size: 2,
        sha256: copy_options.sha256.clone(),
        content_type: copy_options.content_type.clone(),
        cache_control: copy_options.cache_control.clone(),
    };
    assert_eq!(meta, expected, "copy must return the copy's new metadata");
    assert_eq!(
        expect_ok(store.head(&copy).await, "head of the copy"),
        Some(expected)
    );
    assert_eq!(
        expect_ok(store.get(&copy).await, "get of the copy").as_deref(),
        Some(&b"v2"[..])
    );
    if !gaps.copy_ignores_if_none_match {
        expect_err(
            store.copy(&manifest, &copy, &copy_options).await,
            "a copy with if_none_match onto an existing key must fail with PreconditionFailed(Object)",
            is_object_precondition,
        );
    }
    expect_err(
        store
            .copy(&missing, &key("never.txt"), &PutOptions::default())
            .await,
        "copying a missing source must fail with NotFound(Object)",
        is_object_not_found,
    );
    assert_eq!(
        expect_ok(
            store.head(&key("never.txt")).await,
            "head after failed copy"
        ),
        None
    );

    // A failed write leaves no partial object.
    let absent_file = std::env::temp_dir().join(format!("anchor-conformance-absent-{}", unique()));
    let failed = key("failed.bin");
    assert!(
        store
            .put(
                &failed,
                ObjectBody::File(absent_file),
                &PutOptions::default()
            )
            .await
            .is_err(),
        "a put of a missing file must fail"
    );
    assert_eq!(
        expect_ok(store.head(&failed).await, "head after failed put"),
        None,
        "a failed put must leave no object"
    );

    // Deletes remove the object and succeed on missing keys.
    for k in [&manifest, &nested, &contested, &copy] {
        expect_ok(store.delete(k).await, "delete");
        assert_eq!(
            expect_ok(store.head(k).await, "head after delete"),
            None,
            "a deleted object must be gone"
        );
        assert_eq!(
            expect_ok(store.get(k).await, "get after delete"),
            None,
            "a deleted object must be gone"
        );
    }
    expect_ok(
        store.delete(&missing).await,
        "deleting a missing key must succeed",
    );
    listing(store, &prefix).await;
    assert_eq!(store.location(), location, "the location must not change");
}

/// Every object under `prefix`, following the cursor with pages of
/// `limit`; checks each page's size and that no key shows twice.
async fn list_all(store: &dyn ObjectStore, prefix: &str, limit: usize) -> Vec<ListedObject> {
    let mut page = PageRequest::first(limit);
    let mut all: Vec<ListedObject> = Vec::new();
    loop {
        let listed = expect_ok(store.list(prefix, &page).await, "list");
        assert!(
            listed.items.len() <= limit,
            "a page of limit {limit} held {} objects",
            listed.items.len()
        );
        all.extend(listed.items);
        match listed.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    let mut keys: Vec<&str> = all.iter().map(|o| o.key.as_str()).collect();
    keys.dedup();
    assert_eq!(keys.len(), all.len(), "a listing showed a key twice");
    all
}

/// Listings: exact byte prefixes (no delimiter), ascending key order with
/// each object's size, pages that never exceed their limit and end with no
/// cursor, a page of 1,000 keys (S3's largest) followed by the rest, an
/// empty result for a prefix with nothing under it, and `InvalidInput` for
/// a limit outside 1 to 1,000.
async fn listing(store: &dyn ObjectStore, prefix: &str) {
    let base = format!("{prefix}list/");
    // Keys a prefix match must tell apart: siblings of `list/` sharing its
    // first letters (below), a deeper folder, upper case before lower.
    let keys = [("a", 1usize), ("b/c", 2), ("b/d", 3), ("B", 5)];
    let beside = [format!("{prefix}listing"), format!("{prefix}lis")];
    for (name, size) in keys {
        let key = format!("{base}{name}");
        expect_ok(
            store
                .put(
                    &key,
                    ObjectBody::Bytes(vec![b'x'; size]),
                    &PutOptions::default(),
                )
                .await,
            "put for listing",
        );
    }
    for key in &beside {
        expect_ok(
            store
                .put(
                    key,
                    ObjectBody::Bytes(b"zz".to_vec()),
                    &PutOptions::default(),
                )
                .await,
            "put beside the listing",
        );
    }
    let expected: Vec<ListedObject> = ["B", "a", "b/c", "b/d"]
        .iter()
        .map(|name| ListedObject {
            key: format!("{base}{name}"),
            size: keys.iter().find(|(n, _)| n == name).unwrap().1 as u64,
        })
        .collect();
    assert_eq!(
        list_all(store, &base, 1000).await,
        expected,
        "a listing must hold exactly the keys under its prefix, in byte order, with their sizes"
    );
    assert_eq!(
        list_all(store, &base, 1).await,
        expected,
        "pages of one key must add up to the whole listing"
    );
    assert_eq!(
        list_all(store, &format!("{base}b/"), 1000).await,
        expected[2..].to_vec(),
        "a deeper prefix lists only its own keys"
    );
    let without_slash: Vec<String> = list_all(store, &format!("{prefix}list"), 1000)
        .await
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(
        without_slash,
        expected
            .iter()
            .map(|o| o.key.clone())
            .chain([format!("{prefix}listing")])
            .collect::<Vec<_>>(),
        "no delimiter: `list` reaches `list/..` and `listing`, not `lis`"
    );
    let empty = expect_ok(
        store
            .list(&format!("{prefix}nothing/"), &PageRequest::first(10))
            .await,
        "list of an empty prefix",
    );
    assert!(
        empty.items.is_empty() && empty.next_cursor.is_none(),
        "nothing under a prefix must be an empty last page, got {empty:?}"
    );
    for limit in [0, PageRequest::MAX_LIMIT + 1] {
        expect_err(
            store.list(&base, &PageRequest::first(limit)).await,
            "a page limit outside 1 to 1,000 must be InvalidInput",
            |e| matches!(e, Error::InvalidInput { field, .. } if field == "limit"),
        );
    }

    // Past S3's 1,000 keys per page: a full page, then the rest.
    let many = format!("{prefix}many/");
    let count = PageRequest::MAX_LIMIT + 1;
    let names: Vec<String> = (0..count).map(|i| format!("{many}{i:05}")).collect();
    let plain = PutOptions::default();
    let written: Vec<_> = stream::iter(&names)
        .map(|key| store.put(key, ObjectBody::Bytes(vec![b'm']), &plain))
        .buffer_unordered(16)
        .collect()
        .await;
    for result in written {
        expect_ok(result, "put of many keys");
    }
    let first = expect_ok(
        store
            .list(&many, &PageRequest::first(PageRequest::MAX_LIMIT))
            .await,
        "list of many keys",
    );
    assert!(
        first.next_cursor.is_some(),
        "a listing of {count} keys must not end after one page of 1,000"
    );
    let listed = list_all(store, &many, PageRequest::MAX_LIMIT).await;
    assert_eq!(
        listed.iter().map(|o| o.key.clone()).collect::<Vec<_>>(),
        names,
        "every one of {count} keys must be listed once, in order"
    );

    // Clean up, through the listing itself.
    for o in list_all(store, prefix, 1000).await {
        expect_ok(store.delete(&o.key).await, "delete after listing");
    }
    assert!(
        list_all(store, prefix, 1000).await.is_empty(),
        "deleted objects must not be listed"
    );
}
