//! Deterministic zips of function bundles.
//!
//! Lambda publishes a new version only when the code hash changes, so the
//! same bundle must always give the same zip bytes: entries sorted by path,
//! a fixed timestamp, permissions reduced to 0644/0755, one compression
//! level, and no directory entries (whose presence would depend on how the
//! folder was made).

use std::fs::File;
use std::io::{Cursor, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::walk::walk_files;
use crate::error::{Error, Result};
use crate::traits::CodeBundle;

/// Size limits a zipped bundle must respect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BundleLimits {
    /// Most bytes the zip may have.
    pub max_zipped_bytes: u64,
    /// Most bytes the files may add up to before compression.
    pub max_unzipped_bytes: u64,
}

impl BundleLimits {
    /// Lambda's limits for a direct zip upload: 50 MiB zipped, 250 MiB
    /// unzipped.
    pub const LAMBDA: Self = Self {
        max_zipped_bytes: 50 * 1024 * 1024,
        max_unzipped_bytes: 250 * 1024 * 1024,
    };
}

impl Default for BundleLimits {
    fn default() -> Self {
        Self::LAMBDA
    }
}

/// Zips the function bundle in `dir` within [`BundleLimits::LAMBDA`].
///
/// See [`package_bundle_with_limits`] for what is guaranteed.
pub fn package_bundle(dir: &Path) -> Result<CodeBundle> {
    package_bundle_with_limits(dir, BundleLimits::LAMBDA)
}

/// Zips the function bundle in `dir`, refusing it if it breaks `limits`.
///
/// Guarantees: the same file names, contents and execute bits give the same
/// zip bytes, whatever the mtimes, owners or the order files were created
/// in. Entries are the regular files only, sorted by `/`-separated path,
/// deflated at level 6, dated 1980-01-01 00:00, mode 0755 if any execute
/// bit is set and 0644 otherwise. A symlink inside `dir` is stored as its
/// target's content; one resolving outside `dir` is refused, since the
/// deployed function could not follow it either.
///
/// Blocking: it reads every file. Errors: `Error::InvalidBuild` naming `dir`
/// for an empty bundle or one over a limit (the reason gives both sizes),
/// naming the entry for the hostile names and escaping symlinks refused by
/// the build-folder walk; `Error::Io` for read failures.
pub fn package_bundle_with_limits(dir: &Path, limits: BundleLimits) -> Result<CodeBundle> {
    package_bundle_with_files(dir, limits, &[])
}

/// A file Anchor adds to a bundle that is not in the build's folder, such
/// as the origin guard.
#[derive(Clone, PartialEq, Eq)]
pub struct AddedFile {
    /// Its `/`-separated path in the zip.
    pub key: String,
    /// Its contents.
    pub contents: Vec<u8>,
}

impl std::fmt::Debug for AddedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddedFile")
            .field("key", &self.key)
            .field("bytes", &self.contents.len())
            .finish()
    }
}

/// [`package_bundle_with_limits`] with `added` files zipped among the
/// bundle's own, in the same sorted order and with the same fixed dates
/// and mode 0644, so the zip is as reproducible. Fails with
/// `InvalidBuild` naming the folder if an added file's path is already
/// in the bundle.
pub fn package_bundle_with_files(
    dir: &Path,
    limits: BundleLimits,
    added: &[AddedFile],
) -> Result<CodeBundle> {
    let files = walk_files(dir, dir)?;
    if files.is_empty() {
        return Err(Error::invalid_build(dir, "function bundle has no files"));
    }
    if let Some(clash) = added
        .iter()
        .find(|a| files.iter().any(|f| f.key.as_str() == a.key))
    {
        return Err(Error::invalid_build(
            dir,
            format!("the bundle already has {}, which Anchor adds", clash.key),
        ));
    }
    let listed: u64 = files.iter().map(|f| f.size).sum::<u64>()
        + added.iter().map(|a| a.contents.len() as u64).sum::<u64>();
    check_unzipped(dir, listed, limits)?;

    let zip_err = |e: zip::result::ZipError| Error::io(dir, std::io::Error::other(e));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let mut unzipped = 0u64;
    let options = |mode: u32| {
        SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(DateTime::default())
            .unix_permissions(mode)
    };
    let mut added: Vec<&AddedFile> = added.iter().collect();
    added.sort_by(|a, b| a.key.cmp(&b.key));
    let mut added = added.into_iter().peekable();
    for f in &files {
        while let Some(a) = added.next_if(|a| a.key.as_str() < f.key.as_str()) {
            zip.start_file(a.key.as_str(), options(0o644))
                .map_err(zip_err)?;
            zip.write_all(&a.contents).map_err(|e| Error::io(dir, e))?;
            unzipped += a.contents.len() as u64;
        }
        let mode = if f.executable { 0o755 } else { 0o644 };
        zip.start_file(f.key.as_str(), options(mode))
            .map_err(zip_err)?;
        let mut input = File::open(&f.path).map_err(|e| Error::io(&f.path, e))?;
        // A file may have grown since the walk; count what was really read.
        unzipped += std::io::copy(&mut input, &mut zip).map_err(|e| Error::io(&f.path, e))?;
        check_unzipped(dir, unzipped, limits)?;
    }
    for a in added {
        zip.start_file(a.key.as_str(), options(0o644))
            .map_err(zip_err)?;
        zip.write_all(&a.contents).map_err(|e| Error::io(dir, e))?;
        unzipped += a.contents.len() as u64;
    }
    check_unzipped(dir, unzipped, limits)?;
    zip.flush().map_err(|e| Error::io(dir, e))?;
    let bytes = zip.finish().map_err(zip_err)?.into_inner();
    let zipped = bytes.len() as u64;
    if zipped > limits.max_zipped_bytes {
        return Err(Error::invalid_build(
            dir,
            format!(
                "function bundle zips to {zipped} bytes ({unzipped} unzipped), more than the {} allowed zipped",
                limits.max_zipped_bytes
            ),
        ));
    }
    Ok(CodeBundle::new(bytes))
}

fn check_unzipped(dir: &Path, unzipped: u64, limits: BundleLimits) -> Result<()> {
    if unzipped > limits.max_unzipped_bytes {
        return Err(Error::invalid_build(
            dir,
            format!(
                "function bundle holds {unzipped} bytes unzipped, more than the {} allowed",
                limits.max_unzipped_bytes
            ),
        ));
    }
    Ok(())
}
