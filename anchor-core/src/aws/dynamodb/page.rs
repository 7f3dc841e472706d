//! Newest-first pages of deployments and rollback events.

use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;

use super::codec::*;
use super::TableNames;
use crate::aws::errors::service_error;
use crate::error::{Result, Service};
use crate::model::{Page, PageRequest, ProjectName};

/// Which newest-first listing to page through.
#[derive(Debug, Clone, Copy)]
pub(super) enum Listing {
    Deployments,
    Rollbacks,
}

/// Reads one page of `project`'s deployments or rollback events.
///
/// The cursor `v<n>` becomes the key condition `key < n`, queried backwards
/// (`ScanIndexForward = false`) with `ConsistentRead`. One item past the
/// limit is fetched to learn whether a next page exists, so the last page
/// never carries a cursor to an empty page. DynamoDB may stop a query early
/// (at 1 MB); `LastEvaluatedKey` then resumes it until the page is full.
pub(super) async fn page<T: DeserializeOwned>(
    client: &Client,
    tables: &TableNames,
    listing: Listing,
    project: &ProjectName,
    request: &PageRequest,
) -> Result<Page<T>> {
    const OP: &str = "Query";
    request.validate()?;
    let before = request.cursor_before()?;
    let (table, range) = match listing {
        Listing::Deployments => (&tables.deployments, VERSION),
        Listing::Rollbacks => (&tables.rollbacks, SEQUENCE),
    };
    let mut condition = "#p = :p".to_string();
    if before.is_some() {
        condition.push_str(" AND #k < :before");
    }
    let mut items: Vec<(u64, T)> = Vec::with_capacity(request.limit);
    let mut more = false;
    let mut start = None;
    loop {
        let mut query = client
            .query()
            .table_name(table)
            .key_condition_expression(&condition)
            .expression_attribute_names("#p", PROJECT)
            .expression_attribute_values(":p", s(project.as_str()))
            .scan_index_forward(false)
            .consistent_read(true)
            .limit(i32::try_from(request.limit - items.len() + 1).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start);
        if let Some(before) = before {
            query = query
                .expression_attribute_names("#k", range)
                .expression_attribute_values(":before", n(before));
        }
        let out = query
            .send()
            .await
            .map_err(|e| service_error(Service::StateStore, OP, table, e))?;
        for item in out.items() {
            if items.len() == request.limit {
                more = true;
                break;
            }
            let key = number(item, range).unwrap_or(0);
            let label = format!("(project {project}, {range} {key})");
            items.push((key, decode(OP, table, &label, item)?));
        }
        start = out.last_evaluated_key;
        if more || start.is_none() {
            break;
        }
    }
    let next_cursor = match items.last() {
        Some((key, _)) if more => Some(PageRequest::cursor_for(*key)),
        _ => None,
    };
    Ok(Page {
        items: items.into_iter().map(|(_, item)| item).collect(),
        next_cursor,
    })
}
