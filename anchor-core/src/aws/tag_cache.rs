//! OpenNext's tag table on DynamoDB: the writes a deploy makes to seed it.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};

use super::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};
use crate::traits::{TagCache, TagItem, MAX_TAG_WRITE_ITEMS};

/// How often a batch's unprocessed items are sent again before giving up.
const UNPROCESSED_ATTEMPTS: usize = 5;

/// The AWS implementation of [`TagCache`]: `BatchWriteItem` of
/// `PutRequest`s with OpenNext's attribute names (`tag`, `path`,
/// `revalidatedAt`), unprocessed items sent again.
#[derive(Debug, Clone)]
pub struct DynamoDbTagCache {
    client: aws_sdk_dynamodb::Client,
}

impl DynamoDbTagCache {
    /// A tag cache writing through `client`.
    pub fn new(client: aws_sdk_dynamodb::Client) -> Self {
        Self { client }
    }
}

fn put_request(item: &TagItem) -> Result<WriteRequest> {
    let put = PutRequest::builder()
        .item("tag", AttributeValue::S(item.tag.clone()))
        .item("path", AttributeValue::S(item.path.clone()))
        .item(
            "revalidatedAt",
            AttributeValue::N(item.revalidated_at.to_string()),
        )
        .build()
        .map_err(|e| Error::invalid_input("tag item", e.to_string()))?;
    Ok(WriteRequest::builder().put_request(put).build())
}

#[async_trait]
impl TagCache for DynamoDbTagCache {
    async fn put_items(&self, table: &str, items: &[TagItem]) -> Result<()> {
        for batch in items.chunks(MAX_TAG_WRITE_ITEMS) {
            let mut pending = batch.iter().map(put_request).collect::<Result<Vec<_>>>()?;
            for _ in 0..UNPROCESSED_ATTEMPTS {
                let reply = self
                    .client
                    .batch_write_item()
                    .request_items(table, pending)
                    .send()
                    .await
                    .map_err(|err| {
                        if err
                            .as_service_error()
                            .is_some_and(|e| e.is_resource_not_found_exception())
                        {
                            Error::not_found(ResourceKind::TagTable, table)
                        } else {
                            service_error(Service::TagCache, "BatchWriteItem", table, err)
                        }
                    })?;
                pending = reply
                    .unprocessed_items
                    .and_then(|mut left| left.remove(table))
                    .unwrap_or_default();
                if pending.is_empty() {
                    break;
                }
            }
            if !pending.is_empty() {
                return Err(Error::service(
                    "aws",
                    Service::TagCache,
                    "BatchWriteItem",
                    format!("{} items of {table} stayed unprocessed", pending.len()),
                ));
            }
        }
        Ok(())
    }
}
