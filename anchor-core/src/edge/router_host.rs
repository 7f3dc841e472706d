//! The edge router, run as CloudFront runs it: the generated
//! viewer-request function ([`crate::router::RouterCode`]) executed by
//! `node` through the router's own host ([`crate::router::HOST_SCRIPT`]),
//! reading a copy of the project's keys in the local key-value store that
//! is brought up to date (by ETag) before every request, so a pointer
//! written by any process is seen by the very next request.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::Mutex;

use crate::error::{Error, Result};
use crate::local::LocalKvs;
use crate::router::{RouterCode, RouterOptions, HOST_SCRIPT};

/// What the function decided for one request.
#[derive(Debug, Clone)]
pub(crate) struct RouterAnswer {
    /// The request to forward, or a response object to answer with.
    pub result: Value,
    /// The last `cf.updateRequestOrigin` argument, if it was called.
    pub origin: Option<Value>,
}

/// The router of one served project.
pub(crate) struct RouterHost {
    node: PathBuf,
    script: PathBuf,
    code: String,
    kvs: LocalKvs,
    store: String,
    /// The project's keys start with this (`<distribution id>/`).
    prefix: String,
    state: Mutex<HostState>,
}

#[derive(Default)]
struct HostState {
    process: Option<HostProcess>,
    /// The store's ETag the process's copy was taken at.
    synced: Option<String>,
    /// The copy the process holds.
    keys: BTreeMap<String, String>,
    next_id: u64,
}

struct HostProcess {
    // Kept so the process is killed when the host is dropped.
    _child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl std::fmt::Debug for RouterHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterHost")
            .field("store", &self.store)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RouterHost {
    /// A router for the keys under `distribution_id/` of `store`, with the
    /// host script written into `dir`. Starts no process yet.
    pub async fn new(
        node: &Path,
        dir: &Path,
        kvs: LocalKvs,
        store: &str,
        distribution_id: &str,
    ) -> Result<Self> {
        let code = RouterCode::generate(&RouterOptions::default())?;
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| Error::io(dir, e))?;
        let script = dir.join("router-host.mjs");
        tokio::fs::write(&script, HOST_SCRIPT)
            .await
            .map_err(|e| Error::io(&script, e))?;
        Ok(Self {
            node: node.to_path_buf(),
            script,
            code: code.code().to_string(),
            kvs,
            store: store.to_string(),
            prefix: format!("{distribution_id}/"),
            state: Mutex::new(HostState::default()),
        })
    }

    /// Runs the function on `event` (a CloudFront viewer-request event),
    /// with the store as it is now; `live` replaces the live pointer's value
    /// for this request only (a preview's own address).
    pub async fn run(&self, event: Value, live: Option<&str>) -> Result<RouterAnswer> {
        let (etag, keys) = self.kvs.snapshot(&self.store, &self.prefix).await?;
        let mut state = self.state.lock().await;
        let outcome = self.exchange(&mut state, etag, keys, event, live).await;
        if outcome.is_err() {
            // A process that failed mid-exchange is not trusted again.
            state.process = None;
            state.synced = None;
            state.keys.clear();
        }
        outcome
    }

    async fn exchange(
        &self,
        state: &mut HostState,
        etag: String,
        keys: BTreeMap<String, String>,
        event: Value,
        live: Option<&str>,
    ) -> Result<RouterAnswer> {
        if state.process.is_none() {
            state.process = Some(self.start().await?);
            state.synced = None;
            state.keys.clear();
            self.call(state, json!({"op": "load", "code": self.code}))
                .await?;
        }
        if state.synced.as_deref() != Some(etag.as_str()) {
            let gone: Vec<&String> = state
                .keys
                .keys()
                .filter(|k| !keys.contains_key(*k))
                .collect();
            if !gone.is_empty() {
                let message = json!({"op": "delete", "keys": gone});
                self.call(state, message).await?;
            }
            let changed: serde_json::Map<String, Value> = keys
                .iter()
                .filter(|(k, v)| state.keys.get(*k) != Some(*v))
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            if !changed.is_empty() {
                self.call(state, json!({"op": "put", "entries": changed}))
                    .await?;
            }
            state.keys = keys;
            state.synced = Some(etag);
        }
        let live_key = format!("{}live", self.prefix);
        let run = json!({"op": "run", "event": event});
        let answer = match live {
            None => self.call(state, run).await,
            Some(id) => {
                let put = |value: Option<&String>| match value {
                    Some(v) => json!({"op": "put", "entries": {&live_key: v}}),
                    None => json!({"op": "delete", "keys": [&live_key]}),
                };
                let real = state.keys.get(&live_key).cloned();
                self.call(state, put(Some(&id.to_string()))).await?;
                let answer = self.call(state, run).await;
                self.call(state, put(real.as_ref())).await?;
                answer
            }
        }?;
        if let Some(error) = answer.get("error") {
            // CloudFront answers 503 when a function throws.
            return Ok(RouterAnswer {
                result: json!({
                    "statusCode": 503,
                    "statusDescription": "Service Unavailable",
                    "headers": {"content-type": {"value": "text/plain"}},
                    "body": format!("The CloudFront function associated with the CloudFront distribution failed: {error}\n"),
                }),
                origin: None,
            });
        }
        Ok(RouterAnswer {
            result: answer.get("result").cloned().unwrap_or(Value::Null),
            origin: answer.get("origin").cloned().filter(|o| !o.is_null()),
        })
    }

    async fn start(&self) -> Result<HostProcess> {
        let mut child = Command::new(&self.node)
            .arg(&self.script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| Error::io(&self.node, e))?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Error::io(
                &self.node,
                std::io::Error::other("the router host has no stdin or stdout"),
            ));
        };
        Ok(HostProcess {
            _child: child,
            stdin,
            stdout: BufReader::new(stdout).lines(),
        })
    }

    /// One request line and its answer line.
    async fn call(&self, state: &mut HostState, mut message: Value) -> Result<Value> {
        state.next_id += 1;
        let id = state.next_id;
        message["id"] = json!(id);
        let failed = |reason: String| Error::io(&self.script, std::io::Error::other(reason));
        let Some(process) = state.process.as_mut() else {
            return Err(failed("the router host is not running".into()));
        };
        let mut line = message.to_string();
        line.push('\n');
        process
            .stdin
            .write_all(line.as_bytes())
            .await
            .map_err(|e| Error::io(&self.script, e))?;
        let reply = process
            .stdout
            .next_line()
            .await
            .map_err(|e| Error::io(&self.script, e))?
            .ok_or_else(|| failed("the router host exited".into()))?;
        let reply: Value = serde_json::from_str(&reply)
            .map_err(|e| failed(format!("the router host answered {reply:?}: {e}")))?;
        if reply["id"] != json!(id) {
            return Err(failed(format!(
                "the router host answered out of turn: {reply}"
            )));
        }
        let is_run = message["op"] == "run";
        match reply.get("error") {
            // The function's own failure is the caller's to answer.
            Some(error) if !is_run => Err(failed(format!("the router host failed: {error}"))),
            _ => Ok(reply),
        }
    }
}
