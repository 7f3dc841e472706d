//! OpenNext's tag-cache table, one per project, and its seeding.
//!
//! The key schema is the one OpenNext's DynamoDB tag cache queries (and
//! SST creates): partition key `tag`, sort key `path`, and the index
//! `revalidate` on `path` and `revalidatedAt` (number), projecting every
//! attribute. Pay per request, as a site's traffic decides its use.

use aws_sdk_dynamodb::types::{
    AttributeValue, BillingMode, DeleteRequest, GlobalSecondaryIndex, KeyType, Projection,
    ProjectionType, PutRequest, ScalarAttributeType, TableDescription, TableStatus, WriteRequest,
};
use aws_sdk_dynamodb::Client;

use super::codec::built;
use super::tables::{attribute, describe, key, wait_active};
use crate::aws::errors::service_error;
use crate::error::{Error, Result, Service};
use crate::model::TagItem;

use super::batch::{write_all, Retry};

/// The partition key.
pub const TAG: &str = "tag";
/// The sort key, and the index's partition key.
pub const PATH: &str = "path";
/// The index's sort key.
pub const REVALIDATED_AT: &str = "revalidatedAt";
/// The index OpenNext queries by path.
pub const REVALIDATE_INDEX: &str = "revalidate";

/// Creates the tag table `name` if it is missing, checks an existing one's
/// keys and index, and waits until it is active.
pub(crate) async fn ensure(client: &Client, name: &str) -> Result<()> {
    match describe(client, name).await? {
        Some(table) => {
            check(name, &table)?;
            if table.table_status() == Some(&TableStatus::Active) {
                return Ok(());
            }
        }
        None => create(client, name).await?,
    }
    wait_active(client, name, Service::Revalidation).await
}

async fn create(client: &Client, name: &str) -> Result<()> {
    const OP: &str = "CreateTable";
    let index = GlobalSecondaryIndex::builder()
        .index_name(REVALIDATE_INDEX)
        .key_schema(key(OP, PATH, KeyType::Hash)?)
        .key_schema(key(OP, REVALIDATED_AT, KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        );
    let request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(OP, TAG, KeyType::Hash)?)
        .key_schema(key(OP, PATH, KeyType::Range)?)
        .attribute_definitions(attribute(OP, TAG, ScalarAttributeType::S)?)
        .attribute_definitions(attribute(OP, PATH, ScalarAttributeType::S)?)
        .attribute_definitions(attribute(OP, REVALIDATED_AT, ScalarAttributeType::N)?)
        .global_secondary_indexes(built(OP, index.build())?);
    match request.send().await {
        Ok(_) => Ok(()),
        // Created concurrently by another deploy: adopt it.
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_in_use_exception()) =>
        {
            Ok(())
        }
        Err(e) => Err(service_error(Service::Revalidation, OP, name, e)),
    }
}

/// Refuses a table OpenNext's queries would fail on.
fn check(name: &str, table: &TableDescription) -> Result<()> {
    let keys: Vec<(&str, &KeyType)> = table
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type()))
        .collect();
    let expected = [(TAG, &KeyType::Hash), (PATH, &KeyType::Range)];
    let has_index = table
        .global_secondary_indexes()
        .iter()
        .any(|i| i.index_name() == Some(REVALIDATE_INDEX));
    if keys != expected || !has_index {
        return Err(Error::service(
            "aws",
            Service::Revalidation,
            "DescribeTable",
            format!(
                "the tag table {name} exists with keys {keys:?} and index {REVALIDATE_INDEX:?} {}; \
                 OpenNext needs keys {expected:?} and that index",
                if has_index { "present" } else { "missing" }
            ),
        ));
    }
    Ok(())
}

/// The write request putting `item`, in the shape OpenNext's seeder writes.
pub(crate) fn put_request(item: &TagItem) -> Result<WriteRequest> {
    const OP: &str = "BatchWriteItem";
    let put = PutRequest::builder()
        .item(TAG, AttributeValue::S(item.tag.clone()))
        .item(PATH, AttributeValue::S(item.path.clone()))
        .item(
            REVALIDATED_AT,
            AttributeValue::N(item.revalidated_at.to_string()),
        )
        .build();
    Ok(WriteRequest::builder().put_request(built(OP, put)?).build())
}

/// Writes `items` into the table `name`, each over any row with its keys.
/// A row given twice is written once: one BatchWriteItem may not name a key
/// twice.
pub(crate) async fn seed(client: &Client, name: &str, items: &[TagItem]) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    let requests = items
        .iter()
        .filter(|i| seen.insert((i.tag.as_str(), i.path.as_str())))
        .map(put_request)
        .collect::<Result<Vec<_>>>()?;
    write(client, name, requests).await
}

/// Deletes every row of the table `name` whose tag starts with `prefix`:
/// DynamoDB has no prefix query on a partition key, so a consistent Scan
/// filtered with `begins_with` finds them (reading only their keys), and
/// each page found is deleted with BatchWriteItem before the next is read.
/// A missing table has no rows; deleting a row already gone is no error.
pub(crate) async fn delete_prefix(client: &Client, name: &str, prefix: &str) -> Result<()> {
    const OP: &str = "Scan";
    let mut start = None;
    loop {
        let scanned = client
            .scan()
            .table_name(name)
            .consistent_read(true)
            .filter_expression("begins_with(#tag, :prefix)")
            .projection_expression("#tag, #path")
            .expression_attribute_names("#tag", TAG)
            .expression_attribute_names("#path", PATH)
            .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_string()))
            .set_exclusive_start_key(start)
            .send()
            .await;
        let out = match scanned {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                return Ok(())
            }
            Err(e) => return Err(service_error(Service::Revalidation, OP, name, e)),
        };
        let requests = out
            .items()
            .iter()
            .map(|item| {
                let mut delete = DeleteRequest::builder();
                for attribute in [TAG, PATH] {
                    let value = item.get(attribute).cloned().ok_or_else(|| {
                        Error::service(
                            "aws",
                            Service::Revalidation,
                            OP,
                            format!("a row of {name} came back without its key {attribute}"),
                        )
                    })?;
                    delete = delete.key(attribute, value);
                }
                let delete = built("BatchWriteItem", delete.build())?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<Vec<_>>>()?;
        write(client, name, requests).await?;
        match out.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return Ok(()),
        }
    }
}

/// Sends `requests` to the table `name` with BatchWriteItem, 25 at a time,
/// until DynamoDB has processed every one.
async fn write(client: &Client, name: &str, requests: Vec<WriteRequest>) -> Result<()> {
    write_all(requests, Retry::default(), |batch| async move {
        let out = client
            .batch_write_item()
            .request_items(name, batch)
            .send()
            .await
            .map_err(|e| service_error(Service::Revalidation, "BatchWriteItem", name, e))?;
        Ok(out
            .unprocessed_items
            .and_then(|mut left| left.remove(name))
            .unwrap_or_default())
    })
    .await
}
