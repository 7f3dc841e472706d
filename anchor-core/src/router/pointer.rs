//! A distribution's live pointer: the deployment that serves every
//! visitor, or, during a gradual rollout, a sticky split between it and a
//! candidate. Both live in the one `<dist>/live` key, so every stage of a
//! rollout (and its abort) is one atomic write the router sees whole.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{DeploymentId, WEIGHT_SCALE};

use super::entries::KvsEntry;
use super::keys::RouterKeys;

/// The cookie that identifies a visitor to the split. A request without it
/// is split on its CloudFront request id (see docs/router.md).
pub const VISITOR_COOKIE: &str = "anchor-visitor";

/// What `<dist>/live` holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LivePointer {
    /// Every visitor gets this deployment. Stored as the bare id, as
    /// before rollouts existed, so routers and readers of either age agree.
    Single(DeploymentId),
    /// A rollout in progress: stored as a JSON object.
    Split(RolloutSplit),
}

/// A sticky split: the visitors whose bucket (a hash of the rollout's salt
/// and their visitor id, out of [`WEIGHT_SCALE`]) is below `weight` get
/// `candidate`; the rest get `live`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutSplit {
    /// The deployment the other visitors keep.
    #[serde(rename = "l")]
    pub live: DeploymentId,
    /// The deployment being rolled out.
    #[serde(rename = "c")]
    pub candidate: DeploymentId,
    /// The candidate's share in basis points, 1..=10,000.
    #[serde(rename = "w")]
    pub weight: u32,
    /// Chosen once per rollout and kept for all its stages, so a visitor's
    /// bucket never changes within it and a growing weight only adds
    /// visitors to the candidate.
    #[serde(rename = "s")]
    pub salt: String,
}

impl LivePointer {
    /// The deployment a visitor without a split (or outside it) gets.
    pub fn live(&self) -> &DeploymentId {
        match self {
            Self::Single(id) => id,
            Self::Split(split) => &split.live,
        }
    }

    /// Reads a stored value: a bare deployment id or a split object.
    /// Fails with [`Error::Internal`] when it is neither: only Anchor
    /// writes the pointer.
    pub fn parse(value: &str) -> Result<Self> {
        if value.starts_with('{') {
            let split: RolloutSplit = serde_json::from_str(value).map_err(|e| {
                Error::internal(format!("the router's live pointer is not a split: {e}"))
            })?;
            Ok(Self::Split(split))
        } else {
            DeploymentId::parse(value).map(Self::Single).map_err(|_| {
                Error::internal(format!(
                    "the router's live pointer {value:?} is neither a deployment id nor a split"
                ))
            })
        }
    }

    /// The `<dist>/live` entry that stores this pointer. Fails with
    /// [`Error::InvalidInput`] naming `rollout.weight` when a split's
    /// weight is outside 1..=10,000, or `rollout.salt` when its salt is
    /// empty, over 64 bytes or not ASCII letters and digits.
    pub fn entry(&self, keys: &RouterKeys) -> Result<KvsEntry> {
        let value = match self {
            Self::Single(id) => id.to_string(),
            Self::Split(split) => {
                if !(1..=WEIGHT_SCALE).contains(&split.weight) {
                    return Err(Error::invalid_input(
                        "rollout.weight",
                        format!("{} is not within 1..={WEIGHT_SCALE}", split.weight),
                    ));
                }
                let salt_ok = !split.salt.is_empty()
                    && split.salt.len() <= 64
                    && split.salt.bytes().all(|b| b.is_ascii_alphanumeric());
                if !salt_ok {
                    return Err(Error::invalid_input(
                        "rollout.salt",
                        "must be 1 to 64 ASCII letters and digits",
                    ));
                }
                serde_json::to_string(split).map_err(|e| Error::internal(e.to_string()))?
            }
        };
        KvsEntry::checked(keys.live(), value, "deployment")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> RouterKeys {
        RouterKeys::new("E2ABCDEF123456").unwrap()
    }

    #[test]
    fn a_single_pointer_is_the_bare_id_as_before_rollouts() {
        let id = DeploymentId::generate();
        let entry = LivePointer::Single(id.clone()).entry(&keys()).unwrap();
        assert_eq!(entry.key, "E2ABCDEF123456/live");
        assert_eq!(entry.value, id.to_string());
        assert_eq!(
            LivePointer::parse(&entry.value).unwrap(),
            LivePointer::Single(id)
        );
    }

    #[test]
    fn a_split_round_trips_and_fits_a_value() {
        let split = RolloutSplit {
            live: DeploymentId::generate(),
            candidate: DeploymentId::generate(),
            weight: 2500,
            salt: "a".repeat(64),
        };
        let pointer = LivePointer::Split(split.clone());
        let entry = pointer.entry(&keys()).unwrap();
        assert!(entry.value.len() < 256, "{}", entry.value.len());
        assert_eq!(LivePointer::parse(&entry.value).unwrap(), pointer);
        assert_eq!(pointer.live(), &split.live);
    }

    #[test]
    fn a_bad_split_names_its_field_and_a_bad_stored_value_is_internal() {
        let split = |weight: u32, salt: &str| {
            LivePointer::Split(RolloutSplit {
                live: DeploymentId::generate(),
                candidate: DeploymentId::generate(),
                weight,
                salt: salt.into(),
            })
            .entry(&keys())
        };
        let field = |r: Result<KvsEntry>| match r {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(split(0, "s1")), "rollout.weight");
        assert_eq!(field(split(10_001, "s1")), "rollout.weight");
        assert_eq!(field(split(10, "")), "rollout.salt");
        assert_eq!(field(split(10, "a-b")), "rollout.salt");
        assert!(matches!(
            LivePointer::parse("nonsense"),
            Err(Error::Internal { .. })
        ));
        assert!(matches!(
            LivePointer::parse("{\"l\":1}"),
            Err(Error::Internal { .. })
        ));
    }
}
