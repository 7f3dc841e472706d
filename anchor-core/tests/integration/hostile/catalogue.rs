//! The shape of a case (a name, an operation on a bad input, the typed
//! error it must give) and the runner that checks each case changed nothing.

use std::os::unix::ffi::OsStrExt;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use anchor_core::{Error, ResourceKind};
use futures::future::BoxFuture;
use futures::FutureExt;

use super::world::World;

/// An operation on a bad input: it gets the world and a fresh copy of the
/// fixture build that it may break first.
pub type Op = for<'a> fn(&'a World, &'a Path) -> BoxFuture<'a, anchor_core::Result<()>>;

/// Wraps an async block into an [`Op`]: `op!(|w, dir| async_expression)`.
#[macro_export]
macro_rules! op {
    (|$w:ident, $dir:ident| $body:expr) => {{
        #[allow(unused_variables)]
        fn op<'a>(
            $w: &'a $crate::hostile_input_local::world::World,
            $dir: &'a std::path::Path,
        ) -> futures::future::BoxFuture<'a, anchor_core::Result<()>> {
            Box::pin(async move { $body })
        }
        op as $crate::hostile_input_local::catalogue::Op
    }};
}

/// The outcome a case requires.
#[derive(Debug, Clone, Copy)]
pub enum Want {
    /// `InvalidBuild` naming exactly `<build>/<at>` (`at` as bytes, so a
    /// non-UTF-8 name can be given), with a reason containing `reason`.
    Build {
        at: &'static [u8],
        reason: &'static str,
    },
    /// `InvalidInput` naming `field`, with a reason containing `reason`.
    Input {
        field: &'static str,
        reason: &'static str,
    },
    /// `NotFound` of this kind.
    NotFound(ResourceKind),
    /// `DomainTaken`, naming the project that holds the domain.
    Taken { holder: &'static str },
    /// `InvalidState` of this kind in this state.
    State {
        kind: ResourceKind,
        state: &'static str,
    },
    /// `NotManaged`, naming the world's foreign certificate.
    NotManaged,
    /// Success: the input is a different spelling of what already exists,
    /// so it is the same thing and nothing changes.
    Same,
}

/// One entry of the catalogue.
pub struct Case {
    /// A stable name, also the name of the case's build folder.
    pub name: &'static str,
    /// What it does.
    pub op: Op,
    /// What it must give.
    pub want: Want,
}

impl Want {
    /// Why `result` is not what this wants; `None` if it is.
    fn mismatch(&self, result: anchor_core::Result<()>, dir: &Path, w: &World) -> Option<String> {
        let err = match (result, self) {
            (Ok(()), Want::Same) => return None,
            (Ok(()), _) => return Some(format!("accepted; wanted {self:?}")),
            (Err(e), _) => e,
        };
        let ok = match (self, &err) {
            (Want::Build { at, reason }, Error::InvalidBuild { path, reason: r }) => {
                let want: PathBuf = if at.is_empty() {
                    dir.to_path_buf()
                } else {
                    dir.join(std::ffi::OsStr::from_bytes(at))
                };
                *path == want && r.contains(reason)
            }
            (
                Want::Input { field, reason },
                Error::InvalidInput {
                    field: f,
                    reason: r,
                },
            ) => f == field && r.contains(reason),
            (Want::NotFound(kind), Error::NotFound { kind: k, .. }) => k == kind,
            (Want::Taken { holder }, Error::DomainTaken { project, .. }) => project == holder,
            (
                Want::State { kind, state },
                Error::InvalidState {
                    kind: k, state: s, ..
                },
            ) => k == kind && s == state,
            (Want::NotManaged, Error::NotManaged { certificate }) => {
                *certificate == w.foreign_certificate
            }
            _ => false,
        };
        (!ok).then(|| format!("got {err:?}; wanted {self:?}"))
    }
}

/// Runs every case on `world`: each must give what it wants and leave the
/// whole state (see [`super::world::Snapshot`]) unchanged. Returns every
/// failure, one line each, so one run reports all of them.
pub async fn run(world: &World, cases: &[Case]) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        let dir = world.fresh_build(case.name);
        let before = world.snapshot();
        let result = AssertUnwindSafe((case.op)(world, &dir))
            .catch_unwind()
            .await;
        let after = world.snapshot();
        match result {
            Err(panic) => failures.push(format!(
                "{}: panicked: {}",
                case.name,
                anchor_core::error::panic_message(&*panic)
            )),
            Ok(result) => {
                if let Some(why) = case.want.mismatch(result, &dir, world) {
                    failures.push(format!("{}: {why}", case.name));
                }
            }
        }
        if let Some(diff) = before.diff(&after) {
            failures.push(format!("{}: the state changed:\n{diff}", case.name));
        }
    }
    failures
}
