//! Runs every conformance suite against the local cloud.

use std::sync::Arc;

use anchor_core::clock::SystemClock;
use anchor_core::conformance;
use anchor_core::local::LocalCloud;
use anchor_core::model::{Infrastructure, ProjectName};
use anchor_core::traits::{ProvisionOptions, Provisioner};
use futures::future::BoxFuture;

fn open() -> (tempfile::TempDir, LocalCloud) {
    let dir = tempfile::tempdir().unwrap();
    let cloud = LocalCloud::open(dir.path(), Arc::new(SystemClock)).unwrap();
    (dir, cloud)
}

/// The local CA issues on request; a real CA would need DNS records.
fn issuer(cloud: &LocalCloud) -> impl Fn(String) -> BoxFuture<'static, ()> + Send + Sync {
    let ca = cloud.certificates();
    move |id| {
        let ca = ca.clone();
        Box::pin(async move { ca.validate(&id).await.unwrap() })
    }
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
    conformance::certificates::certificates(&cloud.certificates(), &issuer(&cloud)).await;
}

#[tokio::test]
async fn cdn() {
    let (_dir, cloud) = open();
    let infra = provisioned(&cloud, "conformance").await;
    conformance::cdn::cdn(
        &cloud.cdn(),
        &infra.distribution_id,
        &cloud.certificates(),
        &issuer(&cloud),
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
    let issue = issuer(&cloud);
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
