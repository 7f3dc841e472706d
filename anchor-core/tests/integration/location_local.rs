//! Issue 15: an `Anchor` whose object store is not the project's changes
//! nothing of the project. Here the records, functions and CDN of one
//! embedded default are wired to the object store of another folder, as an
//! `Anchor::aws` opened with another bucket shares the tables, functions
//! and distribution but writes to another bucket.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anchor_core::clock::SystemClock;
use anchor_core::local::LocalCloud;
use anchor_core::model::{PageRequest, Project};
use anchor_core::{Anchor, Backend, Error, ResourceKind};
use common::{check_invariants, env, make_variant, Env};

const P: &str = "shop";

/// Every file under `dir` with its size.
fn tree(dir: &Path) -> BTreeMap<String, u64> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let len = e.metadata().map(|m| m.len()).unwrap_or(0);
            (e.path().display().to_string(), len)
        })
        .collect()
}

/// The same backend as `env.plain`, but writing objects to another folder.
fn on_other_store(env: &Env) -> (Anchor, String) {
    let root = env.tmp.path().join("other");
    let other = LocalCloud::open(&root, Arc::new(SystemClock)).unwrap();
    let anchor = Anchor::builder(Backend {
        objects: Arc::new(other.objects()),
        ..env.plain.backend().clone()
    })
    .build();
    let location = anchor_core::traits::ObjectStore::location(&other.objects());
    (anchor, location)
}

fn home_location(env: &Env) -> String {
    env.plain.backend().objects.location()
}

/// The refusal: `InvalidState` on the project, naming both stores.
#[track_caller]
fn assert_elsewhere<T: std::fmt::Debug>(result: anchor_core::Result<T>, home: &str, other: &str) {
    let err = match result {
        Ok(v) => panic!("an Anchor on another store must refuse, but it did: {v:?}"),
        Err(e) => e,
    };
    match &err {
        Error::InvalidState { kind, id, .. } => {
            assert_eq!((*kind, id.as_str()), (ResourceKind::Project, P), "{err}")
        }
        other => panic!("want InvalidState, got {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains(home) && text.contains(other),
        "names both: {text}"
    );
}

/// Everything a refused operation must leave as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    project: Project,
    history: Vec<anchor_core::model::Deployment>,
    rollbacks: usize,
    domains: usize,
    home_files: BTreeMap<String, u64>,
    other_files: BTreeMap<String, u64>,
}

async fn snapshot(env: &Env) -> Snapshot {
    let a = &env.plain;
    let cloud = env.tmp.path().join("anchor/cloud");
    Snapshot {
        project: a.project(P).await.unwrap(),
        history: a.history(P, &PageRequest::first(100)).await.unwrap().items,
        rollbacks: a
            .rollback_history(P, &PageRequest::first(100))
            .await
            .unwrap()
            .items
            .len(),
        domains: a.domains(P).list().await.unwrap().len(),
        home_files: [cloud.join("objects/data"), cloud.join("functions")]
            .iter()
            .flat_map(|d| tree(d))
            .collect(),
        other_files: tree(&env.tmp.path().join("other/objects")),
    }
}

#[tokio::test]
async fn deploy_from_another_object_store_is_refused_and_changes_nothing() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let v1 = a.deployer(P, env.build("v1")).execute().await.unwrap();
    let (wrong, other) = on_other_store(&env);
    let home = home_location(&env);
    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");
    let before = snapshot(&env).await;
    assert!(before.other_files.is_empty(), "{:?}", before.other_files);

    assert_elsewhere(wrong.deployer(P, &v2_dir).execute().await, &home, &other);
    assert_elsewhere(
        wrong.deployer(P, &v2_dir).promote(false).execute().await,
        &home,
        &other,
    );
    assert_elsewhere(wrong.deployer(P, &v2_dir).plan().await, &home, &other);
    assert_eq!(snapshot(&env).await, before, "nothing changed");

    // The next deploy from the project's own store gets the next version:
    // the refused ones allocated none.
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();
    assert_eq!(v2.version, v1.version + 1);
    check_invariants(a, P).await;
}

#[tokio::test]
async fn every_flow_that_changes_the_project_refuses_another_store() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    a.deployer(P, env.build("v1")).execute().await.unwrap();
    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");
    a.deployer(P, &v2_dir).execute().await.unwrap();
    let preview = a
        .deployer(P, env.build("v1"))
        .promote(false)
        .execute()
        .await
        .unwrap();
    a.domains(P).add("www.example.com").await.unwrap();
    let (wrong, other) = on_other_store(&env);
    let home = home_location(&env);
    let before = snapshot(&env).await;

    assert_elsewhere(wrong.rollback(P).execute().await, &home, &other);
    assert_elsewhere(wrong.promote(P, preview.id.as_str()).await, &home, &other);
    assert_elsewhere(wrong.domains(P).add("app.example.com").await, &home, &other);
    assert_elsewhere(
        wrong.domains(P).refresh("www.example.com").await,
        &home,
        &other,
    );
    assert_elsewhere(
        wrong.domains(P).remove("www.example.com").await,
        &home,
        &other,
    );
    assert_elsewhere(wrong.recover(P).await, &home, &other);
    assert_elsewhere(wrong.create_project(P).await, &home, &other);
    assert_eq!(snapshot(&env).await, before, "nothing changed");

    // Reading is not changing: those still answer.
    assert_eq!(
        wrong.active_deployment(P).await.unwrap().map(|d| d.id),
        a.active_deployment(P).await.unwrap().map(|d| d.id)
    );
    check_invariants(a, P).await;
}

