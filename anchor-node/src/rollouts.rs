//! Gradual rollouts: `anchor.rollouts(project)` and its methods. A gate is
//! a JS function (called on the main thread with a `GateCheck`; it returns
//! `true`, `false`, `{ healthy, reason }`, or a Promise of one) or a
//! `ProbeGate` object.

use std::sync::Arc;

use anchor_core::aws::ProbeGate as CoreProbeGate;
use anchor_core::calls::{rollout_plan, FunctionGate, GATE_ARGUMENT};
use anchor_core::error::Service;
use anchor_core::traits::HealthGate;
use anchor_core::{Error, Rollouts as CoreRollouts};
use napi::bindgen_prelude::JsObjectValue;
use napi::bindgen_prelude::{
    Either, FromNapiValue, Function, Object, Promise, PromiseRaw, Unknown,
};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsValue, Status, ValueType};
use napi_derive::napi;

use crate::anchor::Anchor;
use crate::args::args;
use crate::bridge::spawn;
use crate::convert::MAX_SAFE_INTEGER;
use crate::convert::{signed, whole};
use crate::errors::Failure;
use crate::types::{
    AlarmGate, GateCheck, PreviewAddress, ProbeGate, Project, Rollout, RolloutStage, SkewPolicy,
};

/// What a gate function returned, read on the main thread: a verdict, or
/// a Promise of one to await off it.
type GateReturn = Either<Promise<serde_json::Value>, serde_json::Value>;
/// A gate function held strongly while a check runs; its return value is
/// read in the call's callback ([`read_return`]).
type GateFn = ThreadsafeFunction<GateCheck, Unknown<'static>, GateCheck, Status, false>;

/// Reads a gate function's return value on the main thread.
fn read_return(env: &Env, value: Unknown<'_>) -> napi::Result<GateReturn> {
    if value.is_promise()? {
        // SAFETY: `value` is a live value of this callback's scope in `env`.
        unsafe { Promise::<serde_json::Value>::from_napi_value(env.raw(), value.raw()) }
            .map(Either::A)
    } else {
        env.from_js_value::<serde_json::Value, _>(value)
            .map(Either::B)
    }
}

/// The core's JSON of a plan from the JS stages; the core checks every
/// rule and names the stage at fault.
pub(crate) fn plan_json(stages: &[RolloutStage]) -> String {
    let stages: Vec<serde_json::Value> = stages
        .iter()
        .map(|s| {
            // JS numbers are floats; a whole number of seconds is sent as an
            // integer, anything else as it is, for the core to refuse.
            let hold = s.hold_seconds;
            let hold = if hold.fract() == 0.0 && (0.0..=MAX_SAFE_INTEGER as f64).contains(&hold) {
                serde_json::json!(hold as u64)
            } else {
                serde_json::json!(hold)
            };
            serde_json::json!({"percent": s.percent, "hold_seconds": hold})
        })
        .collect();
    serde_json::Value::Array(stages).to_string()
}

/// A gate function that could not decide: the rollout stays where it is.
fn gate_failed(message: String) -> Error {
    Error::Service {
        backend: "node",
        service: Service::HealthGate,
        operation: "gate".into(),
        retryable: true,
        message: format!("the gate function {message}"),
        source: None,
    }
}

