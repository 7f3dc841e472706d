//! One `node` process running the router's host script
//! ([`crate::router::HOST_SCRIPT`]): its newline-delimited JSON protocol,
//! and the copy of the project's keys it holds.
//!
//! A process is owned by exactly one task and every exchange is written and
//! read to the end by that task, so a request whose client went away can
//! never leave an unread answer in the pipe for the next request to take.
//! A process that fails an exchange in any way is not used again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// Why a router process could not answer. Every variant but
/// [`HostFailure::Start`] and [`HostFailure::TimedOut`] means the process
/// broke (it died, or its pipes did) and a fresh one may well succeed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HostFailure {
    /// `node` could not be started.
    #[error("the router host could not be started with {}: {source}", node.display())]
    Start {
        /// The executable.
        node: PathBuf,
        /// Why the spawn failed.
        source: std::io::Error,
    },
    /// Writing to or reading from the process failed.
    #[error("the router host's pipe failed: {0}")]
    Pipe(#[source] std::io::Error),
    /// The process closed its stdout: it exited or was killed.
    #[error("the router host exited (pid {pid:?})")]
    Exited {
        /// Its process id, if it was known.
        pid: Option<u32>,
    },
    /// The process answered something that does not follow the protocol.
    #[error("the router host broke the protocol: {0}")]
    Protocol(String),
    /// The process took longer than this to answer one exchange.
    #[error("the router host did not answer within {0:?}")]
    TimedOut(Duration),
}

impl HostFailure {
    /// Whether the same request may succeed on a fresh process. A start
    /// failure would fail again, and a timeout may be the function's own
    /// endless loop, which a retry would only repeat.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Pipe(_) | Self::Exited { .. } | Self::Protocol(_)
        )
    }
}

/// The project's keys as the store held them at one ETag.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeySnapshot {
    /// The store's ETag at the time of the read.
    pub etag: String,
    /// Every key under the project's prefix, with its value.
    pub keys: BTreeMap<String, String>,
}

/// A started `node` running the host script, with the function loaded.
pub(crate) struct RouterProcess {
    // Kept so the process is killed when this is dropped.
    child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
    /// The keys the process holds, and the ETag they were read at.
    copy: KeySnapshot,
    synced: bool,
    next_id: u64,
}

impl RouterProcess {
    /// Starts `node script` and loads `code` (the router) and
    /// `response_code` (the viewer-response function) into it.
    pub async fn start(
        node: &Path,
        script: &Path,
        code: &str,
        response_code: &str,
        timeout: Duration,
    ) -> Result<Self, HostFailure> {
        let mut child = Command::new(node)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|source| HostFailure::Start {
                node: node.to_path_buf(),
                source,
            })?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(HostFailure::Protocol(
                "the router host has no stdin or stdout".into(),
            ));
        };
        let mut process = Self {
            child,
            stdin,
            stdout: BufReader::new(stdout).lines(),
            copy: KeySnapshot::default(),
            synced: false,
            next_id: 0,
        };
        process
            .exchange(
                vec![json!({"op": "load", "code": code, "responseCode": response_code})],
                timeout,
            )
            .await?;
        Ok(process)
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// The ETag of the keys the process holds, once it holds any.
    pub fn synced_etag(&self) -> Option<&str> {
        self.synced.then_some(self.copy.etag.as_str())
    }

    /// Runs the function on `event` with the keys of `snapshot`. Returns
    /// the host's answer to the run: either `result` and `origin`, or the
    /// function's own `error`.
    ///
    /// The key updates and the run go out as one batch and come back as
    /// one, so a request costs one round trip.
    pub async fn run(
        &mut self,
        snapshot: Option<KeySnapshot>,
        event: Value,
        timeout: Duration,
    ) -> Result<Value, HostFailure> {
        let mut batch = Vec::new();
        if let Some(snapshot) = snapshot {
            self.sync(snapshot, &mut batch);
        }
        batch.push(json!({"op": "run", "event": event}));
        let run_at = batch.len() - 1;
        let mut answers = self.exchange(batch, timeout).await?;
        Ok(answers.swap_remove(run_at))
    }

    /// Adds to `batch` the updates that turn the process's copy into
    /// `snapshot`, and takes `snapshot` as the copy.
    fn sync(&mut self, snapshot: KeySnapshot, batch: &mut Vec<Value>) {
        if self.synced_etag() == Some(snapshot.etag.as_str()) {
            return;
        }
        let gone: Vec<&String> = self
            .copy
            .keys
            .keys()
            .filter(|k| !snapshot.keys.contains_key(*k))
            .collect();
        if !gone.is_empty() {
            batch.push(json!({"op": "delete", "keys": gone}));
        }
        let changed: serde_json::Map<String, Value> = snapshot
            .keys
            .iter()
            .filter(|(k, v)| self.copy.keys.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        if !changed.is_empty() {
            batch.push(json!({"op": "put", "entries": changed}));
        }
        self.copy = snapshot;
        self.synced = true;
    }

    /// Writes every message of `batch` and reads one answer per message, in
    /// order, all within `timeout`. A failed load, put or delete is a
    /// protocol failure; a failed run is the function's and is returned.
    async fn exchange(
        &mut self,
        batch: Vec<Value>,
        timeout: Duration,
    ) -> Result<Vec<Value>, HostFailure> {
        match tokio::time::timeout(timeout, self.exchange_unbounded(batch)).await {
            Ok(answers) => answers,
            Err(_) => Err(HostFailure::TimedOut(timeout)),
        }
    }

    async fn exchange_unbounded(&mut self, batch: Vec<Value>) -> Result<Vec<Value>, HostFailure> {
        let mut lines = String::new();
        let mut sent = Vec::with_capacity(batch.len());
        for mut message in batch {
            self.next_id += 1;
            message["id"] = json!(self.next_id);
            lines.push_str(&message.to_string());
            lines.push('\n');
            sent.push((self.next_id, message["op"] == "run"));
        }
        self.stdin
            .write_all(lines.as_bytes())
            .await
            .map_err(HostFailure::Pipe)?;
        self.stdin.flush().await.map_err(HostFailure::Pipe)?;
        let mut answers = Vec::with_capacity(sent.len());
        for (id, is_run) in sent {
            let line = self
                .stdout
                .next_line()
                .await
                .map_err(HostFailure::Pipe)?
                .ok_or(HostFailure::Exited {
                    pid: self.child.id(),
                })?;
            let answer: Value = serde_json::from_str(&line)
                .map_err(|e| HostFailure::Protocol(format!("answer {line:?}: {e}")))?;
            if answer["id"] != json!(id) {
                return Err(HostFailure::Protocol(format!(
                    "expected the answer to {id}, got {answer}"
                )));
            }
            match answer.get("error") {
                // The function's own failure is the caller's to answer.
                Some(error) if !is_run => {
                    return Err(HostFailure::Protocol(format!("the host failed: {error}")))
                }
                _ => answers.push(answer),
            }
        }
        Ok(answers)
    }
}
