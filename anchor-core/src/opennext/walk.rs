//! A hostile-input-safe walk of a build folder, shared by the asset scan and
//! the bundle zipper so both refuse the same things.
//!
//! A build folder comes from a user's machine or CI, so its names become S3
//! keys and zip entry names only after checks: UTF-8, no control characters,
//! no backslashes, at most [`MAX_KEY_BYTES`]. Symlinks are followed only
//! while they resolve inside the folder; one that escapes would upload or
//! ship a file from elsewhere on the machine.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{Error, Result};

/// The longest key accepted, in bytes: S3's limit on object keys.
pub const MAX_KEY_BYTES: usize = 1024;

/// A regular file found by [`walk_files`].
#[derive(Debug, Clone)]
pub(crate) struct WalkedFile {
    /// Path relative to the walked folder, `/`-separated.
    pub key: String,
    /// The path to open; it reads through any symlink.
    pub path: PathBuf,
    /// Size of the file (of the symlink's target for a link).
    pub size: u64,
    /// Whether any execute bit is set (always `false` off Unix).
    pub executable: bool,
}

/// Every regular file under `root`, sorted by key (byte order), so the
/// result does not depend on the order the file system lists entries in.
/// Symlinks may point anywhere inside `boundary` (`root` itself or the
/// build folder around it).
///
/// Errors are `Error::InvalidBuild` naming the exact entry at fault: a
/// symlink resolving outside `boundary`, a dangling or looping symlink, a name that is not
/// UTF-8 or has a control character or backslash, a key over
/// [`MAX_KEY_BYTES`], or an entry that is neither file nor folder.
pub(crate) fn walk_files(root: &Path, boundary: &Path) -> Result<Vec<WalkedFile>> {
    let canonical = |p: &Path| {
        p.canonicalize()
            .map_err(|e| Error::invalid_build(p, format!("cannot open folder: {e}")))
    };
    canonical(root)?;
    let boundary = canonical(boundary)?;
    let mut files = Vec::new();
    for entry in WalkDir::new(root).follow_links(true).sort_by_file_name() {
        let entry = entry.map_err(|e| walk_error(root, &boundary, e))?;
        if entry.depth() == 0 {
            continue;
        }
        let path = entry.path();
        check_name(path)?;
        if entry.path_is_symlink() {
            check_link_inside(path, &boundary)?;
        }
        let file_type = entry.file_type();
        if file_type.is_dir() {
            continue;
        }
        if !file_type.is_file() {
            return Err(Error::invalid_build(
                path,
                "not a regular file or folder (device, socket or pipe)",
            ));
        }
        let rel = path.strip_prefix(root).map_err(|_| {
            Error::invalid_build(path, "walk left the folder it started in (internal error)")
        })?;
        let key = rel_key(rel, path)?;
        if key.len() > MAX_KEY_BYTES {
            return Err(Error::invalid_build(
                path,
                format!(
                    "key is {} bytes long, more than the {MAX_KEY_BYTES} allowed",
                    key.len()
                ),
            ));
        }
        let meta = entry
            .metadata()
            .map_err(|e| walk_error(root, &boundary, e))?;
        files.push(WalkedFile {
            key,
            path: path.to_path_buf(),
            size: meta.len(),
            executable: is_executable(&meta),
        });
    }
    files.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(files)
}

/// Refuses names that are not UTF-8 or that hold characters which change
/// meaning in keys, URLs or zip readers (control characters, backslash).
fn check_name(path: &Path) -> Result<()> {
    let Some(name) = path.file_name() else {
        return Ok(());
    };
    let Some(name) = name.to_str() else {
        return Err(Error::invalid_build(path, "file name is not valid UTF-8"));
    };
    if let Some(c) = name.chars().find(|c| c.is_control() || *c == '\\') {
        return Err(Error::invalid_build(
            path,
            format!("file name contains the forbidden character {c:?}"),
        ));
    }
    Ok(())
}

fn check_link_inside(link: &Path, boundary: &Path) -> Result<()> {
    let target = link
        .canonicalize()
        .map_err(|e| Error::invalid_build(link, format!("cannot resolve symlink: {e}")))?;
    if !target.starts_with(boundary) {
        return Err(Error::invalid_build(
            link,
            format!(
                "symlink resolves to {}, outside the build folder {}",
                target.display(),
                boundary.display()
            ),
        ));
    }
    Ok(())
}

/// Joins the components of a relative path with `/` whatever the platform.
fn rel_key(rel: &Path, path: &Path) -> Result<String> {
    let mut parts = Vec::new();
    for c in rel.components() {
        let part = c
            .as_os_str()
            .to_str()
            .ok_or_else(|| Error::invalid_build(path, "path is not valid UTF-8"))?;
        parts.push(part);
    }
    Ok(parts.join("/"))
}

fn walk_error(root: &Path, boundary: &Path, e: walkdir::Error) -> Error {
    let path = e.path().unwrap_or(root).to_path_buf();
    if e.loop_ancestor().is_some() {
        // A link to an ancestor of the walk's root is both a loop and an
        // escape; the escape is the real problem, so report it first.
        if let Err(escape) = check_link_inside(&path, boundary) {
            return escape;
        }
        return Error::invalid_build(path, "symlink loop");
    }
    match e.into_io_error() {
        // A walk over a folder that exists fails with NotFound when a
        // symlink points nowhere.
        Some(io) if io.kind() == std::io::ErrorKind::NotFound => {
            Error::invalid_build(path, format!("dangling symlink or vanished file: {io}"))
        }
        Some(io) => Error::io(path, io),
        None => Error::invalid_build(path, "cannot walk this entry"),
    }
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    false
}
