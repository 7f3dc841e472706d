//! One `node` worker process running one function version: started once,
//! it imports the bundle and then answers one invocation at a time over
//! length-prefixed JSON frames on stdin/stdout (see `worker.mjs`).

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The largest frame either side accepts: Lambda's 6 MB payload limit,
/// base64-encoded, with room for the JSON around it.
const MAX_FRAME: u32 = 16 * 1024 * 1024;
/// How many of the worker's last stderr lines a crash report quotes.
const STDERR_TAIL: usize = 12;

/// How to start workers of one function version. Its `Debug` names the
/// environment's variables, never their values (the origin secret is one).
#[derive(Clone)]
pub(crate) struct WorkerSpec {
    /// The `node` executable.
    pub node: PathBuf,
    /// The runner script (`worker.mjs`) on disk.
    pub runner: PathBuf,
    /// The unpacked bundle; the worker's working directory.
    pub bundle_dir: PathBuf,
    /// `file.export`, such as `index.handler`.
    pub handler: String,
    /// The whole environment of the process.
    pub env: BTreeMap<String, String>,
    /// `function:version`, for logs and errors.
    pub label: String,
    /// How long importing the bundle may take.
    pub start_timeout: Duration,
    /// The version's own timeout, as Lambda enforces it; `None` for a
    /// version published before timeouts were recorded.
    pub function_timeout: Option<Duration>,
}

impl std::fmt::Debug for WorkerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerSpec")
            .field("node", &self.node)
            .field("runner", &self.runner)
            .field("bundle_dir", &self.bundle_dir)
            .field("handler", &self.handler)
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .field("label", &self.label)
            .field("start_timeout", &self.start_timeout)
            .finish()
    }
}

/// Why a worker could not be started.
#[derive(Debug)]
pub(crate) enum StartError {
    /// The `node` executable does not exist.
    NodeMissing(PathBuf),
    /// It started but could not load the handler, or died or hung doing so.
    Failed(String),
}

/// What one invocation answered.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    /// A buffered handler's return value (`null` if it returned nothing).
    Returned(Value),
    /// What a handler wrapped in `awslambda.streamifyResponse` wrote to its
    /// response stream, whole.
    Streamed {
        /// The content type the handler set on the stream.
        content_type: String,
        /// Every byte written, in order.
        body: bytes::Bytes,
    },
}

/// Why an invocation got no response.
#[derive(Debug)]
pub(crate) enum InvokeError {
    /// The request never reached the worker (it had already exited); safe
    /// to send again to another worker.
    NotDelivered(String),
    /// The worker died or broke the protocol while the request was in
    /// flight. It is gone.
    Crashed(String),
    /// No answer within the timeout; the worker was killed.
    TimedOut,
    /// The handler threw or rejected; the worker is still usable.
    Handler(String),
}

