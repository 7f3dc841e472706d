//! Router pairs on the embedded default: a project is bound to the first
//! pair with room, the next pair is opened when none has, each pair routes
//! its own projects, and the account's quotas stop a new pair with a typed
//! error. The limits are `FlowSettings::router_capacity`, made small here.

use crate::common;

use anchor_core::model::RouterCapacity;
use anchor_core::router::RouterKeys;
use anchor_core::traits::{KeyValueStore, KvsUpdate};
use anchor_core::{Anchor, Error, FlowSettings, LocalOptions};
use common::{build_copy, make_variant};

async fn open(dir: &std::path::Path, capacity: RouterCapacity) -> Anchor {
    let options = LocalOptions {
        settings: FlowSettings {
            router_capacity: capacity,
            ..FlowSettings::default()
        },
        ..LocalOptions::default()
    };
    Anchor::local_with(dir, options).await.unwrap()
}

/// The store `project` is bound to.
async fn store_of(a: &Anchor, project: &str) -> String {
    let p = a.project(project).await.unwrap();
    p.infrastructure
        .router
        .expect("bound to a router pair")
        .store
}

async fn etag(a: &Anchor, store: &str) -> String {
    let cloud = a.local_cloud().unwrap();
    cloud.kvs().describe(store).await.unwrap().etag
}

#[tokio::test]
async fn the_third_project_opens_pair_two_and_each_pair_routes_its_own_projects() {
    let dir = tempfile::tempdir().unwrap();
    let builds = tempfile::tempdir().unwrap();
    let v1 = build_copy(builds.path(), "v1");
    let v2 = build_copy(builds.path(), "v2");
    make_variant(&v2, "two");
    let capacity = RouterCapacity {
        distributions_per_function: 2,
        ..RouterCapacity::default()
    };
    let a = open(dir.path(), capacity).await;
    for p in ["alpha", "beta", "gamma"] {
        a.create_project(p).await.unwrap();
    }
    assert_eq!(store_of(&a, "alpha").await, "anchor-router");
    assert_eq!(store_of(&a, "beta").await, "anchor-router");
    assert_eq!(store_of(&a, "gamma").await, "anchor-router-2");

    // Creating again never moves a binding, even with pair 1 now full.
    a.create_project("alpha").await.unwrap();
    assert_eq!(store_of(&a, "alpha").await, "anchor-router");

    // Each project's keys land in its own pair's store.
    let kvs = a.local_cloud().unwrap().kvs();
    let mut live = Vec::new();
    for p in ["alpha", "gamma"] {
        let first = a.deployer(p, &v1).execute().await.unwrap();
        let project = a.project(p).await.unwrap();
        let keys = RouterKeys::new(&project.infrastructure.distribution_id).unwrap();
        let store = store_of(&a, p).await;
        assert_eq!(
            kvs.get(&store, &keys.live()).await.unwrap().as_deref(),
            Some(first.id.as_str()),
            "{p}'s pointer is in its pair's store"
        );
        let other = if store == "anchor-router" {
            "anchor-router-2"
        } else {
            "anchor-router"
        };
        assert_eq!(kvs.get(other, &keys.live()).await.unwrap(), None);
        live.push((p, keys, first));
    }

    // A rollback of a pair-2 project writes pair 2's store only.
    let (_, gamma_keys, gamma_v1) = &live[1];
    a.deployer("gamma", &v2).execute().await.unwrap();
    let pair_one_before = etag(&a, "anchor-router").await;
    let pair_two_before = etag(&a, "anchor-router-2").await;
    a.rollback("gamma").execute().await.unwrap();
    assert_eq!(
        kvs.get("anchor-router-2", &gamma_keys.live())
            .await
            .unwrap()
            .as_deref(),
        Some(gamma_v1.id.as_str())
    );
    assert_ne!(etag(&a, "anchor-router-2").await, pair_two_before);
    assert_eq!(etag(&a, "anchor-router").await, pair_one_before);
    common::check_invariants(&a, "gamma").await;
    common::check_invariants(&a, "alpha").await;

    // A fourth project fits in pair 2, a fifth opens pair 3.
    a.create_project("delta").await.unwrap();
    a.create_project("epsilon").await.unwrap();
    assert_eq!(store_of(&a, "delta").await, "anchor-router-2");
    assert_eq!(store_of(&a, "epsilon").await, "anchor-router-3");
}

