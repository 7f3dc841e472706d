//! The SQS part of the workers' AWS endpoint: `SendMessage` (AWS JSON
//! protocol) to a deployment's revalidation queue, as OpenNext's server
//! sends one for every stale page it serves. The queue is FIFO, as Anchor
//! provisions it: a message needs a group id and a deduplication id, and a
//! deduplication id seen in the last five minutes is accepted but not
//! delivered again. Accepted messages go to the deployment's revalidation
//! function (`revalidation`). A queue of no deployment of the project is
//! `QueueDoesNotExist`; every other operation is refused by name.

use bytes::Bytes;
use hyper::header::HeaderValue;
use hyper::{Response, StatusCode};
use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::json;

use super::response::{aws_json, aws_json_error, EdgeBody};
use super::revalidation::{Message, Sent};
use super::SharedSite;
use crate::model::DeploymentId;

/// SQS's largest message body.
const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// The longest deduplication and group ids SQS takes.
const MAX_ID_CHARS: usize = 128;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendMessage {
    queue_url: Option<String>,
    message_body: Option<String>,
    message_deduplication_id: Option<String>,
    message_group_id: Option<String>,
    delay_seconds: Option<u64>,
}

/// Answers SQS `operation` with the JSON request `body`.
pub(crate) async fn answer(site: &SharedSite, operation: &str, body: &Bytes) -> Response<EdgeBody> {
    if operation != "SendMessage" {
        return refuse(
            "UnsupportedOperation",
            "AWS.SimpleQueueService.UnsupportedOperation",
            &format!(
                "{operation} is not available to functions on the local edge (SendMessage is)"
            ),
        );
    }
    let request: SendMessage = match serde_json::from_slice(body) {
        Ok(request) => request,
        Err(e) => {
            return refuse(
                "InvalidParameterValue",
                "InvalidParameterValue",
                &e.to_string(),
            )
        }
    };
    let Some(url) = request.queue_url else {
        return refuse(
            "MissingParameter",
            "MissingParameter",
            "QueueUrl is required",
        );
    };
    let name = url.rsplit('/').next().unwrap_or_default().to_string();
    let Some(deployment) = deployment_of(site, &name).await else {
        return refuse(
            "QueueDoesNotExist",
            "AWS.SimpleQueueService.NonExistentQueue",
            "The specified queue does not exist.",
        );
    };
    let Some(message_body) = request.message_body.filter(|b| !b.is_empty()) else {
        return refuse(
            "MissingParameter",
            "MissingParameter",
            "MessageBody is required",
        );
    };
    if message_body.len() > MAX_MESSAGE_BYTES {
        return refuse(
            "InvalidParameterValue",
            "InvalidParameterValue",
            &format!(
                "MessageBody is {} bytes; at most {MAX_MESSAGE_BYTES}",
                message_body.len()
            ),
        );
    }
    if request.delay_seconds.is_some_and(|d| d > 0) {
        return refuse(
            "InvalidParameterValue",
            "InvalidParameterValue",
            "DelaySeconds per message is not valid for a FIFO queue",
        );
    }
    let Some(group) = request.message_group_id.filter(|g| valid_id(g)) else {
        return refuse(
            "MissingParameter",
            "MissingParameter",
            "A FIFO queue needs a MessageGroupId of 1 to 128 characters",
        );
    };
    // Anchor's queues do not deduplicate by content, as OpenNext always
    // sends its own id.
    let Some(dedup) = request.message_deduplication_id.filter(|d| valid_id(d)) else {
        return refuse(
            "InvalidParameterValue",
            "InvalidParameterValue",
            "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
        );
    };
    let md5 = hex(&Md5::digest(message_body.as_bytes()));
    let Sent {
        message_id,
        sequence,
    } = site.queues().send(
        site,
        &name,
        deployment,
        Message {
            body: message_body,
            group,
            dedup,
            md5: md5.clone(),
        },
    );
    aws_json(&json!({
        "MessageId": message_id,
        "MD5OfMessageBody": md5,
        "SequenceNumber": sequence.to_string(),
    }))
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= MAX_ID_CHARS && id.chars().all(|c| c.is_ascii_graphic())
}

/// The deployment whose queue is `name`, if the deploy flow made it for
/// one of the project's deployments and it was not removed since.
async fn deployment_of(site: &SharedSite, name: &str) -> Option<DeploymentId> {
    match site
        .cloud()
        .revalidation()
        .queue(&site.config.project, name)
        .await
    {
        Ok(Some(queue)) => Some(queue.deployment),
        _ => None,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An SQS error: JSON `__type` plus the query-compatible code header the
/// SDK reads for older error names.
fn refuse(kind: &str, query_code: &str, message: &str) -> Response<EdgeBody> {
    let mut response = aws_json_error(
        StatusCode::BAD_REQUEST,
        &format!("com.amazonaws.sqs#{kind}"),
        message,
    );
    if let Ok(value) = HeaderValue::from_str(&format!("{query_code};Sender")) {
        response.headers_mut().insert("x-amzn-query-error", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_is_hex_of_the_body_as_sqs_reports_it() {
        assert_eq!(
            hex(&Md5::digest(b"hello")),
            "5d41402abc4b2a76b9719d911017c592"
        );
    }

    #[test]
    fn ids_are_1_to_128_printable_ascii_characters() {
        assert!(valid_id("abc-123"));
        assert!(!valid_id(""));
        assert!(!valid_id(&"x".repeat(129)));
        assert!(!valid_id("with space"));
    }
}
