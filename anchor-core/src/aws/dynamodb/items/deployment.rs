//! A deployment's items: its `(project, version)` slot and its id pointer.

use super::{item, put, target, Expr, Part, Target, OP};
use crate::aws::dynamodb::codec::*;
use crate::aws::dynamodb::TableNames;
use crate::error::{ResourceKind, Result};
use crate::model::Deployment;
use crate::traits::Expect;
use aws_sdk_dynamodb::types::TransactWriteItem;

/// A new deployment writes its slot and its id pointer, both conditioned on
/// absence, so neither a used id nor a used version can be recorded twice.
/// An update writes only the slot, which must hold this id at the revision:
/// a deployment's project and version never change.
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
    let slot = item(vec![
        (PROJECT, s(deployment.project.as_str())),
        (VERSION, n(deployment.version)),
        (ID, s(id)),
        (REVISION, n(deployment.revision)),
        (RECORD, encode(OP, deployment)?),
    ]);
    let mut cond = Expr::of(expect, PROJECT);
    if let Expect::Revision(_) = expect {
        cond.text.push_str(" AND #id = :id");
        cond.names.insert("#id".into(), ID.into());
        cond.values.insert(":id".into(), s(id));
        let t = target(ResourceKind::Deployment, id, expect, Part::Record, slot_key);
        return Ok(vec![(put(&tables.deployments, slot, cond)?, t)]);
    }
    let pointer = item(vec![
        (PROJECT, s(id_pointer_key(id))),
        (VERSION, n(0u64)),
        (OWNER, s(deployment.project.as_str())),
        (OWNER_VERSION, n(deployment.version)),
    ]);
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
                format!("{}/{}/0", tables.deployments, id_pointer_key(id)),
            ),
        ),
    ])
}