#[tokio::test]
async fn a_store_within_its_reserve_of_the_size_limit_makes_the_next_project_open_a_pair() {
    let dir = tempfile::tempdir().unwrap();
    let capacity = RouterCapacity {
        store_bytes: 16 * 1024,
        reserve_per_project: 8 * 1024,
        ..RouterCapacity::default()
    };
    let a = open(dir.path(), capacity).await;
    a.create_project("alpha").await.unwrap();
    a.create_project("beta").await.unwrap();
    assert_eq!(store_of(&a, "beta").await, "anchor-router", "room left");

    // Fill pair 1's store past 16 KiB less the 8 KiB reserve.
    let kvs = a.local_cloud().unwrap().kvs();
    let puts = (0..10)
        .map(|i| (format!("local-alpha/filler/{i}"), "x".repeat(1000)))
        .collect();
    let now = kvs.describe("anchor-router").await.unwrap();
    let update = KvsUpdate {
        puts,
        deletes: Vec::new(),
    };
    kvs.update("anchor-router", &update, &now.etag)
        .await
        .unwrap();
    assert!(kvs.describe("anchor-router").await.unwrap().total_bytes > 8 * 1024);

    a.create_project("gamma").await.unwrap();
    assert_eq!(store_of(&a, "gamma").await, "anchor-router-2");
    // The projects already bound stay where they are.
    assert_eq!(store_of(&a, "beta").await, "anchor-router");
}

#[tokio::test]
async fn a_new_pair_past_the_accounts_store_quota_is_a_typed_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let capacity = RouterCapacity {
        distributions_per_function: 1,
        stores_per_account: 1,
        ..RouterCapacity::default()
    };
    let a = open(dir.path(), capacity).await;
    a.create_project("alpha").await.unwrap();
    let err = a.create_project("beta").await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, reason }
            if field == "router_capacity.stores_per_account" && reason.contains("anchor-router-2")),
        "{err:?}"
    );
    let missing = a.project("beta").await.unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }), "{missing:?}");
    let kvs = a.local_cloud().unwrap().kvs();
    assert!(kvs.describe("anchor-router-2").await.is_err());
}

#[tokio::test]
async fn limits_no_pair_could_meet_are_refused_before_anything_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let capacity = RouterCapacity {
        distributions_per_function: 0,
        ..RouterCapacity::default()
    };
    let a = open(dir.path(), capacity).await;
    let err = a.create_project("alpha").await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. }
            if field == "router_capacity.distributions_per_function"),
        "{err:?}"
    );
}

/// The embedded default's previews live at `v<N>.localhost`: provisioning
/// writes that suffix to the project's store, where the router reads it
/// like any other key (the edge adds nothing of its own), and provisioning
/// again writes nothing, so the store's ETag stays.
#[tokio::test]
async fn provisioning_writes_the_local_preview_suffix_once() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path(), RouterCapacity::default()).await;
    a.create_project("alpha").await.unwrap();
    let project = a.project("alpha").await.unwrap();
    let keys = RouterKeys::new(&project.infrastructure.distribution_id).unwrap();
    let store = store_of(&a, "alpha").await;
    let kvs = a.local_cloud().unwrap().kvs();
    assert_eq!(
        kvs.get(&store, &keys.preview_suffix())
            .await
            .unwrap()
            .as_deref(),
        Some(anchor_core::local::LOCAL_PREVIEW_SUFFIX)
    );
    let before = etag(&a, &store).await;
    a.create_project("alpha").await.unwrap();
    assert_eq!(etag(&a, &store).await, before);
}
