//! Reading an OpenNext build folder (`.open-next/`): the output manifest,
//! the assets with their hashes and cache classes, and deterministic zips of
//! the function bundles.
//!
//! - [`OpenNextOutput`]: `open-next.output.json`, parsed and validated;
//! - [`OpenNextBuild`]: the whole folder, checked and scanned;
//! - [`scan_assets`]: files with key, size, SHA-256, content type and
//!   `Cache-Control`;
//! - [`package_bundle`]: a function bundle as a reproducible zip;
//! - [`OriginGuard`]: the handler Anchor adds to a server bundle, which
//!   refuses requests without the project's origin secret.
//!
//! Everything here is blocking file I/O. The sync functions are meant for a
//! blocking thread; [`OpenNextBuild::read_async`] and
//! [`package_bundle_async`] run them on Tokio's blocking pool for callers
//! already inside a runtime. Every refusal of the build's content is
//! `Error::InvalidBuild` naming the exact file or folder at fault.

mod assets;
mod build;
mod bundle;
mod cache;
mod deployment_id;
mod function_bundle;
mod isr;
mod native;
mod origin_guard;
mod output;
mod parse;
mod routes;
mod validate;
mod walk;

use std::path::PathBuf;

pub use assets::{
    content_type, scan_assets, Asset, CACHE_CONTROL_IMMUTABLE, CACHE_CONTROL_REVALIDATE,
};
pub use build::{OpenNextBuild, OUTPUT_FILE};
pub use bundle::{
    package_bundle, package_bundle_with_files, package_bundle_with_limits, AddedFile, BundleLimits,
};
pub use function_bundle::FunctionBundle;
pub use isr::{IsrSetup, TAG_SEED_FILE};
pub use native::{native_code, NativeCode};
pub use origin_guard::{OriginGuard, GUARD_FILE, GUARD_HANDLER};
pub use output::{
    AdditionalProps, Behavior, CopyRule, EcsOrigin, FunctionOrigin, FunctionRef, OpenNextOutput,
    Origin, S3Origin, DEFAULT_ORIGIN, DEFAULT_PATTERN, IMAGE_ORIGIN,
};
pub use walk::MAX_KEY_BYTES;

use crate::error::{Error, Result};
use crate::traits::CodeBundle;

/// [`package_bundle`] on Tokio's blocking pool. A panic inside it is resumed
/// on the caller.
pub async fn package_bundle_async(dir: impl Into<PathBuf>) -> Result<CodeBundle> {
    let dir = dir.into();
    run_blocking(dir.clone(), move || package_bundle(&dir)).await
}

/// [`package_bundle_with_limits`] on Tokio's blocking pool. A panic inside
/// it is resumed on the caller.
pub async fn package_bundle_with_limits_async(
    dir: impl Into<PathBuf>,
    limits: BundleLimits,
) -> Result<CodeBundle> {
    let dir = dir.into();
    run_blocking(dir.clone(), move || {
        package_bundle_with_limits(&dir, limits)
    })
    .await
}

/// [`package_bundle_with_files`] on Tokio's blocking pool. A panic inside
/// it is resumed on the caller.
pub async fn package_bundle_with_files_async(
    dir: impl Into<PathBuf>,
    limits: BundleLimits,
    added: Vec<AddedFile>,
) -> Result<CodeBundle> {
    let dir = dir.into();
    run_blocking(dir.clone(), move || {
        package_bundle_with_files(&dir, limits, &added)
    })
    .await
}

/// Runs blocking work off the async threads. A panic is re-raised rather
/// than turned into an error, so bugs are not reported as bad input.
async fn run_blocking<T, F>(path: PathBuf, work: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(Error::io(
            path,
            std::io::Error::other(format!("blocking task was cancelled: {e}")),
        )),
    }
}
