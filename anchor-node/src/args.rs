//! The arguments of the public methods, converted in one place so that a
//! wrong JS type is refused as `ANCHOR_INVALID_INPUT` naming the parameter
//! (`buildDir`, or `options.promote` for a field of an options object).
//!
//! napi converts typed parameters before our code runs and fails with its
//! own status (`StringExpected`) and no parameter name, so each public
//! method takes its parameters as `Unknown` (typed for TypeScript with
//! `ts_arg_type`) and converts them with [`args!`], one line per method.

use anchor_core::Error;
use napi::bindgen_prelude::{FromNapiValue, PromiseRaw, ToNapiValue, TypeName, Unknown};
use napi::{sys, Env, JsValue, ValueType};

use crate::bridge::spawn;
use crate::errors::{self, Failure};

/// A JS argument as napi hands it over: a required one is an `Unknown`, an
/// optional one `None` when it was left out, `undefined` or `null`.
pub(crate) trait JsArg {
    /// The raw value, or `None` for a left-out optional argument.
    fn raw_value(&self) -> Option<sys::napi_value>;
}

impl JsArg for Unknown<'_> {
    fn raw_value(&self) -> Option<sys::napi_value> {
        Some(self.raw())
    }
}

impl JsArg for Option<Unknown<'_>> {
    fn raw_value(&self) -> Option<sys::napi_value> {
        self.as_ref().map(|value| value.raw())
    }
}

/// Converts the argument `rust_name` (snake_case, reported in camelCase)
/// to `T`, or `InvalidInput` naming it: a value of another JS type than
/// `T`'s, or a field of an options object that napi refuses.
pub(crate) fn convert<T>(env: &Env, value: &impl JsArg, rust_name: &str) -> Result<T, Error>
where
    T: FromNapiValue + TypeName,
{
    let name = camel_case(rust_name);
    let raw = match value.raw_value() {
        Some(raw) => raw,
        // SAFETY: `env` is the live environment of the current call.
        None => unsafe { <() as ToNapiValue>::to_napi_value(env.raw(), ()) }
            .map_err(|e| Error::invalid_input(&name, e.reason.clone()))?,
    };
    let actual = type_of(env, raw);
    let expected = T::value_type();
    let absent = matches!(actual, ValueType::Undefined | ValueType::Null);
    if expected != ValueType::Unknown && actual != expected && !absent {
        return Err(wrong_type(&name, expected, actual));
    }
    // SAFETY: `raw` is a value of the current call's scope in `env`.
    unsafe { T::from_napi_value(env.raw(), raw) }.map_err(|e| refused(&name, expected, actual, e))
}

/// A rejected Promise for a method whose argument was refused, so that
/// `await` and `.catch` see it like any other failure of the call.
pub(crate) fn reject<'env, T>(env: &'env Env, e: Error) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
{
    spawn(env, async move { Err::<T, Failure>(Failure::from(e)) })
}

/// A thrown error for a synchronous method whose argument was refused.
pub(crate) fn throw<T>(env: &Env, e: Error) -> napi::Result<T> {
    Err(errors::throw(env, e))
}

/// Converts each named `Unknown` parameter into a binding of the same name
/// and the given type; on the first refusal returns `reject` (a rejected
/// Promise) or `throw` (a thrown error) from the enclosing method.
macro_rules! args {
    ($env:expr, $fail:ident; $($name:ident: $ty:ty),+ $(,)?) => {
        $(
            let $name: $ty = match $crate::args::convert::<$ty>($env, &$name, stringify!($name)) {
                Ok(value) => value,
                Err(e) => return $crate::args::$fail($env, e),
            };
        )+
    };
}
pub(crate) use args;

fn type_of(env: &Env, raw: sys::napi_value) -> ValueType {
    let mut kind = 0;
    // SAFETY: `raw` is a live value of `env`; napi_typeof only reads it.
    let status = unsafe { sys::napi_typeof(env.raw(), raw, &mut kind) };
    if status == sys::Status::napi_ok {
        ValueType::from(kind)
    } else {
        ValueType::Unknown
    }
}

fn wrong_type(name: &str, expected: ValueType, actual: ValueType) -> Error {
    Error::invalid_input(
        name,
        format!("must be {}, got {}", describe(expected), describe(actual)),
    )
}

/// napi's refusal, renamed: a field of an options object (napi's reason
/// ends in ` on Struct.field`, or says `Missing field`) is reported as
/// `name.field`; any other refusal as the parameter's wrong type.
fn refused(name: &str, expected: ValueType, actual: ValueType, e: napi::Error) -> Error {
    let reason = e.reason.as_str();
    if let Some(field) = reason
        .strip_prefix("Missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return Error::invalid_input(format!("{name}.{field}"), "is required");
    }
    if let Some((why, place)) = reason.rsplit_once(" on ") {
        if let Some((_, field)) = place.split_once('.') {
            return Error::invalid_input(format!("{name}.{field}"), why.to_string());
        }
    }
    if expected == ValueType::Unknown {
        Error::invalid_input(name, reason.to_string())
    } else {
        wrong_type(name, expected, actual)
    }
}

/// `a string`, `a number`, `undefined`: how a message names a JS type.
fn describe(kind: ValueType) -> &'static str {
    match kind {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "a boolean",
        ValueType::Number => "a number",
        ValueType::String => "a string",
        ValueType::Symbol => "a symbol",
        ValueType::Object => "an object",
        ValueType::Function => "a function",
        ValueType::External => "an external",
        ValueType::BigInt => "a bigint",
        _ => "a value of another type",
    }
}

/// `build_dir` → `buildDir`: the JS name of a Rust parameter.
pub(crate) fn camel_case(rust_name: &str) -> String {
    let mut out = String::with_capacity(rust_name.len());
    let mut upper = false;
    for c in rust_name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
