//! Conformance suites: one per trait, run against every implementation in
//! the tree. Each suite panics with a message naming the broken guarantee.
//!
//! The suites take trait objects only, so the AWS backend (against moto or a
//! real account) runs exactly the same checks as the local one. Every name,
//! key and token they create is unique per run, so they can share a
//! long-lived service with other runs.

pub mod cdn;
pub mod certificates;
pub mod functions;
mod gaps;
pub mod kvs;
pub mod objects;
pub mod provisioner;
pub mod store;
mod tenants;

use std::fmt::Debug;

use crate::error::Error;

pub use gaps::KnownGaps;

/// A callback that makes a certificate `Issued`: the local CA validates it,
/// a real one needs its DNS records created.
pub type IssueFn<'a> =
    &'a (dyn Fn(String) -> futures::future::BoxFuture<'static, ()> + Send + Sync);

/// A lowercase ULID, unique per call: safe in keys, names and DNS labels.
fn unique() -> String {
    ulid::Ulid::new().to_string().to_lowercase()
}

/// Unwraps an expected error, panicking with `guarantee` if the call
/// succeeded or failed some other way.
#[track_caller]
fn expect_err<T: Debug>(
    result: crate::Result<T>,
    guarantee: &str,
    is_expected: impl Fn(&Error) -> bool,
) -> Error {
    match result {
        Ok(value) => panic!("{guarantee}: the call succeeded with {value:?}"),
        Err(e) if is_expected(&e) => e,
        Err(e) => panic!("{guarantee}: wrong error {e:?} ({e})"),
    }
}

/// Unwraps an expected success, panicking with `step` and the error.
#[track_caller]
fn expect_ok<T>(result: crate::Result<T>, step: &str) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("{step} failed: {e} ({e:?})"),
    }
}
