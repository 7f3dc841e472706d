//! What a build needs for ISR and on-demand revalidation on its host: the
//! revalidation function that consumes the server's queue, and the rows of
//! the tag cache to seed. Read from `open-next.output.json`: the `default`
//! origin's `queue` and `tagCache` overrides and `additionalProps`.
//!
//! A build that disables a piece (no override, `"dummy"`, or the
//! `dangerous` switches) gets none of it, so nothing is provisioned for it.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use super::function_bundle::{find_handler, require_dir, FunctionBundle};
use super::output::{FunctionRef, OpenNextOutput, DEFAULT_ORIGIN};
use crate::error::{Error, Result};
use crate::model::TagItem;

/// The queue overrides that send to an SQS queue (`sqs-lite` signs its
/// own requests but talks to the same queue).
const SQS_QUEUES: &[&str] = &["sqs", "sqs-lite"];
/// The tag caches that read OpenNext's DynamoDB table.
const DYNAMODB_TAG_CACHES: &[&str] = &["dynamodb", "dynamodb-lite"];
/// The file OpenNext's initialization function seeds the table from.
pub const TAG_SEED_FILE: &str = "dynamodb-cache.json";
/// The largest seed file read (a build with 100,000 prerendered routes
/// writes about 30 MB).
const MAX_SEED_BYTES: u64 = 256 * 1024 * 1024;
/// DynamoDB's limit on a sort key (`path`); the partition key allows 2048.
const MAX_PATH_KEY_BYTES: usize = 1024;
/// DynamoDB's limit on a partition key (`tag`).
const MAX_TAG_KEY_BYTES: usize = 2048;

/// What a build asks its host to provide for revalidation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IsrSetup {
    /// The function that consumes the server's revalidation queue: present
    /// when the server sends to SQS and the build has the function.
    pub revalidation_function: Option<FunctionBundle>,
    /// The tag cache's rows to seed: `Some` when the server reads
    /// OpenNext's DynamoDB tag cache (possibly with nothing to seed).
    pub tag_items: Option<Vec<TagItem>>,
    /// The warmer function. Parsed only: warming is off by default and
    /// Anchor does not deploy it.
    pub warmer: Option<FunctionRef>,
}

/// Reads the ISR pieces of the build at `dir` (whose real path is `root`).
pub(super) fn read(dir: &Path, root: &Path, output: &OpenNextOutput) -> Result<IsrSetup> {
    let props = &output.additional_props;
    let server = output.function(DEFAULT_ORIGIN);
    let queue = server.and_then(|s| s.queue.as_deref());
    let tag_cache = server.and_then(|s| s.tag_cache.as_deref());
    let uses_queue = queue.is_some_and(|q| SQS_QUEUES.contains(&q))
        && props.disable_incremental_cache != Some(true);
    let uses_tags = tag_cache.is_some_and(|t| DYNAMODB_TAG_CACHES.contains(&t))
        && props.disable_tag_cache != Some(true);

    let revalidation_function = match (&props.revalidation_function, uses_queue) {
        (Some(f), true) => Some(helper_bundle(dir, root, "revalidationFunction", f)?),
        _ => None,
    };
    let tag_items = if uses_tags {
        let items = match &props.initialization_function {
            Some(f) => {
                let field = "additionalProps.initializationFunction.bundle";
                let rel = f
                    .bundle_dir()
                    .ok_or_else(|| outside(dir, field, &f.bundle))?;
                read_seed(&dir.join(rel).join(TAG_SEED_FILE))?
            }
            None => Vec::new(),
        };
        Some(items)
    } else {
        None
    };
    Ok(IsrSetup {
        revalidation_function,
        tag_items,
        warmer: props.warmer.clone(),
    })
}

fn outside(dir: &Path, field: &str, bundle: &str) -> Error {
    Error::invalid_build(
        dir.join(super::OUTPUT_FILE),
        format!("{field}: {bundle:?} is not a folder inside .open-next/"),
    )
}

