//! The bindings' overhead: the same rollbacks on the same embedded state
//! from Rust (in process), Python (`anchor_deploy`) and Node
//! (`anchor-deploy`), in alternating rounds.
//!
//! Each binding's driver (`benches/bindings/`) opens the state, runs a few
//! untimed rollbacks (its first reads the records; later ones use its
//! cache), then times its rollbacks and prints `{"samples_ms": [...]}`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anchor_core::model::DeploymentId;
use anchor_core::Anchor;

use super::stats::Samples;
use super::{embedded, BenchError};

/// How to run each binding; `None` skips it.
#[derive(Debug, Clone, Default)]
pub struct Drivers {
    /// A Python with the `anchor_deploy` wheel installed.
    pub python: Option<PathBuf>,
    /// The `anchor-node` folder holding the built addon (`index.js`).
    pub node_package: Option<PathBuf>,
}

/// What the three subjects measured.
#[derive(Debug, Default)]
pub struct BindingsRun {
    /// Rust, in process, awaited on the caller's task.
    pub rust: Samples,
    /// Rust, in process, each rollback a spawned task: what the bindings
    /// do on their runtime, without a binding.
    pub rust_spawned: Samples,
    /// Python's async API.
    pub python: Samples,
    /// Node's Promise API.
    pub node: Samples,
    /// Driver processes that died by a signal (each round is retried
    /// once), with what they said: reported, never hidden.
    pub crashes: Vec<String>,
}

/// The folder of the driver scripts.
fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bindings")
}

/// Seeds `history` deployments in `dir`, then runs `rounds` rounds of
/// `per_round` timed rollbacks (after `warmup` untimed ones) per subject.
pub async fn run(
    drivers: &Drivers,
    dir: &Path,
    history: u64,
    warmup: usize,
    rounds: usize,
    per_round: usize,
) -> Result<BindingsRun, BenchError> {
    let state = dir.join("state");
    let (anchor, first, second) = crate::seeded(dir, history).await?;
    drop(anchor);
    let mut out = BindingsRun::default();
    for _ in 0..rounds {
        // A fresh handle per round, as each driver is a fresh process: the
        // others moved the aliases meanwhile, so its cache starts cold.
        let anchor = Anchor::local(&state).await?;
        let targets = [&first, &second];
        let rust = embedded::rollbacks(&anchor, targets, warmup, per_round, false).await?;
        out.rust.extend(rust);
        let spawned = embedded::rollbacks(&anchor, targets, warmup, per_round, true).await?;
        out.rust_spawned.extend(spawned);
        drop(anchor);
        if let Some(python) = &drivers.python {
            let cmd = || {
                let mut cmd = Command::new(python);
                cmd.arg(scripts().join("rollback.py"));
                cmd
            };
            let samples = retried(cmd, &state, targets, warmup, per_round, &mut out.crashes)?;
            out.python.extend(samples);
        }
        if let Some(package) = &drivers.node_package {
            let cmd = || {
                let mut cmd = Command::new("node");
                cmd.arg(scripts().join("rollback.mjs"))
                    .arg("--package")
                    .arg(package);
                cmd
            };
            let samples = retried(cmd, &state, targets, warmup, per_round, &mut out.crashes)?;
            out.node.extend(samples);
        }
    }
    Ok(out)
}

/// Runs a driver; if it dies by a signal, notes it in `crashes` and runs it
/// once more. Any other failure, or a second crash, stops the run.
fn retried(
    cmd: impl Fn() -> Command,
    state: &Path,
    targets: [&DeploymentId; 2],
    warmup: usize,
    iterations: usize,
    crashes: &mut Vec<String>,
) -> Result<Samples, BenchError> {
    match driver(cmd(), state, targets, warmup, iterations) {
        Err(Failed::Signal(what)) => {
            eprintln!("driver crashed, retrying its round once: {what}");
            crashes.push(what);
            driver(cmd(), state, targets, warmup, iterations).map_err(Failed::into_error)
        }
        other => other.map_err(Failed::into_error),
    }
}

/// Why a driver gave no samples.
enum Failed {
    /// It was killed by a signal (a crash).
    Signal(String),
    /// Anything else.
    Other(BenchError),
}

impl Failed {
    fn into_error(self) -> BenchError {
        match self {
            Failed::Signal(what) => what.into(),
            Failed::Other(e) => e,
        }
    }
}

impl<E: Into<BenchError>> From<E> for Failed {
    fn from(e: E) -> Self {
        Failed::Other(e.into())
    }
}

/// Runs one driver and reads its samples.
fn driver(
    mut cmd: Command,
    state: &Path,
    targets: [&DeploymentId; 2],
    warmup: usize,
    iterations: usize,
) -> Result<Samples, Failed> {
    cmd.arg("--state")
        .arg(state)
        .args(["--project", super::PROJECT])
        .args([
            "--first",
            targets[0].as_str(),
            "--second",
            targets[1].as_str(),
        ])
        .args(["--warmup", &warmup.to_string()])
        .args(["--iterations", &iterations.to_string()]);
    let out = cmd.output()?;
    if out.status.code().is_none() {
        return Err(Failed::Signal(format!(
            "{cmd:?} died ({}) with stdout {:?} and stderr {:?}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let ms: Vec<f64> = parsed["samples_ms"]
        .as_array()
        .ok_or("the driver printed no samples_ms")?
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    if ms.len() != iterations {
        return Err(format!(
            "{cmd:?} printed {} samples, expected {iterations}",
            ms.len()
        )
        .into());
    }
    Ok(Samples::from_ms(ms))
}
