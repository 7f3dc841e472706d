//! [`super::DynamoStateStore::import_deployments`]: finished deployment
//! records written in bulk, 25 items per BatchWriteItem call.

use std::time::Duration;

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use aws_sdk_dynamodb::Client;

use super::codec::built;
use super::items::slot_and_pointer;
use super::TableNames;
use crate::aws::errors::service_error;
use crate::error::{Error, Result, Service};
use crate::model::Deployment;

const OP: &str = "BatchWriteItem";

/// DynamoDB's limit on the requests of one BatchWriteItem call.
const BATCH: usize = 25;

/// Rounds of resending what DynamoDB left unprocessed before giving up.
const UNPROCESSED_ROUNDS: u32 = 8;

/// Writes each deployment's slot and id pointer without conditions.
pub(super) async fn import(
    client: &Client,
    tables: &TableNames,
    deployments: &[Deployment],
) -> Result<()> {
    let mut requests = Vec::with_capacity(deployments.len() * 2);
    for d in deployments {
        if d.status.is_in_progress() {
            return Err(Error::invalid_input(
                "deployments",
                format!(
                    "{} is still {}; only finished records can be imported",
                    d.id,
                    d.status.as_str()
                ),
            ));
        }
        for item in slot_and_pointer(OP, d)? {
            let put = built(OP, PutRequest::builder().set_item(Some(item)).build())?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
    }
    for chunk in requests.chunks(BATCH) {
        send(client, &tables.deployments, chunk.to_vec()).await?;
    }
    Ok(())
}

/// One batch, resending unprocessed items (throttling) with a short backoff.
async fn send(client: &Client, table: &str, mut pending: Vec<WriteRequest>) -> Result<()> {
    for round in 0..UNPROCESSED_ROUNDS {
        let out = client
            .batch_write_item()
            .request_items(table, pending)
            .send()
            .await
            .map_err(|e| service_error(Service::StateStore, OP, table, e))?;
        pending = out
            .unprocessed_items
            .and_then(|mut u| u.remove(table))
            .unwrap_or_default();
        if pending.is_empty() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20 << round)).await;
    }
    Err(Error::service(
        "aws",
        Service::StateStore,
        OP,
        format!(
            "{} items of {table} stayed unprocessed after {UNPROCESSED_ROUNDS} rounds",
            pending.len()
        ),
    ))
}
