//! A domain's item: an update that keeps its place, or a conditional delete.

use super::{target, Expr, Part, Target, OP};
use crate::aws::dynamodb::codec::*;
use crate::aws::dynamodb::TableNames;
use crate::error::{ResourceKind, Result};
use crate::model::{Domain, DomainName};
use crate::traits::Expect;
use aws_sdk_dynamodb::types::{
    Delete, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};

/// An update rather than a put, so `created_seq` keeps the value of the
/// first claim and a project's domains stay in insertion order.
pub(super) fn domain_put(
    tables: &TableNames,
    domain: &Domain,
    expect: Expect,
    seq: u64,
) -> Result<(TransactWriteItem, Target)> {
    let name = domain.name.as_str();
    let mut cond = Expr::of(expect, NAME);
    cond.names.extend([
        ("#rev".to_string(), REVISION.to_string()),
        ("#rec".to_string(), RECORD.to_string()),
        ("#pid".to_string(), PROJECT_ID.to_string()),
        ("#seq".to_string(), CREATED_SEQ.to_string()),
    ]);
    cond.values.extend([
        (":rev".to_string(), n(domain.revision)),
        (":rec".to_string(), encode(OP, domain)?),
        (":pid".to_string(), s(domain.project.as_str())),
        (":seq".to_string(), n(seq)),
    ]);
    let update = Update::builder()
        .table_name(&tables.domains)
        .key(NAME, s(name))
        .update_expression(
            "SET #rec = :rec, #rev = :rev, #pid = :pid, #seq = if_not_exists(#seq, :seq)",
        )
        .condition_expression(cond.text)
        .set_expression_attribute_names(Some(cond.names))
        .set_expression_attribute_values(Some(cond.values))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
    Ok((
        TransactWriteItem::builder()
            .update(built(OP, update.build())?)
            .build(),
        target(
            ResourceKind::Domain,
            name,
            expect,
            Part::Record,
            format!("{}/{name}", tables.domains),
        ),
    ))
}

pub(super) fn domain_delete(
    tables: &TableNames,
    name: &DomainName,
    expected: u64,
) -> Result<(TransactWriteItem, Target)> {
    let expect = Expect::Revision(expected);
    let cond = Expr::of(expect, NAME);
    let delete = Delete::builder()
        .table_name(&tables.domains)
        .key(NAME, s(name.as_str()))
        .condition_expression(cond.text)
        .set_expression_attribute_names(Some(cond.names))
        .set_expression_attribute_values(Some(cond.values))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
    Ok((
        TransactWriteItem::builder()
            .delete(built(OP, delete.build())?)
            .build(),
        target(
            ResourceKind::Domain,
            name.as_str(),
            expect,
            Part::Record,
            format!("{}/{name}", tables.domains),
        ),
    ))
}
