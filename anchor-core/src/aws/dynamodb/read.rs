//! Consistent lookups and newest-first pages.
//!
//! Every read of a table is strongly consistent (`ConsistentRead`), so a
//! read issued after `commit` returned sees it. The one eventually
//! consistent read is the `ProjectIdIndex` query of [`domains`]; see there.

use aws_sdk_dynamodb::Client;
use futures::future::try_join_all;
use serde::de::DeserializeOwned;

use super::codec::*;
use super::TableNames;
use crate::aws::errors::service_error;
use crate::error::{Result, Service};
use crate::model::{Deployment, DeploymentId, Domain, DomainName, Project, ProjectName};

/// A strongly consistent GetItem.
pub(super) async fn get(client: &Client, table: &str, key: Item) -> Result<Option<Item>> {
    let out = client
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await
        .map_err(|e| service_error(Service::StateStore, "GetItem", table, e))?;
    Ok(out.item)
}

fn key(pairs: &[(&str, aws_sdk_dynamodb::types::AttributeValue)]) -> Item {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// Reads and decodes one record.
pub(super) async fn record<T: DeserializeOwned>(
    client: &Client,
    table: &str,
    item_key: Item,
    label: String,
) -> Result<Option<T>> {
    get(client, table, item_key)
        .await?
        .map(|item| decode("GetItem", table, &label, &item))
        .transpose()
}

pub(super) async fn deployment_by_version(
    client: &Client,
    tables: &TableNames,
    project: &ProjectName,
    version: u64,
) -> Result<Option<Deployment>> {
    let k = key(&[(PROJECT, s(project.as_str())), (VERSION, n(version))]);
    let label = format!("(project {project}, version {version})");
    record(client, &tables.deployments, k, label).await
}

/// Reads the id pointer, written in the same transaction as the deployment
/// and rewritten with it, so it holds the current record: one GetItem.
pub(super) async fn deployment(
    client: &Client,
    tables: &TableNames,
    project: &ProjectName,
    id: &DeploymentId,
) -> Result<Option<Deployment>> {
    let k = key(&[
        (PROJECT, s(id_pointer_key(id.as_str()))),
        (VERSION, n(0u64)),
    ]);
    let Some(pointer) = get(client, &tables.deployments, k).await? else {
        return Ok(None);
    };
    // An id of another project's deployment is "not a deployment of this
    // project".
    if text(&pointer, OWNER) != Some(project.as_str()) {
        return Ok(None);
    }
    let label = format!("id pointer of {id}");
    let found: Deployment = decode("GetItem", &tables.deployments, &label, &pointer)?;
    Ok(Some(found).filter(|d| &d.id == id))
}

pub(super) async fn domain(
    client: &Client,
    tables: &TableNames,
    name: &DomainName,
) -> Result<Option<Domain>> {
    let k = key(&[(NAME, s(name.as_str()))]);
    record(client, &tables.domains, k, format!("name {name}")).await
}

/// A project's domains, oldest first.
///
/// Membership comes from the `ProjectIdIndex` index, which DynamoDB updates
/// asynchronously: for a moment after a commit, a newly claimed domain may be
/// missing and a deleted or moved one may still be listed. Each listed name
/// is therefore re-read with a consistent GetItem, and only records that
/// still belong to `project` are returned, so the contents are current and a
/// domain is never shown under the wrong project; only a just-claimed domain
/// can lag (typically well under a second). Read it by name with
/// [`crate::traits::StateStore::get_domain`] when it must be seen at once.
pub(super) async fn domains(
    client: &Client,
    tables: &TableNames,
    project: &ProjectName,
) -> Result<Vec<Domain>> {
    const OP: &str = "Query";
    let table = &tables.domains;
    let mut names = Vec::new();
    let mut start = None;
    loop {
        let out = client
            .query()
            .table_name(table)
            .index_name(PROJECT_ID_INDEX)
            .key_condition_expression("#pid = :pid")
            .expression_attribute_names("#pid", PROJECT_ID)
            .expression_attribute_values(":pid", s(project.as_str()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| service_error(Service::StateStore, OP, table, e))?;
        for item in out.items() {
            if let Some(name) = text(item, NAME) {
                names.push((number(item, CREATED_SEQ).unwrap_or(0), name.to_string()));
            }
        }
        start = out.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    // Ties (never expected) break by name, as in the SQLite store.
    names.sort();
    let reads = names.iter().map(|(_, name)| {
        record::<Domain>(
            client,
            table,
            key(&[(NAME, s(name))]),
            format!("name {name}"),
        )
    });
    let found = try_join_all(reads).await?;
    Ok(found
        .into_iter()
        .flatten()
        .filter(|d| &d.project == project)
        .collect())
}

/// Every project record: a strongly consistent Scan of the projects table,
/// page by page, skipping the version counters (items without a record),
/// sorted by name.
pub(super) async fn projects(client: &Client, tables: &TableNames) -> Result<Vec<Project>> {
    const OP: &str = "Scan";
    let table = &tables.projects;
    let mut found = Vec::new();
    let mut start: Option<Item> = None;
    loop {
        let out = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(|e| service_error(Service::StateStore, OP, table, e))?;
        for item in out.items() {
            if !item.contains_key(RECORD) {
                continue;
            }
            let label = format!("name {}", text(item, NAME).unwrap_or("?"));
            found.push(decode::<Project>(OP, table, &label, item)?);
        }
        match out.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => break,
        }
    }
    found.sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    Ok(found)
}
