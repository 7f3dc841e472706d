//! The target of `rollback(project, to_deployment, to_version)`, and the
//! JSON of what a rollback did.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::error::{Error, Result};
use crate::flows::{RollbackOutcome, RollbackTarget};

/// The rollback target a caller names: the deployment `to_deployment`, the
/// version `to_version`, or, with neither, the deployment the live one
/// replaced. Giving both fails with `InvalidInput` on `to_version`.
pub fn rollback_target(
    to_deployment: Option<String>,
    to_version: Option<u64>,
) -> Result<RollbackTarget> {
    match (to_deployment, to_version) {
        (Some(_), Some(_)) => Err(Error::invalid_input(
            "to_version",
            "give a deployment or a version to roll back to, not both",
        )),
        (Some(id), None) => Ok(RollbackTarget::Deployment(id)),
        (None, Some(version)) => Ok(RollbackTarget::Version(version)),
        (None, None) => Ok(RollbackTarget::Previous),
    }
}

/// `{"event", "from", "to", "elapsed_ms", "invalidation_id",
/// "invalidation_error"}`: the records as their own JSON, and the elapsed
/// time in (fractional) milliseconds.
impl Serialize for RollbackOutcome {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_struct("RollbackOutcome", 6)?;
        out.serialize_field("event", &self.event)?;
        out.serialize_field("from", &self.from)?;
        out.serialize_field("to", &self.to)?;
        out.serialize_field("elapsed_ms", &(self.elapsed.as_secs_f64() * 1000.0))?;
        out.serialize_field("invalidation_id", &self.invalidation_id)?;
        out.serialize_field("invalidation_error", &self.invalidation_error)?;
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_a_deployment_and_a_version_are_refused_on_to_version() {
        match rollback_target(Some("01J0".into()), Some(2)) {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "to_version"),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn one_or_neither_names_the_target() {
        let targets = [
            rollback_target(Some("d".into()), None).ok(),
            rollback_target(None, Some(3)).ok(),
            rollback_target(None, None).ok(),
        ];
        assert_eq!(
            targets,
            [
                Some(RollbackTarget::Deployment("d".into())),
                Some(RollbackTarget::Version(3)),
                Some(RollbackTarget::Previous),
            ]
        );
    }
}
