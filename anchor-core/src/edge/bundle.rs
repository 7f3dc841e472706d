//! Unpacks a published version's zip once into a folder that workers run
//! from. Versions are immutable, so the folder is named by function,
//! version and code hash and never changes once it exists; it is made in
//! a temporary folder and renamed into place, so a half-unpacked bundle is
//! never used, even if two processes unpack the same version at once.
//! Within one process, concurrent requests for the same version wait for a
//! single unpacking instead of each extracting the whole bundle again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use crate::error::{Error, Result};
use crate::local::RunnableVersion;

/// One lock per bundle folder being unpacked in this process.
type UnpackLocks = Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>;
static UNPACKING: LazyLock<UnpackLocks> = LazyLock::new(Default::default);

/// The folder holding `version`'s unpacked code under `root`, unpacking it
/// first if needed. Concurrent calls for the same version in one process
/// unpack it once; the others wait and then use the same folder.
pub(crate) async fn unpacked(root: &Path, version: &RunnableVersion) -> Result<PathBuf> {
    let dir = bundle_dir(root, version);
    if is_dir(&dir).await {
        return Ok(dir);
    }
    let lock = {
        let mut locks = UNPACKING
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        locks.entry(dir.clone()).or_default().clone()
    };
    let _held = lock.lock().await;
    let result = if is_dir(&dir).await {
        Ok(())
    } else {
        let zip = version.zip.clone();
        let target = dir.clone();
        tokio::task::spawn_blocking(move || unpack(&zip, &target))
            .await
            .map_err(|e| Error::io(&dir, std::io::Error::other(e.to_string())))
            .and_then(|unpacked| unpacked)
    };
    // Once the folder exists (or unpacking failed) the lock has done its
    // job; later callers see the folder without it.
    UNPACKING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .remove(&dir);
    result.map(|()| dir)
}

async fn is_dir(dir: &Path) -> bool {
    tokio::fs::metadata(dir)
        .await
        .map(|m| m.is_dir())
        .unwrap_or(false)
}

fn bundle_dir(root: &Path, version: &RunnableVersion) -> PathBuf {
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
    root.join(&version.version.function)
        .join(format!("{}-{hash}", version.version.version))
}

fn unpack(zip: &Path, dir: &Path) -> Result<()> {
    let parent = dir
        .parent()
        .ok_or_else(|| Error::io(dir, std::io::Error::other("no parent folder")))?;
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let staging = parent.join(format!(".unpacking-{}", ulid::Ulid::new()));
    let result = (|| {
        let file = std::fs::File::open(zip).map_err(|e| Error::io(zip, e))?;
        let mut archive = zip::ZipArchive::new(file).map_err(|e| Error::io(zip, zip_io(e)))?;
        // `extract` refuses entries whose names would leave the folder.
        archive
            .extract(&staging)
            .map_err(|e| Error::io(&staging, zip_io(e)))?;
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

/// The zip crate's error as an `io::Error`, keeping the underlying I/O
/// error (its kind and OS code) when there is one, so "no space left" or
/// "too many open files" reaches the caller instead of a bare "i/o error".
fn zip_io(error: zip::result::ZipError) -> std::io::Error {
    match error {
        zip::result::ZipError::Io(io) => io,
        other => std::io::Error::other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FunctionVersion;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_requests_for_one_version_unpack_it_once() {
        let tmp = tempfile::tempdir().unwrap();
        let zip_path = tmp.path().join("code.zip");
        {
            let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
            for i in 0..200 {
                writer
                    .start_file(format!("f{i}.js"), zip::write::SimpleFileOptions::default())
                    .unwrap();
                std::io::Write::write_all(&mut writer, &[b'x'; 4096]).unwrap();
            }
            writer.finish().unwrap();
        }
        let root = tmp.path().join("bundles");
        let version = RunnableVersion {
            version: FunctionVersion {
                function: "web-server".into(),
                version: "3".into(),
                arn: "local:web-server:3".into(),
                code_sha256: "abc+/=".into(),
                handler: None,
                memory_mb: None,
                timeout_seconds: None,
                architecture: None,
                runtime: None,
            },
            zip: zip_path,
            handler: "index.handler".into(),
            environment: Default::default(),
            architecture: None,
            timeout_seconds: None,
            memory_mb: None,
        };
        // Watch the function's folder for staging folders while 64 requests
        // ask for the bundle at once.
        let parent = root.join("web-server");
        let watching = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let most_staging = {
            let parent = parent.clone();
            let watching = watching.clone();
            std::thread::spawn(move || {
                let mut most = 0;
                while watching.load(std::sync::atomic::Ordering::Relaxed) {
                    let staging = std::fs::read_dir(&parent)
                        .map(|entries| {
                            entries
                                .flatten()
                                .filter(|e| {
                                    e.file_name().to_string_lossy().starts_with(".unpacking-")
                                })
                                .count()
                        })
                        .unwrap_or(0);
                    most = most.max(staging);
                }
                most
            })
        };
        let calls = (0..64).map(|_| unpacked(&root, &version));
        let dirs = futures::future::join_all(calls).await;
        watching.store(false, std::sync::atomic::Ordering::Relaxed);
        let most_staging = most_staging.join().unwrap();
        let first = dirs[0].as_ref().unwrap().clone();
        for dir in &dirs {
            assert_eq!(dir.as_ref().unwrap(), &first);
        }
        assert_eq!(first, parent.join("3-abc-_"));
        assert_eq!(std::fs::read_dir(&first).unwrap().count(), 200);
        assert!(
            most_staging <= 1,
            "{most_staging} unpackings of one version ran at once"
        );
        assert!(UNPACKING.lock().unwrap().is_empty());
    }
}
