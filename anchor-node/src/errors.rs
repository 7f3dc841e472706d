//! Turning a failed binding future into a JS `Error` with a stable `code`,
//! the core variant's structured fields as properties, and its source chain
//! both in the message and as `cause`.

use std::any::Any;

use anchor_core::error::{panic_message, FieldValue};
use anchor_core::Error;
use napi::bindgen_prelude::{JsObjectValue, JsValue, Object};
use napi::{Env, Status};

use crate::args::camel_case;

/// The code of failures that are bugs on our side (a caught panic).
pub(crate) const INTERNAL: &str = "ANCHOR_INTERNAL";

/// Why a binding future failed, before it becomes a JS error (which needs
/// the main thread, so it happens once, at the end).
#[derive(Debug)]
pub(crate) enum Failure {
    /// A failure reported by anchor-core.
    Core(Error),
    /// A bug on our side: `ANCHOR_INTERNAL`.
    Internal(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Core(js_field_names(e))
    }
}

impl Failure {
    /// Describes a caught panic payload.
    pub(crate) fn panic(payload: Box<dyn Any + Send>) -> Self {
        let text = panic_message(&*payload);
        Self::Internal(format!("internal error: {text}"))
    }

    /// The JS error to reject with. If building the object fails (the
    /// environment is shutting down), a plain error still carries the code.
    pub(crate) fn into_js(self, env: &Env) -> napi::Error {
        let (code, message) = match &self {
            Self::Core(e) => (e.code(), message_of(e)),
            Self::Internal(msg) => (INTERNAL, msg.clone()),
        };
        match build(env, &self, code, &message) {
            Ok(object) => napi::Error::from(object.to_unknown()),
            Err(_) => napi::Error::new(Status::GenericFailure, format!("{message} [{code}]")),
        }
    }
}

/// The message: the error's own text, then its source chain.
fn message_of(e: &Error) -> String {
    match e.source_chain() {
        Some(chain) => format!("{e} (caused by: {chain})"),
        None => e.to_string(),
    }
}

fn build<'env>(
    env: &'env Env,
    failure: &Failure,
    code: &str,
    message: &str,
) -> napi::Result<Object<'env>> {
    let mut object = env.create_error(napi::Error::new(Status::GenericFailure, message))?;
    object.set_named_property("code", code)?;
    if let Failure::Core(e) = failure {
        for (name, value) in e.fields() {
            match value {
                FieldValue::Text(text) => object.set_named_property(name, text)?,
                FieldValue::Flag(flag) => object.set_named_property(name, flag)?,
            }
        }
        if let Some(chain) = e.source_chain() {
            let cause = env.create_error(napi::Error::new(Status::GenericFailure, chain))?;
            object.set_named_property("cause", cause)?;
        }
    }
    Ok(object)
}

/// A core error as a thrown JS error, for synchronous functions.
pub(crate) fn throw(env: &Env, e: Error) -> napi::Error {
    Failure::from(e).into_js(env)
}

/// The settings an error names, in JS's camelCase (`workers_per_function`
/// → `workersPerFunction`, each dotted part alike; names already in
/// camelCase are unchanged): `InvalidInput`'s field, and `QuotaExceeded`'s
/// setting (`domain_limits.tenants_per_account` →
/// `domainLimits.tenantsPerAccount`, the option a JS caller raises); other
/// errors are unchanged. Every core error passes through it on its way to
/// JS, so no field or setting reaches a caller in snake_case.
pub(crate) fn js_field_names(e: Error) -> Error {
    match e.rename_field(|field| Some(camel_case(field))) {
        Error::QuotaExceeded {
            quota,
            limit,
            setting,
            reason,
        } => Error::QuotaExceeded {
            quota,
            limit,
            setting: camel_case(&setting),
            reason,
        },
        other => other,
    }
}