/// The gate `value` names: a function, an `AlarmGate` object (`alarms`)
/// or a `ProbeGate` object (`url`).
fn gate_of(
    anchor: &anchor_core::Anchor,
    env: &Env,
    value: Unknown<'_>,
) -> Result<Box<dyn HealthGate>, Error> {
    let bad = || {
        Error::invalid_input(
            GATE_ARGUMENT,
            "pass a gate function, a ProbeGate ({ url }) or an AlarmGate ({ alarms })",
        )
    };
    match value.get_type().map_err(|_| bad())? {
        ValueType::Function => {
            // SAFETY: checked to be a function just above.
            let function: Function<'_, GateCheck, Unknown<'static>> =
                unsafe { value.cast() }.map_err(|_| bad())?;
            let name = function.name().unwrap_or_default();
            let tsfn: GateFn = function
                .build_threadsafe_function()
                .callee_handled::<false>()
                .build()
                .map_err(|e| Error::invalid_input(GATE_ARGUMENT, e.reason.clone()))?;
            let tsfn = Arc::new(tsfn);
            Ok(Box::new(FunctionGate::new(
                name,
                Arc::new(move |check: String| {
                    let tsfn = tsfn.clone();
                    Box::pin(async move {
                        let check: anchor_core::traits::GateCheck = serde_json::from_str(&check)
                            .map_err(|e| Error::internal(e.to_string()))?;
                        let (sender, receiver) = tokio::sync::oneshot::channel();
                        let status = tsfn.call_with_return_value(
                            GateCheck::from(&check),
                            ThreadsafeFunctionCallMode::NonBlocking,
                            move |returned, env| {
                                // A throw arrives here as `Err`, and is
                                // reported, never rethrown into Node.
                                let _ = sender.send(returned.and_then(|v| read_return(&env, v)));
                                Ok(())
                            },
                        );
                        if status != Status::Ok {
                            return Err(gate_failed(format!("could not be called ({status})")));
                        }
                        let returned = receiver
                            .await
                            .map_err(|_| gate_failed("was never called back".into()))?
                            .map_err(|e| gate_failed(format!("threw: {}", e.reason)))?;
                        let verdict = match returned {
                            Either::A(promise) => promise
                                .await
                                .map_err(|e| gate_failed(format!("rejected: {}", e.reason)))?,
                            Either::B(value) => value,
                        };
                        Ok(verdict.to_string())
                    })
                }),
            )))
        }
        ValueType::Object => {
            // SAFETY: `value` is an object of the current call's scope.
            let object =
                unsafe { Object::from_napi_value(env.raw(), value.raw()) }.map_err(|_| bad())?;
            if object.has_named_property("alarms").map_err(|_| bad())? {
                // SAFETY: as above; `AlarmGate` is the typed interface.
                let gate = unsafe { AlarmGate::from_napi_value(env.raw(), value.raw()) }
                    .map_err(|e| Error::invalid_input("alarms", e.reason.clone()))?;
                return Ok(Box::new(anchor.alarm_gate(gate.alarms)?));
            }
            // SAFETY: as above.
            let probe = unsafe { ProbeGate::from_napi_value(env.raw(), value.raw()) }
                .map_err(|e| Error::invalid_input("probe", e.reason.clone()))?;
            let url = probe.url.ok_or_else(bad)?;
            Ok(Box::new(CoreProbeGate::new(
                &url,
                probe.requests.unwrap_or(20),
                probe.max_error_rate.unwrap_or(0.05),
            )?))
        }
        _ => Err(bad()),
    }
}

/// The gradual rollouts of one project.
#[napi]
pub struct Rollouts {
    inner: CoreRollouts,
    anchor: anchor_core::Anchor,
}

#[napi]
impl Anchor {
    /// Where deployment `version` is reachable, promoted or not: a URL on
    /// the distribution's host, its own host on a wildcard domain, and the
    /// header for tools. Rejects with `ANCHOR_NOT_FOUND` for a version the
    /// project never had.
    #[napi]
    pub fn preview_address<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "number")] version: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, PreviewAddress>> {
        args!(env, reject; project: String, version: f64);
        let version = whole("version", version, MAX_SAFE_INTEGER);
        let anchor = self.inner.clone();
        spawn(env, async move {
            let address = anchor.preview_address(&project, version?).await?;
            Ok::<_, Failure>(PreviewAddress::from(&address))
        })
    }

    /// Sets `project`'s skew protection policy; it applies from the next
    /// switch. A negative or fractional number rejects with
    /// `ANCHOR_INVALID_INPUT` naming `skew.maxAgeSeconds` or
    /// `skew.maxPinned`. Resolves with the project as recorded.
    #[napi]
    pub fn set_skew_policy<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
        #[napi(ts_arg_type = "SkewPolicy")] policy: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Project>> {
        args!(env, reject; project: String, policy: SkewPolicy);
        let defaults = anchor_core::model::SkewPolicy::default();
        let policy = signed(
            "skew.max_age_seconds",
            policy.max_age_seconds,
            i64::try_from(defaults.max_age().as_secs()).unwrap_or(i64::MAX),
        )
        .and_then(|age| {
            let pinned = signed(
                "skew.max_pinned",
                policy.max_pinned,
                i64::from(defaults.max_pinned()),
            )?;
            anchor_core::model::SkewPolicy::from_signed(age, pinned)
        });
        let anchor = self.inner.clone();
        spawn(env, async move {
            let project = anchor.set_skew_policy(&project, policy?).await?;
            Ok::<_, Failure>(Project::from(&project))
        })
    }

    /// The gradual rollouts of `project`.
    #[napi]
    pub fn rollouts(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "string")] project: Unknown<'_>,
    ) -> napi::Result<Rollouts> {
        args!(env, throw; project: String);
        Ok(Rollouts {
            inner: self.inner.rollouts(&project),
            anchor: self.inner.clone(),
        })
    }
}

