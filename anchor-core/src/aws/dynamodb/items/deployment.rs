//! A deployment's items: its `(project, version)` slot and its id pointer.
//! Both carry the whole record, so reading a deployment by id or by version
//! is one consistent GetItem.

use super::{item, put, target, Expr, Part, Target, OP};
use crate::aws::dynamodb::codec::*;
use crate::aws::dynamodb::TableNames;
use crate::error::{ResourceKind, Result};
use crate::model::Deployment;
use crate::traits::Expect;
use aws_sdk_dynamodb::types::TransactWriteItem;

/// A new deployment writes its slot and its id pointer, both conditioned on
/// absence, so neither a used id nor a used version can be recorded twice.
/// An update rewrites both under the same revision condition (the slot must
/// also still hold this id): a deployment's project and version never change.
pub(super) fn deployment_items(
    tables: &TableNames,
    deployment: &Deployment,
    expect: Expect,
) -> Result<Vec<(TransactWriteItem, Target)>> {
    let id = deployment.id.as_str();
    let slot_key = format!(
        "{}/{}/{}",
        tables.deployments, deployment.project, deployment.version
    );
    let [slot, pointer] = slot_and_pointer(OP, deployment)?;
    let pointer_key = format!("{}/{}/0", tables.deployments, id_pointer_key(id));
    let mut cond = Expr::of(expect, PROJECT);
    if let Expect::Revision(_) = expect {
        cond.text.push_str(" AND #id = :id");
        cond.names.insert("#id".into(), ID.into());
        cond.values.insert(":id".into(), s(id));
        let t = target(ResourceKind::Deployment, id, expect, Part::Record, slot_key);
        let p = target(
            ResourceKind::Deployment,
            id,
            expect,
            Part::Record,
            pointer_key,
        );
        return Ok(vec![
            (put(&tables.deployments, slot, cond)?, t),
            (
                put(&tables.deployments, pointer, Expr::of(expect, PROJECT))?,
                p,
            ),
        ]);
    }
    Ok(vec![
        (
            put(&tables.deployments, slot, cond)?,
            target(ResourceKind::Deployment, id, expect, Part::Slot, slot_key),
        ),
        (
            put(&tables.deployments, pointer, Expr::of(expect, PROJECT))?,
            target(
                ResourceKind::Deployment,
                id,
                expect,
                Part::IdPointer,
                pointer_key,
            ),
        ),
    ])
}

/// The two items that hold `deployment`: its `(project, version)` slot and
/// its id pointer, both carrying the whole record. `operation` names the
/// call in an encoding error.
pub(in crate::aws::dynamodb) fn slot_and_pointer(
    operation: &str,
    deployment: &Deployment,
) -> Result<[Item; 2]> {
    let id = deployment.id.as_str();
    let record = encode(operation, deployment)?;
    let slot = item(vec![
        (PROJECT, s(deployment.project.as_str())),
        (VERSION, n(deployment.version)),
        (ID, s(id)),
        (REVISION, n(deployment.revision)),
        (RECORD, record.clone()),
    ]);
    let pointer = item(vec![
        (PROJECT, s(id_pointer_key(id))),
        (VERSION, n(0u64)),
        (OWNER, s(deployment.project.as_str())),
        (OWNER_VERSION, n(deployment.version)),
        (REVISION, n(deployment.revision)),
        (RECORD, record),
    ]);
    Ok([slot, pointer])
}
