//! The DynamoDB part of the workers' AWS endpoint: the project's tag table
//! (OpenNext's tag cache), in DynamoDB's JSON protocol, for exactly the
//! calls OpenNext makes: `BatchWriteItem` of `PutRequest`s (`revalidateTag`
//! and `revalidatePath`), `PutItem`, `GetItem`, and `Query` on the table by
//! `tag` or on its `revalidate` index by `path` and `revalidatedAt`.
//! Another table is `ResourceNotFoundException`, another operation
//! `UnknownOperationException`, and a condition or request shape the table
//! cannot answer `ValidationException` saying what it supports.

use bytes::Bytes;
use hyper::{Response, StatusCode};
use serde_json::{json, Map, Value};

use super::response::{aws_json, aws_json_error, EdgeBody};
use super::Site;
use crate::error::Error;
use crate::local::{LocalRevalidation, StoredTagItem};
/// The most items one `BatchWriteItem` takes.
const MAX_TAG_WRITE_ITEMS: usize = 25;

/// The index OpenNext queries by path.
const PATH_INDEX: &str = "revalidate";
const PREFIX: &str = "com.amazonaws.dynamodb.v20120810#";

/// A refusal in DynamoDB's words.
struct Refusal(&'static str, String);

fn validation(message: impl Into<String>) -> Refusal {
    Refusal("ValidationException", message.into())
}

/// Answers DynamoDB `operation` with the JSON request `body`.
pub(crate) async fn answer(site: &Site, operation: &str, body: &Bytes) -> Response<EdgeBody> {
    let request: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => {
            return refuse(Refusal(
                "SerializationException",
                format!("the request is not JSON: {e}"),
            ))
        }
    };
    let outcome = match operation {
        "PutItem" => put_item(site, &request).await,
        "BatchWriteItem" => batch_write(site, &request).await,
        "GetItem" => get_item(site, &request).await,
        "Query" => query(site, &request).await,
        _ => Err(Refusal(
            "UnknownOperationException",
            format!(
                "{operation} is not available on the local tag table \
                 (it answers PutItem, BatchWriteItem, GetItem and Query)"
            ),
        )),
    };
    match outcome {
        Ok(reply) => aws_json(&reply),
        Err(refusal) => refuse(refusal),
    }
}

fn refuse(Refusal(kind, message): Refusal) -> Response<EdgeBody> {
    aws_json_error(
        StatusCode::BAD_REQUEST,
        &format!("{PREFIX}{kind}"),
        &message,
    )
}

fn from_error(e: Error) -> Refusal {
    match e {
        Error::NotFound { .. } => Refusal(
            "ResourceNotFoundException",
            "Requested resource not found".into(),
        ),
        other => Refusal("InternalServerError", other.to_string()),
    }
}

/// The project's table, if `name` is it; otherwise the table does not
/// exist for this function.
fn table(site: &Site, name: Option<&str>) -> Result<String, Refusal> {
    let own = LocalRevalidation::tag_table(&site.config.project);
    match name {
        Some(name) if own == name => Ok(own),
        None => Err(validation("TableName is required")),
        _ => Err(Refusal(
            "ResourceNotFoundException",
            "Requested resource not found".into(),
        )),
    }
}

fn string_attribute<'a>(item: &'a Value, name: &str) -> Result<&'a str, Refusal> {
    item.get(name)
        .and_then(|v| v.get("S"))
        .and_then(Value::as_str)
        .ok_or_else(|| validation(format!("the key attribute {name} must be a string (S)")))
}

fn number(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().or_else(|| {
        text.parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(|n| n.floor() as i64)
    })
}

/// An item to store: `tag` and `path` strings, `revalidatedAt` a number
/// if present (an item without it is not in the `revalidate` index).
fn stored(item: &Value) -> Result<StoredTagItem, Refusal> {
    if !item.is_object() {
        return Err(validation("Item must be a map of attributes"));
    }
    let tag = string_attribute(item, "tag")?.to_string();
    let path = string_attribute(item, "path")?.to_string();
    let revalidated_at = match item.get("revalidatedAt") {
        None => i64::MIN,
        Some(value) => value
            .get("N")
            .and_then(Value::as_str)
            .and_then(number)
            .ok_or_else(|| {
                validation("revalidatedAt, the index's range key, must be a number (N)")
            })?,
    };
    Ok(StoredTagItem {
        tag,
        path,
        revalidated_at,
        item: item.clone(),
    })
}

