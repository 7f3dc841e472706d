//! The local edge on the real OpenNext build of `examples/nextjs-app`:
//! deploys and rollbacks show at the very next request with no restart,
//! previews have their own address, and assets, images and the API route
//! are served the way the distribution routes them.
//!
//! Needs `ANCHOR_NEXTJS_BUILD` and `ANCHOR_NEXTJS_BUILD_V2` (the test
//! command builds both and sets `ANCHOR_REQUIRE_REAL_BUILD=1`, which turns a
//! missing build into a failure instead of a skip) and `node`.

use crate::edge_support;

use std::path::PathBuf;

use anchor_core::edge::{EdgeOptions, EdgeServer};
use anchor_core::traits::{ObjectBody, ObjectStore, ProvisionOptions, PutOptions};
use anchor_core::Anchor;
use edge_support::{get, Reply};
use serde_json::Value;

const P: &str = "web";

/// The v1 and v2 builds, or `None` (the test is skipped) outside the test
/// command.
fn builds() -> Option<(PathBuf, PathBuf)> {
    anchor_testing::real_builds::v1_and_v2()
}

/// A project routed like `v1`'s `open-next.output.json`, with v1 deployed.
async fn deployed(dir: &std::path::Path, v1: &std::path::Path) -> Anchor {
    let anchor = Anchor::local(dir).await.unwrap();
    let provision = ProvisionOptions {
        routes: Anchor::routes_of_build(v1).await.unwrap(),
        ..ProvisionOptions::default()
    };
    anchor.create_project_with(P, provision).await.unwrap();
    anchor.deployer(P, v1).execute().await.unwrap();
    anchor
}

/// The page's "Hello from Anchor vN" text; shared by the edge tests.
pub(crate) fn greeting(reply: &Reply) -> String {
    let html = reply.text();
    let start = html
        .find("Hello from Anchor ")
        .unwrap_or_else(|| panic!("no greeting in the page ({}): {html:.300}", reply.status));
    html[start..start + "Hello from Anchor v1".len()].to_string()
}

#[tokio::test]
async fn a_deploy_or_rollback_shows_at_the_very_next_request_without_a_restart() {
    let Some((v1, v2)) = builds() else { return };
    let dir = tempfile::tempdir().unwrap();
    // Two handles on one folder, as `serve` and a deploy command in another
    // process would have: the edge sees only what SQLite and the files say.
    let deployer = deployed(dir.path(), &v1).await;
    let served = Anchor::local(dir.path()).await.unwrap();
    let server = EdgeServer::start(&served, P, EdgeOptions::default())
        .await
        .unwrap();
    let addr = server.local_addr();
    let page = || async move { get(addr, "localhost", "/", &[]).await };

    assert_eq!(greeting(&page().await), "Hello from Anchor v1");
    let v1_workers = server.workers();
    assert!(!v1_workers.is_empty());

    deployer.deployer(P, &v2).execute().await.unwrap();
    assert_eq!(greeting(&page().await), "Hello from Anchor v2");

    let rolled = deployer
        .rollback(P)
        .reason("edge test")
        .execute()
        .await
        .unwrap();
    assert_eq!(rolled.event.to_version, 1);
    assert_eq!(
        greeting(&page().await),
        "Hello from Anchor v1",
        "the request right after the rollback is served by v1"
    );
    let api: Value =
        serde_json::from_slice(&get(addr, "localhost", "/api/hello", &[]).await.body).unwrap();
    assert_eq!(api["version"], "v1");
    // No restart: v1's workers were kept warm through both switches.
    let still: Vec<_> = server.workers();
    assert!(
        v1_workers.iter().all(|w| still.contains(w)),
        "v1 workers {v1_workers:?} gone after the switches: {still:?}"
    );

    // A preview has its own address; the live site does not change.
    let preview = deployer
        .deployer(P, &v2)
        .promote(false)
        .execute()
        .await
        .unwrap();
    assert_eq!(preview.version, 3);
    let host = "v3.localhost";
    assert_eq!(
        greeting(&get(addr, host, "/", &[]).await),
        "Hello from Anchor v2"
    );
    assert_eq!(greeting(&page().await), "Hello from Anchor v1");
    assert_eq!(
        server.deployment_url(3),
        format!("http://v3.localhost:{}/", addr.port())
    );
    let missing = get(addr, "v99.localhost", "/", &[]).await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("no deployment v99"),
        "{}",
        missing.text()
    );

    deployer.promote(P, preview.id.as_str()).await.unwrap();
    assert_eq!(greeting(&page().await), "Hello from Anchor v2");
    server.shutdown().await;
}

