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
mod domain_limits;
mod domains;
mod edge;
mod errors;
mod function_settings;
mod progress;
mod prune;
mod records;
mod releases;
mod rollouts;
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
/// `{ name: value }` with the names of settings in camelCase as JS gets
/// them: the tests check that each arrives on the thrown error, so no
/// table of codes and fields is written in JS. Not part of the API.
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
    for (name, value) in errors::js_field_names(sample).fields() {
        match value {
            FieldValue::Text(text) => object.set_named_property(name, text)?,
            FieldValue::Flag(flag) => object.set_named_property(name, flag)?,
        }
    }
    Ok(object)
}

/// One filled sample of every record and result the API returns, converted
/// as the methods convert them, by type name (see
/// `anchor_core::calls::samples`). Not part of the API.
#[napi(js_name = "_samples", ts_return_type = "Record<string, object>")]
pub fn samples(env: &Env) -> napi::Result<Object<'_>> {
    let s = anchor_core::calls::samples().map_err(|e| errors::throw(env, e))?;
    let r = &s.records;
    let mut out = Object::new(env)?;
    out.set_named_property("Project", types::Project::from(&r.project))?;
    out.set_named_property("Deployment", types::Deployment::from(&r.deployment))?;
    out.set_named_property("Domain", types::Domain::from(&r.domain))?;
    out.set_named_property(
        "RollbackEvent",
        types::RollbackEvent::from(&r.rollback_event),
    )?;
    out.set_named_property(
        "DeploymentPage",
        types::DeploymentPage::from(&r.deployment_page),
    )?;
    out.set_named_property(
        "RollbackEventPage",
        types::RollbackEventPage::from(&r.rollback_event_page),
    )?;
    out.set_named_property(
        "RollbackOutcome",
        types::RollbackOutcome::from(&s.rollback_outcome),
    )?;
    out.set_named_property("DeployPlan", types::DeployPlan::from(&s.deploy_plan))?;
    out.set_named_property(
        "RecoveryReport",
        types::RecoveryReport::from(&s.recovery_report),
    )?;
    out.set_named_property(
        "ProgressEvent",
        types::ProgressEvent::from(&s.progress_event),
    )?;
    out.set_named_property(
        "PreviewAddress",
        types::PreviewAddress::from(&s.preview_address),
    )?;
    out.set_named_property("PruneReport", types::PruneReport::from(&s.prune_report))?;
    out.set_named_property("EdgeWorker", edge::EdgeWorker::from(&s.edge_worker))?;
    Ok(out)
}

/// The core's JSON of the same samples, by type name: what `_samples()`
/// must carry in full. Not part of the API.
#[napi(js_name = "_sampleJson")]
pub fn sample_json(env: &Env) -> napi::Result<std::collections::HashMap<String, String>> {
    let samples = anchor_core::calls::sample_json().map_err(|e| errors::throw(env, e))?;
    Ok(samples
        .into_iter()
        .map(|(name, json)| (name.to_string(), json.to_string()))
        .collect())
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
