//! Records to DynamoDB items and back.
//!
//! Each record is stored whole as its serde JSON in one string attribute
//! (`record`), next to the few attributes that keys, conditions and the
//! domain index need. Adding a field to a record therefore needs no
//! migration, exactly as in the SQLite store.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{Error, Result, Service};

/// An item as the SDK passes it around.
pub(super) type Item = HashMap<String, AttributeValue>;

/// The record's JSON.
pub(super) const RECORD: &str = "record";
/// The record's revision, compared in condition expressions.
pub(super) const REVISION: &str = "revision";
/// Projects: the project name (hash key). Domains: the domain name.
pub(super) const NAME: &str = "name";
/// Deployments and rollbacks: the project name (hash key).
pub(super) const PROJECT: &str = "project";
/// Deployments: the version (range key).
pub(super) const VERSION: &str = "version";
/// Deployments: the deployment id, checked on updates.
pub(super) const ID: &str = "id";
/// Id pointers: the project and version the id is recorded under.
pub(super) const OWNER: &str = "owner";
/// Id pointers: the version the id is recorded under.
pub(super) const OWNER_VERSION: &str = "owner_version";
/// Rollbacks: the sequence (range key).
pub(super) const SEQUENCE: &str = "sequence";
/// Domains: the holding project, hash key of [`PROJECT_ID_INDEX`].
pub(super) const PROJECT_ID: &str = "project_id";
/// Domains: insertion order, range key of [`PROJECT_ID_INDEX`].
pub(super) const CREATED_SEQ: &str = "created_seq";
/// Version counters: the last version handed out.
pub(super) const LAST: &str = "last";

/// The domains table's index of domains by project.
pub const PROJECT_ID_INDEX: &str = "ProjectIdIndex";

/// The deployments-table partition of a deployment id's pointer item.
/// Project names never contain `#`, so it cannot meet a project partition.
pub(super) fn id_pointer_key(id: &str) -> String {
    format!("id#{id}")
}

/// The projects-table key of a project's version counter. Project names
/// never contain `#`, so it cannot meet a project record.
pub(super) fn counter_key(project: &str) -> String {
    format!("counter#{project}")
}

pub(super) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(super) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// A `Service` error of the `aws` backend without an SDK source.
pub(super) fn fault(operation: &str, message: impl Into<String>) -> Error {
    Error::service("aws", Service::StateStore, operation, message)
}

/// Encodes a record as JSON for the `record` attribute.
pub(super) fn encode<T: serde::Serialize>(operation: &str, value: &T) -> Result<AttributeValue> {
    serde_json::to_string(value)
        .map(AttributeValue::S)
        .map_err(|e| fault(operation, format!("cannot encode record: {e}")))
}

/// Decodes the `record` attribute of `item`, naming table and key if the
/// stored JSON is missing or no longer decodes, so it can be found by hand.
pub(super) fn decode<T: serde::de::DeserializeOwned>(
    operation: &str,
    table: &str,
    key: &str,
    item: &Item,
) -> Result<T> {
    let json = text(item, RECORD)
        .ok_or_else(|| fault(operation, format!("item {key} in {table} has no record")))?;
    serde_json::from_str(json).map_err(|e| {
        fault(
            operation,
            format!("corrupt record in table {table} at {key}: {e}"),
        )
    })
}

/// A string attribute, if present.
pub(super) fn text<'a>(item: &'a Item, attribute: &str) -> Option<&'a str> {
    item.get(attribute)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

/// A numeric attribute that holds a `u64`, if present and well formed.
pub(super) fn number(item: &Item, attribute: &str) -> Option<u64> {
    item.get(attribute)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}

/// Turns an SDK builder's missing-field error into a core error. Our
/// builders always set required fields, so this means a bug, not bad input.
pub(super) fn built<T>(
    operation: &str,
    result: std::result::Result<T, aws_sdk_dynamodb::error::BuildError>,
) -> Result<T> {
    result.map_err(|e| fault(operation, format!("could not build the request: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_texts_read_back() {
        let item: Item = [(VERSION.to_string(), n(42u64)), (ID.to_string(), s("x"))]
            .into_iter()
            .collect();
        assert_eq!(number(&item, VERSION), Some(42));
        assert_eq!(text(&item, ID), Some("x"));
        assert_eq!(number(&item, ID), None);
    }

    #[test]
    fn a_corrupt_record_names_its_key() {
        let item: Item = [(RECORD.to_string(), s("{"))].into_iter().collect();
        let err = decode::<serde_json::Value>("GetProject", "t", "name p", &item).unwrap_err();
        assert!(err.to_string().contains("name p"), "{err}");
    }
}