/// A running worker.
pub(crate) struct Worker {
    child: Child,
    stdin: ChildStdin,
    stdout: ChildStdout,
    stderr_tail: Arc<Mutex<VecDeque<String>>>,
    label: String,
    next_id: u64,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("label", &self.label)
            .field("pid", &self.child.id())
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// Starts a process and waits for its `ready` frame.
    pub async fn start(spec: &WorkerSpec) -> Result<Self, StartError> {
        let mut command = Command::new(&spec.node);
        command
            .arg(&spec.runner)
            .arg(&spec.bundle_dir)
            .arg(&spec.handler)
            .current_dir(&spec.bundle_dir)
            .env_clear()
            .envs(&spec.env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StartError::NodeMissing(spec.node.clone()),
            _ => StartError::Failed(format!("cannot start {}: {e}", spec.node.display())),
        })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(StartError::Failed("the worker's pipes are missing".into()));
        };
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        forward_stderr(stderr, spec.label.clone(), child.id(), stderr_tail.clone());
        let mut worker = Self {
            child,
            stdin,
            stdout,
            stderr_tail,
            label: spec.label.clone(),
            next_id: 1,
        };
        let ready = tokio::time::timeout(spec.start_timeout, read_frame(&mut worker.stdout)).await;
        match ready {
            Ok(Ok(frame)) if frame.get("ready") == Some(&Value::Bool(true)) => Ok(worker),
            Ok(Ok(frame)) => {
                let reason = frame
                    .get("fatal")
                    .and_then(Value::as_str)
                    .unwrap_or("an unexpected first frame")
                    .to_string();
                worker.kill();
                Err(StartError::Failed(format!(
                    "{} could not load its handler {:?}: {reason}",
                    spec.label, spec.handler
                )))
            }
            Ok(Err(e)) => {
                let report = worker.exit_report(&e).await;
                Err(StartError::Failed(format!(
                    "{} exited while starting: {report}",
                    spec.label
                )))
            }
            Err(_) => {
                worker.kill();
                Err(StartError::Failed(format!(
                    "{} did not load its handler within {} s",
                    spec.label,
                    spec.start_timeout.as_secs()
                )))
            }
        }
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Whether the process has exited (for example, was killed while idle).
    pub fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills the process; it is reaped when the worker is dropped.
    pub fn kill(&mut self) {
        let _ = self.child.start_kill();
    }

    /// Sends one event and waits up to `timeout` for its answer.
    pub async fn invoke(
        &mut self,
        event: &Value,
        timeout: Duration,
    ) -> Result<Answer, InvokeError> {
        let id = self.next_id;
        self.next_id += 1;
        let deadline_ms = chrono::Utc::now().timestamp_millis()
            + i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX / 2);
        let frame = json!({"id": id, "event": event, "deadlineMs": deadline_ms});
        if let Err(e) = write_frame(&mut self.stdin, &frame).await {
            let report = self.exit_report(&e).await;
            return Err(InvokeError::NotDelivered(report));
        }
        let reply = match tokio::time::timeout(timeout, read_frame(&mut self.stdout)).await {
            Err(_) => {
                self.kill();
                return Err(InvokeError::TimedOut);
            }
            Ok(Err(e)) => {
                let report = self.exit_report(&e).await;
                return Err(InvokeError::Crashed(report));
            }
            Ok(Ok(reply)) => reply,
        };
        if reply.get("id").and_then(Value::as_u64) != Some(id) {
            self.kill();
            return Err(InvokeError::Crashed(format!(
                "answered with a frame for another request: {}",
                truncate(&reply.to_string(), 200)
            )));
        }
        if let Some(error) = reply.get("error") {
            let message = error.as_str().map(str::to_string);
            return Err(InvokeError::Handler(
                message.unwrap_or_else(|| error.to_string()),
            ));
        }
        if let Some(stream) = reply.get("stream") {
            return streamed(stream).map_err(|reason| {
                self.kill();
                InvokeError::Crashed(format!("sent a malformed stream frame: {reason}"))
            });
        }
        Ok(Answer::Returned(
            reply.get("response").cloned().unwrap_or(Value::Null),
        ))
    }

    /// Why the worker stopped talking: its exit status if it has one, and
    /// the last lines it wrote to stderr.
    async fn exit_report(&mut self, cause: &std::io::Error) -> String {
        // A dead process's pipe closes before it is reaped; give it a moment.
        let status = tokio::time::timeout(Duration::from_millis(500), self.child.wait()).await;
        let status = match status {
            Ok(Ok(status)) => status.to_string(),
            _ => {
                self.kill();
                format!("no exit status ({cause})")
            }
        };
        // Let the stderr task catch up with the last lines.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let tail = self
            .stderr_tail
            .lock()
            .map(|t| t.iter().cloned().collect::<Vec<_>>().join("\n"))
            .unwrap_or_default();
        if tail.is_empty() {
            format!("worker {} stopped: {status}", self.label)
        } else {
            format!(
                "worker {} stopped: {status}; its last output:\n{tail}",
                self.label
            )
        }
    }
}

/// A `stream` frame's content type and base64 body.
fn streamed(frame: &Value) -> Result<Answer, String> {
    use base64::Engine as _;
    let content_type = frame["contentType"]
        .as_str()
        .ok_or("no contentType")?
        .to_string();
    let body = base64::engine::general_purpose::STANDARD
        .decode(frame["body"].as_str().ok_or("no body")?)
        .map_err(|e| format!("the body is not base64: {e}"))?;
    Ok(Answer::Streamed {
        content_type,
        body: body.into(),
    })
}

/// Sends the worker's stderr to the log, keeping the last lines for crash
/// reports. Draining it also keeps a chatty function from blocking on a
/// full pipe.
fn forward_stderr(
    stderr: tokio::process::ChildStderr,
    label: String,
    pid: Option<u32>,
    tail: Arc<Mutex<VecDeque<String>>>,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::info!(target: "anchor_core::edge::worker", worker = %label, pid, "{line}");
            if let Ok(mut tail) = tail.lock() {
                if tail.len() == STDERR_TAIL {
                    tail.pop_front();
                }
                tail.push_back(truncate(&line, 400));
            }
        }
    });
}

async fn write_frame(stdin: &mut ChildStdin, frame: &Value) -> std::io::Result<()> {
    let body = serde_json::to_vec(frame)?;
    let size = u32::try_from(body.len())
        .ok()
        .filter(|n| *n <= MAX_FRAME)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "event too large"))?;
    let mut message = Vec::with_capacity(body.len() + 4);
    message.extend_from_slice(&size.to_be_bytes());
    message.extend_from_slice(&body);
    stdin.write_all(&message).await?;
    stdin.flush().await
}

async fn read_frame(stdout: &mut ChildStdout) -> std::io::Result<Value> {
    let size = stdout.read_u32().await?;
    if size > MAX_FRAME {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("a frame of {size} bytes is over the {MAX_FRAME}-byte limit"),
        ));
    }
    let mut body = vec![0; size as usize];
    stdout.read_exact(&mut body).await?;
    serde_json::from_slice(&body)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}
