//! The committed fixture build, trimmed from a real OpenNext build of
//! `examples/nextjs-app`, and copying it where a test may change it.

use std::path::{Path, PathBuf};

/// `anchor-core/tests/fixtures/open-next-min`, an OpenNext output folder.
pub fn fixture_build() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../anchor-core/tests/fixtures/open-next-min")
}

/// Copies the folder `from` into `to` recursively (creating `to`), regular
/// files and folders only; symbolic links are not followed.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(from).follow_links(false) {
        let entry = entry?;
        let rel = entry
            .path()
            .strip_prefix(from)
            .map_err(std::io::Error::other)?;
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}
