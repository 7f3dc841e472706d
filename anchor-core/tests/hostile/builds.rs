//! Hostile builds: each case breaks a copy of the fixture, deploys it to
//! the live project and wants `InvalidBuild` naming the file at fault.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::Path;

use anchor_core::Anchor;
use serde_json::{json, Value};

use super::catalogue::{Case, Want};
use super::world::P;
use crate::op;

const MANIFEST: &[u8] = b"open-next.output.json";
const SERVER: &str = "server-functions/default";

async fn deploy(a: &Anchor, dir: &Path) -> anchor_core::Result<()> {
    a.deployer(P, dir).execute().await.map(drop)
}

/// Rewrites `open-next.output.json` through `edit`.
fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut Value)) {
    let path = dir.join("open-next.output.json");
    let mut v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(path, serde_json::to_vec(&v).unwrap()).unwrap();
}

/// Writes `bytes` at `dir/rel`, creating folders.
fn write(dir: &Path, rel: impl AsRef<Path>, bytes: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Bytes that do not compress: a xorshift stream.
fn incompressible(len: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn build(at: &'static [u8], reason: &'static str) -> Want {
    Want::Build { at, reason }
}

/// The manifest cases: missing, malformed, huge, mistyped and inconsistent.
pub fn manifest_cases() -> Vec<Case> {
    vec![
        Case {
            name: "manifest-missing",
            op: op!(|w, dir| {
                std::fs::remove_file(dir.join("open-next.output.json")).unwrap();
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "cannot open"),
        },
        Case {
            name: "manifest-malformed-json",
            op: op!(|w, dir| {
                write(dir, "open-next.output.json", "{\"origins\": [1, 2");
                deploy(w.plain(), dir).await
            }),
            want: build(
                MANIFEST,
                "malformed JSON: EOF while parsing a list at line 1",
            ),
        },
        Case {
            name: "manifest-huge-20-mib",
            op: op!(|w, dir| {
                let mut text = b"{\"padding\": \"".to_vec();
                text.resize(20 * 1024 * 1024, b'a');
                text.extend_from_slice(b"\"}");
                write(dir, "open-next.output.json", text);
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "larger than"),
        },
        Case {
            name: "manifest-deeply-nested",
            op: op!(|w, dir| {
                let depth = 100_000;
                let text = format!(
                    "{{\"behaviors\": {}{}}}",
                    "[".repeat(depth),
                    "]".repeat(depth)
                );
                write(dir, "open-next.output.json", text);
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "recursion limit"),
        },
        Case {
            name: "manifest-origins-wrong-type",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| v["origins"] = json!(["default"]));
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "origins: expected an object"),
        },
        Case {
            name: "manifest-behaviors-wrong-type",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| v["behaviors"] = json!("everything"));
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "behaviors: invalid type"),
        },
        Case {
            name: "manifest-top-level-array",
            op: op!(|w, dir| {
                write(dir, "open-next.output.json", "[]");
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "expected struct OpenNextOutput"),
        },
        Case {
            name: "manifest-origins-missing",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| drop(v.as_object_mut().unwrap().remove("origins")));
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "origins: missing"),
        },
        Case {
            name: "manifest-server-origin-missing",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| {
                    drop(v["origins"].as_object_mut().unwrap().remove("default"))
                });
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "origins.default: missing"),
        },
        Case {
            name: "behaviour-unknown-origin",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| v["behaviors"][3]["origin"] = json!("nowhere"));
                deploy(w.plain(), dir).await
            }),
            want: build(
                MANIFEST,
                "behaviors[3].origin: \"nowhere\" is not one of the origins",
            ),
        },
        Case {
            name: "behaviour-pattern-empty",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| v["behaviors"][4]["pattern"] = json!(""));
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "behaviors[4].pattern: is empty"),
        },
        Case {
            name: "behaviour-pattern-with-space-and-newline",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| v["behaviors"][4]["pattern"] = json!("_next/ *\n"));
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "behaviors[4].pattern"),
        },
        Case {
            name: "behaviour-pattern-over-255-characters",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| {
                    v["behaviors"][4]["pattern"] = json!("a".repeat(256))
                });
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "behaviors[4].pattern"),
        },
        Case {
            name: "behaviour-pattern-duplicated",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| v["behaviors"][4]["pattern"] = json!("images/*"));
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "appears more than once"),
        },
        Case {
            name: "behaviour-needs-an-edge-function",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| {
                    v["behaviors"][2]["edgeFunction"] = json!("middleware")
                });
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "behaviors[2].edgeFunction"),
        },
        Case {
            name: "bundle-path-with-dotdot",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| {
                    v["origins"]["imageOptimizer"]["bundle"] = json!(".open-next/../../../../etc")
                });
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "origins.imageOptimizer.bundle"),
        },
        Case {
            name: "bundle-path-absolute",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| v["origins"]["default"]["bundle"] = json!("/etc"));
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "origins.default.bundle"),
        },
        Case {
            name: "bundle-path-segment-over-255-bytes",
            op: op!(|w, dir| {
                let long = format!(".open-next/{}", "s".repeat(300));
                edit_manifest(dir, |v| v["origins"]["default"]["bundle"] = json!(long));
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "origins.default.bundle"),
        },
        Case {
            name: "handler-module-climbing-out",
            op: op!(|w, dir| {
                edit_manifest(dir, |v| {
                    v["origins"]["default"]["handler"] = json!("../../../etc/passwd.handler")
                });
                deploy(w.plain(), dir).await
            }),
            want: build(MANIFEST, "origins.default.handler"),
        },
    ]
}

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

/// `assets/`, then `folders` folders of 200 `d`s and a name of `name`
/// `f`s: the relative path of a deep asset, leaked for a [`Want`].
fn deep_key(folders: usize, name: usize) -> &'static [u8] {
    let deep = vec!["d".repeat(200); folders].join("/");
    let path = format!("assets/{deep}/{}", "f".repeat(name));
    Box::leak(path.into_bytes().into_boxed_slice())
}
