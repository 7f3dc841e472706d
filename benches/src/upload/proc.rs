//! Running one side of a comparison as its own child process and reading
//! its wall time and peak resident set size.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::Fail;

/// How a child process went.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Spawn to exit, in milliseconds.
    pub wall_ms: f64,
    /// The child's peak RSS in MiB (`ru_maxrss` from `wait4`).
    pub peak_rss_mib: f64,
    /// The child's CPU time (user and system) in milliseconds: steadier
    /// than wall time on a shared machine, and it shows what a side costs
    /// the client.
    pub cpu_ms: f64,
    /// What it printed on stdout.
    pub stdout: String,
}

/// Runs `cmd` to completion with stdout and stderr in `log_dir`
/// (`<name>.out`, `<name>.err`); fails with the tail of stderr if it
/// exits non-zero.
pub fn run(mut cmd: Command, log_dir: &Path, name: &str) -> Result<Measured, Fail> {
    std::fs::create_dir_all(log_dir).map_err(|e| Fail::io("create", log_dir, e))?;
    let out_path = log_dir.join(format!("{name}.out"));
    let err_path = log_dir.join(format!("{name}.err"));
    let out = std::fs::File::create(&out_path).map_err(|e| Fail::io("create", &out_path, e))?;
    let err = std::fs::File::create(&err_path).map_err(|e| Fail::io("create", &err_path, e))?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err));
    let started = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| Fail::during(&format!("spawning {name} ({cmd:?})"), e))?;
    let (status, usage) = wait_with_rusage(child.id())
        .map_err(|e| Fail::during(&format!("waiting for {name}"), e))?;
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    if status != 0 {
        let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
        let tail: String = stderr.lines().rev().take(15).collect::<Vec<_>>().join("\n");
        return Err(Fail::msg(format!(
            "{name} exited with status {status}; stderr ends (newest first):\n{tail}"
        )));
    }
    Ok(Measured {
        wall_ms,
        peak_rss_mib: usage.max_rss_kib as f64 / 1024.0,
        cpu_ms: usage.cpu_ms,
        stdout,
    })
}

/// What `wait4` reports of a child's resources.
struct Usage {
    max_rss_kib: i64,
    cpu_ms: f64,
}

/// Waits for `pid` and returns its exit code (128 + signal if killed) and
/// its resource usage. `std::process::Child::wait` does not report
/// resource usage, and `getrusage(RUSAGE_CHILDREN)` keeps only the maximum
/// over all children, so this reaps the one child with `wait4`.
fn wait_with_rusage(pid: u32) -> std::io::Result<(i32, Usage)> {
    let pid = libc::pid_t::try_from(pid).map_err(std::io::Error::other)?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain old data, valid when zeroed; `wait4` writes
    // into both out-pointers, which live for the whole call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: as above; `pid` is our own unreaped child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    let usage = Usage {
        max_rss_kib: usage.ru_maxrss,
        cpu_ms: ms(usage.ru_utime) + ms(usage.ru_stime),
    };
    Ok((code, usage))
}