/// The same folder opened by another path is the same store.
#[tokio::test]
async fn the_same_folder_by_another_path_is_the_same_store() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let link = env.tmp.path().join("link");
    std::os::unix::fs::symlink(env.tmp.path().join("anchor"), &link).unwrap();
    let again = Anchor::local(link.join(".").join("..").join("link"))
        .await
        .unwrap();
    again.create_project(P).await.unwrap();
    again.deployer(P, env.build("v1")).execute().await.unwrap();
    check_invariants(a, P).await;
}

/// Writes `project` back without a location, as Anchor did before it kept
/// one.
async fn forget_location(a: &Anchor) -> Project {
    let p = a.project(P).await.unwrap();
    let old = Project {
        infrastructure: anchor_core::model::Infrastructure {
            asset_location: None,
            ..p.infrastructure.clone()
        },
        revision: p.revision + 1,
        ..p.clone()
    };
    let batch = anchor_core::traits::WriteBatch {
        project: Some((
            old.clone(),
            anchor_core::traits::Expect::Revision(p.revision),
        )),
        ..Default::default()
    };
    a.backend().store.commit(batch).await.unwrap();
    old
}

#[tokio::test]
async fn a_record_without_a_location_is_checked_by_deploy_and_adopted_by_create_project() {
    let env = env().await;
    let a = &env.plain;
    let created = a.create_project(P).await.unwrap();
    let home = home_location(&env);
    assert_eq!(
        created.infrastructure.asset_location.as_deref(),
        Some(home.as_str())
    );
    a.deployer(P, env.build("v1")).execute().await.unwrap();
    let old = forget_location(a).await;
    let (wrong, other) = on_other_store(&env);
    let v2_dir = env.build("v2");
    make_variant(&v2_dir, "two");

    // From another store, the live deployment's manifest is missing: the
    // deploy and the adoption are refused, naming the store they ran on.
    let before = snapshot(&env).await;
    for err in [
        wrong
            .deployer(P, &v2_dir)
            .execute()
            .await
            .map(drop)
            .unwrap_err(),
        wrong.create_project(P).await.map(drop).unwrap_err(),
    ] {
        assert!(
            matches!(
                &err,
                Error::InvalidState {
                    kind: ResourceKind::Project,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains(&other), "{err}");
    }
    assert_eq!(snapshot(&env).await, before, "nothing changed");

    // On its own store a deploy goes ahead without recording the location
    // (only create_project records it)...
    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();
    assert_eq!(v2.version, 2);
    let p = a.project(P).await.unwrap();
    assert_eq!(p.infrastructure.asset_location, None);
    // ...and create_project adopts it, once.
    let adopted = a.create_project(P).await.unwrap();
    assert_eq!(
        adopted.infrastructure.asset_location.as_deref(),
        Some(home.as_str())
    );
    assert_eq!(adopted.revision, p.revision + 1);
    assert_eq!(
        Project {
            infrastructure: old.infrastructure.clone(),
            revision: p.revision,
            ..adopted.clone()
        },
        p
    );
    assert_eq!(a.create_project(P).await.unwrap(), adopted, "idempotent");
    assert_eq!(a.project(P).await.unwrap(), adopted);
    // From then on another store is refused by name.
    assert_elsewhere(wrong.deployer(P, &v2_dir).execute().await, &home, &other);
    // The switch after the adoption still works from this process's cache.
    a.rollback(P).execute().await.unwrap();
    check_invariants(a, P).await;
}

#[tokio::test]
async fn a_record_without_a_location_and_nothing_live_adopts_the_current_store() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    forget_location(a).await;
    let adopted = a.create_project(P).await.unwrap();
    assert_eq!(
        adopted.infrastructure.asset_location.as_deref(),
        Some(home_location(&env).as_str())
    );
}

/// The embedded default names its store by an id kept in its folder, so a
/// folder that was moved (a CI cache restored elsewhere) is still the
/// project's store.
#[tokio::test]
async fn a_moved_folder_is_still_the_projects_store() {
    let tmp = tempfile::tempdir().unwrap();
    let build = common::build_copy(tmp.path(), "v1");
    let first = tmp.path().join("first");
    let a = Anchor::local(&first).await.unwrap();
    a.create_project(P).await.unwrap();
    a.deployer(P, &build).execute().await.unwrap();
    let location = a.backend().objects.location();
    assert!(location.starts_with("local:"), "{location}");
    drop(a);
    let moved = tmp.path().join("moved");
    std::fs::rename(&first, &moved).unwrap();
    let b = Anchor::local(&moved).await.unwrap();
    assert_eq!(b.backend().objects.location(), location);
    let second = b.deployer(P, &build).execute().await.unwrap();
    assert_eq!(second.version, 2);
}
