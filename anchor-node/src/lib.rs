//! Node bindings of Anchor: the native addon of the npm package
//! `anchor-deploy`.
//!
//! Thin by design: conversions to and from plain JS objects, option
//! mapping, error mapping and the async bridge. Every I/O method returns a
//! Promise settled from napi's tokio runtime; a core error rejects it with
//! a JS `Error` whose `code` is stable (see [`anchor_core::Error::code`]).

mod anchor;
mod args;
mod bridge;
mod convert;
mod domains;
mod edge;
mod errors;
mod function_settings;
mod progress;
mod records;
mod releases;
mod types;

use anchor_core::error::FieldValue;
use anchor_core::Error;
use napi::bindgen_prelude::{JsObjectValue, Object, PromiseRaw};
use napi::Env;
use napi_derive::napi;

use crate::bridge::spawn;
use crate::errors::Failure;

/// Every `code` a rejected Promise's error can carry, besides
/// `ANCHOR_INTERNAL` (a bug on our side, such as a caught panic).
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    Error::CODES.to_vec()
}

/// The structured fields of the core's sample error of `code`, as
/// `{ name: value }`: the tests check that each arrives on the thrown error,
/// so no table of codes and fields is written in JS. Not part of the API.
#[napi(
    js_name = "_errorFields",
    ts_return_type = "Record<string, string | boolean>"
)]
pub fn error_fields(env: &Env, code: String) -> napi::Result<Object<'_>> {
    let Some(sample) = Error::sample(&code) else {
        return Err(errors::throw(
            env,
            Error::invalid_input("code", format!("{code:?} is not one of errorCodes()")),
        ));
    };
    let mut object = Object::new(env)?;
    for (name, value) in sample.fields() {
        match value {
            FieldValue::Text(text) => object.set_named_property(name, text)?,
            FieldValue::Flag(flag) => object.set_named_property(name, flag)?,
        }
    }
    Ok(object)
}

/// Throws a sample core error of `code` through the real mapping, so the
/// tests can check every code and its fields. Not part of the API.
#[napi(js_name = "_throwCoreError")]
pub fn throw_core_error(env: &Env, code: String) -> napi::Result<()> {
    match Error::sample(&code) {
        Some(e) => Err(errors::throw(env, e)),
        None => Err(errors::throw(
            env,
            Error::invalid_input("code", format!("{code:?} is not one of errorCodes()")),
        )),
    }
}

/// A Promise whose future panics, to test that a panic rejects with
/// `ANCHOR_INTERNAL` instead of crashing. Not part of the API.
#[napi(js_name = "_panicInFuture", ts_return_type = "Promise<void>")]
pub fn panic_in_future(env: &Env) -> napi::Result<PromiseRaw<'_, ()>> {
    spawn(env, async {
        if !Error::CODES.is_empty() {
            panic!("sample panic");
        }
        Ok::<_, Failure>(())
    })
}
