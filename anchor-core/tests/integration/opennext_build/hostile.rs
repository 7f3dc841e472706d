//! Hostile asset trees: names and symlinks that must be refused, naming the
//! exact entry, and symlinks that must be followed.

use std::fs;

use anchor_core::opennext::{scan_assets, OpenNextBuild, MAX_KEY_BYTES};

use super::{assert_invalid, fixture_copy, sha256_hex, write};

#[test]
fn names_with_control_characters_or_backslashes_are_named() {
    for name in [
        "bad\u{1}name.txt",
        "new\nline.txt",
        "back\\slash.txt",
        "del\u{7f}.txt",
    ] {
        let (_tmp, dir) = fixture_copy();
        let path = dir.join("assets/images").join(name);
        write(&path, b"x");
        assert_invalid(OpenNextBuild::read(&dir), &path, "forbidden character");
    }
}

#[test]
fn a_bad_folder_name_is_named_not_its_files() {
    let (_tmp, dir) = fixture_copy();
    let folder = dir.join("assets/ctl\u{1b}dir");
    write(&folder.join("ok.txt"), b"x");
    assert_invalid(OpenNextBuild::read(&dir), &folder, "forbidden character");
}

#[cfg(unix)]
#[test]
fn a_non_utf8_name_is_named() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let (_tmp, dir) = fixture_copy();
    let path = dir.join("assets").join(OsStr::from_bytes(b"bad\xff.txt"));
    write(&path, b"x");
    assert_invalid(OpenNextBuild::read(&dir), &path, "UTF-8");
}

#[test]
fn a_key_over_1024_bytes_is_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let segment = "d".repeat(200);
    // Six 200-byte folders make a key over the limit while every single
    // name stays within the usual 255-byte file-name limit.
    let mut path = tmp.path().to_path_buf();
    for _ in 0..5 {
        path.push(&segment);
    }
    let ok = path.join("f".repeat(MAX_KEY_BYTES - 5 * 201));
    write(&ok, b"x");
    let assets = scan_assets(tmp.path()).expect("exactly 1024 bytes is fine");
    assert_eq!(assets[0].key.len(), MAX_KEY_BYTES);
    let long = path.join("g".repeat(MAX_KEY_BYTES - 5 * 201 + 1));
    write(&long, b"x");
    assert_invalid(scan_assets(tmp.path()), &long, "1024");
}

#[cfg(unix)]
mod links {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn a_symlink_escaping_the_build_is_named() {
        let (tmp, dir) = fixture_copy();
        let secret = tmp.path().join("secret.txt");
        fs::write(&secret, b"do not upload").expect("write");
        let link = dir.join("assets/images/leak.txt");
        symlink(&secret, &link).expect("symlink");
        assert_invalid(OpenNextBuild::read(&dir), &link, "outside the build folder");
    }

    #[test]
    fn a_relative_symlink_escaping_through_dotdot_is_named() {
        let (_tmp, dir) = fixture_copy();
        let link = dir.join("assets/images/up");
        symlink("../../..", &link).expect("symlink");
        assert_invalid(OpenNextBuild::read(&dir), &link, "outside the build folder");
    }

    #[test]
    fn a_symlinked_assets_folder_outside_is_named() {
        let (tmp, dir) = fixture_copy();
        let assets = dir.join("assets");
        fs::rename(&assets, tmp.path().join("elsewhere")).expect("move");
        symlink(tmp.path().join("elsewhere"), &assets).expect("symlink");
        assert_invalid(
            OpenNextBuild::read(&dir),
            &assets,
            "outside the build folder",
        );
    }

    #[test]
    fn symlinks_inside_are_followed_as_regular_files() {
        let (_tmp, dir) = fixture_copy();
        symlink("robots.txt", dir.join("assets/robots-copy.txt")).expect("file link");
        symlink("images", dir.join("assets/pics")).expect("folder link");
        // A link from assets/ to elsewhere in the build folder is inside too.
        symlink(
            "../../server-functions/default/index.mjs",
            dir.join("assets/images/s.mjs"),
        )
        .expect("cross link");
        let build = OpenNextBuild::read(&dir).expect("reads");
        let get = |k: &str| build.assets().iter().find(|a| a.key == k).expect(k);
        let robots = fs::read(dir.join("assets/robots.txt")).expect("read");
        assert_eq!(get("robots-copy.txt").sha256, sha256_hex(&robots));
        assert_eq!(get("robots-copy.txt").size, robots.len() as u64);
        assert_eq!(
            get("pics/anchor.png").sha256,
            get("images/anchor.png").sha256
        );
        assert!(build.assets().iter().any(|a| a.key == "images/s.mjs"));
    }

    #[test]
    fn dangling_and_looping_symlinks_are_named() {
        let (_tmp, dir) = fixture_copy();
        let link = dir.join("assets/gone.txt");
        symlink("nothing-here.txt", &link).expect("symlink");
        assert_invalid(OpenNextBuild::read(&dir), &link, "symlink");

        let (_tmp, dir) = fixture_copy();
        let link = dir.join("assets/images/loop");
        symlink("..", &link).expect("symlink");
        assert_invalid(OpenNextBuild::read(&dir), &link, "loop");
    }

    #[test]
    fn a_symlink_in_the_cache_escaping_is_named() {
        let (tmp, dir) = fixture_copy();
        fs::write(tmp.path().join("x"), b"x").expect("write");
        let link = dir.join("cache/evil.cache");
        symlink(tmp.path().join("x"), &link).expect("symlink");
        assert_invalid(OpenNextBuild::read(&dir), &link, "outside the build folder");
    }
}
