//! `Anchor` methods of gradual rollouts: start, status, check and run with
//! a gate, advance, complete, abort. A gate is a Python function (called
//! on a runtime thread, with the GIL, with the check's JSON; it returns
//! the verdict's JSON) or the built-in probe, given as its JSON.

use std::sync::Arc;

use anchor_core::aws::ProbeGate;
use anchor_core::calls::{rollout_plan, FunctionGate, GATE_ARGUMENT};
use anchor_core::error::Service;
use anchor_core::traits::HealthGate;
use anchor_core::Error;
use pyo3::prelude::*;

use crate::anchor::PyAnchor;
use crate::convert::to_json;
use crate::spawn;

/// The gate a call names: the Python function `gate` (named `gate_name`
/// in the record), the probe `probe` (JSON `{url, requests,
/// max_error_rate}`), or the CloudWatch `alarms`. Exactly one.
fn gate_of(
    anchor: &anchor_core::Anchor,
    gate: Option<Py<PyAny>>,
    gate_name: String,
    probe: Option<String>,
    alarms: Option<Vec<String>>,
) -> Result<Box<dyn HealthGate>, Error> {
    match (gate, probe, alarms) {
        (None, None, Some(alarms)) => Ok(Box::new(anchor.alarm_gate(alarms)?)),
        (Some(function), None, None) => {
            let function = Arc::new(function);
            Ok(Box::new(FunctionGate::new(
                gate_name,
                Arc::new(move |check: String| {
                    let function = function.clone();
                    Box::pin(async move {
                        let called = tokio::task::spawn_blocking(move || {
                            crate::gate::attach(|py| {
                                function
                                    .call1(py, (check,))
                                    .and_then(|verdict| verdict.extract::<String>(py))
                                    .map_err(|e| e.to_string())
                            })
                        })
                        .await;
                        match called {
                            Ok(Some(Ok(verdict))) => Ok(verdict),
                            Ok(Some(Err(raised))) => Err(gate_failed(format!("raised {raised}"))),
                            Ok(None) => Err(gate_failed("the interpreter is shutting down".into())),
                            Err(e) => Err(gate_failed(e.to_string())),
                        }
                    })
                }),
            )))
        }
        (None, Some(probe), None) => {
            #[derive(serde::Deserialize)]
            struct Probe {
                url: String,
                requests: u32,
                max_error_rate: f64,
            }
            let p: Probe = serde_json::from_str(&probe)
                .map_err(|e| Error::invalid_input("probe", e.to_string()))?;
            Ok(Box::new(ProbeGate::new(
                &p.url,
                p.requests,
                p.max_error_rate,
            )?))
        }
        _ => Err(Error::invalid_input(
            GATE_ARGUMENT,
            "pass a gate function, a ProbeGate or an AlarmGate",
        )),
    }
}

/// A gate function that could not decide: the rollout stays where it is.
fn gate_failed(message: String) -> Error {
    Error::Service {
        backend: "python",
        service: Service::HealthGate,
        operation: "gate".into(),
        retryable: true,
        message: format!("the gate function {message}"),
        source: None,
    }
}

#[pymethods]
impl PyAnchor {
    /// Where deployment `version` is reachable, as JSON.
    fn preview_address<'py>(
        &self,
        py: Python<'py>,
        project: String,
        version: i64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move {
            let version = crate::convert::unsigned("version", version)?;
            to_json(&anchor.preview_address(&project, version).await?)
        })
    }

    /// Sets the project's skew protection policy; negative numbers are
    /// refused by the core, naming the field.
    fn set_skew_policy<'py>(
        &self,
        py: Python<'py>,
        project: String,
        max_age_seconds: i64,
        max_pinned: i64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move {
            let policy = anchor_core::model::SkewPolicy::from_signed(max_age_seconds, max_pinned)?;
            to_json(&anchor.set_skew_policy(&project, policy).await?)
        })
    }

    /// Starts rolling `deployment_id` out by `plan` (the stages' JSON).
    fn rollout_start<'py>(
        &self,
        py: Python<'py>,
        project: String,
        deployment_id: String,
        plan: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rollouts = self.inner.rollouts(&project);
        spawn(py, async move {
            let plan = rollout_plan(&plan)?;
            to_json(&rollouts.start(&deployment_id, plan).await?)
        })
    }

    /// The rollout running, or the last one, as JSON; `None` before the first.
    fn rollout_status<'py>(&self, py: Python<'py>, project: String) -> PyResult<Bound<'py, PyAny>> {
        let rollouts = self.inner.rollouts(&project);
        spawn(py, async move {
            match rollouts.status().await? {
                Some(r) => to_json(&r).map(Some),
                None => Ok(None),
            }
        })
    }

    /// One look at the running rollout with a gate (see [`gate_of`]);
    /// with `run`, drives it to its end.
    // One parameter per keyword argument of the Python call.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (project, gate=None, gate_name="function".to_string(), probe=None,
        alarms=None, run=false))]
    fn rollout_check<'py>(
        &self,
        py: Python<'py>,
        project: String,
        gate: Option<Py<PyAny>>,
        gate_name: String,
        probe: Option<String>,
        alarms: Option<Vec<String>>,
        run: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rollouts = self.inner.rollouts(&project);
        let gate = gate_of(&self.inner, gate, gate_name, probe, alarms);
        spawn(py, async move {
            let gate = gate?;
            let rollout = if run {
                rollouts.run(gate.as_ref()).await?
            } else {
                rollouts.check(gate.as_ref()).await?
            };
            to_json(&rollout)
        })
    }

    /// Moves the running rollout to its next stage now.
    fn rollout_advance<'py>(
        &self,
        py: Python<'py>,
        project: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rollouts = self.inner.rollouts(&project);
        spawn(py, async move { to_json(&rollouts.advance().await?) })
    }

    /// Completes the running rollout now.
    fn rollout_complete<'py>(
        &self,
        py: Python<'py>,
        project: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rollouts = self.inner.rollouts(&project);
        spawn(py, async move { to_json(&rollouts.complete().await?) })
    }

    /// Sends every visitor back to the baseline, recording `reason`.
    fn rollout_abort<'py>(
        &self,
        py: Python<'py>,
        project: String,
        reason: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rollouts = self.inner.rollouts(&project);
        spawn(py, async move { to_json(&rollouts.abort(&reason).await?) })
    }
}