#[napi]
impl Rollouts {
    /// Starts rolling `deploymentId` out over the live deployment by
    /// `stages`, such as `[{ percent: 5, holdSeconds: 600 }, { percent:
    /// 100, holdSeconds: 0 }]`. Rejects with `ANCHOR_INVALID_STATE` while
    /// another rollout runs, and `ANCHOR_INVALID_INPUT` naming the stage
    /// for a bad plan.
    #[napi]
    pub fn start<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] deployment_id: Unknown<'_>,
        #[napi(ts_arg_type = "RolloutStage[]")] stages: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Rollout>> {
        args!(env, reject; deployment_id: String, stages: Vec<RolloutStage>);
        let rollouts = self.inner.clone();
        let plan = rollout_plan(&plan_json(&stages));
        spawn(env, async move {
            let started = rollouts.start(&deployment_id, plan?).await?;
            Ok::<_, Failure>(Rollout::from(&started))
        })
    }

    /// The rollout running, or the last one; `null` before the first.
    #[napi]
    pub fn status<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Option<Rollout>>> {
        let rollouts = self.inner.clone();
        spawn(env, async move {
            Ok::<_, Failure>(rollouts.status().await?.as_ref().map(Rollout::from))
        })
    }

    /// One look: once the stage has held its time, asks `gate` and advances
    /// the rollout (completing it from the last but one stage) or aborts
    /// it with the gate's reason. A gate that throws or rejects could not
    /// decide: the rollout stays at its stage.
    #[napi]
    pub fn check<'env>(
        &self,
        env: &'env Env,
        #[napi(
            ts_arg_type = "((check: GateCheck) => boolean | GateVerdict | Promise<boolean | GateVerdict>) | ProbeGate"
        )]
        gate: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Rollout>> {
        self.look(env, gate, false)
    }

    /// Drives the rollout to its end, checking each time a stage's hold
    /// has passed; resolves with it completed or aborted.
    #[napi]
    pub fn run<'env>(
        &self,
        env: &'env Env,
        #[napi(
            ts_arg_type = "((check: GateCheck) => boolean | GateVerdict | Promise<boolean | GateVerdict>) | ProbeGate"
        )]
        gate: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Rollout>> {
        self.look(env, gate, true)
    }

    /// Moves to the next stage now, without the hold or the gate.
    #[napi]
    pub fn advance<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Rollout>> {
        let rollouts = self.inner.clone();
        spawn(env, async move {
            Ok::<_, Failure>(Rollout::from(&rollouts.advance().await?))
        })
    }

    /// Gives every visitor the candidate now; it goes live.
    #[napi]
    pub fn complete<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Rollout>> {
        let rollouts = self.inner.clone();
        spawn(env, async move {
            Ok::<_, Failure>(Rollout::from(&rollouts.complete().await?))
        })
    }

    /// Sends every visitor back to the baseline and records `reason`.
    #[napi]
    pub fn abort<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] reason: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Rollout>> {
        args!(env, reject; reason: String);
        let rollouts = self.inner.clone();
        spawn(env, async move {
            Ok::<_, Failure>(Rollout::from(&rollouts.abort(&reason).await?))
        })
    }
}

impl Rollouts {
    fn look<'env>(
        &self,
        env: &'env Env,
        gate: Unknown<'_>,
        run: bool,
    ) -> napi::Result<PromiseRaw<'env, Rollout>> {
        let gate = gate_of(&self.anchor, env, gate);
        let rollouts = self.inner.clone();
        spawn(env, async move {
            let gate = gate?;
            let rollout = if run {
                rollouts.run(gate.as_ref()).await?
            } else {
                rollouts.check(gate.as_ref()).await?
            };
            Ok::<_, Failure>(Rollout::from(&rollout))
        })
    }
}
