//! Local-only behaviours of the local object store and tag table: what
//! the conformance suite cannot check through the trait.

use std::sync::Arc;

use anchor_core::clock::SystemClock;
use anchor_core::local::LocalCloud;
use anchor_core::traits::{ObjectBody, ObjectStore, PutOptions};
use anchor_core::{Error, ResourceKind};

fn open(dir: &tempfile::TempDir) -> LocalCloud {
    LocalCloud::open(dir.path(), Arc::new(SystemClock)).unwrap()
}

fn field(err: Error) -> String {
    match err {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

fn tmp_files(dir: &tempfile::TempDir) -> usize {
    std::fs::read_dir(dir.path().join("objects/tmp"))
        .map(|d| d.count())
        .unwrap_or(0)
}

#[tokio::test]
async fn invalid_keys_name_the_field_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).objects();
    let long = "k".repeat(1025);
    for key in [
        "",
        "/abs",
        "a//b",
        "a/./b",
        "../up",
        "a/..",
        "trailing/",
        "back\\slash",
        "nul\0",
        "tab\tkey",
        long.as_str(),
    ] {
        let err = store.head(key).await.unwrap_err();
        let Error::InvalidInput { field, reason } = err else {
            panic!("{key:?}: expected InvalidInput");
        };
        assert_eq!(field, "key", "{key:?}");
        assert!(
            reason.contains(&format!("{key:?}")),
            "{reason} should quote {key:?}"
        );
        let put = store
            .put(key, ObjectBody::Bytes(vec![1]), &PutOptions::default())
            .await;
        assert_eq!(field_of(put), "key");
    }
    assert!(store.head(&"k".repeat(1024)).await.unwrap().is_none());
}

fn field_of<T: std::fmt::Debug>(result: anchor_core::Result<T>) -> String {
    field(result.unwrap_err())
}

#[tokio::test]
async fn a_key_cannot_be_both_file_and_folder_until_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).objects();
    let put = |key: &'static str| {
        let store = store.clone();
        async move {
            store
                .put(
                    key,
                    ObjectBody::Bytes(b"x".to_vec()),
                    &PutOptions::default(),
                )
                .await
        }
    };
    put("a/b/c").await.unwrap();
    assert_eq!(field_of(put("a/b").await), "key");
    assert_eq!(field_of(put("a/b/c/d").await), "key");
    assert!(
        store.head("a/b").await.unwrap().is_none(),
        "a refused put leaves no row"
    );
    store.delete("a/b/c").await.unwrap();
    assert!(
        !dir.path().join("objects/data/a").exists(),
        "empty folders are pruned"
    );
    put("a").await.unwrap();
    assert_eq!(tmp_files(&dir), 0, "no temp file is left behind");
}

/// A FIFO proves the body is streamed: its writer waits until the first
/// chunk has reached the temp file before it writes the rest, which would
/// deadlock (and time out) if the store read the body whole first.
#[cfg(unix)]
#[tokio::test]
async fn file_bodies_are_streamed() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).objects();
    let fifo = dir.path().join("body.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let chunk = vec![7u8; 1 << 20];
    let tmp = dir.path().join("objects/tmp");
    let writer = {
        let (fifo, chunk) = (fifo.clone(), chunk.clone());
        std::thread::spawn(move || {
            use std::io::Write;
            let mut out = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            out.write_all(&chunk).unwrap();
            out.flush().unwrap();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
            let streamed = loop {
                let written: u64 = std::fs::read_dir(&tmp)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum();
                if written >= chunk.len() as u64 {
                    break true;
                }
                if std::time::Instant::now() > deadline {
                    break false;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            };
            out.write_all(&chunk).unwrap();
            streamed
        })
    };
    let meta = store
        .put("big.bin", ObjectBody::File(fifo), &PutOptions::default())
        .await
        .unwrap();
    assert!(
        writer.join().unwrap(),
        "the first chunk never reached the temp file"
    );
    assert_eq!(meta.size, 2 << 20);
    let stored = std::fs::read(store.path_of("big.bin")).unwrap();
    assert_eq!(stored.len(), 2 << 20, "path_of points at the whole object");
    assert_eq!(tmp_files(&dir), 0);
}

#[tokio::test]
async fn if_none_match_holds_across_two_processes_sharing_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (open(&dir).objects(), open(&dir).objects());
    let guarded = PutOptions {
        if_none_match: true,
        ..PutOptions::default()
    };
    for round in 0..20 {
        let key = format!("race/{round}");
        let (a, b) = tokio::join!(
            one.put(&key, ObjectBody::Bytes(b"one".to_vec()), &guarded),
            two.put(&key, ObjectBody::Bytes(b"two".to_vec()), &guarded),
        );
        assert!(a.is_ok() != b.is_ok(), "round {round}: {a:?} / {b:?}");
        let loser = if a.is_err() { a } else { b };
        assert!(matches!(
            loser,
            Err(Error::PreconditionFailed {
                kind: ResourceKind::Object,
                ..
            })
        ));
    }
}

#[tokio::test]
async fn a_builds_tag_rows_go_by_exact_prefix_and_only_them() {
    use anchor_core::local::{LocalRevalidation, StoredTagItem};
    use anchor_core::model::{ProjectName, TagItem};
    use anchor_core::traits::Revalidation;

    let dir = tempfile::tempdir().unwrap();
    let cloud = open(&dir);
    let project = ProjectName::parse("shop").unwrap();
    let revalidation = cloud.revalidation();
    // No table yet: nothing to delete, no error.
    revalidation
        .remove_build_tags(&project, "a_b")
        .await
        .unwrap();
    let table = LocalRevalidation::tag_table(&project);
    let tags = cloud.tag_table();
    tags.ensure_table(&table).await.unwrap();
    // `_` and `%` are LIKE's wildcards; case and longer ids must not match.
    let builds = ["a_b", "aXb", "A_B", "a_b-2", "a%b", "a_"];
    let rows: Vec<TagItem> = builds
        .iter()
        .flat_map(|b| {
            (0..3).map(move |i| TagItem {
                tag: format!("{b}/_N_T_/page{i}"),
                path: format!("{b}/page{i}"),
                revalidated_at: 1,
            })
        })
        .collect();
    tags.write(&table, rows.iter().map(StoredTagItem::from).collect())
        .await
        .unwrap();
    revalidation
        .remove_build_tags(&project, "a_b")
        .await
        .unwrap();
    for row in &rows {
        let kept = tags
            .get(&table, &row.tag, &row.path)
            .await
            .unwrap()
            .is_some();
        assert_eq!(kept, !row.tag.starts_with("a_b/"), "{row:?}");
    }
    // Again: nothing left to delete, no error.
    revalidation
        .remove_build_tags(&project, "a_b")
        .await
        .unwrap();
    for bad in ["", "a/b"] {
        let err = revalidation
            .remove_build_tags(&project, bad)
            .await
            .unwrap_err();
        assert_eq!(field(err), "build_id");
    }
}
