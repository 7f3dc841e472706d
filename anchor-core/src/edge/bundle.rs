//! Unpacks a published version's zip once into a folder that workers run
//! from. Versions are immutable, so the folder is named by function,
//! version and code hash and never changes once it exists; it is made in
//! a temporary folder and renamed into place, so a half-unpacked bundle is
//! never used, even if two processes unpack the same version at once.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::local::RunnableVersion;

/// The folder holding `version`'s unpacked code under `root`, unpacking it
/// first if needed.
pub(crate) async fn unpacked(root: &Path, version: &RunnableVersion) -> Result<PathBuf> {
    let hash: String = version
        .version
        .code_sha256
        .chars()
        .filter_map(|c| match c {
            '+' => Some('-'),
            '/' => Some('_'),
            '=' => None,
            c => Some(c),
        })
        .collect();
    let dir = root
        .join(&version.version.function)
        .join(format!("{}-{hash}", version.version.version));
    if tokio::fs::try_exists(&dir).await.unwrap_or(false) {
        return Ok(dir);
    }
    let zip = version.zip.clone();
    let target = dir.clone();
    tokio::task::spawn_blocking(move || unpack(&zip, &target))
        .await
        .map_err(|e| Error::io(&dir, std::io::Error::other(e.to_string())))??;
    Ok(dir)
}

fn unpack(zip: &Path, dir: &Path) -> Result<()> {
    let parent = dir
        .parent()
        .ok_or_else(|| Error::io(dir, std::io::Error::other("no parent folder")))?;
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let staging = parent.join(format!(".unpacking-{}", ulid::Ulid::new()));
    let result = (|| {
        let file = std::fs::File::open(zip).map_err(|e| Error::io(zip, e))?;
        let mut archive = zip::ZipArchive::new(file)
            .map_err(|e| Error::io(zip, std::io::Error::other(e.to_string())))?;
        // `extract` refuses entries whose names would leave the folder.
        archive
            .extract(&staging)
            .map_err(|e| Error::io(&staging, std::io::Error::other(e.to_string())))?;
        match std::fs::rename(&staging, dir) {
            Ok(()) => Ok(()),
            // Another process unpacked the same version first.
            Err(_) if dir.is_dir() => Ok(()),
            Err(e) => Err(Error::io(dir, e)),
        }
    })();
    if staging.exists() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}
