//! What a build brings for ISR and on-demand revalidation: the function
//! that consumes the revalidation queue (`additionalProps.
//! revalidationFunction`) and the tag-cache items to seed
//! (`dynamodb-provider/dynamodb-cache.json`), each only when the server
//! uses them (its `queue` is `sqs`, its `tagCache` is `dynamodb`, and the
//! build does not disable them).

use std::path::PathBuf;

use serde::Deserialize;

use super::build::{find_handler, require_dir, FunctionBundle, OpenNextBuild};
use super::output::{FunctionRef, DEFAULT_ORIGIN};
use super::validate::relative_inside;
use crate::error::{Error, Result};

/// The file OpenNext's tag-cache seeder reads, in its bundle.
pub const TAG_SEED_FILE: &str = "dynamodb-cache.json";
/// The most tag items a build may seed; a bigger file is refused rather
/// than read into memory.
const MAX_TAG_SEED_BYTES: u64 = 64 * 1024 * 1024;

/// One tag-cache item the build seeds: the page `path` carries `tag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedTag {
    /// The tag, prefixed with the build id.
    pub tag: String,
    /// The cache entry, prefixed with the build id.
    pub path: String,
    /// When it was last revalidated (ms); OpenNext seeds 1.
    pub revalidated_at: i64,
}

/// DynamoDB's JSON form of one seed item.
#[derive(Deserialize)]
struct SeedItem {
    tag: StringValue,
    path: StringValue,
    #[serde(rename = "revalidatedAt")]
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

impl OpenNextBuild {
    /// The revalidation function's bundle, checked like an origin's: its
    /// folder lies inside the build and its handler file exists. `None`
    /// when the build has none or its server does not send revalidations
    /// to SQS (another `queue` override, or `dummy`).
    pub fn revalidation_function(&self) -> Result<Option<FunctionBundle>> {
        let Some(function) = &self.output().additional_props.revalidation_function else {
            return Ok(None);
        };
        if !self.server_uses("sqs", |f| f.queue.as_deref()) {
            return Ok(None);
        }
        let (dir, module) = self.bundle_of(function, "revalidationFunction")?;
        let root = self
            .dir()
            .canonicalize()
            .map_err(|e| Error::invalid_build(self.dir(), format!("cannot open folder: {e}")))?;
        require_dir(&root, &dir)?;
        let handler_file = find_handler(&dir, &module, &function.handler)?;
        Ok(Some(FunctionBundle {
            origin: "revalidationFunction".into(),
            dir,
            handler: function.handler.clone(),
            handler_file,
            streaming: false,
            native: None,
        }))
    }

    /// The tag-cache items the build seeds, from the initialization
    /// function's `dynamodb-cache.json`; empty when the build has no such
    /// file, disables the tag cache, or its server uses another tag cache.
    /// A malformed file is `InvalidBuild` naming it.
    pub fn tag_seed(&self) -> Result<Vec<SeedTag>> {
        let props = &self.output().additional_props;
        let Some(function) = &props.initialization_function else {
            return Ok(Vec::new());
        };
        if props.disable_tag_cache == Some(true)
            || !self.server_uses("dynamodb", |f| f.tag_cache.as_deref())
        {
            return Ok(Vec::new());
        }
        let (dir, _) = self.bundle_of(function, "initializationFunction")?;
        let file = dir.join(TAG_SEED_FILE);
        let size = match std::fs::metadata(&file) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::invalid_build(&file, format!("cannot read: {e}"))),
        };
        if size > MAX_TAG_SEED_BYTES {
            return Err(Error::invalid_build(
                &file,
                format!("is {size} bytes, more than the {MAX_TAG_SEED_BYTES} a seed may be"),
            ));
        }
        let text = std::fs::read_to_string(&file)
            .map_err(|e| Error::invalid_build(&file, format!("cannot read: {e}")))?;
        let items: Vec<SeedItem> = serde_json::from_str(&text)
            .map_err(|e| Error::invalid_build(&file, format!("is not a list of tag items: {e}")))?;
        items
            .into_iter()
            .map(|item| {
                let revalidated_at = item.revalidated_at.n.parse::<i64>().map_err(|_| {
                    Error::invalid_build(
                        &file,
                        format!(
                            "revalidatedAt {:?} is not a whole number",
                            item.revalidated_at.n
                        ),
                    )
                })?;
                Ok(SeedTag {
                    tag: item.tag.s,
                    path: item.path.s,
                    revalidated_at,
                })
            })
            .collect()
    }

    /// Whether the server's override `field` is `wanted`; OpenNext's
    /// defaults on AWS are `sqs` and `dynamodb`, so an absent one counts.
    fn server_uses(
        &self,
        wanted: &str,
        field: impl Fn(&super::output::FunctionOrigin) -> Option<&str>,
    ) -> bool {
        self.output()
            .origins
            .get(DEFAULT_ORIGIN)
            .and_then(|o| o.as_function())
            .is_some_and(|f| field(f).is_none_or(|v| v == wanted))
    }

    /// The folder of a helper function's bundle and its handler's module,
    /// or `InvalidBuild` naming the manifest if either leaves the build.
    fn bundle_of(&self, function: &FunctionRef, what: &str) -> Result<(PathBuf, String)> {
        let manifest = self.dir().join(super::OUTPUT_FILE);
        let rest = function.bundle.trim_start_matches("./");
        let rel = rest
            .strip_prefix(".open-next/")
            .and_then(relative_inside)
            .ok_or_else(|| {
                Error::invalid_build(
                    &manifest,
                    format!(
                        "additionalProps.{what}.bundle {:?} is not inside .open-next/",
                        function.bundle
                    ),
                )
            })?;
        let module = function
            .handler
            .rsplit_once('.')
            .filter(|(module, export)| !export.is_empty() && relative_inside(module).is_some())
            .map(|(module, _)| module.to_string())
            .ok_or_else(|| {
                Error::invalid_build(
                    &manifest,
                    format!(
                        "additionalProps.{what}.handler {:?} is not <module>.<export>",
                        function.handler
                    ),
                )
            })?;
        Ok((self.dir().join(rel), module))
    }
}
