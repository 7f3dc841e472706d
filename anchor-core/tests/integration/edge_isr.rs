//! ISR and on-demand revalidation on the local edge with the real OpenNext
//! build of `examples/nextjs-app`: `/isr` (revalidate = 5 s) renders again
//! after its revalidate time; `/isr-on-demand` renders again after
//! `POST /api/revalidate`, whose CDN invalidation purges the edge cache;
//! the workers' AWS endpoint refuses writes outside the ISR cache and
//! invalidations of other distributions, and a FIFO queue delivers a
//! duplicate message once.
//!
//! Needs `ANCHOR_NEXTJS_BUILD` (built with the example's
//! `open-next.config.ts`, whose `cloudfront` CDN invalidation the on-demand
//! case relies on) and `node`; skipped without the build, failed without it
//! when `ANCHOR_REQUIRE_REAL_BUILD` is set.

use crate::edge_support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anchor_core::edge::{EdgeOptions, EdgeServer};
use anchor_core::model::Deployment;
use anchor_core::traits::{ObjectStore, ProvisionOptions};
use anchor_core::Anchor;
use anchor_testing::real_builds;
use bytes::Bytes;
use edge_support::{get, send, Reply};
use serde_json::{json, Value};

const P: &str = "web";
/// How long a page may take to show a newer render.
const RENDER_WAIT: Duration = Duration::from_secs(30);

fn build() -> Option<PathBuf> {
    real_builds::real_build(real_builds::V1)
}

/// A project routed like the build's output, with the build deployed and
/// served.
async fn served(dir: &Path, v1: &Path) -> (Anchor, Deployment, EdgeServer) {
    let anchor = Anchor::local(dir).await.unwrap();
    let provision = ProvisionOptions {
        routes: Anchor::routes_of_build(v1).await.unwrap(),
        ..ProvisionOptions::default()
    };
    anchor.create_project_with(P, provision).await.unwrap();
    let deployment = anchor.deployer(P, v1).execute().await.unwrap();
    let server = EdgeServer::start(&anchor, P, EdgeOptions::default())
        .await
        .unwrap();
    (anchor, deployment, server)
}

/// The render time `path` shows in its `<time id="rendered-at">`.
async fn rendered_at(addr: SocketAddr, path: &str) -> String {
    let reply = get(addr, "localhost", path, &[]).await;
    assert_eq!(reply.status, 200, "GET {path}: {}", reply.text());
    let html = reply.text();
    let start = html
        .find("<time id=\"rendered-at\"")
        .and_then(|i| html[i..].find('>').map(|j| i + j + 1))
        .unwrap_or_else(|| panic!("GET {path} shows no render time: {html:.300}"));
    let end = start + html[start..].find('<').unwrap_or(0);
    html[start..end].to_string()
}

