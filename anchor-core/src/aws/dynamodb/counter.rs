//! [`crate::traits::StateStore::allocate_version`]: an atomic counter.

use aws_sdk_dynamodb::types::ReturnValue;
use aws_sdk_dynamodb::Client;

use super::codec::{counter_key, fault, n, number, s, LAST, NAME};
use super::TableNames;
use crate::aws::errors::service_error;
use crate::error::{Result, Service};
use crate::model::ProjectName;

const OP: &str = "UpdateItem";

/// Hands out the project's next version number.
///
/// The counter is an item of its own in the projects table (key
/// `counter#<project>`), which project commits never write, and `ADD` is
/// applied atomically by DynamoDB, so concurrent callers each get a
/// different number and a number is never handed out twice, even if its
/// deployment is never recorded. `ADD` on a missing item or attribute starts
/// from 0, so the first version is 1.
pub(super) async fn allocate_version(
    client: &Client,
    tables: &TableNames,
    project: &ProjectName,
) -> Result<u64> {
    let key = counter_key(project.as_str());
    let out = client
        .update_item()
        .table_name(&tables.projects)
        .key(NAME, s(&key))
        .update_expression("ADD #last :one")
        .expression_attribute_names("#last", LAST)
        .expression_attribute_values(":one", n(1u64))
        .return_values(ReturnValue::UpdatedNew)
        .send()
        .await
        .map_err(|e| service_error(Service::StateStore, OP, &tables.projects, e))?;
    out.attributes()
        .and_then(|a| number(a, LAST))
        .filter(|v| *v > 0)
        .ok_or_else(|| {
            fault(
                OP,
                format!(
                    "version counter {key} in {} did not return a version",
                    tables.projects
                ),
            )
        })
}
