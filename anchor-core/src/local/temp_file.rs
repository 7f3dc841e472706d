//! Files written beside their final place and renamed into it, so readers
//! see either the old file or the whole new one.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A file being written, removed on drop unless it was moved into place, so
/// a failed write never leaves a partial file behind.
pub(crate) struct TempFile {
    path: Option<PathBuf>,
}

impl TempFile {
    /// Creates an empty file with a fresh name in `dir`, which must be on the
    /// same filesystem as the final path so that the rename is atomic.
    pub(crate) fn create(dir: &Path) -> Result<(Self, std::fs::File)> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let path = dir.join(format!("{}.tmp", ulid::Ulid::new()));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        Ok((Self { path: Some(path) }, file))
    }

    /// Atomically moves the file to `to`, replacing what is there.
    pub(crate) fn persist(mut self, to: &Path) -> Result<()> {
        let Some(from) = self.path.take() else {
            return Ok(());
        };
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::rename(&from, to).map_err(|e| {
            let _ = std::fs::remove_file(&from);
            Error::io(to, e)
        })
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}
