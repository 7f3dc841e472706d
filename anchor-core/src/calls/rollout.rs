//! The rollout calls' rules shared by the bindings: a plan from the JSON a
//! binding built of the caller's stages, a health gate that is a plain
//! function of the caller's language, and the verdict that function
//! returned.

use std::sync::Arc;

use async_trait::async_trait;
use futures::future::BoxFuture;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::{RolloutPlan, RolloutStage};
use crate::traits::{GateCheck, GateVerdict, HealthGate};

/// The argument naming a rollout plan, in errors about its shape.
pub const ROLLOUT_ARGUMENT: &str = "rollout";
/// The argument naming a health gate, in errors about what it returned.
pub const GATE_ARGUMENT: &str = "gate";

/// A plan from `json`, an array of `{"percent": number, "hold_seconds":
/// integer}`. A shape error is `InvalidInput` naming `rollout` (or
/// `rollout.stages[i]`); the plan's own rules name the stage's field, as
/// [`RolloutPlan::new`] does.
pub fn rollout_plan(json: &str) -> Result<RolloutPlan> {
    let stages: Vec<Value> = serde_json::from_str(json).map_err(|e| {
        Error::invalid_input(
            ROLLOUT_ARGUMENT,
            format!("must be a list of stages ({{percent, hold_seconds}}): {e}"),
        )
    })?;
    let stages = stages
        .into_iter()
        .enumerate()
        .map(|(i, stage)| {
            serde_json::from_value::<RolloutStage>(stage).map_err(|e| {
                Error::invalid_input(
                    format!("{ROLLOUT_ARGUMENT}.stages[{i}]"),
                    format!("must be {{percent: number, hold_seconds: whole seconds >= 0}}: {e}"),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    RolloutPlan::new(stages)
}

/// The verdict a gate function returned, as JSON: `true` (healthy),
/// `false` (unhealthy, for no stated reason), or `{"healthy": bool,
/// "reason": string}` (the reason optional, recorded when unhealthy).
/// Anything else is `InvalidInput` naming `gate`, which changes nothing.
pub fn gate_verdict(json: &str) -> Result<GateVerdict> {
    let value: Value = serde_json::from_str(json)
        .map_err(|e| Error::invalid_input(GATE_ARGUMENT, format!("returned no verdict: {e}")))?;
    let (healthy, reason) = match &value {
        Value::Bool(healthy) => (*healthy, None),
        Value::Object(map) => match (map.get("healthy"), map.get("reason")) {
            (Some(Value::Bool(h)), None | Some(Value::Null)) => (*h, None),
            (Some(Value::Bool(h)), Some(Value::String(r))) => (*h, Some(r.clone())),
            _ => return Err(bad_verdict(&value)),
        },
        _ => return Err(bad_verdict(&value)),
    };
    Ok(if healthy {
        GateVerdict::Healthy
    } else {
        GateVerdict::unhealthy(
            reason
                .filter(|r| !r.trim().is_empty())
                .unwrap_or_else(|| "the gate function found the candidate unhealthy".into()),
        )
    })
}

fn bad_verdict(value: &Value) -> Error {
    Error::invalid_input(
        GATE_ARGUMENT,
        format!("returned {value}; return true, false, or {{healthy: bool, reason: string}}"),
    )
}

/// Calls the caller's function with the check's JSON and resolves to the
/// JSON of its verdict (see [`gate_verdict`]).
pub type GateFunction = Arc<dyn Fn(String) -> BoxFuture<'static, Result<String>> + Send + Sync>;

/// A health gate that is a plain function of the binding's language.
#[derive(Clone)]
pub struct FunctionGate {
    name: String,
    function: GateFunction,
}

impl std::fmt::Debug for FunctionGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FunctionGate")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl FunctionGate {
    /// A gate named `name` (recorded with its decisions; the function's
    /// own name where the language has one) calling `function`.
    pub fn new(name: impl Into<String>, function: GateFunction) -> Self {
        let name = name.into();
        Self {
            name: if name.trim().is_empty() {
                "function".into()
            } else {
                name
            },
            function,
        }
    }
}

#[async_trait]
impl HealthGate for FunctionGate {
    fn name(&self) -> &str {
        &self.name
    }

    async fn check(&self, check: &GateCheck) -> Result<GateVerdict> {
        let json = serde_json::to_string(check).map_err(|e| Error::internal(e.to_string()))?;
        gate_verdict(&(self.function)(json).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<impl std::fmt::Debug>) -> String {
        match r {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_plan_is_read_from_its_stages_and_each_fault_is_named() {
        let plan = rollout_plan(
            r#"[{"percent": 5, "hold_seconds": 600}, {"percent": 100, "hold_seconds": 0}]"#,
        )
        .unwrap();
        assert_eq!(plan.stages().len(), 2);
        assert_eq!(field(rollout_plan("{}")), "rollout");
        assert_eq!(
            field(rollout_plan(r#"[{"percent": 5, "hold_seconds": -1}]"#)),
            "rollout.stages[0]"
        );
        assert_eq!(
            field(rollout_plan(r#"[{"percent": 5, "hold_seconds": 0}]"#)),
            "rollout.stages[0].percent"
        );
    }

    #[test]
    fn a_verdict_is_a_bool_or_an_object_and_nothing_else() {
        assert_eq!(gate_verdict("true").unwrap(), GateVerdict::Healthy);
        assert!(matches!(
            gate_verdict("false").unwrap(),
            GateVerdict::Unhealthy { .. }
        ));
        assert_eq!(
            gate_verdict(r#"{"healthy": false, "reason": "p99 2 s"}"#).unwrap(),
            GateVerdict::unhealthy("p99 2 s")
        );
        assert_eq!(
            gate_verdict(r#"{"healthy": true, "reason": null}"#).unwrap(),
            GateVerdict::Healthy
        );
        assert_eq!(field(gate_verdict("1")), "gate");
        assert_eq!(field(gate_verdict(r#"{"ok": true}"#)), "gate");
        assert_eq!(field(gate_verdict("null")), "gate");
    }
}
