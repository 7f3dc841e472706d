//! Tests of the OpenNext build reader against the committed fixture (a
//! trimmed real build), the real build named by `ANCHOR_NEXTJS_BUILD` when
//! set, and hostile or broken trees made in temp folders.

#[path = "opennext_build/hostile.rs"]
mod hostile;
#[path = "opennext_build/layout.rs"]
mod layout;
#[path = "opennext_build/manifest.rs"]
mod manifest;
#[path = "opennext_build/zips.rs"]
mod zips;

use std::fs;
use std::path::{Path, PathBuf};

use anchor_core::opennext::{
    OpenNextBuild, CACHE_CONTROL_IMMUTABLE, CACHE_CONTROL_REVALIDATE, DEFAULT_ORIGIN, IMAGE_ORIGIN,
};
use anchor_core::Error;

/// The committed fixture: a real `@opennextjs/aws` 4.1.16 build, trimmed.
pub fn fixture() -> PathBuf {
    anchor_testing::fixture::fixture_build()
}

/// A writable copy of the fixture at `<tmp>/.open-next`.
pub fn fixture_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(".open-next");
    copy_dir(&fixture(), &dir);
    (tmp, dir)
}

/// Copies a folder of regular files recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    anchor_testing::fixture::copy_tree(from, to).expect("copy");
}

/// Writes `content` at `path`, creating parent folders.
pub fn write(path: &Path, content: &[u8]) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, content).expect("write");
}

/// Asserts `result` is `InvalidBuild` naming exactly `path`, with a reason
/// containing `needle`; returns the reason.
#[track_caller]
pub fn assert_invalid<T: std::fmt::Debug>(
    result: anchor_core::Result<T>,
    path: &Path,
    needle: &str,
) -> String {
    match result {
        Err(Error::InvalidBuild { path: p, reason }) => {
            assert_eq!(p, path, "wrong path; reason: {reason}");
            assert!(
                reason.contains(needle),
                "reason {reason:?} does not contain {needle:?}"
            );
            reason
        }
        other => panic!("expected InvalidBuild at {}, got {other:?}", path.display()),
    }
}

#[test]
fn reads_the_fixture() {
    let build = OpenNextBuild::read(&fixture()).expect("fixture reads");
    assert_eq!(build.build_id(), "3NbJHzSZhx-0iudULzMLZ");
    let keys: Vec<&str> = build.assets().iter().map(|a| a.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "BUILD_ID",
            "_next/static/3NbJHzSZhx-0iudULzMLZ/_buildManifest.js",
            "_next/static/3NbJHzSZhx-0iudULzMLZ/_ssgManifest.js",
            "_next/static/chunks/3zt_16xndew4w.js",
            "_next/static/media/anchor.1e7q_t_tgz5r2.png",
            "favicon.ico",
            "images/anchor.png",
            "robots.txt",
        ]
    );
    for a in build.assets() {
        let hashed = a.key.starts_with("_next/static/");
        assert_eq!(a.is_hashed, hashed, "{}", a.key);
        let want = if hashed {
            CACHE_CONTROL_IMMUTABLE
        } else {
            CACHE_CONTROL_REVALIDATE
        };
        assert_eq!(a.cache_control, want, "{}", a.key);
        assert!(!a.is_html);
        let bytes = fs::read(&a.path).expect("read asset");
        assert_eq!(a.size, bytes.len() as u64);
        assert_eq!(a.sha256, sha256_hex(&bytes), "{}", a.key);
    }
    let by_key = |k: &str| build.assets().iter().find(|a| a.key == k).expect(k);
    assert_eq!(by_key("BUILD_ID").content_type, "text/plain; charset=utf-8");
    assert_eq!(by_key("images/anchor.png").content_type, "image/png");
    assert_eq!(
        by_key("robots.txt").content_type,
        "text/plain; charset=utf-8"
    );

    assert_eq!(build.cache_id(), Some("3NbJHzSZhx-0iudULzMLZ"));
    assert_eq!(build.prerendered_routes(), ["/"]);
    assert_eq!(build.cache_entries().len(), 1);

    let server = build.server_function().expect("default");
    assert_eq!(server.origin, DEFAULT_ORIGIN);
    assert_eq!(server.handler, "index.handler");
    assert_eq!(
        server.handler_file,
        fixture().join("server-functions/default/index.mjs")
    );
    assert!(!server.streaming);
    let image = build.image_function().expect("imageOptimizer");
    assert_eq!(image.origin, IMAGE_ORIGIN);
    assert_eq!(image.dir, fixture().join("image-optimization-function"));
    assert_eq!(build.functions().len(), 2);
}

/// The real build, when the environment names one (CI sets it after
/// `examples/build-nextjs.sh`); skipped otherwise, unless
/// `ANCHOR_REQUIRE_REAL_BUILD` is set.
#[test]
fn reads_the_real_build_when_given() {
    let Some(dir) = anchor_testing::real_builds::real_build(anchor_testing::real_builds::V1) else {
        return;
    };
    let build = OpenNextBuild::read(&dir).expect("real build reads");
    assert!(!build.build_id().is_empty());
    assert!(build.assets().iter().any(|a| a.key == "BUILD_ID"));
    assert!(build.assets().iter().any(|a| a.is_hashed));
    assert!(build.prerendered_routes().iter().any(|r| r == "/"));
    eprintln!(
        "build {}: {} assets, routes {:?}",
        build.build_id(),
        build.assets().len(),
        build.prerendered_routes()
    );
    let patterns: Vec<&str> = build
        .output()
        .behaviors_by_precedence()
        .iter()
        .map(|b| b.pattern.as_str())
        .collect();
    assert_eq!(patterns.first(), Some(&"_next/image*"));
    assert_eq!(patterns.last(), Some(&"*"));
    for f in build.functions().values() {
        let a = anchor_core::opennext::package_bundle(&f.dir).expect("bundle zips");
        let b = anchor_core::opennext::package_bundle(&f.dir).expect("bundle zips");
        assert_eq!(a, b, "{} zips the same twice", f.origin);
        eprintln!("{}: {} zip bytes", f.origin, a.zip.len());
    }
}

#[tokio::test]
async fn async_read_matches_sync_read() {
    let a = OpenNextBuild::read_async(fixture())
        .await
        .expect("async read");
    let b = OpenNextBuild::read(&fixture()).expect("sync read");
    assert_eq!(a.assets(), b.assets());
    assert_eq!(a.prerendered_routes(), b.prerendered_routes());
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
