//! Upgrading in place on the embedded default: a project provisioned
//! before the edge router (behaviours to the `live` aliases) is converged
//! by `create_project`, keeps serving its live deployment through the
//! router, and rolls back across the upgrade with one pointer write.

use crate::common;
use crate::edge_support;

use anchor_core::edge::{EdgeOptions, EdgeServer};
use anchor_core::model::{DistributionLayout, RouteTarget};
use anchor_core::router::RouterKeys;
use anchor_core::traits::{FunctionUrlAuth, KeyValueStore};
use anchor_core::{Anchor, LocalOptions};
use bytes::Bytes;
use common::{build_copy, make_variant};
use edge_support::{get, send};

const P: &str = "shop";

async fn open(dir: &std::path::Path, router: bool) -> Anchor {
    let options = LocalOptions {
        router,
        ..LocalOptions::default()
    };
    Anchor::local_with(dir, options).await.unwrap()
}

/// The value of `key` in the router's store.
async fn router_value(a: &Anchor, key: &str) -> Option<String> {
    let cloud = a.local_cloud().unwrap();
    cloud
        .kvs()
        .get(anchor_core::local::ROUTER_STORE, key)
        .await
        .unwrap()
}

#[tokio::test]
async fn create_project_upgrades_a_project_made_before_the_router_and_rollback_crosses_it() {
    let dir = tempfile::tempdir().unwrap();
    let builds = tempfile::tempdir().unwrap();
    let v1_dir = build_copy(builds.path(), "v1");
    let v2_dir = build_copy(builds.path(), "v2");
    make_variant(&v2_dir, "two");

    // Before: the behaviours layout, two deployments, v2 live.
    let before = open(dir.path(), false).await;
    let made = before.create_project(P).await.unwrap();
    assert_eq!(made.infrastructure.layout(), DistributionLayout::Behaviours);
    let v1 = before.deployer(P, &v1_dir).execute().await.unwrap();
    let v2 = before.deployer(P, &v2_dir).execute().await.unwrap();
    let dist = made.infrastructure.distribution_id.clone();
    let keys = RouterKeys::new(&dist).unwrap();
    assert_eq!(router_value(&before, &keys.live()).await, None);
    drop(before);

    // The upgrade: the live deployment is published as its own origin and
    // the pointer set before the distribution routes through the router.
    let after = open(dir.path(), true).await;
    let upgraded = after.create_project(P).await.unwrap();
    assert_eq!(upgraded.infrastructure.layout(), DistributionLayout::Router);
    assert!(
        upgraded.last_switch.is_none(),
        "the last switch is settled first"
    );
    assert_eq!(upgraded.active_deployment.as_ref(), Some(&v2.id));
    assert_eq!(
        router_value(&after, &keys.live()).await.as_deref(),
        Some(v2.id.as_str())
    );
    assert!(router_value(&after, &keys.deployment(&v2.id))
        .await
        .is_some());
    let routes = after
        .local_cloud()
        .unwrap()
        .cdn()
        .routes(&dist)
        .await
        .unwrap();
    assert_eq!(routes, DistributionLayout::Router.routes(Vec::new()));
    assert!(
        routes
            .iter()
            .all(|r| !matches!(r.target, RouteTarget::Assets { immutable: false })),
        "public files are routed per deployment, not by behaviours: {routes:?}"
    );

    // Again: nothing changes.
    let again = after.create_project(P).await.unwrap();
    assert_eq!(again, upgraded);

    // A rollback to a deployment made before the upgrade: its origins are
    // published on the way, and the pointer moves with no invalidation.
    let invalidations_before = after
        .local_cloud()
        .unwrap()
        .cdn()
        .invalidations_after(&dist, 0)
        .await
        .unwrap()
        .len();
    let back = after.rollback(P).execute().await.unwrap();
    assert_eq!(back.to.id, v1.id);
    assert_eq!(
        router_value(&after, &keys.live()).await.as_deref(),
        Some(v1.id.as_str())
    );
    assert!(router_value(&after, &keys.deployment(&v1.id))
        .await
        .is_some());
    let invalidations_after = after
        .local_cloud()
        .unwrap()
        .cdn()
        .invalidations_after(&dist, 0)
        .await
        .unwrap()
        .len();
    assert_eq!(invalidations_after, invalidations_before);
    assert_eq!(
        after.active_deployment(P).await.unwrap().map(|d| d.id),
        Some(v1.id)
    );
}

#[tokio::test]
async fn a_backend_without_the_router_leaves_projects_as_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(dir.path(), false).await;
    let made = a.create_project(P).await.unwrap();
    let again = a.create_project(P).await.unwrap();
    assert_eq!(again, made);
    assert_eq!(
        again.infrastructure.layout(),
        DistributionLayout::Behaviours
    );
}

/// The routing entry of `id` as JSON.
async fn route_of(
    a: &Anchor,
    keys: &RouterKeys,
    id: &anchor_core::model::DeploymentId,
) -> serde_json::Value {
    let value = router_value(a, &keys.deployment(id))
        .await
        .expect("a routing entry");
    serde_json::from_str(&value).unwrap()
}

