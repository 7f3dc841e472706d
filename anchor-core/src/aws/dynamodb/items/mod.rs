//! One [`WriteBatch`] as the items of one TransactWriteItems call.
//!
//! Every item carries the condition of its record and remembers which
//! record it stands for, so a cancellation can name the first record whose
//! condition failed. Items are in batch order (project, deployments,
//! domains, rollback event), the order the SQLite store checks them in.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};

mod deployment;
mod domain;
mod retract;

use super::codec::*;
use super::TableNames;
use crate::error::{Error, ResourceKind, Result};
use crate::model::{Project, RollbackEvent};
use crate::traits::{DomainWrite, Expect, WriteBatch};
use deployment::deployment_items;
pub(super) use deployment::slot_and_pointer;
use domain::{domain_delete, domain_put};
use retract::retract_item;

const OP: &str = "TransactWriteItems";

/// Which part of a record an item writes, for the failure message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Part {
    /// The record itself (project, domain, or a deployment under update).
    Record,
    /// A new deployment's `(project, version)` slot.
    Slot,
    /// A new deployment's id pointer.
    IdPointer,
    /// A rollback event, named after its project.
    Rollback(u64),
    /// The removal of a rollback event, which must exist.
    Retract(u64),
}

/// The record an item stands for.
#[derive(Debug, Clone)]
pub(super) struct Target {
    pub kind: ResourceKind,
    pub id: String,
    pub expect: Expect,
    pub part: Part,
    /// The table and key of the item, to find a batch writing one twice.
    pub item_key: String,
}

/// A condition expression with its placeholders.
#[derive(Default)]
struct Expr {
    text: String,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    /// `attribute_not_exists(key)` for `Absent`, `revision = :expected` else.
    fn of(expect: Expect, key: &str) -> Self {
        let mut e = Self::default();
        match expect {
            Expect::Absent => {
                e.text = "attribute_not_exists(#key)".into();
                e.names.insert("#key".into(), key.into());
            }
            Expect::Revision(r) => {
                e.text = "#rev = :expected".into();
                e.names.insert("#rev".into(), REVISION.into());
                e.values.insert(":expected".into(), n(r));
            }
        }
        e
    }
}

/// The transaction items of `batch` with their targets.
pub(super) fn build(
    tables: &TableNames,
    batch: &WriteBatch,
    seq_base: u64,
) -> Result<Vec<(TransactWriteItem, Target)>> {
    let mut out = Vec::new();
    if let Some((project, expect)) = &batch.project {
        out.push(project_item(tables, project, *expect)?);
    }
    for (deployment, expect) in &batch.deployments {
        out.extend(deployment_items(tables, deployment, *expect)?);
    }
    for (index, write) in batch.domains.iter().enumerate() {
        out.push(match write {
            DomainWrite::Put(domain, expect) => {
                domain_put(tables, domain, *expect, seq_base + index as u64)?
            }
            DomainWrite::Delete {
                name,
                expected_revision,
            } => domain_delete(tables, name, *expected_revision)?,
        });
    }
    if let Some(event) = &batch.rollback_event {
        out.push(rollback_item(tables, event)?);
    }
    if let Some((project, sequence)) = &batch.retracted_rollback_event {
        out.push(retract_item(tables, project, *sequence)?);
    }
    Ok(out)
}

fn target(kind: ResourceKind, id: &str, expect: Expect, part: Part, item_key: String) -> Target {
    Target {
        kind,
        id: id.to_string(),
        expect,
        part,
        item_key,
    }
}

fn put(table: &str, item: Item, cond: Expr) -> Result<TransactWriteItem> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression(cond.text)
        .set_expression_attribute_names(Some(cond.names))
        .set_expression_attribute_values((!cond.values.is_empty()).then_some(cond.values))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
    Ok(TransactWriteItem::builder()
        .put(built(OP, put.build())?)
        .build())
}

fn item(pairs: Vec<(&str, AttributeValue)>) -> Item {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn project_item(
    tables: &TableNames,
    project: &Project,
    expect: Expect,
) -> Result<(TransactWriteItem, Target)> {
    let name = project.name.as_str();
    let attrs = item(vec![
        (NAME, s(name)),
        (REVISION, n(project.revision)),
        (RECORD, encode(OP, project)?),
    ]);
    Ok((
        put(&tables.projects, attrs, Expr::of(expect, NAME))?,
        target(
            ResourceKind::Project,
            name,
            expect,
            Part::Record,
            format!("{}/{name}", tables.projects),
        ),
    ))
}

fn rollback_item(
    tables: &TableNames,
    event: &RollbackEvent,
) -> Result<(TransactWriteItem, Target)> {
    // serde_json writes a NaN as `null`, which would then fail to decode.
    if !event.duration_ms.is_finite() {
        return Err(Error::invalid_input(
            "rollback.duration_ms",
            format!("{} is not a finite number", event.duration_ms),
        ));
    }
    let project = event.project.as_str();
    let attrs = item(vec![
        (PROJECT, s(project)),
        (SEQUENCE, n(event.sequence)),
        (RECORD, encode(OP, event)?),
    ]);
    // There is no resource kind for history entries; the project's history
    // is what was contended, as in the SQLite store.
    Ok((
        put(&tables.rollbacks, attrs, Expr::of(Expect::Absent, PROJECT))?,
        target(
            ResourceKind::Project,
            project,
            Expect::Absent,
            Part::Rollback(event.sequence),
            format!("{}/{project}/{}", tables.rollbacks, event.sequence),
        ),
    ))
}