fn refuse_conditions(request: &Value) -> Result<(), Refusal> {
    for field in ["ConditionExpression", "Expected"] {
        if request.get(field).is_some() {
            return Err(validation(format!(
                "{field} is not available on the local tag table; OpenNext sends none"
            )));
        }
    }
    Ok(())
}

async fn put_item(site: &Site, request: &Value) -> Result<Value, Refusal> {
    let table = table(site, request.get("TableName").and_then(Value::as_str))?;
    refuse_conditions(request)?;
    let item = stored(request.get("Item").unwrap_or(&Value::Null))?;
    site.cloud()
        .tag_table()
        .write(&table, vec![item])
        .await
        .map_err(from_error)?;
    Ok(json!({}))
}

async fn batch_write(site: &Site, request: &Value) -> Result<Value, Refusal> {
    let Some(tables) = request.get("RequestItems").and_then(Value::as_object) else {
        return Err(validation(
            "RequestItems must be a map of table names to requests",
        ));
    };
    let count: usize = tables
        .values()
        .map(|requests| requests.as_array().map_or(0, Vec::len))
        .sum();
    if count == 0 || count > MAX_TAG_WRITE_ITEMS {
        return Err(validation(format!(
            "a batch writes 1 to {MAX_TAG_WRITE_ITEMS} items, not {count}"
        )));
    }
    let mut writes = Vec::new();
    for (name, requests) in tables {
        let table = table(site, Some(name))?;
        let mut items = Vec::new();
        for entry in requests.as_array().into_iter().flatten() {
            match entry.get("PutRequest").and_then(|put| put.get("Item")) {
                Some(item) => items.push(stored(item)?),
                None => {
                    return Err(validation(
                        "only PutRequest entries are available on the local tag table",
                    ))
                }
            }
        }
        writes.push((table, items));
    }
    for (table, items) in writes {
        site.cloud()
            .tag_table()
            .write(&table, items)
            .await
            .map_err(from_error)?;
    }
    Ok(json!({"UnprocessedItems": {}}))
}

async fn get_item(site: &Site, request: &Value) -> Result<Value, Refusal> {
    let table = table(site, request.get("TableName").and_then(Value::as_str))?;
    let key = request.get("Key").unwrap_or(&Value::Null);
    let tag = string_attribute(key, "tag")?;
    let path = string_attribute(key, "path")?;
    let found = site
        .cloud()
        .tag_table()
        .get(&table, tag, path)
        .await
        .map_err(from_error)?;
    Ok(match found {
        Some(item) => json!({ "Item": item }),
        None => json!({}),
    })
}

/// One clause of a key condition: attribute, operator, value.
#[derive(Debug, PartialEq)]
struct Clause {
    attribute: String,
    operator: String,
    value: Value,
}

/// Parses `a = :v` or `a = :v AND b > :w`, resolving `#names` and
/// `:values`; anything else is refused.
fn key_condition(request: &Value) -> Result<Vec<Clause>, Refusal> {
    let Some(expression) = request
        .get("KeyConditionExpression")
        .and_then(Value::as_str)
    else {
        return Err(validation(
            "KeyConditionExpression is required (KeyConditions is not available)",
        ));
    };
    let empty = Map::new();
    let names = request
        .get("ExpressionAttributeNames")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let values = request
        .get("ExpressionAttributeValues")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    expression
        .split(" AND ")
        .map(|clause| {
            let tokens: Vec<&str> = clause.split_whitespace().collect();
            let [name, operator, value] = tokens[..] else {
                return Err(validation(format!(
                    "the condition {clause:?} is not `name op :value`, the only form the local tag table reads"
                )));
            };
            let attribute = match name.strip_prefix('#') {
                Some(_) => names
                    .get(name)
                    .and_then(Value::as_str)
                    .ok_or_else(|| validation(format!("{name} is not in ExpressionAttributeNames")))?,
                None => name,
            };
            let value = values
                .get(value)
                .ok_or_else(|| validation(format!("{value} is not in ExpressionAttributeValues")))?;
            Ok(Clause {
                attribute: attribute.to_string(),
                operator: operator.to_string(),
                value: value.clone(),
            })
        })
        .collect()
}

fn clause_string(clause: &Clause) -> Result<&str, Refusal> {
    clause
        .value
        .get("S")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            validation(format!(
                "{} must be compared with a string (S)",
                clause.attribute
            ))
        })
}

