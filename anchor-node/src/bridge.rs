//! The async bridge: a binding future runs on napi's tokio runtime and
//! settles a JS Promise on the main thread.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use napi::bindgen_prelude::{PromiseRaw, ToNapiValue};
use napi::Env;

use crate::errors::Failure;

/// Runs `fut` and returns a Promise of its value. A core error rejects it
/// with a coded JS error (see `errors`); a panic rejects it with
/// `ANCHOR_INTERNAL` instead of taking the process down.
pub(crate) fn spawn<'env, T, F>(env: &'env Env, fut: F) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = Result<T, Failure>> + Send + 'static,
{
    let guarded = async move {
        let settled = match AssertUnwindSafe(fut).catch_unwind().await {
            Ok(result) => result,
            Err(payload) => Err(Failure::panic(payload)),
        };
        Ok::<_, napi::Error>(settled)
    };
    env.spawn_future_with_callback(guarded, |env, settled| {
        settled.map_err(|failure| failure.into_js(env))
    })
}
