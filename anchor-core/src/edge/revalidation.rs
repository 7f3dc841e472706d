//! The deployments' revalidation queues on the local edge, delivered as
//! the event source mapping Anchor gives each queue on AWS delivers them:
//! to the revalidation function version of the queue's own deployment, as
//! an SQS event, one message at a time per queue (FIFO order), retried
//! while the function reports the message failed, up to the queue's
//! receive limit, after which the message is dropped as it would move to
//! the dead-letter queue. Messages live in memory: an edge that stops
//! loses what it had not delivered, as a page then stays stale until it is
//! requested again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::pool::PoolError;
use super::pool::PoolLookup;
use super::worker::Answer;
use super::Site;
use crate::model::DeploymentId;

/// How long SQS remembers a FIFO deduplication id.
const DEDUP_WINDOW: Duration = Duration::from_secs(5 * 60);
/// How many times a message is received before it goes to the dead-letter
/// queue (the `maxReceiveCount` of Anchor's redrive policy).
pub(crate) const MAX_RECEIVES: u32 = 3;
/// How long a failed message stays invisible before it is received again.
const VISIBILITY_TIMEOUT: Duration = Duration::from_secs(2);

/// A message as sent.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub body: String,
    pub group: String,
    pub dedup: String,
    pub md5: String,
}

/// What `SendMessage` answers.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub message_id: String,
    pub sequence: u128,
}

struct Delivery {
    id: String,
    sequence: u128,
    sent_at_ms: i64,
    message: Message,
}

struct Queue {
    seen: HashMap<String, (Instant, Sent)>,
    sender: mpsc::UnboundedSender<Delivery>,
}

/// Every queue the edge's functions have sent to, by name.
#[derive(Default)]
pub(crate) struct RevalidationQueues {
    queues: Mutex<HashMap<String, Queue>>,
    sequence: Mutex<u128>,
}

impl RevalidationQueues {
    /// Accepts `message` on queue `name` of `deployment`. A deduplication
    /// id seen in the last five minutes gets the first message's answer and
    /// is not delivered again.
    pub fn send(
        &self,
        site: &Arc<Site>,
        name: &str,
        deployment: DeploymentId,
        message: Message,
    ) -> Sent {
        let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
        let queue = queues.entry(name.to_string()).or_insert_with(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            tokio::spawn(consume(
                Arc::downgrade(site),
                name.to_string(),
                deployment,
                receiver,
            ));
            Queue {
                seen: HashMap::new(),
                sender,
            }
        });
        let now = Instant::now();
        queue
            .seen
            .retain(|_, (at, _)| now.duration_since(*at) < DEDUP_WINDOW);
        if let Some((_, sent)) = queue.seen.get(&message.dedup) {
            return sent.clone();
        }
        let sequence = {
            let mut next = self.sequence.lock().unwrap_or_else(|p| p.into_inner());
            *next += 1;
            *next
        };
        let sent = Sent {
            message_id: ulid::Ulid::new().to_string().to_lowercase(),
            sequence,
        };
        queue
            .seen
            .insert(message.dedup.clone(), (now, sent.clone()));
        let delivery = Delivery {
            id: sent.message_id.clone(),
            sequence,
            sent_at_ms: chrono::Utc::now().timestamp_millis(),
            message,
        };
        if queue.sender.send(delivery).is_err() {
            tracing::warn!(target: "anchor_core::edge::revalidation", queue = name, "the queue's consumer stopped; message dropped");
        }
        sent
    }
}

/// Delivers the queue's messages in order until the edge shuts down.
async fn consume(
    site: Weak<Site>,
    name: String,
    deployment: DeploymentId,
    mut receiver: mpsc::UnboundedReceiver<Delivery>,
) {
    while let Some(delivery) = receiver.recv().await {
        for receive in 1..=MAX_RECEIVES {
            let Some(site) = site.upgrade() else { return };
            match deliver(&site, &name, &deployment, &delivery, receive).await {
                Ok(()) => break,
                Err(reason) if receive < MAX_RECEIVES => {
                    tracing::info!(target: "anchor_core::edge::revalidation", queue = %name, receive, "message failed ({reason}); received again after the visibility timeout");
                    drop(site);
                    tokio::time::sleep(VISIBILITY_TIMEOUT).await;
                }
                Err(reason) => {
                    tracing::warn!(target: "anchor_core::edge::revalidation", queue = %name, body = %delivery.message.body, "message failed {MAX_RECEIVES} times ({reason}); moved to the dead-letter queue");
                }
            }
        }
    }
}

/// One receive: the deployment's revalidation function handles the
/// message; `Err` says why it counts as failed.
async fn deliver(
    site: &Site,
    name: &str,
    deployment: &DeploymentId,
    delivery: &Delivery,
    receive: u32,
) -> Result<(), String> {
    let queue = site
        .cloud()
        .revalidation()
        .queue(&site.config.project, name)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("the queue of deployment {deployment} was removed"))?;
    let Some(version) = &queue.version else {
        return Err(format!(
            "no revalidation function version of deployment {deployment} is subscribed"
        ));
    };
    let pool = match site.pool(&queue.function, version).await {
        Ok(PoolLookup::Ready(pool)) => pool,
        Ok(PoolLookup::Missing) => return Err(format!("{}:{version} is missing", queue.function)),
        Ok(PoolLookup::OtherArchitecture(a)) => return Err(format!("built for {a:?}")),
        Err(e) => return Err(e.to_string()),
    };
    let event = sqs_event(name, delivery, receive);
    let reply = pool
        .invoke(&event, site.config.options.request_timeout)
        .await
        .map_err(|e| match e {
            PoolError::Handler(message) | PoolError::Crashed(message) => message,
            PoolError::TimedOut => "timed out".into(),
            PoolError::Start(start) => format!("{start:?}"),
        })?;
    // A function that streams its answer reports no item failures.
    let reply = match reply {
        Answer::Returned(value) => value,
        Answer::Streamed { .. } => Value::Null,
    };
    let failures = reply
        .get("batchItemFailures")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if failures > 0 {
        return Err("the function reported it failed".into());
    }
    Ok(())
}

/// The event Lambda's SQS event source sends for one message.
fn sqs_event(queue: &str, delivery: &Delivery, receive: u32) -> Value {
    let now = chrono::Utc::now().timestamp_millis();
    json!({
        "Records": [{
            "messageId": delivery.id,
            "receiptHandle": format!("{}-{receive}", delivery.id),
            "body": delivery.message.body,
            "attributes": {
                "ApproximateReceiveCount": receive.to_string(),
                "SentTimestamp": delivery.sent_at_ms.to_string(),
                "SequenceNumber": delivery.sequence.to_string(),
                "MessageGroupId": delivery.message.group,
                "SenderId": "anchor-local-edge",
                "MessageDeduplicationId": delivery.message.dedup,
                "ApproximateFirstReceiveTimestamp": now.to_string(),
            },
            "messageAttributes": {},
            "md5OfBody": delivery.message.md5,
            "eventSource": "aws:sqs",
            "eventSourceARN": format!("arn:aws:sqs:{}:000000000000:{queue}", crate::local::QUEUE_REGION),
            "awsRegion": crate::local::QUEUE_REGION,
        }]
    })
}
