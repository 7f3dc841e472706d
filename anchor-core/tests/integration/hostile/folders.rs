//! Hostile build folders: each case breaks a copy of the fixture, deploys
//! it to the live project and wants `InvalidBuild` naming the file or
//! folder at fault.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;

use super::catalogue::Case;
use super::edits::{build, deep_key, deploy, incompressible, write, SERVER};
use crate::op;

/// The folder cases: missing pieces, escaping links, bad names, oversized
/// keys and bundles, and bad build ids.
pub fn folder_cases() -> Vec<Case> {
    vec![
        Case {
            name: "not-a-build-folder",
            op: op!(|w, dir| {
                std::fs::remove_dir_all(dir).unwrap();
                deploy(w.plain(), dir).await
            }),
            want: build(b"", "build folder is missing"),
        },
        Case {
            name: "server-bundle-folder-missing",
            op: op!(|w, dir| {
                std::fs::remove_dir_all(dir.join(SERVER)).unwrap();
                deploy(w.plain(), dir).await
            }),
            want: build(b"server-functions/default", "folder is missing"),
        },
        Case {
            name: "server-bundle-empty-folder",
            op: op!(|w, dir| {
                std::fs::remove_dir_all(dir.join(SERVER)).unwrap();
                std::fs::create_dir_all(dir.join(SERVER)).unwrap();
                deploy(w.plain(), dir).await
            }),
            want: build(b"server-functions/default/index.mjs", "handler file"),
        },
        Case {
            name: "server-bundle-of-zero-bytes",
            op: op!(|w, dir| {
                std::fs::remove_dir_all(dir.join(SERVER)).unwrap();
                write(dir, format!("{SERVER}/index.mjs"), "");
                deploy(w.plain(), dir).await
            }),
            want: build(b"server-functions/default/index.mjs", "empty"),
        },
        Case {
            name: "server-bundle-over-the-unzipped-limit",
            op: op!(|w, dir| {
                write(dir, format!("{SERVER}/big.bin"), vec![0u8; 2 * 1024 * 1024]);
                deploy(&w.limited, dir).await
            }),
            want: build(
                b"server-functions/default",
                "unzipped, more than the 1048576 allowed",
            ),
        },
        Case {
            name: "image-bundle-over-the-zipped-limit",
            op: op!(|w, dir| {
                write(
                    dir,
                    "image-optimization-function/noise.bin",
                    incompressible(600 * 1024),
                );
                deploy(&w.limited, dir).await
            }),
            want: build(
                b"image-optimization-function",
                "more than the 262144 allowed zipped",
            ),
        },
        Case {
            name: "symlink-escaping-the-build",
            op: op!(|w, dir| {
                symlink(w.outside().join("secret.txt"), dir.join("assets/leak.txt")).unwrap();
                deploy(w.plain(), dir).await
            }),
            want: build(b"assets/leak.txt", "outside the build folder"),
        },
        Case {
            name: "symlink-escaping-a-function-bundle",
            op: op!(|w, dir| {
                symlink(
                    w.outside().join("secret.txt"),
                    dir.join(SERVER).join("leak.txt"),
                )
                .unwrap();
                deploy(w.plain(), dir).await
            }),
            want: build(
                b"server-functions/default/leak.txt",
                "outside the build folder",
            ),
        },
        Case {
            name: "assets-folder-linked-outside",
            op: op!(|w, dir| {
                let moved = w.outside().join("assets-of-escape");
                std::fs::rename(dir.join("assets"), &moved).unwrap();
                symlink(&moved, dir.join("assets")).unwrap();
                deploy(w.plain(), dir).await
            }),
            want: build(b"assets", "outside the build folder"),
        },
        Case {
            name: "symlink-loop",
            op: op!(|w, dir| {
                symlink("..", dir.join("assets/images/loop")).unwrap();
                deploy(w.plain(), dir).await
            }),
            want: build(b"assets/images/loop", "loop"),
        },
        Case {
            name: "file-name-with-newline",
            op: op!(|w, dir| {
                write(dir, "assets/images/new\nline.txt", "x");
                deploy(w.plain(), dir).await
            }),
            want: build(b"assets/images/new\nline.txt", "forbidden character"),
        },
        Case {
            name: "file-name-with-control-character",
            op: op!(|w, dir| {
                write(dir, "assets/bad\u{1}name.txt", "x");
                deploy(w.plain(), dir).await
            }),
            want: build(b"assets/bad\x01name.txt", "forbidden character"),
        },
        Case {
            name: "file-name-with-del",
            op: op!(|w, dir| {
                write(dir, "assets/del\u{7f}.txt", "x");
                deploy(w.plain(), dir).await
            }),
            want: build(b"assets/del\x7f.txt", "forbidden character"),
        },
        Case {
            name: "file-name-with-backslash",
            op: op!(|w, dir| {
                write(dir, "assets/back\\slash.txt", "x");
                deploy(w.plain(), dir).await
            }),
            want: build(b"assets/back\\slash.txt", "forbidden character"),
        },
        Case {
            name: "file-name-not-utf8",
            op: op!(|w, dir| {
                write(dir, std::ffi::OsStr::from_bytes(b"assets/bad\xff.txt"), "x");
                deploy(w.plain(), dir).await
            }),
            want: build(b"assets/bad\xff.txt", "UTF-8"),
        },
        Case {
            name: "object-key-over-1024-bytes",
            op: op!(|w, dir| {
                write(dir, std::ffi::OsStr::from_bytes(deep_key(5, 100)), "x");
                deploy(w.plain(), dir).await
            }),
            want: build(deep_key(5, 100), "1024"),
        },
        Case {
            // Within 1024 bytes inside the build, but not once the
            // project's prefix and the deployment's folder are added.
            name: "object-key-over-1024-bytes-under-the-prefix",
            op: op!(|w, dir| {
                write(dir, std::ffi::OsStr::from_bytes(deep_key(4, 200)), "x");
                deploy(w.plain(), dir).await
            }),
            want: build(deep_key(4, 200), "1024"),
        },
        Case {
            name: "build-id-missing",
            op: op!(|w, dir| {
                std::fs::remove_file(dir.join("assets/BUILD_ID")).unwrap();
                deploy(w.plain(), dir).await
            }),
            want: build(b"assets/BUILD_ID", "cannot open BUILD_ID"),
        },
        Case {
            name: "build-id-with-path-characters",
            op: op!(|w, dir| {
                write(dir, "assets/BUILD_ID", "../../etc");
                deploy(w.plain(), dir).await
            }),
            want: build(b"assets/BUILD_ID", "slashes"),
        },
        Case {
            name: "build-id-of-another-build-in-a-bundle",
            op: op!(|w, dir| {
                write(dir, format!("{SERVER}/.next/BUILD_ID"), "another-build");
                deploy(w.plain(), dir).await
            }),
            want: build(
                b"server-functions/default/.next/BUILD_ID",
                "mixes two builds",
            ),
        },
    ]
}
