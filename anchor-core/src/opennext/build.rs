//! [`OpenNextBuild`]: one checked, scanned `.open-next/` folder.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::assets::{scan_assets_within, Asset};
use super::cache;
use super::function_bundle::{find_handler, require_dir, FunctionBundle};
use super::output::{OpenNextOutput, Origin, DEFAULT_ORIGIN, IMAGE_ORIGIN};
use crate::error::{Error, Result};

/// The manifest's file name inside `.open-next/`.
pub const OUTPUT_FILE: &str = "open-next.output.json";
/// The `copy` source OpenNext lists when the build has an ISR cache.
const CACHE_COPY_SOURCE: &str = ".open-next/cache";
/// Next.js build ids are about 21 characters; anything huge is not one.
const MAX_BUILD_ID_BYTES: usize = 256;

/// A checked and scanned `.open-next/` folder.
///
/// A value exists only if the manifest is valid, `assets/` and
/// `assets/BUILD_ID` exist, every function origin's bundle folder and handler
/// file exist (and the bundle's `.next/BUILD_ID`, if any, matches), the ISR cache folder exists if the manifest copies it, the revalidation
/// function's bundle and handler exist if the server sends to SQS, the tag
/// seed rows are well formed if the server reads the DynamoDB tag cache, and
/// every asset and cache file passed the hostile-input checks.
#[derive(Debug, Clone)]
pub struct OpenNextBuild {
    dir: PathBuf,
    build_id: String,
    output: OpenNextOutput,
    assets: Vec<Asset>,
    cache_id: Option<String>,
    cache_entries: Vec<Asset>,
    routes: Vec<String>,
    functions: BTreeMap<String, FunctionBundle>,
    isr: super::IsrSetup,
    next_deployment_id: Option<String>,
}

impl OpenNextBuild {
    /// Reads, checks and scans the `.open-next/` folder at `dir`.
    ///
    /// Blocking (it hashes every asset): call it on a blocking thread, or
    /// use [`OpenNextBuild::read_async`]. Every missing or malformed piece (an empty
    /// handler file too) is `Error::InvalidBuild` naming the exact file or
    /// folder at fault.
    pub fn read(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::invalid_build(dir, "build folder is missing"));
        }
        let root = dir
            .canonicalize()
            .map_err(|e| Error::invalid_build(dir, format!("cannot open folder: {e}")))?;
        let output = OpenNextOutput::read(&dir.join(OUTPUT_FILE))?;

        let assets_dir = dir.join("assets");
        require_dir(&root, &assets_dir)?;
        let build_id = read_build_id(&assets_dir.join("BUILD_ID"))?;

        let mut functions = BTreeMap::new();
        for (name, origin) in &output.origins {
            if let Origin::Function(f) = origin {
                // Validation guarantees both; the fallbacks only avoid a panic.
                let rel = f.bundle_dir().unwrap_or_default();
                let module = f.handler_module().unwrap_or_default();
                let bundle_dir = dir.join(rel);
                require_dir(&root, &bundle_dir)?;
                let handler_file = find_handler(&bundle_dir, module, &f.handler)?;
                check_same_build(&bundle_dir, &build_id)?;
                let native = super::native_code(&bundle_dir)?;
                functions.insert(
                    name.clone(),
                    FunctionBundle {
                        origin: name.clone(),
                        dir: bundle_dir,
                        handler: f.handler.clone(),
                        native,
                        handler_file,
                        streaming: f.streaming,
                    },
                );
            }
        }

        let cache_dir = dir.join("cache");
        let (cache_id, cache_entries, routes) = if copies_cache(&output) || cache_dir.exists() {
            require_dir(&root, &cache_dir)?;
            read_cache(&cache_dir, dir, &build_id)?
        } else {
            (None, Vec::new(), Vec::new())
        };

        let isr = super::isr::read(dir, &root, &output)?;
        let next_deployment_id = match functions.get(DEFAULT_ORIGIN) {
            Some(server) => super::deployment_id::read_deployment_id(&server.dir)?,
            None => None,
        };
        let assets = scan_assets_within(&assets_dir, dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            build_id,
            output,
            assets,
            cache_id,
            cache_entries,
            routes,
            functions,
            isr,
            next_deployment_id,
        })
    }

    /// [`OpenNextBuild::read`] on Tokio's blocking pool, so async callers do
    /// not stall their runtime while assets are hashed. A panic inside
    /// `read` is resumed on the caller.
    pub async fn read_async(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        super::run_blocking(dir.clone(), move || Self::read(&dir)).await
    }

    /// The build's Next.js `deploymentId` (`config.deploymentId` of the
    /// server bundle's `.next/required-server-files.json`), which skew
    /// protection pins by; `None` when the build set none, and then pages
    /// of this deployment are not pinned (see docs/release-management.md).
    pub fn next_deployment_id(&self) -> Option<&str> {
        self.next_deployment_id.as_deref()
    }

    /// The folder this build was read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The Next.js build id from `assets/BUILD_ID`, trimmed; non-empty, at
    /// most 256 bytes, no whitespace, control characters or slashes.
    pub fn build_id(&self) -> &str {
        &self.build_id
    }

    /// The validated manifest.
    pub fn output(&self) -> &OpenNextOutput {
        &self.output
    }

    /// Every file under `assets/`, sorted by key, hashed.
    pub fn assets(&self) -> &[Asset] {
        &self.assets
    }

    /// The folder under `cache/` holding this build's ISR entries (the
    /// build id, or the Next.js `deploymentId`), if there is one.
    pub fn cache_id(&self) -> Option<&str> {
        self.cache_id.as_deref()
    }

    /// Every file under `cache/` (keys relative to `cache/`, including the
    /// fetch cache), sorted and hashed; the manifest's `s3` origin says
    /// where they go. Empty when the build has no cache folder.
    pub fn cache_entries(&self) -> &[Asset] {
        &self.cache_entries
    }

    /// URL paths of the prerendered pages and route handlers, such as `/`
    /// and `/about`, sorted: what a CDN may hold stale after a deploy.
    pub fn prerendered_routes(&self) -> &[String] {
        &self.routes
    }

    /// Every function bundle by origin name; `default` and `imageOptimizer`
    /// are always there.
    pub fn functions(&self) -> &BTreeMap<String, FunctionBundle> {
        &self.functions
    }

    /// The server function bundle (origin `default`).
    pub fn server_function(&self) -> Option<&FunctionBundle> {
        self.functions.get(DEFAULT_ORIGIN)
    }

    /// What the build needs for ISR: its revalidation function and the
    /// tag-cache rows to seed, each only when the build uses it.
    pub fn isr(&self) -> &super::IsrSetup {
        &self.isr
    }

    /// The image optimization bundle (origin `imageOptimizer`).
    pub fn image_function(&self) -> Option<&FunctionBundle> {
        self.functions.get(IMAGE_ORIGIN)
    }
}

