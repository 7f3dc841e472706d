//! [`AlarmGate`]: a rollout's health gate on named CloudWatch alarms.

use async_trait::async_trait;
use aws_sdk_cloudwatch::types::StateValue;

use super::errors::service_error;
use crate::error::{Error, Result, Service};
use crate::traits::{GateCheck, GateVerdict, HealthGate};

/// The most alarm names one gate reads: one `DescribeAlarms` page.
pub const MAX_GATE_ALARMS: usize = 100;

/// Healthy while none of the named CloudWatch alarms is in `ALARM`. An
/// alarm in `INSUFFICIENT_DATA` (a new alarm, or a metric without data
/// yet, as a small share of visitors often gives) does not fail the gate.
/// A name CloudWatch does not know is an error, not a verdict: a typo must
/// not wave a rollout through, nor roll it back.
#[derive(Debug, Clone)]
pub struct AlarmGate {
    client: aws_sdk_cloudwatch::Client,
    alarms: Vec<String>,
}

impl AlarmGate {
    /// A gate on `alarms`, read through a client built from `config`.
    /// Fails with `InvalidInput` naming `alarms` for no name, more than
    /// [`MAX_GATE_ALARMS`], or a name that is empty or over 255 characters
    /// (CloudWatch's limit).
    pub fn new(config: &aws_config::SdkConfig, alarms: Vec<String>) -> Result<Self> {
        Self::with_client(aws_sdk_cloudwatch::Client::new(config), alarms)
    }

    /// A gate on `alarms` read through `client`, checked as [`AlarmGate::new`].
    pub fn with_client(client: aws_sdk_cloudwatch::Client, alarms: Vec<String>) -> Result<Self> {
        if alarms.is_empty() || alarms.len() > MAX_GATE_ALARMS {
            return Err(Error::invalid_input(
                "alarms",
                format!("name 1 to {MAX_GATE_ALARMS} alarms, not {}", alarms.len()),
            ));
        }
        if let Some((i, bad)) = alarms
            .iter()
            .enumerate()
            .find(|(_, a)| a.is_empty() || a.chars().count() > 255)
        {
            return Err(Error::invalid_input(
                format!("alarms[{i}]"),
                format!("{bad:?} is not a CloudWatch alarm name (1 to 255 characters)"),
            ));
        }
        Ok(Self { client, alarms })
    }

    /// The alarm names the gate reads.
    pub fn alarms(&self) -> &[String] {
        &self.alarms
    }
}

#[async_trait]
impl HealthGate for AlarmGate {
    fn name(&self) -> &str {
        "alarms"
    }

    async fn check(&self, _check: &GateCheck) -> Result<GateVerdict> {
        let resource = self.alarms.join(",");
        let reply = self
            .client
            .describe_alarms()
            .set_alarm_names(Some(self.alarms.clone()))
            .max_records(i32::try_from(MAX_GATE_ALARMS).unwrap_or(100))
            .send()
            .await
            .map_err(|e| service_error(Service::HealthGate, "DescribeAlarms", &resource, e))?;
        let found = reply.metric_alarms();
        let composite = reply.composite_alarms();
        let state_of = |name: &str| {
            found
                .iter()
                .find(|a| a.alarm_name() == Some(name))
                .map(|a| {
                    (
                        a.state_value().cloned(),
                        a.state_reason().map(str::to_string),
                    )
                })
                .or_else(|| {
                    composite
                        .iter()
                        .find(|a| a.alarm_name() == Some(name))
                        .map(|a| {
                            (
                                a.state_value().cloned(),
                                a.state_reason().map(str::to_string),
                            )
                        })
                })
        };
        let mut firing = Vec::new();
        for name in &self.alarms {
            match state_of(name) {
                None => {
                    return Err(Error::invalid_input(
                        "alarms",
                        format!("CloudWatch has no alarm named {name:?}"),
                    ))
                }
                Some((Some(StateValue::Alarm), reason)) => firing.push(match reason {
                    Some(reason) => format!("alarm {name} is ALARM: {reason}"),
                    None => format!("alarm {name} is ALARM"),
                }),
                Some(_) => {}
            }
        }
        Ok(if firing.is_empty() {
            GateVerdict::Healthy
        } else {
            GateVerdict::unhealthy(firing.join("; "))
        })
    }
}
