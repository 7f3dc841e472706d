//! [`FunctionBundle`]: a function's folder in the build, and the checks
//! every bundle passes (the folder is inside the build, the handler module
//! exists), shared by the build's functions and its revalidation function.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Extensions Lambda's Node.js runtime tries for a handler module.
const HANDLER_EXTENSIONS: &[&str] = &["mjs", "js", "cjs"];

/// A function bundle of the build, checked to exist with its handler file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionBundle {
    /// The origin name, such as `default` or `imageOptimizer`.
    pub origin: String,
    /// The bundle folder; it exists and lies inside the build folder.
    pub dir: PathBuf,
    /// The Lambda handler, such as `index.handler`.
    pub handler: String,
    /// The handler's module file, such as `<dir>/index.mjs`; it exists.
    pub handler_file: PathBuf,
    /// Whether the function answers with response streaming.
    pub streaming: bool,
    /// The architecture its native code (such as `sharp`) is built for;
    /// `None` for plain JavaScript, which runs on either.
    pub native: Option<super::NativeCode>,
}

/// Fails unless `path` is a folder whose real location is inside `root`
/// (a symlinked `assets/` pointing elsewhere would upload foreign files).
pub(super) fn require_dir(root: &Path, path: &Path) -> Result<()> {
    if !path.is_dir() {
        return Err(Error::invalid_build(path, "folder is missing"));
    }
    let real = path
        .canonicalize()
        .map_err(|e| Error::invalid_build(path, format!("cannot resolve folder: {e}")))?;
    if !real.starts_with(root) {
        return Err(Error::invalid_build(
            path,
            format!("resolves to {}, outside the build folder", real.display()),
        ));
    }
    Ok(())
}

/// The handler module of `handler` in `bundle_dir`: `<module>.mjs`, `.js`
/// or `.cjs`, the first that exists; `InvalidBuild` if none does or it is
/// empty.
pub(super) fn find_handler(bundle_dir: &Path, module: &str, handler: &str) -> Result<PathBuf> {
    for ext in HANDLER_EXTENSIONS {
        let candidate = bundle_dir.join(format!("{module}.{ext}"));
        if candidate.is_file() {
            // An empty module exports nothing: the function could only fail.
            let empty = candidate.metadata().is_ok_and(|m| m.len() == 0);
            if empty {
                return Err(Error::invalid_build(
                    candidate,
                    format!("handler file for {handler:?} is empty (zero bytes)"),
                ));
            }
            return Ok(candidate);
        }
    }
    // Name the file OpenNext writes, which is what a user will look for.
    Err(Error::invalid_build(
        bundle_dir.join(format!("{module}.mjs")),
        format!(
            "handler file for {handler:?} is missing (looked for {module}.mjs, {module}.js, {module}.cjs)"
        ),
    ))
}
