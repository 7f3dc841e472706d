//! Deploy, redeploy and roll back the real OpenNext build of
//! `examples/nextjs-app` on the embedded default.
//!
//! The test command builds v1 and v2 of the app and names them in
//! `ANCHOR_NEXTJS_BUILD` and `ANCHOR_NEXTJS_BUILD_V2`; without them this
//! runs on the committed fixture trimmed from that build (and a variant of it).

use crate::common;

use anchor_core::model::DeploymentStatus;
use common::{check_invariants, env, real_build_or_fixture};

const P: &str = "nextjs-app";

fn files_under(dir: &std::path::Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count() as u64
}

#[tokio::test]
async fn the_example_app_deploys_redeploys_and_rolls_back() {
    let env = env().await;
    let a = &env.plain;
    a.create_project(P).await.unwrap();
    let v1_dir = real_build_or_fixture();
    let v2_dir = common::v2_build_or_variant(&v1_dir, env.tmp.path());

    let v1 = a.deployer(P, &v1_dir).execute().await.unwrap();
    let build_id = std::fs::read_to_string(v1_dir.join("assets/BUILD_ID")).unwrap();
    assert_eq!(v1.build_id, build_id.trim());
    assert_eq!(
        v1.assets.files,
        files_under(&v1_dir.join("assets")) + files_under(&v1_dir.join("cache"))
    );
    let objects = &a.backend().objects;
    let robots = objects
        .get(&format!("{}/robots.txt", v1.assets_path))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        robots,
        std::fs::read(v1_dir.join("assets/robots.txt")).unwrap()
    );
    let prefix = &a.project(P).await.unwrap().infrastructure.asset_prefix;

    let v2 = a.deployer(P, &v2_dir).execute().await.unwrap();
    assert_eq!(v2.status, DeploymentStatus::Live);
    assert_ne!(
        v2.server_version, v1.server_version,
        "the app changed, so the server is republished"
    );
    assert!(
        v2.assets.copied_files + v2.assets.skipped_files > 0,
        "shared content is not re-sent: {:?}",
        v2.assets
    );
    assert!(
        v2.assets.uploaded_bytes < v1.assets.uploaded_bytes,
        "{:?} vs {:?}",
        v2.assets,
        v1.assets
    );
    // The router's cache key carries the deployment: the page at / needs no
    // invalidation to change (issue 15).
    assert!(
        v2.invalidation_id.is_none() && v2.invalidation_error.is_none(),
        "{:?}",
        v2.invalidation_id
    );
    check_invariants(a, P).await;

    let back = a
        .rollback(P)
        .reason("v2 regressed")
        .execute()
        .await
        .unwrap();
    assert_eq!(back.to.id, v1.id);
    assert_eq!(a.active_deployment(P).await.unwrap().unwrap().id, v1.id);
    // The prerendered home page of the live build says v1.
    let page = walkdir::WalkDir::new(v1_dir.join("cache"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name() == "index.cache")
        .expect("the build prerenders /");
    let rel = page
        .path()
        .strip_prefix(v1_dir.join("cache"))
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/");
    let html = objects
        .get(&format!("{prefix}/_cache/{rel}"))
        .await
        .unwrap()
        .expect("cache entry stored");
    assert!(String::from_utf8_lossy(&html).contains("Hello from Anchor v1"));
    check_invariants(a, P).await;
}
