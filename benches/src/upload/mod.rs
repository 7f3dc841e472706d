//! The upload suite (`bench_upload`): first, incremental and large uploads
//! by Anchor's deploy side by side with `aws s3 sync`, on moto, on a fast
//! S3 server (s3s-fs) and on the embedded default.
//!
//! Each side runs as its own child process, so its wall time, peak RSS and
//! requests are its own: Anchor's child is this binary's `deploy`
//! subcommand ([`deploy`]), awscli's is `aws s3 sync` ([`awscli`]).

pub mod args;
pub mod awscli;
pub mod deploy;
pub mod endpoint;
pub mod meter;
pub mod proc;
pub mod record;
pub mod synth;
pub mod workloads;

use std::fmt;
use std::path::Path;

/// A failure of the harness, with what it was doing.
#[derive(Debug)]
pub struct Fail(String);

impl Fail {
    /// A failure described by `message`.
    pub fn msg(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    /// An I/O failure while doing `what` to `path`.
    pub fn io(what: &str, path: &Path, e: std::io::Error) -> Self {
        Self(format!("cannot {what} {}: {e}", path.display()))
    }

    /// Any error, prefixed with what was being done.
    pub fn during(what: &str, e: impl fmt::Display) -> Self {
        Self(format!("{what}: {e}"))
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Fail {}

impl From<anchor_core::Error> for Fail {
    fn from(e: anchor_core::Error) -> Self {
        Self(format!("anchor [{}]: {e}", e.code()))
    }
}
