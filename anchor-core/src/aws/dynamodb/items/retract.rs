//! Removing a rollback event, which must exist: a switch undoing itself.

use aws_sdk_dynamodb::types::{Delete, ReturnValuesOnConditionCheckFailure, TransactWriteItem};

use super::{built, target, Part, Target, OP};
use crate::aws::dynamodb::codec::*;
use crate::aws::dynamodb::TableNames;
use crate::error::{ResourceKind, Result};
use crate::model::ProjectName;
use crate::traits::Expect;

/// A Delete of the event at `(project, sequence)`, conditioned on its
/// existence so a missing event fails the whole batch.
pub(super) fn retract_item(
    tables: &TableNames,
    project: &ProjectName,
    sequence: u64,
) -> Result<(TransactWriteItem, Target)> {
    let delete = Delete::builder()
        .table_name(&tables.rollbacks)
        .key(PROJECT, s(project.as_str()))
        .key(SEQUENCE, n(sequence))
        .condition_expression("attribute_exists(#key)")
        .expression_attribute_names("#key", PROJECT)
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
    Ok((
        TransactWriteItem::builder()
            .delete(built(OP, delete.build())?)
            .build(),
        target(
            ResourceKind::Project,
            project.as_str(),
            Expect::Absent,
            Part::Retract(sequence),
            format!("{}/{project}/{sequence}", tables.rollbacks),
        ),
    ))
}