/// A helper function's bundle, checked like the origins' bundles.
fn helper_bundle(dir: &Path, root: &Path, name: &str, f: &FunctionRef) -> Result<FunctionBundle> {
    let field = format!("additionalProps.{name}");
    let rel = f
        .bundle_dir()
        .ok_or_else(|| outside(dir, &format!("{field}.bundle"), &f.bundle))?;
    let module = f.handler_module().ok_or_else(|| {
        Error::invalid_build(
            dir.join(super::OUTPUT_FILE),
            format!(
                "{field}.handler: {:?} is not of the form module.export",
                f.handler
            ),
        )
    })?;
    let bundle_dir = dir.join(rel);
    require_dir(root, &bundle_dir)?;
    let handler_file = find_handler(&bundle_dir, module, &f.handler)?;
    let native = super::native_code(&bundle_dir)?;
    Ok(FunctionBundle {
        origin: name.to_string(),
        dir: bundle_dir,
        handler: f.handler.clone(),
        handler_file,
        streaming: false,
        native,
    })
}

/// One row of the seed file, in DynamoDB's JSON wire format.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeedRow {
    tag: StringValue,
    path: StringValue,
    revalidated_at: NumberValue,
}

#[derive(Deserialize)]
struct StringValue {
    #[serde(rename = "S")]
    s: String,
}

#[derive(Deserialize)]
struct NumberValue {
    #[serde(rename = "N")]
    n: String,
}

/// The seed rows of `path`; a missing file seeds nothing (OpenNext leaves
/// it out when no route has tags).
pub(super) fn read_seed(path: &Path) -> Result<Vec<TagItem>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(path, e)),
    };
    let mut raw = Vec::new();
    file.take(MAX_SEED_BYTES + 1)
        .read_to_end(&mut raw)
        .map_err(|e| Error::io(path, e))?;
    if raw.len() as u64 > MAX_SEED_BYTES {
        return Err(Error::invalid_build(
            path,
            format!("is larger than {MAX_SEED_BYTES} bytes"),
        ));
    }
    let rows: Vec<SeedRow> = serde_json::from_slice(&raw)
        .map_err(|e| Error::invalid_build(path, format!("is not a list of tag rows: {e}")))?;
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let bad = |reason: String| Error::invalid_build(path, format!("[{i}]: {reason}"));
            let revalidated_at = row.revalidated_at.n.parse::<u64>().map_err(|_| {
                bad(format!(
                    "revalidatedAt {:?} is not a number",
                    row.revalidated_at.n
                ))
            })?;
            for (field, value, max) in [
                ("tag", &row.tag.s, MAX_TAG_KEY_BYTES),
                ("path", &row.path.s, MAX_PATH_KEY_BYTES),
            ] {
                if value.is_empty() || value.len() > max {
                    return Err(bad(format!("{field} must be 1 to {max} bytes")));
                }
            }
            Ok(TagItem {
                tag: row.tag.s,
                path: row.path.s,
                revalidated_at,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(text: &str) -> Result<Vec<TagItem>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(TAG_SEED_FILE);
        std::fs::write(&path, text).unwrap();
        read_seed(&path)
    }

    #[test]
    fn seed_rows_are_read_from_dynamodb_json() {
        let items = seed(
            r#"[{"tag":{"S":"b/_N_T_/layout"},"path":{"S":"b/index"},"revalidatedAt":{"N":"1"}}]"#,
        )
        .unwrap();
        assert_eq!(
            items,
            vec![TagItem {
                tag: "b/_N_T_/layout".into(),
                path: "b/index".into(),
                revalidated_at: 1
            }]
        );
    }

    #[test]
    fn a_missing_seed_file_seeds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_seed(&dir.path().join(TAG_SEED_FILE)).unwrap(), vec![]);
    }

    #[test]
    fn a_malformed_seed_row_is_refused_naming_its_index() {
        let err =
            seed(r#"[{"tag":{"S":""},"path":{"S":"p"},"revalidatedAt":{"N":"1"}}]"#).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidBuild { reason, .. } if reason.starts_with("[0]: tag")),
            "{err:?}"
        );
        let err =
            seed(r#"[{"tag":{"S":"t"},"path":{"S":"p"},"revalidatedAt":{"N":"x"}}]"#).unwrap_err();
        assert!(matches!(err, Error::InvalidBuild { .. }), "{err:?}");
    }
}