/// Writes `id`'s record back without its server version's handler, as
/// Anchor wrote records before it kept one.
async fn forget_server_handler(a: &Anchor, id: &anchor_core::model::DeploymentId) {
    let d = a.deployment(P, id.as_str()).await.unwrap();
    let mut old = d.clone();
    old.revision += 1;
    if let Some(server) = old.server_version.as_mut() {
        assert!(server.handler.is_some(), "a new record keeps the handler");
        server.handler = None;
    }
    let batch = anchor_core::traits::WriteBatch {
        deployments: vec![(old, anchor_core::traits::Expect::Revision(d.revision))],
        ..Default::default()
    };
    a.backend().store.commit(batch).await.unwrap();
}

/// The host of the local Function URL of the server's `v<version>` alias.
fn direct_host(server: &EdgeServer, version: u64) -> String {
    server
        .server_function_url(version)
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

#[tokio::test]
async fn deployments_made_before_the_router_keep_a_signed_server_origin() {
    let dir = tempfile::tempdir().unwrap();
    let builds = tempfile::tempdir().unwrap();
    let v1_dir = build_copy(builds.path(), "v1");
    let v2_dir = build_copy(builds.path(), "v2");
    make_variant(&v2_dir, "two");
    let v3_dir = build_copy(builds.path(), "v3");
    make_variant(&v3_dir, "three");

    let before = open(dir.path(), false).await;
    let made = before.create_project(P).await.unwrap();
    let v1 = before.deployer(P, &v1_dir).execute().await.unwrap();
    let v2 = before.deployer(P, &v2_dir).execute().await.unwrap();
    // v1's record is as Anchor wrote it before it kept handlers: the flow
    // asks the host whether its server has the guard.
    forget_server_handler(&before, &v1.id).await;
    drop(before);
    let keys = RouterKeys::new(&made.infrastructure.distribution_id).unwrap();

    let after = open(dir.path(), true).await;
    let upgraded = after.create_project(P).await.unwrap();
    let infra = &upgraded.infrastructure;
    let functions = after.local_cloud().unwrap().functions();

    // The live deployment's server has no guard: its own URL takes only
    // what the distribution signs, its entry says so, and it has no secret.
    assert_eq!(
        functions
            .url(&infra.server_function, "v2")
            .await
            .unwrap()
            .map(|url| url.auth),
        Some(FunctionUrlAuth::AwsIam)
    );
    assert_eq!(route_of(&after, &keys, &v2.id).await["o"], 1);
    assert_eq!(router_value(&after, &keys.secret(&v2.id)).await, None);

    let server = EdgeServer::start(&after, P, EdgeOptions::default())
        .await
        .unwrap();
    let addr = server.local_addr();
    // Through the site, CloudFront signs: the app answers.
    let page = get(addr, "localhost", "/", &[]).await;
    assert_eq!(page.status, 200, "{}", page.text());
    // Straight to its Function URL, unsigned: refused before the app runs.
    let direct = get(addr, &direct_host(&server, 2), "/", &[]).await;
    assert_eq!(direct.status, 403, "{}", direct.text());
    // A POST body through the site is refused as before the upgrade (OAC
    // needs the body's hash from the viewer); no new hole, no regression.
    let post = send(
        addr,
        "POST",
        "localhost",
        "/api/echo",
        &[("content-type", "application/json")],
        Bytes::from_static(b"{}"),
    )
    .await;
    assert_eq!(post.status, 403, "{}", post.text());

    // A rollback across the upgrade publishes v1 the same way.
    let back = after.rollback(P).execute().await.unwrap();
    assert_eq!(back.to.id, v1.id);
    assert_eq!(
        functions
            .url(&infra.server_function, "v1")
            .await
            .unwrap()
            .map(|url| url.auth),
        Some(FunctionUrlAuth::AwsIam)
    );
    assert_eq!(route_of(&after, &keys, &v1.id).await["o"], 1);
    assert_eq!(router_value(&after, &keys.secret(&v1.id)).await, None);
    let page = get(addr, "localhost", "/", &[]).await;
    assert_eq!(page.status, 200, "{}", page.text());
    let direct = get(addr, &direct_host(&server, 1), "/", &[]).await;
    assert_eq!(direct.status, 403, "{}", direct.text());

    // The next deploy is guarded: an open URL that only the secret opens,
    // an entry without the mark, and POST bodies reach the app again.
    let v3 = after.deployer(P, &v3_dir).execute().await.unwrap();
    assert_eq!(v3.version, 3);
    assert_eq!(
        functions
            .url(&infra.server_function, "v3")
            .await
            .unwrap()
            .map(|url| url.auth),
        Some(FunctionUrlAuth::None)
    );
    assert!(route_of(&after, &keys, &v3.id).await.get("o").is_none());
    assert!(router_value(&after, &keys.secret(&v3.id)).await.is_some());
    let direct = get(addr, &direct_host(&server, 3), "/", &[]).await;
    assert_eq!(direct.status, 403, "{}", direct.text());
    let post = send(
        addr,
        "POST",
        "localhost",
        "/api/echo",
        &[("content-type", "application/json")],
        Bytes::from_static(b"{}"),
    )
    .await;
    assert_eq!(post.status, 200, "{}", post.text());
    server.shutdown().await;
}
