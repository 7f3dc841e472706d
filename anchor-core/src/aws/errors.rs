//! Turning SDK errors into Anchor's [`Error`], naming the AWS operation and
//! the resource, and telling retryable failures from final ones.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use crate::error::{BoxError, Error, Service};

/// Error codes the SDK retries as throttling or transient failures
/// (aws-runtime's `THROTTLING_ERRORS` and `TRANSIENT_ERRORS`), so an error
/// that exhausted its retries on one of them is reported retryable. Left
/// out: `LimitExceededException`, which the SDK retries but which ACM and
/// Lambda also use for a quota that waiting does not lift.
const RETRYABLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "BandwidthLimitExceeded",
    "SlowDown",
    "PriorRequestNotComplete",
    "RequestTimeout",
    "RequestTimeoutException",
];

/// The service error code (such as `ResourceNotFoundException`), if the
/// service replied with one.
#[allow(dead_code)] // for modules that branch on unmodelled codes
pub(crate) fn error_code<E, R>(err: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::ServiceError(service) => service.err().code(),
        _ => None,
    }
}

/// Whether retrying the same call may succeed: throttling, a 5xx, a
/// timeout (the client's or the service's `RequestTimeout`) or a transport
/// failure. The SDK has already retried these up to
/// its attempt limit by the time Anchor sees them.
fn is_retryable<E>(err: &SdkError<E, HttpResponse>) -> bool
where
    E: ProvideErrorMetadata,
{
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => true,
        SdkError::ResponseError(r) => r.raw().status().is_server_error(),
        SdkError::ServiceError(s) => {
            s.raw().status().is_server_error()
                || s.err().code().is_some_and(|c| RETRYABLE_CODES.contains(&c))
        }
        _ => false,
    }
}

/// Converts an SDK error of `operation` on `resource` into
/// [`Error::Service`] with backend `aws`. Callers first branch on the
/// errors they expect (not found, precondition failed) and pass the rest here.
pub(crate) fn service_error<E>(
    service: Service,
    operation: &str,
    resource: &str,
    err: SdkError<E, HttpResponse>,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let retryable = is_retryable(&err);
    let detail = match &err {
        SdkError::ServiceError(s) => format!(
            "{}: {}",
            s.err().code().unwrap_or("UnknownError"),
            s.err().message().unwrap_or("no message")
        ),
        SdkError::TimeoutError(_) => "timed out".to_string(),
        SdkError::DispatchFailure(_) => "could not reach the endpoint".to_string(),
        SdkError::ResponseError(r) => format!("unreadable response ({})", r.raw().status()),
        other => other.to_string(),
    };
    Error::Service {
        backend: "aws",
        service,
        operation: operation.to_string(),
        retryable,
        message: format!("{operation} on {resource}: {detail}"),
        source: Some(without_raw_reply(err)),
    }
}

/// The error's cause without the HTTP reply the `SdkError` keeps: its
/// `Debug` prints the reply's body, and AWS echoes what it signed in some
/// refusals (S3's `SignatureDoesNotMatch` carries the canonical request,
/// session token included, and the signature provided), so keeping it
/// would put credentials into `{:?}` of Anchor's errors.
fn without_raw_reply<E>(err: SdkError<E, HttpResponse>) -> BoxError
where
    E: std::error::Error + Send + Sync + 'static,
{
    err.into_source().unwrap_or_else(|err| Box::new(err))
}
