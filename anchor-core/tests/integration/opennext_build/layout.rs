//! Missing pieces of the folder layout, and the cache folder variants.

use std::fs;

use anchor_core::opennext::OpenNextBuild;

use super::{assert_invalid, fixture, fixture_copy, write};

const ID: &str = "3NbJHzSZhx-0iudULzMLZ";
const HASH: &str = "0c2c0df4c1a02c273463936b2623e0933d9da1aef5acf08984486a6372c8d879";

#[test]
fn behaviours_come_in_precedence_order() {
    let build = OpenNextBuild::read(&fixture()).expect("fixture reads");
    let file_order: Vec<&str> = build
        .output()
        .behaviors
        .iter()
        .map(|b| b.pattern.as_str())
        .collect();
    assert_eq!(
        file_order[2], "*",
        "the fixture lists * before the s3 patterns"
    );
    let patterns: Vec<&str> = build
        .output()
        .behaviors_by_precedence()
        .iter()
        .map(|b| b.pattern.as_str())
        .collect();
    assert_eq!(
        patterns,
        [
            "_next/image*",
            "_next/data/*",
            "BUILD_ID",
            "_next/*",
            "favicon.ico",
            "images/*",
            "robots.txt",
            "*",
        ]
    );
}

#[test]
fn each_missing_piece_is_named() {
    let cases: &[(&str, &str)] = &[
        ("open-next.output.json", "cannot open"),
        ("assets", "folder is missing"),
        ("assets/BUILD_ID", "cannot open BUILD_ID"),
        ("cache", "folder is missing"),
        ("server-functions/default", "folder is missing"),
        ("server-functions/default/index.mjs", "index.handler"),
        ("image-optimization-function", "folder is missing"),
        ("image-optimization-function/index.mjs", "index.handler"),
    ];
    for (rel, needle) in cases {
        let (_tmp, dir) = fixture_copy();
        let victim = dir.join(rel);
        if victim.is_dir() {
            fs::remove_dir_all(&victim).expect("rm dir");
        } else {
            fs::remove_file(&victim).expect("rm file");
        }
        assert_invalid(OpenNextBuild::read(&dir), &victim, needle);
    }
}

#[test]
fn a_missing_build_folder_is_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(".open-next");
    assert_invalid(OpenNextBuild::read(&dir), &dir, "missing");
}

#[test]
fn a_handler_may_be_plain_js() {
    let (_tmp, dir) = fixture_copy();
    let bundle = dir.join("server-functions/default");
    fs::rename(bundle.join("index.mjs"), bundle.join("index.js")).expect("rename");
    let build = OpenNextBuild::read(&dir).expect("reads");
    let server = build.server_function().expect("default");
    assert_eq!(server.handler_file, bundle.join("index.js"));
}

#[test]
fn an_empty_or_spaced_build_id_is_refused() {
    for content in [&b"  \n"[..], b"abc def", b"a/b", b"\xff\xfe"] {
        let (_tmp, dir) = fixture_copy();
        let path = dir.join("assets/BUILD_ID");
        fs::write(&path, content).expect("write");
        assert_invalid(OpenNextBuild::read(&dir), &path, "BUILD_ID");
    }
    let (_tmp, dir) = fixture_copy();
    fs::write(dir.join("assets/BUILD_ID"), format!("{ID}\n")).expect("write");
    let build = OpenNextBuild::read(&dir).expect("a trailing newline is trimmed");
    assert_eq!(build.build_id(), ID);
}

#[test]
fn routes_follow_the_real_cache_layout() {
    let (_tmp, dir) = fixture_copy();
    let page = |hash: &str, name: &str| {
        dir.join(format!(
            "cache/{ID}/route-cache/APP_PAGE/{hash}/$/{name}.cache"
        ))
    };
    let other = HASH.replace('0', "1");
    write(&page(HASH, "image"), b"{}");
    write(&page(&other, "_not-found"), b"{}");
    write(&page(&other, "_global-error"), b"{}");
    write(&page(&other, "blog/[slug]"), b"{}");
    write(&page(&other, "index/index/deep"), b"{}");
    write(&dir.join(format!("cache/{ID}/legacy/page.cache")), b"{}");
    write(&dir.join(format!("cache/__fetch/{ID}/abc")), b"{}");
    let build = OpenNextBuild::read(&dir).expect("reads");
    assert_eq!(
        build.prerendered_routes(),
        ["/", "/image", "/index/deep", "/legacy/page"]
    );
    assert!(build
        .cache_entries()
        .iter()
        .any(|e| e.key == format!("__fetch/{ID}/abc")));
}

#[test]
fn a_deployment_id_cache_folder_is_used() {
    let (_tmp, dir) = fixture_copy();
    fs::rename(dir.join(format!("cache/{ID}")), dir.join("cache/my-deploy")).expect("rename");
    let build = OpenNextBuild::read(&dir).expect("reads");
    assert_eq!(build.cache_id(), Some("my-deploy"));
    assert_eq!(build.prerendered_routes(), ["/"]);

    fs::create_dir_all(dir.join("cache/another")).expect("mkdir");
    assert_invalid(OpenNextBuild::read(&dir), &dir.join("cache"), "several");
}

#[test]
fn a_build_without_incremental_cache_needs_no_cache_folder() {
    let (_tmp, dir) = fixture_copy();
    fs::remove_dir_all(dir.join("cache")).expect("rm");
    let path = dir.join("open-next.output.json");
    let json = fs::read_to_string(&path).expect("read");
    let json = json.replace(
        r#",{"from":".open-next/cache","to":"_cache","cached":false}"#,
        "",
    );
    fs::write(&path, json).expect("write");
    let build = OpenNextBuild::read(&dir).expect("reads");
    assert!(build.prerendered_routes().is_empty());
    assert_eq!(build.cache_id(), None);
}

#[test]
fn a_bundle_from_another_build_is_named() {
    let (_tmp, dir) = fixture_copy();
    let path = dir.join("image-optimization-function/.next/BUILD_ID");
    fs::write(&path, "someOtherBuild").expect("write");
    assert_invalid(OpenNextBuild::read(&dir), &path, "mixes two builds");
}