#[tokio::test]
async fn assets_images_and_the_api_are_served_as_the_distribution_serves_them() {
    let Some((v1, v2)) = builds() else { return };
    let dir = tempfile::tempdir().unwrap();
    let anchor = deployed(dir.path(), &v1).await;
    let server = EdgeServer::start(&anchor, P, EdgeOptions::default())
        .await
        .unwrap();
    let addr = server.local_addr();
    let fetch = |path: String, headers: Vec<(&'static str, String)>| async move {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        get(addr, "localhost", &path, &headers).await
    };

    // A hashed chunk the page loads: immutable, with an ETag that revalidates.
    let html = fetch("/".into(), vec![]).await.text();
    let chunk = html
        .split('"')
        // With a deploymentId the page adds `?dpl=<id>` to each chunk.
        .find(|s| {
            s.starts_with("/_next/static/chunks/")
                && s.split('?').next().is_some_and(|p| p.ends_with(".js"))
        })
        .expect("the page loads a chunk")
        .to_string();
    let js = fetch(chunk.clone(), vec![]).await;
    assert_eq!(js.status, 200);
    assert_eq!(
        js.header("cache-control"),
        Some("public,max-age=31536000,immutable")
    );
    assert!(js.header("content-type").unwrap().contains("javascript"));
    // S3 sends Last-Modified; OpenNext reads an ISR entry's age from it.
    assert!(
        httpdate::parse_http_date(js.header("last-modified").unwrap()).is_ok(),
        "{:?}",
        js.header("last-modified")
    );
    let etag = js.header("etag").unwrap().to_string();
    assert_eq!(
        fetch(chunk.clone(), vec![("if-none-match", etag)])
            .await
            .status,
        304
    );

    // CachingOptimized on the asset behaviour: the second request is a hit,
    // and a viewer that accepts brotli gets it, with a weak ETag.
    assert_eq!(js.header("x-cache"), Some("Miss from cloudfront"));
    let again = fetch(chunk.clone(), vec![]).await;
    assert_eq!(again.header("x-cache"), Some("Hit from cloudfront"));
    assert_eq!(again.body, js.body);
    let brotli = || fetch(chunk.clone(), vec![("accept-encoding", "gzip, br".into())]);
    let compressed = brotli().await;
    assert_eq!(compressed.header("content-encoding"), Some("br"));
    assert!(compressed.body.len() < js.body.len());
    assert!(compressed.header("etag").unwrap().starts_with("W/"));
    assert_eq!(
        brotli().await.header("x-cache"),
        Some("Hit from cloudfront")
    );

    // A missing hashed file: S3 behind an origin access control hides it.
    let missing = fetch("/_next/static/nope.js".into(), vec![]).await;
    assert_eq!(missing.status, 403, "{}", missing.text());
    assert!(
        missing.text().contains("AccessDenied"),
        "{}",
        missing.text()
    );
    assert_eq!(missing.header("x-cache"), Some("Error from cloudfront"));

    // Public files: the router sends them to the live deployment's own
    // folder in the bucket, cached under a key that carries the deployment.
    let robots = fetch("/robots.txt".into(), vec![]).await;
    assert_eq!(robots.status, 200, "{}", robots.text());
    assert_eq!(
        robots.body.as_ref(),
        std::fs::read(v1.join("assets/robots.txt")).unwrap()
    );
    assert_eq!(robots.header("x-cache"), Some("Miss from cloudfront"));
    let again = fetch("/robots.txt".into(), vec![]).await;
    assert_eq!(again.header("x-cache"), Some("Hit from cloudfront"));
    let build_id = fetch("/BUILD_ID".into(), vec![]).await;
    assert_eq!(
        build_id.body.as_ref(),
        std::fs::read(v1.join("assets/BUILD_ID")).unwrap()
    );
    let png = fetch("/images/anchor.png".into(), vec![]).await;
    assert_eq!(png.header("content-type"), Some("image/png"));
    assert_eq!(
        png.body.as_ref(),
        std::fs::read(v1.join("assets/images/anchor.png")).unwrap()
    );

    // next/image goes through the image function, which reads the source
    // image from the object store through the workers' loopback endpoint.
    let page = fetch("/image".into(), vec![]).await.text();
    let src = page
        .split('"')
        .find(|s| s.starts_with("/_next/image?url="))
        .expect("the image page uses next/image")
        .split(' ') // a srcSet lists "<url> 1x, <url> 2x"
        .next()
        .unwrap_or_default()
        .replace("&amp;", "&");
    let image = fetch(src.clone(), vec![]).await;
    assert_eq!(image.status, 200, "{src}: {}", image.text());
    assert!(image.header("content-type").unwrap().starts_with("image/"));
    assert!(
        image.body.len() > 100,
        "{src} returned {} bytes",
        image.body.len()
    );

    let api = fetch("/api/hello".into(), vec![]).await;
    assert!(api
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let json: Value = serde_json::from_slice(&api.body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"message": "hello", "version": "v1"})
    );
    assert_eq!(fetch("/dynamic".into(), vec![]).await.status, 200);

    // After v2 goes live, a v1 page's chunk is still there (hashed files
    // are shared), and the public files are v2's at the next request: the
    // cache key changed with the deployment, with no invalidation.
    anchor.deployer(P, &v2).execute().await.unwrap();
    assert_eq!(fetch(chunk, vec![]).await.status, 200);
    // BUILD_ID is no witness: with a deploymentId, Next 16 writes the same
    // constant one for every build. The builds' version.txt differs.
    let version = fetch("/version.txt".into(), vec![]).await;
    assert_eq!(
        version.body.as_ref(),
        std::fs::read(v2.join("assets/version.txt")).unwrap()
    );
    assert_ne!(
        std::fs::read(v1.join("assets/version.txt")).unwrap(),
        std::fs::read(v2.join("assets/version.txt")).unwrap()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn the_server_function_reads_its_isr_cache_from_the_object_store() {
    let Some((v1, _)) = builds() else { return };
    let dir = tempfile::tempdir().unwrap();
    let anchor = deployed(dir.path(), &v1).await;
    // Change the home page's cache entry where the deploy stored it (the
    // object store keeps it under <prefix>/_cache/<build id>/...).
    let entry = walkdir::WalkDir::new(v1.join("cache"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.path().ends_with("$/index.cache"))
        .expect("the build caches the home page");
    let rel = entry.path().strip_prefix(v1.join("cache")).unwrap();
    let key = format!("{P}/_cache/{}", rel.display());
    let original = std::fs::read_to_string(entry.path()).unwrap();
    let changed = original.replace("Hello from Anchor v1", "Hello from Anchor C1");
    assert_ne!(original, changed);
    let objects = anchor.local_cloud().unwrap().objects();
    let stored = objects
        .head(&key)
        .await
        .unwrap()
        .expect("the deploy stored the cache entry");
    let options = PutOptions {
        content_type: stored.content_type,
        ..Default::default()
    };
    objects
        .put(&key, ObjectBody::Bytes(changed.into_bytes()), &options)
        .await
        .unwrap();

    let server = EdgeServer::start(&anchor, P, EdgeOptions::default())
        .await
        .unwrap();
    let page = get(server.local_addr(), "localhost", "/", &[]).await;
    assert_eq!(
        greeting(&page),
        "Hello from Anchor C1",
        "the page came from the stored cache entry"
    );
    server.shutdown().await;
}

/// Each deployment's origin secret in version order, read where only the
/// router and the function read it: the router's store and the server
/// version's environment, which must agree.
async fn deployment_secrets(anchor: &Anchor) -> Vec<String> {
    use anchor_core::model::ORIGIN_SECRET_ENV;
    use anchor_core::router::RouterKeys;
    use anchor_core::traits::KeyValueStore;

    let project = anchor.project(P).await.unwrap();
    let infra = &project.infrastructure;
    let store = &infra.router.as_ref().expect("routed").store;
    let keys = RouterKeys::new(&infra.distribution_id).unwrap();
    let cloud = anchor.local_cloud().expect("the embedded default");
    let mut deployments = anchor
        .history(P, &anchor_core::model::PageRequest::default())
        .await
        .unwrap()
        .items;
    deployments.sort_by_key(|d| d.version);
    let mut secrets = Vec::new();
    for d in deployments {
        let stored = cloud
            .kvs()
            .get(store, &keys.secret(&d.id))
            .await
            .unwrap()
            .expect("a routed deployment has a secret key");
        let server = d.server_version.unwrap();
        let runnable = cloud
            .functions()
            .runnable(&server.function, &server.version)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            runnable.environment.get(ORIGIN_SECRET_ENV),
            Some(&stored),
            "the router sends the secret the version checks"
        );
        secrets.push(stored);
    }
    secrets
}

#[tokio::test]
async fn the_server_function_url_refuses_what_skips_the_distribution() {
    let Some((v1, v2)) = builds() else { return };
    let dir = tempfile::tempdir().unwrap();
    let anchor = deployed(dir.path(), &v1).await;
    // A second deployment, not live: it has a secret of its own.
    anchor
        .deployer(P, &v2)
        .promote(false)
        .execute()
        .await
        .unwrap();
    let secrets = deployment_secrets(&anchor).await;
    assert_eq!(secrets.len(), 2);
    assert_ne!(
        secrets[0], secrets[1],
        "every deployment has its own secret"
    );
    assert!(
        !format!("{:?}", anchor.project(P).await.unwrap()).contains(&secrets[0]),
        "the project record holds no secret"
    );
    let (secret, other) = (&secrets[0], &secrets[1]);
    let server = EdgeServer::start(&anchor, P, EdgeOptions::default())
        .await
        .unwrap();
    let addr = server.local_addr();
    let url = server.server_function_url(1);
    let direct_host = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    assert!(
        direct_host.starts_with("web-server--v1.lambda-url."),
        "{url}"
    );

    // Through the distribution, the router adds the secret: the app answers.
    let routed = get(addr, "localhost", "/api/hello", &[]).await;
    assert_eq!(routed.status, 200, "{}", routed.text());

    // Straight to the Function URL (auth NONE), the guard refuses it before
    // the app runs: no secret, a wrong one, or one a viewer sent the edge.
    let bare = get(addr, &direct_host, "/api/hello", &[]).await;
    assert_eq!(bare.status, 403, "{}", bare.text());
    assert!(bare.text().contains("Forbidden"), "{}", bare.text());
    let wrong = get(
        addr,
        &direct_host,
        "/api/hello",
        &[("x-anchor-origin-secret", "0".repeat(64).as_str())],
    )
    .await;
    assert_eq!(wrong.status, 403);
    // The right secret passes the guard: the 403s above are the guard's.
    let right = get(
        addr,
        &direct_host,
        "/api/hello",
        &[("x-anchor-origin-secret", secret.as_str())],
    )
    .await;
    assert_eq!(right.status, 200, "{}", right.text());
    // Another deployment's secret does not open this one's URL.
    let crossed = get(
        addr,
        &direct_host,
        "/api/hello",
        &[("x-anchor-origin-secret", other.as_str())],
    )
    .await;
    assert_eq!(crossed.status, 403, "{}", crossed.text());

    // The image function's URL is AWS_IAM: unsigned, Lambda refuses it.
    let image_host = direct_host.replacen("web-server--", "web-image--", 1);
    let image = get(addr, &image_host, "/_next/image", &[]).await;
    assert_eq!(image.status, 403);
}
