//! The SDK's waiters on a function's state, with their failures mapped to
//! Anchor's errors. No sleep loops: `function_active_v2` and
//! `function_updated_v2` poll `GetFunction` with backoff.

use std::time::Duration;

use super::lookup::Snapshot;
use aws_sdk_lambda::client::Waiters as _;
use aws_sdk_lambda::waiters::function_updated_v2::{
    FunctionUpdatedV2FinalPoll, WaitUntilFunctionUpdatedV2Error,
};

use super::LambdaFunctions;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};

/// How long a function may stay `Pending` or `InProgress`. Large zips with
/// SnapStart or VPC attachments can take minutes.
const MAX_WAIT: Duration = Duration::from_secs(600);

/// Waits until `State` is no longer `Pending` (a new function).
pub(super) async fn active(host: &LambdaFunctions, function: &str) -> Result<Snapshot> {
    let result = host
        .client
        .wait_until_function_active_v2()
        .function_name(function)
        .wait(MAX_WAIT)
        .await;
    finish(function, "function_active_v2", result)
}

/// Waits until `LastUpdateStatus` is no longer `InProgress`, and returns
/// the configuration the last poll saw (its `RevisionId` and `CodeSha256`
/// guard the next call).
pub(super) async fn updated(host: &LambdaFunctions, function: &str) -> Result<Snapshot> {
    let result = host
        .client
        .wait_until_function_updated_v2()
        .function_name(function)
        .wait(MAX_WAIT)
        .await;
    finish(function, "function_updated_v2", result)
}

fn finish(
    function: &str,
    waiter: &str,
    result: std::result::Result<FunctionUpdatedV2FinalPoll, WaitUntilFunctionUpdatedV2Error>,
) -> Result<Snapshot> {
    let output = match result {
        Ok(poll) => match poll.into_result() {
            Ok(output) => output,
            Err(e) => {
                return Err(service_error(
                    Service::Functions,
                    "GetFunction",
                    function,
                    e,
                ))
            }
        },
        Err(WaitUntilFunctionUpdatedV2Error::ExceededMaxWait(w)) => {
            return Err(Error::Service {
                backend: "aws",
                service: Service::Functions,
                operation: waiter.to_string(),
                retryable: true,
                message: format!(
                    "{function} did not settle within {:?} ({} polls)",
                    w.max_wait(),
                    w.poll_count()
                ),
                source: None,
            })
        }
        Err(WaitUntilFunctionUpdatedV2Error::FailureState(f)) => {
            let reason = match f.into_final_poll().into_result() {
                Ok(out) => out
                    .configuration
                    .and_then(|c| c.last_update_status_reason.or(c.state_reason))
                    .unwrap_or_else(|| "the update failed".to_string()),
                Err(e) if e.is_resource_not_found_exception() => {
                    return Err(Error::not_found(ResourceKind::Function, function))
                }
                Err(e) => {
                    return Err(Error::Service {
                        backend: "aws",
                        service: Service::Functions,
                        operation: "GetFunction".to_string(),
                        retryable: false,
                        message: format!("waiting on {function}: {e}"),
                        source: Some(Box::new(e)),
                    })
                }
            };
            return Err(Error::invalid_state(
                ResourceKind::Function,
                function,
                "failed",
                reason,
            ));
        }
        Err(WaitUntilFunctionUpdatedV2Error::OperationFailed(e)) => {
            let e = e.into_error();
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception())
            {
                return Err(Error::not_found(ResourceKind::Function, function));
            }
            return Err(service_error(
                Service::Functions,
                "GetFunction",
                function,
                e,
            ));
        }
        Err(e) => {
            return Err(Error::Service {
                backend: "aws",
                service: Service::Functions,
                operation: waiter.to_string(),
                retryable: false,
                message: format!("waiting on {function}: {e}"),
                source: Some(Box::new(e)),
            })
        }
    };
    output.configuration.map(Snapshot::from).ok_or_else(|| {
        Error::service(
            "aws",
            Service::Functions,
            "GetFunction",
            format!("{function}: the reply had no configuration"),
        )
    })
}
