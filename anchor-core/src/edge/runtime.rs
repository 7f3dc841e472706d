//! The Node.js runtime the workers need: found and checked once at start,
//! with the runner script written where workers can load it.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The worker runner, compiled into the crate.
const RUNNER: &str = include_str!("worker.mjs");
/// The oldest Node.js the OpenNext bundles run on.
const MIN_NODE_MAJOR: u32 = 18;

/// Checks that `node` runs and is recent enough. The error names the
/// field `node` and says how to fix it.
pub(crate) async fn check_node(node: &Path) -> Result<String> {
    let output = tokio::process::Command::new(node)
        .arg("--version")
        .env_clear()
        .kill_on_drop(true)
        .output()
        .await;
    let output = match output {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(node_missing(node));
        }
        Err(e) => {
            return Err(Error::invalid_input(
                "node",
                format!("{} cannot be run: {e}", node.display()),
            ))
        }
    };
    let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let major = version
        .strip_prefix('v')
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(major) if output.status.success() && major >= MIN_NODE_MAJOR => Ok(version),
        _ => Err(Error::invalid_input(
            "node",
            format!(
                "{} reported {version:?}; the local edge needs Node.js {MIN_NODE_MAJOR} or later",
                node.display()
            ),
        )),
    }
}

/// The error for a `node` that does not exist, at start or when a worker
/// is spawned later.
pub(crate) fn node_missing(node: &Path) -> Error {
    Error::invalid_input(
        "node",
        format!(
            "{} was not found; the local edge runs functions with Node.js {MIN_NODE_MAJOR} or later: \
             install it, or point EdgeOptions::node (or ANCHOR_NODE) at it",
            node.display()
        ),
    )
}

/// Writes the runner script under `dir`, named by its content so servers
/// of different Anchor versions never overwrite each other's.
pub(crate) async fn write_runner(dir: &Path) -> Result<PathBuf> {
    let hash = Sha256::digest(RUNNER.as_bytes());
    let name = format!(
        "worker-{:02x}{:02x}{:02x}{:02x}.mjs",
        hash[0], hash[1], hash[2], hash[3]
    );
    let path = dir.join(name);
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(path);
    }
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| Error::io(dir, e))?;
    let staging = dir.join(format!(".worker-{}.mjs", ulid::Ulid::new()));
    tokio::fs::write(&staging, RUNNER)
        .await
        .map_err(|e| Error::io(&staging, e))?;
    tokio::fs::rename(&staging, &path)
        .await
        .map_err(|e| Error::io(&path, e))?;
    Ok(path)
}