/// Polls `path` until it shows a render other than `before`.
async fn newer_render(addr: SocketAddr, path: &str, before: &str) -> String {
    let deadline = Instant::now() + RENDER_WAIT;
    loop {
        let now = rendered_at(addr, path).await;
        if now != before {
            return now;
        }
        assert!(
            Instant::now() < deadline,
            "{path} still shows the render of {before} after {RENDER_WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// The workers' AWS endpoint's address.
fn endpoint(server: &EdgeServer) -> SocketAddr {
    server
        .aws_endpoint_url()
        .trim_start_matches("http://")
        .parse()
        .unwrap()
}

async fn aws_call(
    server: &EdgeServer,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    send(
        endpoint(server),
        method,
        "localhost",
        path,
        headers,
        Bytes::from(body.to_string()),
    )
    .await
}

#[tokio::test]
async fn an_isr_page_renders_again_after_its_revalidate_time() {
    let Some(v1) = build() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_anchor, _, server) = served(dir.path(), &v1).await;
    let addr = server.local_addr();

    let first = rendered_at(addr, "/isr").await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let later = newer_render(addr, "/isr", &first).await;
    assert!(
        later > first,
        "the newer render {later} is later than {first}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn revalidate_path_purges_the_edge_and_the_page_renders_again() {
    let Some(v1) = build() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_anchor, _, server) = served(dir.path(), &v1).await;
    let addr = server.local_addr();

    let first = rendered_at(addr, "/isr-on-demand").await;
    assert_eq!(
        rendered_at(addr, "/isr-on-demand").await,
        first,
        "an hour's revalidate keeps the page as it is"
    );
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let reply = send(
        addr,
        "POST",
        "localhost",
        "/api/revalidate",
        &[("content-type", "application/json")],
        Bytes::from(json!({"path": "/isr-on-demand"}).to_string()),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let answer: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(answer["revalidated"], true);
    newer_render(addr, "/isr-on-demand", &first).await;
    server.shutdown().await;
}

#[tokio::test]
async fn the_aws_endpoint_grants_only_what_the_functions_role_grants() {
    let Some(v1) = build() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (anchor, _, server) = served(dir.path(), &v1).await;
    let objects = anchor.local_cloud().unwrap().objects();

    // A hashed asset the deploy stored, outside the ISR cache.
    let static_dir = v1.join("assets/_next/static");
    let asset = walkdir::WalkDir::new(&static_dir)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_type().is_file())
        .expect("the build has hashed assets");
    let rel = asset.path().strip_prefix(v1.join("assets")).unwrap();
    let key = format!("{P}/{}", rel.display());
    let before = objects
        .get(&key)
        .await
        .unwrap()
        .expect("the deploy stored it");

    let put = aws_call(
        &server,
        "PUT",
        &format!("/anchor-local-assets/{key}?x-id=PutObject"),
        &[("content-type", "application/javascript")],
        "overwritten",
    )
    .await;
    assert_eq!(put.status, 403);
    assert!(
        put.text().contains("<Code>AccessDenied</Code>"),
        "{}",
        put.text()
    );
    let delete = aws_call(
        &server,
        "DELETE",
        &format!("/anchor-local-assets/{key}?x-id=DeleteObject"),
        &[],
        "",
    )
    .await;
    assert_eq!(delete.status, 403);
    assert_eq!(
        objects.get(&key).await.unwrap(),
        Some(before),
        "nothing changed"
    );

    // Another distribution's invalidation is refused; the project's is made.
    let batch = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><InvalidationBatch xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Paths><Quantity>1</Quantity><Items><Path>/isr</Path></Items></Paths><CallerReference>edge-isr-1</CallerReference></InvalidationBatch>";
    let other = aws_call(
        &server,
        "POST",
        "/2020-05-31/distribution/E0THER/invalidation",
        &[],
        batch,
    )
    .await;
    assert_eq!(other.status, 403);
    assert!(
        other.text().contains("<Code>AccessDenied</Code>"),
        "{}",
        other.text()
    );
    let own = anchor
        .project(P)
        .await
        .unwrap()
        .infrastructure
        .distribution_id;
    let made = aws_call(
        &server,
        "POST",
        &format!("/2020-05-31/distribution/{own}/invalidation"),
        &[],
        batch,
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text());
    assert!(made.text().contains("<Path>/isr</Path>"), "{}", made.text());
    let recorded = anchor
        .local_cloud()
        .unwrap()
        .cdn()
        .invalidations_after(&own, 0)
        .await
        .unwrap();
    assert!(
        recorded.iter().any(|i| i.paths == ["/isr"]),
        "the invalidation reached the local CDN: {recorded:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_duplicate_message_within_five_minutes_is_delivered_once() {
    let Some(v1) = build() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_anchor, deployment, server) = served(dir.path(), &v1).await;
    let addr = server.local_addr();
    let ulid = deployment
        .id
        .as_str()
        .trim_start_matches("dpl_")
        .to_string();
    let queue = format!("{}/000000000000/{P}-{ulid}.fifo", server.aws_endpoint_url());
    // What OpenNext's server sends for a stale page; the revalidation
    // function asks the site to render it again.
    let message = json!({
        "host": format!("localhost:{}", addr.port()),
        "url": "/isr",
        "eTag": "probe",
        "lastModified": 0,
    })
    .to_string();
    let send_message = || async {
        let body = json!({
            "QueueUrl": queue,
            "MessageBody": message,
            "MessageDeduplicationId": "edge-isr-probe",
            "MessageGroupId": "/isr",
        })
        .to_string();
        let reply = aws_call(
            &server,
            "POST",
            "/",
            &[
                ("x-amz-target", "AmazonSQS.SendMessage"),
                ("content-type", "application/x-amz-json-1.0"),
            ],
            &body,
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        serde_json::from_slice::<Value>(&reply.body).unwrap()["MessageId"].clone()
    };
    let first = send_message().await;
    let second = send_message().await;
    assert_eq!(first, second, "the duplicate gets the first message's id");

    let function = format!("{P}-revalidation");
    let deadline = Instant::now() + RENDER_WAIT;
    while server.worker_counts(&function, "1").invoked == 0 {
        assert!(Instant::now() < deadline, "the message was never delivered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Long enough for a second delivery, or a retry, to show.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(server.worker_counts(&function, "1").invoked, 1);
    server.shutdown().await;
}
