//! Local-only behaviours of the local cloud's objects, functions and
//! provisioner: what the conformance suites cannot check through the traits.

use std::sync::Arc;

use anchor_core::clock::SystemClock;
use anchor_core::local::LocalCloud;
use anchor_core::model::ProjectName;
use anchor_core::traits::{
    AliasRouting, Cdn, CodeBundle, Functions, ObjectBody, ObjectStore, ProvisionOptions,
    Provisioner, PutOptions, SetAliasOptions,
};
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
async fn provisioning_is_idempotent_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let cloud = open(&dir);
    let project = ProjectName::parse("shop").unwrap();
    let options = ProvisionOptions::default();
    let infra = cloud
        .provisioner()
        .provision(&project, &options)
        .await
        .unwrap();
    assert_eq!(infra.server_function, "shop-server");
    assert_eq!(infra.image_function, "shop-image");
    assert_eq!(infra.alias, "live");
    assert_eq!(infra.asset_prefix, "shop");
    assert_eq!(infra.distribution_id, "local-shop");
    assert_eq!(infra.distribution_domain, "local-shop.cdn.anchor.localhost");
    let before = cloud
        .cdn()
        .get_config(&infra.distribution_id)
        .await
        .unwrap();
    assert_eq!(before.value.domain_name, infra.distribution_domain);

    let host = cloud.functions();
    let v1 = host
        .publish(
            "shop-server",
            &CodeBundle::new(b"zip-1".to_vec()),
            &Default::default(),
        )
        .await
        .unwrap();
    host.set_alias(
        "shop-server",
        "live",
        &AliasRouting::single("1"),
        &SetAliasOptions::default(),
    )
    .await
    .unwrap();

    let reopened = open(&dir);
    let again = reopened
        .provisioner()
        .provision(&project, &options)
        .await
        .unwrap();
    assert_eq!(
        again, infra,
        "provisioning twice returns the same infrastructure"
    );
    let after = reopened
        .cdn()
        .get_config(&infra.distribution_id)
        .await
        .unwrap();
    assert_eq!(
        after, before,
        "provisioning again leaves the distribution and its ETag alone"
    );
    let host = reopened.functions();
    assert_eq!(
        host.get_version("shop-server", "1").await.unwrap(),
        Some(v1)
    );
    assert!(
        host.get_alias("shop-server", "live")
            .await
            .unwrap()
            .is_some(),
        "aliases survive"
    );

    let bad = ProvisionOptions {
        alias: "123".into(),
    };
    assert_eq!(
        field_of(cloud.provisioner().provision(&project, &bad).await),
        "alias"
    );
}

#[tokio::test]
async fn functions_follow_lambda_naming_and_store_zips() {
    let dir = tempfile::tempdir().unwrap();
    let cloud = open(&dir);
    cloud
        .provisioner()
        .provision(&ProjectName::parse("app").unwrap(), &Default::default())
        .await
        .unwrap();
    let host = cloud.functions();
    let code = CodeBundle::new(b"first".to_vec());
    let v1 = host
        .publish("app-server", &code, &Default::default())
        .await
        .unwrap();
    assert_eq!(v1.version, "1");
    assert_eq!(v1.arn, "arn:anchor:local:function:app-server:1");
    let path = host.code_path("app-server", "1").await.unwrap().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"first");
    assert_eq!(host.code_path("app-server", "2").await.unwrap(), None);
    assert_eq!(
        host.get_version("app-server", "01").await.unwrap(),
        None,
        "only canonical numbers"
    );

    let alias = host
        .set_alias(
            "app-server",
            "live",
            &AliasRouting::single("1"),
            &Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        alias.url.as_deref(),
        Some("local://app-server/live"),
        "aliases carry their Function URL"
    );

    let mut forged = CodeBundle::new(b"second".to_vec());
    forged.sha256 = code.sha256.clone();
    assert_eq!(
        field_of(
            host.publish("app-server", &forged, &Default::default())
                .await
        ),
        "code.sha256"
    );
    let weighted = AliasRouting {
        version: "1".into(),
        additional: Some(("1".into(), 0.5)),
    };
    assert_eq!(
        field_of(
            host.set_alias("app-server", "live", &weighted, &Default::default())
                .await
        ),
        "routing"
    );
    assert_eq!(field_of(host.get_version("../etc", "1").await), "function");
    assert_eq!(field_of(host.get_alias("app-server", "42").await), "alias");
    let missing = host.get_version("nope", "1").await.unwrap_err();
    assert!(
        matches!(
            missing,
            Error::NotFound {
                kind: ResourceKind::Function,
                ..
            }
        ),
        "{missing:?}"
    );

    host.set_alias(
        "app-server",
        "live",
        &AliasRouting::single("1"),
        &Default::default(),
    )
    .await
    .unwrap();
    let v2 = host
        .publish(
            "app-server",
            &CodeBundle::new(b"second".to_vec()),
            &Default::default(),
        )
        .await
        .unwrap();
    host.delete_version("app-server", &v2.version)
        .await
        .unwrap();
    assert!(
        !dir.path().join("functions/app-server/2.zip").exists(),
        "a deleted version's zip is removed"
    );
    let err = host.delete_version("app-server", "1").await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidState { state, .. } if state == "aliased"),
        "{err:?}"
    );
}
