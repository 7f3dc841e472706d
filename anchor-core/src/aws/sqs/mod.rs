//! FIFO queues on SQS: found by name first, created only when missing, so
//! a repeated ensure sends no write; deleted by URL, a missing one being no
//! error.

use std::collections::HashMap;

use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_sqs::Client;

use crate::aws::errors::service_error;
use crate::error::{Error, Result, Service};

/// SQS's limit on a queue name, `.fifo` included.
pub(crate) const MAX_QUEUE_NAME: usize = 80;

/// A queue that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Queue {
    /// Its URL, for every data-plane call.
    pub url: String,
    /// Its ARN, for redrive policies and event source mappings.
    pub arn: String,
}

/// The URL of the queue called `name`, or `None` if there is none.
pub(crate) async fn find(client: &Client, name: &str) -> Result<Option<String>> {
    match client.get_queue_url().queue_name(name).send().await {
        Ok(out) => Ok(out.queue_url),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_queue_does_not_exist()) =>
        {
            Ok(None)
        }
        Err(e) => Err(service_error(Service::Revalidation, "GetQueueUrl", name, e)),
    }
}

/// Ensures the FIFO queue `name` exists; `attributes` are set only when it
/// is created (an existing queue is adopted as it is).
pub(crate) async fn ensure_fifo(
    client: &Client,
    name: &str,
    attributes: &[(QueueAttributeName, String)],
) -> Result<Queue> {
    if !name.ends_with(".fifo") || name.len() > MAX_QUEUE_NAME {
        return Err(Error::invalid_input(
            "queue",
            format!("{name:?} must end in .fifo and be at most {MAX_QUEUE_NAME} characters"),
        ));
    }
    let url = match find(client, name).await? {
        Some(url) => url,
        None => create(client, name, attributes).await?,
    };
    let arn = arn(client, &url).await?;
    Ok(Queue { url, arn })
}

async fn create(
    client: &Client,
    name: &str,
    attributes: &[(QueueAttributeName, String)],
) -> Result<String> {
    let mut request = client
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::FifoQueue, "true");
    for (key, value) in attributes {
        request = request.attributes(key.clone(), value);
    }
    let out = request
        .send()
        .await
        .map_err(|e| service_error(Service::Revalidation, "CreateQueue", name, e))?;
    out.queue_url.ok_or_else(|| {
        Error::service(
            "aws",
            Service::Revalidation,
            "CreateQueue",
            format!("CreateQueue on {name} returned no queue URL"),
        )
    })
}

/// The ARN of the queue at `url`.
pub(crate) async fn arn(client: &Client, url: &str) -> Result<String> {
    let out = client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| service_error(Service::Revalidation, "GetQueueAttributes", url, e))?;
    let attributes: HashMap<QueueAttributeName, String> = out.attributes.unwrap_or_default();
    attributes
        .get(&QueueAttributeName::QueueArn)
        .cloned()
        .ok_or_else(|| {
            Error::service(
                "aws",
                Service::Revalidation,
                "GetQueueAttributes",
                format!("GetQueueAttributes on {url} returned no QueueArn"),
            )
        })
}

/// Deletes the queue at `url`; one already gone is no error.
pub(crate) async fn delete(client: &Client, url: &str) -> Result<()> {
    match client.delete_queue().queue_url(url).send().await {
        Ok(_) => Ok(()),
        Err(e)
            if crate::aws::errors::error_code(&e).is_some_and(|c| {
                c == "AWS.SimpleQueueService.NonExistentQueue" || c == "QueueDoesNotExist"
            }) =>
        {
            Ok(())
        }
        Err(e) => Err(service_error(Service::Revalidation, "DeleteQueue", url, e)),
    }
}
