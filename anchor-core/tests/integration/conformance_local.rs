//! Runs every conformance suite against the local cloud.

use std::sync::Arc;

use anchor_core::clock::SystemClock;
use anchor_core::conformance;
use anchor_core::local::{LocalCloud, LocalCloudOptions};
use anchor_core::model::{DomainMode, Infrastructure, ProjectName};
use anchor_core::traits::{ProvisionOptions, Provisioner};
use anchor_testing::certificates::local_issuer;

fn open() -> (tempfile::TempDir, LocalCloud) {
    let dir = tempfile::tempdir().unwrap();
    let cloud = LocalCloud::open(dir.path(), Arc::new(SystemClock)).unwrap();
    (dir, cloud)
}

/// Provisions project `name` in the cloud and returns its infrastructure.
async fn provisioned(cloud: &LocalCloud, name: &str) -> Infrastructure {
    let project = ProjectName::parse(name).unwrap();
    cloud
        .provisioner()
        .provision(&project, &ProvisionOptions::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn objects() {
    let (_dir, cloud) = open();
    conformance::objects::objects(&cloud.objects()).await;
}

#[tokio::test]
async fn functions() {
    let (_dir, cloud) = open();
    let infra = provisioned(&cloud, "conformance").await;
    conformance::functions::functions(&cloud.functions(), &infra.server_function).await;
}

#[tokio::test]
async fn certificates() {
    let (_dir, cloud) = open();
    conformance::certificates::certificates(
        &cloud.certificates(),
        &local_issuer(&cloud.certificates()),
    )
    .await;
}

#[tokio::test]
async fn cdn() {
    let (_dir, cloud) = open();
    let infra = provisioned(&cloud, "conformance").await;
    assert_eq!(
        infra.domains,
        DomainMode::Tenants,
        "the default is multi-tenant"
    );
    conformance::cdn::cdn(
        &cloud.cdn(),
        &infra.distribution_id,
        &cloud.certificates(),
        &local_issuer(&cloud.certificates()),
    )
    .await;
}

/// The suite on a standard distribution, whose domains are aliases.
#[tokio::test]
async fn cdn_on_a_standard_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let options = LocalCloudOptions {
        domain_mode: DomainMode::Aliases,
        ..LocalCloudOptions::default()
    };
    let cloud = LocalCloud::open_with(dir.path(), Arc::new(SystemClock), options).unwrap();
    let infra = provisioned(&cloud, "conformance").await;
    assert_eq!(infra.domains, DomainMode::Aliases);
    conformance::cdn::cdn(
        &cloud.cdn(),
        &infra.distribution_id,
        &cloud.certificates(),
        &local_issuer(&cloud.certificates()),
    )
    .await;
}

/// The suites use unique names, so they can share one cloud, as they would
/// share a long-lived service; running them side by side also exercises the
/// shared connection under concurrent clients.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_suites_share_one_cloud() {
    let (_dir, cloud) = open();
    let infra = provisioned(&cloud, "shared").await;
    let issue = local_issuer(&cloud.certificates());
    let (objects, functions, cdn, certs) = (
        cloud.objects(),
        cloud.functions(),
        cloud.cdn(),
        cloud.certificates(),
    );
    futures::join!(
        conformance::objects::objects(&objects),
        conformance::functions::functions(&functions, &infra.server_function),
        conformance::functions::functions(&functions, &infra.image_function),
        conformance::cdn::cdn(&cdn, &infra.distribution_id, &certs, &issue),
        conformance::certificates::certificates(&certs, &issue),
    );
}

#[tokio::test]
async fn key_value_store() {
    let (_dir, cloud) = open();
    let kvs = cloud.kvs();
    kvs.ensure_store("anchor-router").await.unwrap();
    conformance::kvs::run(&kvs, "anchor-router").await;
}

/// The 5 MB store limit: the update that would pass it is refused whole.
#[tokio::test]
async fn a_full_key_value_store_refuses_the_update_that_would_overflow_it() {
    use anchor_core::error::Error;
    use anchor_core::traits::{KeyValueStore, KvsUpdate, MAX_KVS_STORE_BYTES};
    let (_dir, cloud) = open();
    let kvs = cloud.kvs();
    let mut etag = kvs.ensure_store("full").await.unwrap().etag;
    let value = "v".repeat(1000);
    let mut n = 0;
    let refused = loop {
        let puts = (0..50)
            .map(|i| (format!("k{:06}", n * 50 + i), value.clone()))
            .collect();
        let update = KvsUpdate {
            puts,
            deletes: vec![],
        };
        match kvs.update("full", &update, &etag).await {
            Ok(next) => etag = next,
            Err(e) => break e,
        }
        n += 1;
        assert!(n < 200, "5 MB was never refused");
    };
    assert!(
        matches!(&refused, Error::InvalidInput { field, .. } if field == "keys"),
        "{refused:?}"
    );
    let state = kvs.describe("full").await.unwrap();
    assert_eq!(state.etag, etag, "the refused update changed nothing");
    assert!(state.total_bytes <= MAX_KVS_STORE_BYTES);
    assert_eq!(state.items, n * 50);
}
