//! Bad input gives a typed error naming the field or path, and changes
//! nothing: no deployment recorded, no object stored, nothing live moved.

mod common;

use std::path::Path;

use anchor_core::model::PageRequest;
use anchor_core::{Anchor, Error};
use common::{env, Env};

const P: &str = "shop";

fn object_count(a: &Anchor) -> usize {
    let root = a.local_cloud().unwrap().root().join("objects");
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count()
}

async fn deploy_fails(env: &Env, dir: &Path) -> Error {
    let a = &env.plain;
    let live = a.active_deployment(P).await.unwrap().map(|d| d.id);
    let history = a.history(P, &PageRequest::first(100)).await.unwrap().items;
    let objects = object_count(a);
    let err = a.deployer(P, dir).execute().await.unwrap_err();
    assert_eq!(
        a.active_deployment(P).await.unwrap().map(|d| d.id),
        live,
        "live changed"
    );
    assert_eq!(
        a.history(P, &PageRequest::first(100)).await.unwrap().items,
        history,
        "history changed"
    );
    assert_eq!(object_count(a), objects, "objects changed");
    err
}

fn assert_build_error(err: Error, path_ends_with: &str, reason_has: &str) {
    match err {
        Error::InvalidBuild { path, reason } => {
            assert!(
                path.ends_with(path_ends_with),
                "path {} should end with {path_ends_with}",
                path.display()
            );
            assert!(
                reason.contains(reason_has),
                "reason {reason:?} should mention {reason_has:?}"
            );
        }
        other => panic!("expected InvalidBuild, got {other:?}"),
    }
}

async fn ready() -> Env {
    let env = env().await;
    env.plain.create_project(P).await.unwrap();
    env.plain
        .deployer(P, env.build("good"))
        .execute()
        .await
        .unwrap();
    env
}

#[tokio::test]
async fn missing_output_manifest() {
    let env = ready().await;
    let dir = env.build("no-manifest");
    std::fs::remove_file(dir.join("open-next.output.json")).unwrap();
    assert_build_error(deploy_fails(&env, &dir).await, "open-next.output.json", "");
}

#[tokio::test]
async fn malformed_output_manifest() {
    let env = ready().await;
    let dir = env.build("malformed");
    std::fs::write(dir.join("open-next.output.json"), "{\"origins\": [1, 2").unwrap();
    assert_build_error(
        deploy_fails(&env, &dir).await,
        "open-next.output.json",
        "line",
    );
}

#[tokio::test]
async fn behaviour_pointing_at_an_unknown_origin() {
    let env = ready().await;
    let dir = env.build("unknown-origin");
    let path = dir.join("open-next.output.json");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"origin\":\"s3\"", "\"origin\":\"nowhere\"");
    std::fs::write(&path, text).unwrap();
    assert_build_error(
        deploy_fails(&env, &dir).await,
        "open-next.output.json",
        "origin",
    );
}

#[tokio::test]
async fn missing_bundle_folder() {
    let env = ready().await;
    let dir = env.build("no-server");
    std::fs::remove_dir_all(dir.join("server-functions/default")).unwrap();
    assert_build_error(
        deploy_fails(&env, &dir).await,
        "server-functions/default",
        "",
    );
}

#[tokio::test]
async fn bundle_path_that_climbs_out() {
    let env = ready().await;
    let dir = env.build("climb");
    let path = dir.join("open-next.output.json");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        ".open-next/image-optimization-function",
        ".open-next/../../../../etc",
    );
    std::fs::write(&path, text).unwrap();
    let err = deploy_fails(&env, &dir).await;
    assert!(
        matches!(err, Error::InvalidBuild { ref reason, .. } if reason.contains("..") || reason.contains("outside")),
        "{err:?}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn symlink_that_escapes_the_build() {
    let env = ready().await;
    let dir = env.build("escape");
    let secret = env.tmp.path().join("secret.txt");
    std::fs::write(&secret, "not for the CDN").unwrap();
    std::os::unix::fs::symlink(&secret, dir.join("assets/leak.txt")).unwrap();
    assert_build_error(deploy_fails(&env, &dir).await, "assets/leak.txt", "");
}

#[tokio::test]
async fn missing_build_id() {
    let env = ready().await;
    let dir = env.build("no-build-id");
    std::fs::remove_file(dir.join("assets/BUILD_ID")).unwrap();
    assert_build_error(deploy_fails(&env, &dir).await, "BUILD_ID", "");
}

#[tokio::test]
async fn not_a_build_folder() {
    let env = ready().await;
    let err = deploy_fails(&env, &env.tmp.path().join("does-not-exist")).await;
    assert!(matches!(err, Error::InvalidBuild { .. }), "{err:?}");
}

#[tokio::test]
async fn bad_project_names_and_unknown_projects() {
    let env = ready().await;
    let a = &env.plain;
    for bad in [
        "",
        "Shop",
        "1shop",
        "shop_",
        "shop-",
        "a".repeat(49).as_str(),
    ] {
        let err = a.create_project(bad).await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { ref field, .. } if field == "project"),
            "{bad}: {err:?}"
        );
    }
    let err = a
        .deployer("ghost", env.build("good"))
        .execute()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    // A project that does not exist has no history, not an empty one.
    let err = a
        .history("ghost", &PageRequest::first(20))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = a
        .rollback_history("ghost", &PageRequest::first(20))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let err = a
        .history(
            P,
            &PageRequest {
                limit: 0,
                cursor: None,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref field, .. } if field == "limit"),
        "{err:?}"
    );
    let err = a
        .history(
            P,
            &PageRequest {
                limit: 5,
                cursor: Some("garbage".into()),
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { ref field, .. } if field == "cursor"),
        "{err:?}"
    );
}