fn read_build_id(path: &Path) -> Result<String> {
    let file = std::fs::File::open(path)
        .map_err(|e| Error::invalid_build(path, format!("cannot open BUILD_ID: {e}")))?;
    let mut raw = Vec::new();
    file.take(MAX_BUILD_ID_BYTES as u64 + 64)
        .read_to_end(&mut raw)
        .map_err(|e| Error::io(path, e))?;
    let text = std::str::from_utf8(&raw)
        .map_err(|_| Error::invalid_build(path, "BUILD_ID is not valid UTF-8"))?;
    let id = text.trim();
    let bad = id.is_empty()
        || id.len() > MAX_BUILD_ID_BYTES
        || id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/' || c == '\\');
    if bad {
        return Err(Error::invalid_build(
            path,
            format!(
                "BUILD_ID must be 1 to {MAX_BUILD_ID_BYTES} bytes without whitespace, \
                 control characters or slashes"
            ),
        ));
    }
    Ok(id.to_owned())
}

/// A bundle's own `.next/BUILD_ID` (when it has one) must match the assets':
/// a mismatch means two builds were mixed, and the server would ask for
/// chunks that were never uploaded.
fn check_same_build(bundle_dir: &Path, build_id: &str) -> Result<()> {
    let path = bundle_dir.join(".next/BUILD_ID");
    if !path.is_file() {
        return Ok(());
    }
    let own = read_build_id(&path)?;
    if own != build_id {
        return Err(Error::invalid_build(
            &path,
            format!("BUILD_ID {own:?} differs from assets/BUILD_ID {build_id:?}; the folder mixes two builds"),
        ));
    }
    Ok(())
}

fn copies_cache(output: &OpenNextOutput) -> bool {
    output.origins.values().any(|o| match o {
        Origin::S3(s3) => s3
            .copy
            .iter()
            .any(|c| c.from.trim_end_matches('/') == CACHE_COPY_SOURCE),
        _ => false,
    })
}

type CacheScan = (Option<String>, Vec<Asset>, Vec<String>);

fn read_cache(cache_dir: &Path, build_dir: &Path, build_id: &str) -> Result<CacheScan> {
    let id = cache::cache_id(cache_dir, build_id)?;
    let entries = scan_assets_within(cache_dir, build_dir)?;
    let routes = match &id {
        Some(id) => {
            let prefix = format!("{id}/");
            cache::routes(entries.iter().filter_map(|e| e.key.strip_prefix(&prefix)))
        }
        None => Vec::new(),
    };
    Ok((id, entries, routes))
}
