//! The [`Functions`] suite.

use std::io::Write as _;

use futures::future::join;

use super::{expect_err, expect_ok, unique, KnownGaps};
use crate::error::{Error, ResourceKind};
use crate::model::FunctionVersion;
use crate::traits::{
    AliasConfig, AliasRouting, CodeBundle, Functions, PublishOptions, SetAliasOptions,
};

/// A real zip (hosts may check) whose content is unique to this run, so a
/// shared host cannot already have a version with the same hash.
fn bundle(tag: &str) -> CodeBundle {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let written = zip
        .start_file("index.mjs", zip::write::SimpleFileOptions::default())
        .map_err(|e| e.to_string())
        .and_then(|()| {
            write!(zip, "export const handler = async () => {tag:?};").map_err(|e| e.to_string())
        });
    if let Err(e) = written {
        panic!("building the test zip failed: {e}");
    }
    match zip.finish() {
        Ok(cursor) => CodeBundle::new(cursor.into_inner()),
        Err(e) => panic!("building the test zip failed: {e}"),
    }
}

fn number(version: &FunctionVersion) -> u64 {
    match version.version.parse() {
        Ok(n) => n,
        Err(_) => panic!("version {:?} must be a number", version.version),
    }
}

fn is_kind(e: &Error, kind: ResourceKind, not_found: bool) -> bool {
    match e {
        Error::NotFound { kind: k, .. } if not_found => *k == kind,
        Error::PreconditionFailed { kind: k, .. } if !not_found => *k == kind,
        _ => false,
    }
}

/// [`functions_with`] with every check on: what every real host must pass.
pub async fn functions(host: &dyn Functions, function: &str) {
    functions_with(host, function, &KnownGaps::NONE).await
}

