//! The four tables' key schemas and their idempotent creation.

use std::time::Duration;

use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableDescription, TableStatus,
};
use aws_sdk_dynamodb::Client;

use super::codec::{
    built, fault, CREATED_SEQ, NAME, PROJECT, PROJECT_ID, PROJECT_ID_INDEX, SEQUENCE, VERSION,
};
use super::TableNames;
use crate::aws::errors::service_error;
use crate::error::{Error, Result, Service};

/// How long [`ensure`] waits for one new table to become active.
const ACTIVE_WAIT: Duration = Duration::from_secs(300);

/// A table's key: hash attribute, optional numeric range attribute.
struct Spec<'a> {
    name: &'a str,
    hash: &'a str,
    range: Option<&'a str>,
    /// Domains only: the `ProjectIdIndex` index.
    project_index: bool,
}

fn specs(names: &TableNames) -> [Spec<'_>; 4] {
    let spec = |name, hash, range, project_index| Spec {
        name,
        hash,
        range,
        project_index,
    };
    [
        spec(&names.projects, NAME, None, false),
        spec(&names.deployments, PROJECT, Some(VERSION), false),
        spec(&names.domains, NAME, None, true),
        spec(&names.rollbacks, PROJECT, Some(SEQUENCE), false),
    ]
}

/// Creates each missing table, adopts each existing one whose key schema
/// matches, and waits until all are active. Running it again changes nothing.
///
/// Every open runs this, so the usual case (four active tables) costs four
/// concurrent DescribeTable calls and no waiter.
pub(super) async fn ensure(client: &Client, names: &TableNames) -> Result<()> {
    let specs = specs(names);
    futures::future::try_join_all(specs.iter().map(|spec| ensure_one(client, spec))).await?;
    Ok(())
}

async fn ensure_one(client: &Client, spec: &Spec<'_>) -> Result<()> {
    match describe(client, spec.name).await? {
        Some(table) => {
            check(spec, &table)?;
            if table.table_status() == Some(&TableStatus::Active) {
                return Ok(());
            }
        }
        None => create(client, spec).await?,
    }
    wait_active(client, spec.name, Service::StateStore).await
}

/// Waits until table `name` is active (the SDK's waiter, up to five
/// minutes); a table that does not get there is a retryable error of
/// `service`.
pub(super) async fn wait_active(client: &Client, name: &str, service: Service) -> Result<()> {
    client
        .wait_until_table_exists()
        .table_name(name)
        .wait(ACTIVE_WAIT)
        .await
        .map_err(|e| Error::Service {
            backend: "aws",
            service,
            operation: "DescribeTable".into(),
            retryable: true,
            message: format!("table {name} did not become active: {e}"),
            source: Some(Box::new(e)),
        })?;
    Ok(())
}

pub(super) async fn describe(client: &Client, table: &str) -> Result<Option<TableDescription>> {
    match client.describe_table().table_name(table).send().await {
        Ok(out) => Ok(out.table),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(service_error(
            Service::StateStore,
            "DescribeTable",
            table,
            e,
        )),
    }
}

pub(super) fn key(operation: &str, attribute: &str, key_type: KeyType) -> Result<KeySchemaElement> {
    built(
        operation,
        KeySchemaElement::builder()
            .attribute_name(attribute)
            .key_type(key_type)
            .build(),
    )
}

pub(super) fn attribute(
    operation: &str,
    name: &str,
    kind: ScalarAttributeType,
) -> Result<AttributeDefinition> {
    built(
        operation,
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build(),
    )
}

async fn create(client: &Client, spec: &Spec<'_>) -> Result<()> {
    const OP: &str = "CreateTable";
    let mut request = client
        .create_table()
        .table_name(spec.name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(OP, spec.hash, KeyType::Hash)?)
        .attribute_definitions(attribute(OP, spec.hash, ScalarAttributeType::S)?);
    if let Some(range) = spec.range {
        request = request
            .key_schema(key(OP, range, KeyType::Range)?)
            .attribute_definitions(attribute(OP, range, ScalarAttributeType::N)?);
    }
    if spec.project_index {
        // Keys only: listings re-read each domain with a consistent GetItem,
        // so the index never serves record contents.
        let index = GlobalSecondaryIndex::builder()
            .index_name(PROJECT_ID_INDEX)
            .key_schema(key(OP, PROJECT_ID, KeyType::Hash)?)
            .key_schema(key(OP, CREATED_SEQ, KeyType::Range)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::KeysOnly)
                    .build(),
            );
        request = request
            .global_secondary_indexes(built(OP, index.build())?)
            .attribute_definitions(attribute(OP, PROJECT_ID, ScalarAttributeType::S)?)
            .attribute_definitions(attribute(OP, CREATED_SEQ, ScalarAttributeType::N)?);
    }
    match request.send().await {
        Ok(_) => Ok(()),
        // Another process created it between our describe and create: adopt it.
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_in_use_exception()) =>
        {
            Ok(())
        }
        Err(e) => Err(service_error(Service::StateStore, OP, spec.name, e)),
    }
}

/// Refuses to adopt a table whose keys (or missing index) would make every
/// later call fail or, worse, behave differently.
fn check(spec: &Spec<'_>, table: &TableDescription) -> Result<()> {
    let keys: Vec<(&str, &KeyType)> = table
        .key_schema()
        .iter()
        .map(|k| (k.attribute_name(), k.key_type()))
        .collect();
    let mut expected = vec![(spec.hash, &KeyType::Hash)];
    if let Some(range) = spec.range {
        expected.push((range, &KeyType::Range));
    }
    if keys != expected {
        return Err(fault(
            "DescribeTable",
            format!(
                "table {} exists with key schema {keys:?}, expected {expected:?}",
                spec.name
            ),
        ));
    }
    let has_index = table
        .global_secondary_indexes()
        .iter()
        .any(|i| i.index_name() == Some(PROJECT_ID_INDEX));
    if spec.project_index && !has_index {
        return Err(fault(
            "DescribeTable",
            format!(
                "table {} exists without the {PROJECT_ID_INDEX} index",
                spec.name
            ),
        ));
    }
    Ok(())
}
