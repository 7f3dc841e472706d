//! Deterministic bundle zips and Lambda's size limits.

use std::fs::{self, File};
use std::io::{Cursor, Read};
use std::path::Path;
use std::time::{Duration, SystemTime};

use anchor_core::opennext::{
    package_bundle, package_bundle_async, package_bundle_with_limits, BundleLimits,
};
use anchor_core::traits::CodeBundle;

use super::{assert_invalid, copy_dir, fixture, write};

/// Files written in the given order.
fn make_bundle(dir: &Path, order: &[(&str, &[u8])]) {
    for (name, content) in order {
        write(&dir.join(name), content);
    }
}

const FILES: &[(&str, &[u8])] = &[
    ("index.mjs", b"export const handler = () => 1;\n"),
    ("a-b.js", b"dash sorts before slash"),
    ("a/b.js", b"nested"),
    (".next/BUILD_ID", b"abc"),
    ("node_modules/x/package.json", b"{}"),
];

fn entries(bundle: &CodeBundle) -> Vec<(String, u32, zip::DateTime, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bundle.zip.as_slice())).expect("zip");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let mut body = Vec::new();
            f.read_to_end(&mut body).expect("read");
            let mode = f.unix_mode().expect("mode");
            let time = f.last_modified().expect("time");
            (f.name().to_owned(), mode, time, body)
        })
        .collect()
}

#[test]
fn zips_are_sorted_dated_1980_and_hold_only_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    make_bundle(tmp.path(), FILES);
    let bundle = package_bundle(tmp.path()).expect("zips");
    let got = entries(&bundle);
    let names: Vec<&str> = got.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        names,
        // Byte order: '.' < '-' < '/' < letters.
        [
            ".next/BUILD_ID",
            "a-b.js",
            "a/b.js",
            "index.mjs",
            "node_modules/x/package.json"
        ]
    );
    for (name, mode, time, body) in &got {
        assert_eq!(mode & 0o777, 0o644, "{name}");
        assert_eq!(time, &zip::DateTime::default(), "{name}");
        let want = FILES.iter().find(|(n, _)| n == name).expect("known").1;
        assert_eq!(body.as_slice(), want);
    }
}

#[test]
fn the_same_files_give_the_same_bytes() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    make_bundle(a.path(), FILES);
    let mut reversed = FILES.to_vec();
    reversed.reverse();
    make_bundle(b.path(), &reversed);
    let first = package_bundle(a.path()).expect("zips");
    assert_eq!(first, package_bundle(a.path()).expect("zips again"));
    assert_eq!(first, package_bundle(b.path()).expect("other order"));

    // New mtimes, and a stray empty folder, change nothing.
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    for (name, _) in FILES {
        let f = File::options()
            .write(true)
            .open(a.path().join(name))
            .expect("open");
        f.set_modified(old).expect("set mtime");
    }
    fs::create_dir_all(a.path().join("empty/folder")).expect("mkdir");
    assert_eq!(first, package_bundle(a.path()).expect("after touch"));
}

#[test]
fn the_fixture_bundle_zips_reproducibly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let copy = tmp.path().join("default");
    copy_dir(&fixture().join("server-functions/default"), &copy);
    let a = package_bundle(&fixture().join("server-functions/default")).expect("zips");
    assert_eq!(a, package_bundle(&copy).expect("copy zips"));
    assert!(entries(&a).iter().any(|e| e.0 == ".next/BUILD_ID"));
}

#[tokio::test]
async fn async_packaging_matches() {
    let dir = fixture().join("image-optimization-function");
    let a = package_bundle_async(dir.clone()).await.expect("async");
    assert_eq!(a, package_bundle(&dir).expect("sync"));
}

#[test]
fn an_empty_bundle_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(tmp.path().join("only/folders")).expect("mkdir");
    assert_invalid(package_bundle(tmp.path()), tmp.path(), "no files");
}

#[test]
fn limits_are_enforced_naming_the_folder_and_sizes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    make_bundle(tmp.path(), FILES);
    let total: u64 = FILES.iter().map(|(_, c)| c.len() as u64).sum();
    let tight = BundleLimits {
        max_zipped_bytes: u64::MAX,
        max_unzipped_bytes: total - 1,
    };
    let reason = assert_invalid(
        package_bundle_with_limits(tmp.path(), tight),
        tmp.path(),
        "unzipped",
    );
    assert!(reason.contains(&total.to_string()), "{reason}");

    let zipped = package_bundle(tmp.path()).expect("zips").zip.len() as u64;
    let tight = BundleLimits {
        max_zipped_bytes: zipped - 1,
        max_unzipped_bytes: u64::MAX,
    };
    let reason = assert_invalid(
        package_bundle_with_limits(tmp.path(), tight),
        tmp.path(),
        &zipped.to_string(),
    );
    assert!(reason.contains(&total.to_string()), "{reason}");
}

#[test]
fn lambdas_unzipped_limit_is_checked_before_reading() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(&tmp.path().join("index.mjs"), b"x");
    // A sparse file: 251 MiB on paper, nothing on disk, never read.
    let big = File::create(tmp.path().join("huge.bin")).expect("create");
    big.set_len(251 * 1024 * 1024).expect("set_len");
    assert_invalid(
        package_bundle(tmp.path()),
        tmp.path(),
        "263192577 bytes unzipped",
    );
}

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::{symlink, PermissionsExt};

    use super::*;

    #[test]
    fn any_execute_bit_gives_0755() {
        let tmp = tempfile::tempdir().expect("tempdir");
        make_bundle(tmp.path(), FILES);
        let bin = tmp.path().join("a/b.js");
        fs::set_permissions(&bin, fs::Permissions::from_mode(0o710)).expect("chmod");
        let odd = tmp.path().join("index.mjs");
        fs::set_permissions(&odd, fs::Permissions::from_mode(0o600)).expect("chmod");
        for (name, mode, _, _) in entries(&package_bundle(tmp.path()).expect("zips")) {
            let want = if name == "a/b.js" { 0o755 } else { 0o644 };
            assert_eq!(mode & 0o777, want, "{name}");
        }
    }

    #[test]
    fn symlinks_are_stored_as_their_targets() {
        let tmp = tempfile::tempdir().expect("tempdir");
        make_bundle(tmp.path(), FILES);
        let plain = package_bundle(tmp.path()).expect("zips");
        symlink("index.mjs", tmp.path().join("link.mjs")).expect("symlink");
        let linked = entries(&package_bundle(tmp.path()).expect("zips"));
        let link = linked
            .iter()
            .find(|e| e.0 == "link.mjs")
            .expect("link entry");
        assert_eq!(link.3, FILES[0].1);
        assert_eq!(linked.len(), entries(&plain).len() + 1);
    }

    #[test]
    fn a_symlink_escaping_the_bundle_is_named() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let bundle = tmp.path().join("bundle");
        make_bundle(&bundle, FILES);
        write(&tmp.path().join("outside.txt"), b"secret");
        let link = bundle.join("node_modules/leak.txt");
        symlink("../../outside.txt", &link).expect("symlink");
        assert_invalid(package_bundle(&bundle), &link, "outside the build folder");
    }
}
