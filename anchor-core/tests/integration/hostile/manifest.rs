//! Hostile manifests: each case breaks the fixture's
//! `open-next.output.json`, deploys it to the live project and wants
//! `InvalidBuild` naming the manifest, with the JSON field at fault.

use serde_json::json;

use super::catalogue::Case;
use super::edits::{build, deploy, edit_manifest, write, MANIFEST};
use crate::op;

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
            want: build(MANIFEST, "(top level): expected an object, found an array"),
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
