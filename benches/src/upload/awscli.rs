//! `aws s3 sync`, the baseline: run from the benchmark's own venv as its own
//! process, with its requests counted by a tiny awscli plugin.
//!
//! Counting: awscli (v1) loads plugins named in the `[plugins]` section of
//! its config file. Ours registers a handler on botocore's `before-send`
//! event, which fires once per HTTP attempt (retries included), right before
//! the request is sent, and writes the counts to a file at exit. Unlike
//! `--debug`, it adds no logging work to the timed run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::endpoint::{ACCESS_KEY, REGION, SECRET_KEY};
use super::proc::{self, Measured};
use super::Fail;

const PLUGIN_MODULE: &str = "anchor_bench_count";

const PLUGIN_SOURCE: &str = r#""""Counts botocore's HTTP attempts for Anchor's upload benchmark."""
import atexit
import json
import os
import threading

_lock = threading.Lock()
_counts = {}


def _count(request=None, event_name="", **kwargs):
    # before-send.<service>.<Operation>; returning None lets botocore send.
    parts = event_name.split(".")
    key = ":".join(parts[1:3]) if len(parts) >= 3 else event_name
    with _lock:
        _counts[key] = _counts.get(key, 0) + 1


def _write():
    path = os.environ.get("ANCHOR_BENCH_AWSCLI_COUNT")
    if path:
        with open(path, "w") as f:
            json.dump(_counts, f)


def awscli_initialize(cli):
    cli.register("before-send", _count)
    atexit.register(_write)
"#;

/// The awscli side: the executable and the folder with its plugin and config.
#[derive(Debug, Clone)]
pub struct AwsCli {
    exe: PathBuf,
    dir: PathBuf,
}

/// One `aws s3 sync` run.
#[derive(Debug, Clone)]
pub struct SyncStats {
    /// Wall time and peak RSS of the process.
    pub measured: Measured,
    /// Requests by `service:operation`, retries included.
    pub by_operation: BTreeMap<String, u64>,
}

impl SyncStats {
    /// All requests.
    pub fn requests(&self) -> u64 {
        self.by_operation.values().sum()
    }
}

impl AwsCli {
    /// Writes the plugin and an isolated config file under `dir`.
    pub fn prepare(exe: &Path, dir: &Path) -> Result<Self, Fail> {
        std::fs::create_dir_all(dir).map_err(|e| Fail::io("create", dir, e))?;
        let plugin = dir.join(format!("{PLUGIN_MODULE}.py"));
        std::fs::write(&plugin, PLUGIN_SOURCE).map_err(|e| Fail::io("write", &plugin, e))?;
        let config = dir.join("config");
        let text = format!(
            "[default]\nregion = {REGION}\n\n[plugins]\n{PLUGIN_MODULE} = {PLUGIN_MODULE}\n"
        );
        std::fs::write(&config, text).map_err(|e| Fail::io("write", &config, e))?;
        Ok(Self {
            exe: exe.to_path_buf(),
            dir: dir.to_path_buf(),
        })
    }

    /// `aws s3 sync <assets> s3://<bucket>/<prefix>` against `endpoint`.
    pub fn sync(
        &self,
        endpoint: &str,
        assets: &Path,
        bucket: &str,
        prefix: &str,
        log_dir: &Path,
        name: &str,
    ) -> Result<SyncStats, Fail> {
        let counts = log_dir.join(format!("{name}.counts.json"));
        let _ = std::fs::remove_file(&counts);
        let mut cmd = Command::new(&self.exe);
        cmd.arg("--endpoint-url")
            .arg(endpoint)
            .args(["s3", "sync", "--only-show-errors", "--no-progress"])
            .arg(assets)
            .arg(format!("s3://{bucket}/{prefix}"));
        isolate(&mut cmd);
        cmd.env("AWS_CONFIG_FILE", self.dir.join("config"))
            .env("PYTHONPATH", &self.dir)
            .env("ANCHOR_BENCH_AWSCLI_COUNT", &counts);
        let measured = proc::run(cmd, log_dir, name)?;
        let text = std::fs::read_to_string(&counts).map_err(|e| Fail::io("read", &counts, e))?;
        let by_operation = serde_json::from_str(&text)
            .map_err(|e| Fail::during(&format!("parsing {}", counts.display()), e))?;
        Ok(SyncStats {
            measured,
            by_operation,
        })
    }
}

/// Gives a child only the dummy credentials and region: no profile, no
/// shared files, no instance metadata, no endpoint from the caller's shell.
pub fn isolate(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") {
            cmd.env_remove(&name);
        }
    }
    cmd.env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_REGION", REGION)
        .env("AWS_DEFAULT_REGION", REGION)
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true");
}