/// Checks every guarantee of [`Functions`] on `function`, which the caller
/// has created, except those `gaps` excuses: versions numbered upwards and immutable, identical code
/// returning the newest version, numbers never reused, aliases with
/// revision ids guarded by `expected_revision_id` (one of two racing updates
/// wins), weighted routing rules, aliased and `$LATEST` versions
/// undeletable, and `NotFound` for missing functions and versions.
pub async fn functions_with(host: &dyn Functions, function: &str, gaps: &KnownGaps) {
    let run = unique();
    let none = PublishOptions::default();
    let code_a = bundle(&format!("{run}-a"));
    let code_b = bundle(&format!("{run}-b"));

    let v1 = expect_ok(host.publish(function, &code_a, &none).await, "publish");
    assert_eq!(v1.function, function, "a version must name its function");
    assert_eq!(
        v1.code_sha256, code_a.sha256,
        "a version must report the code's hash"
    );
    assert!(!v1.arn.is_empty(), "a version must have an ARN");
    let again = expect_ok(
        host.publish(function, &code_a, &none).await,
        "publish of identical code",
    );
    assert_eq!(
        again, v1,
        "publishing the newest version's code again must return that version"
    );
    let v2 = expect_ok(
        host.publish(function, &code_b, &none).await,
        "publish of new code",
    );
    assert!(
        number(&v2) > number(&v1),
        "a new version must have a higher number ({v2:?} after {v1:?})"
    );
    assert_eq!(v2.code_sha256, code_b.sha256);

    let read = expect_ok(host.get_version(function, &v1.version).await, "get_version");
    assert_eq!(
        read,
        Some(v1.clone()),
        "a published version must never change"
    );
    let absent = expect_ok(
        host.get_version(function, "999999999").await,
        "get_version of a missing version",
    );
    assert_eq!(absent, None, "a missing version must read as None");

    // Aliases: created, read back, guarded by their revision id.
    let alias = format!("conformance-{run}");
    assert_eq!(
        expect_ok(
            host.get_alias(function, &alias).await,
            "get_alias of a new alias"
        ),
        None
    );
    let plain = SetAliasOptions::default();
    let first = expect_ok(
        host.set_alias(function, &alias, &AliasRouting::single(&v1.version), &plain)
            .await,
        "set_alias",
    );
    assert_eq!(
        (first.function.as_str(), first.name.as_str()),
        (function, alias.as_str())
    );
    assert_eq!(first.routing, AliasRouting::single(&v1.version));
    assert!(
        !first.revision_id.is_empty(),
        "an alias must have a revision id"
    );
    // set_alias may skip reading the URL; everything else must match.
    let read_back = expect_ok(host.get_alias(function, &alias).await, "get_alias");
    assert_eq!(
        read_back.map(|a| AliasConfig { url: None, ..a }),
        Some(AliasConfig {
            url: None,
            ..first.clone()
        })
    );

    let to_v1 = AliasRouting::single(&v1.version);
    let to_v2 = AliasRouting::single(&v2.version);
    let winner = if !gaps.alias_revisions_ignored {
        let stale = SetAliasOptions {
            expected_revision_id: Some(format!("stale-{run}")),
        };
        expect_err(
            host.set_alias(function, &alias, &AliasRouting::single(&v2.version), &stale)
                .await,
            "set_alias with a stale expected_revision_id must fail with PreconditionFailed(Alias)",
            |e| is_kind(e, ResourceKind::Alias, false),
        );
        let unchanged = expect_ok(
            host.get_alias(function, &alias).await,
            "get_alias after refused update",
        );
        assert_eq!(
            unchanged,
            Some(first.clone()),
            "a refused alias update must change nothing"
        );

        // Two updates expecting the same revision race; exactly one wins.
        let current = SetAliasOptions {
            expected_revision_id: Some(first.revision_id.clone()),
        };
        let (a, b) = join(
            host.set_alias(function, &alias, &to_v1, &current),
            host.set_alias(function, &alias, &to_v2, &current),
        )
        .await;
        assert!(
            a.is_ok() != b.is_ok(),
            "exactly one of two racing alias updates must win: {a:?} / {b:?}"
        );
        let winner = match (a, b) {
            (Ok(w), loser) | (loser, Ok(w)) => {
                expect_err(
                    loser,
                    "the losing alias update must fail with PreconditionFailed(Alias)",
                    |e| is_kind(e, ResourceKind::Alias, false),
                );
                w
            }
            (Err(a), Err(b)) => panic!("both racing alias updates failed: {a} / {b}"),
        };
        assert_ne!(
            winner.revision_id, first.revision_id,
            "every alias update must get a new revision id"
        );
        winner
    } else {
        expect_ok(
            host.set_alias(function, &alias, &to_v2, &plain).await,
            "set_alias",
        )
    };

    // Weighted routing: 0 < w < 1 on a second, different version.
    let weighted = AliasRouting {
        version: v2.version.clone(),
        additional: Some((v1.version.clone(), 0.1)),
    };
    let canary = expect_ok(
        host.set_alias(function, &alias, &weighted, &plain).await,
        "weighted set_alias",
    );
    assert_eq!(
        canary.routing, weighted,
        "weighted routing must read back as set"
    );
    if !gaps.alias_revisions_ignored {
        assert_ne!(
            canary.revision_id, winner.revision_id,
            "every alias update must get a new revision id"
        );
    }
    for (extra, weight) in [
        (&v1.version, 0.0),
        (&v1.version, 1.0),
        (&v1.version, 1.5),
        (&v1.version, f64::NAN),
        (&v2.version, 0.5),
    ] {
        let routing = AliasRouting {
            version: v2.version.clone(),
            additional: Some((extra.clone(), weight)),
        };
        expect_err(
            host.set_alias(function, &alias, &routing, &plain).await,
            &format!(
                "routing to {extra} at weight {weight} beside {} must fail with InvalidInput",
                v2.version
            ),
            |e| matches!(e, Error::InvalidInput { .. }),
        );
    }
    expect_err(
        host.set_alias(function, &alias, &AliasRouting::single("999999999"), &plain)
            .await,
        "an alias to a missing version must fail with NotFound(FunctionVersion)",
        |e| is_kind(e, ResourceKind::FunctionVersion, true),
    );

    // Versions an alias points at, as primary or additional, stay.
    for aliased in [&v1, &v2] {
        expect_err(
            host.delete_version(function, &aliased.version).await,
            "deleting a version an alias points at must fail with InvalidState",
            |e| matches!(e, Error::InvalidState { .. }),
        );
    }
    expect_err(
        host.delete_version(function, "$LATEST").await,
        "deleting $LATEST must fail with InvalidState",
        |e| matches!(e, Error::InvalidState { .. }),
    );
    expect_ok(
        host.set_alias(function, &alias, &to_v2, &plain).await,
        "set_alias back to one version",
    );
    expect_ok(
        host.delete_version(function, &v1.version).await,
        "deleting an unaliased version",
    );
    assert_eq!(
        expect_ok(
            host.get_version(function, &v1.version).await,
            "get of a deleted version"
        ),
        None
    );
    expect_err(
        host.delete_version(function, &v1.version).await,
        "deleting a deleted version must fail with NotFound(FunctionVersion)",
        |e| is_kind(e, ResourceKind::FunctionVersion, true),
    );

    if !gaps.version_numbers_reused {
        // Numbers are never reused, even after the newest version is deleted.
        let v3 = expect_ok(
            host.publish(function, &bundle(&format!("{run}-c")), &none)
                .await,
            "publish",
        );
        expect_ok(
            host.delete_version(function, &v3.version).await,
            "deleting the newest version",
        );
        let v4 = expect_ok(
            host.publish(function, &bundle(&format!("{run}-d")), &none)
                .await,
            "publish",
        );
        assert!(
            number(&v4) > number(&v3),
            "version numbers must never be reused ({v4:?} after deleted {v3:?})"
        );
        assert_eq!(
            expect_ok(host.get_version(function, &v2.version).await, "get_version"),
            Some(v2.clone())
        );
        expect_ok(host.delete_version(function, &v4.version).await, "cleanup");
    }

    // A function that does not exist.
    let ghost = format!("anchor-missing-{run}");
    expect_err(
        host.publish(&ghost, &code_a, &none).await,
        "publishing to a missing function must fail with NotFound(Function)",
        |e| is_kind(e, ResourceKind::Function, true),
    );
    expect_err(
        host.set_alias(&ghost, &alias, &to_v2, &plain).await,
        "an alias on a missing function must fail with NotFound(Function)",
        |e| is_kind(e, ResourceKind::Function, true),
    );
}