async fn query(site: &Site, request: &Value) -> Result<Value, Refusal> {
    let table = table(site, request.get("TableName").and_then(Value::as_str))?;
    for field in [
        "FilterExpression",
        "ExclusiveStartKey",
        "ScanIndexForward",
        "Select",
    ] {
        if request.get(field).is_some() {
            return Err(validation(format!(
                "{field} is not available on the local tag table; OpenNext sends none"
            )));
        }
    }
    let clauses = key_condition(request)?;
    let tags = site.cloud().tag_table();
    let index = request.get("IndexName").and_then(Value::as_str);
    let items = match (index, &clauses[..]) {
        (None, [hash]) if hash.attribute == "tag" && hash.operator == "=" => tags
            .by_tag(&table, clause_string(hash)?)
            .await
            .map_err(from_error)?,
        (Some(PATH_INDEX), [hash, rest @ ..])
            if hash.attribute == "path" && hash.operator == "=" =>
        {
            let after = match rest {
                [] => None,
                [range] if range.attribute == "revalidatedAt" => {
                    let n = range
                        .value
                        .get("N")
                        .and_then(Value::as_str)
                        .and_then(number)
                        .ok_or_else(|| {
                            validation("revalidatedAt must be compared with a number (N)")
                        })?;
                    match range.operator.as_str() {
                        ">" => Some(n),
                        ">=" => Some(n.saturating_sub(1)),
                        other => {
                            return Err(validation(format!(
                                "revalidatedAt {other} is not available; the local tag table reads > and >="
                            )))
                        }
                    }
                }
                _ => {
                    return Err(validation(
                        "the revalidate index's range key is revalidatedAt, compared once",
                    ))
                }
            };
            tags.by_path(&table, clause_string(hash)?, after)
                .await
                .map_err(from_error)?
        }
        (Some(PATH_INDEX), _) => return Err(validation(
            "the revalidate index is queried by `path = :v` and optionally `revalidatedAt > :n`",
        )),
        (Some(other), _) => {
            return Err(validation(format!(
                "The table does not have the specified index: {other}"
            )))
        }
        (None, _) => {
            return Err(validation(
                "the table is queried by `tag = :v` (its hash key) only",
            ))
        }
    };
    let count = items.len();
    Ok(json!({"Items": items, "Count": count, "ScannedCount": count}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_condition_resolves_names_and_values() {
        let request = json!({
            "KeyConditionExpression": "#key = :key AND #revalidatedAt > :lastModified",
            "ExpressionAttributeNames": {"#key": "path", "#revalidatedAt": "revalidatedAt"},
            "ExpressionAttributeValues": {":key": {"S": "b/p"}, ":lastModified": {"N": "5"}},
        });
        let clauses = key_condition(&request).ok().unwrap_or_default();
        assert_eq!(
            clauses,
            vec![
                Clause {
                    attribute: "path".into(),
                    operator: "=".into(),
                    value: json!({"S": "b/p"})
                },
                Clause {
                    attribute: "revalidatedAt".into(),
                    operator: ">".into(),
                    value: json!({"N": "5"})
                },
            ]
        );
    }

    #[test]
    fn key_condition_refuses_other_forms_and_unknown_names() {
        let between = json!({
            "KeyConditionExpression": "tag BETWEEN :a AND :b",
            "ExpressionAttributeValues": {":a": {"S": "a"}, ":b": {"S": "b"}},
        });
        assert!(key_condition(&between).is_err());
        let unnamed = json!({
            "KeyConditionExpression": "#tag = :tag",
            "ExpressionAttributeValues": {":tag": {"S": "a"}},
        });
        assert!(key_condition(&unnamed).is_err());
    }

    #[test]
    fn stored_item_needs_string_keys_and_a_numeric_index_key() {
        let good = json!({"tag": {"S": "t"}, "path": {"S": "p"}, "revalidatedAt": {"N": "42"}});
        let item = stored(&good).ok();
        assert_eq!(item.map(|i| i.revalidated_at), Some(42));
        let bad = json!({"tag": {"S": "t"}, "path": {"N": "1"}});
        assert!(stored(&bad).is_err());
        let text_time = json!({"tag": {"S": "t"}, "path": {"S": "p"}, "revalidatedAt": {"S": "x"}});
        assert!(stored(&text_time).is_err());
    }
}
