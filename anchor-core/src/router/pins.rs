//! Skew protection's entries: which Anchor deployment a build's Next.js
//! `deploymentId` names, and until when a page of it is still served by it
//! after another deployment went live.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::DeploymentId;

use super::entries::KvsEntry;
use super::keys::RouterKeys;

/// The request header Next.js sends with RSC and Server Action requests
/// when the build has a `deploymentId`.
pub const PIN_HEADER: &str = "x-deployment-id";
/// The query parameter Next.js adds to asset URLs when the build has a
/// `deploymentId`.
pub const PIN_QUERY: &str = "dpl";
/// The cookie that pins a browser's page loads to the deployment that
/// served its HTML.
pub const PIN_COOKIE: &str = "__anchor_dpl";

/// The longest `deploymentId` Anchor pins by: the key must fit the store's
/// limit with room for the distribution id.
pub const MAX_BUILD_DEPLOYMENT_ID_BYTES: usize = 128;

/// What `<dist>/s/<deploymentId>` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    /// The Anchor deployment the build's `deploymentId` belongs to.
    #[serde(rename = "d")]
    pub deployment: DeploymentId,
    /// Until when (Unix seconds) requests pinned to it are served by it;
    /// `None` while it is live (no end yet). Past this, its asset requests
    /// answer 404 and its other requests go to the live deployment.
    #[serde(rename = "x", default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
}

/// Checks a build's `deploymentId` (from `required-server-files.json`)
/// for use as a key: 1 to 128 ASCII letters, digits, `-`, `_` or `.`.
/// Fails with [`Error::InvalidInput`] naming `deployment_id`.
pub fn check_build_deployment_id(deployment_id: &str) -> Result<()> {
    let ok = !deployment_id.is_empty()
        && deployment_id.len() <= MAX_BUILD_DEPLOYMENT_ID_BYTES
        && deployment_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "deployment_id",
            format!(
                "{deployment_id:?} is not 1 to {MAX_BUILD_DEPLOYMENT_ID_BYTES} ASCII letters, \
                 digits, '-', '_' or '.'"
            ),
        ))
    }
}

/// The entry that pins requests naming `build_deployment_id` to `pin`.
pub fn pin_entry(keys: &RouterKeys, build_deployment_id: &str, pin: &Pin) -> Result<KvsEntry> {
    check_build_deployment_id(build_deployment_id)?;
    let value = serde_json::to_string(pin).map_err(|e| Error::internal(e.to_string()))?;
    KvsEntry::checked(keys.pin(build_deployment_id), value, "deployment_id")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> RouterKeys {
        RouterKeys::new("E2ABCDEF123456").unwrap()
    }

    #[test]
    fn a_pin_is_keyed_by_the_builds_id_and_says_until_when() {
        let pin = Pin {
            deployment: DeploymentId::generate(),
            until: Some(1_800_000_000),
        };
        let entry = pin_entry(&keys(), "build-42", &pin).unwrap();
        assert_eq!(entry.key, "E2ABCDEF123456/s/build-42");
        assert_eq!(serde_json::from_str::<Pin>(&entry.value).unwrap(), pin);
        let live = Pin { until: None, ..pin };
        let entry = pin_entry(&keys(), "build-42", &live).unwrap();
        assert!(!entry.value.contains("\"x\""), "{}", entry.value);
    }

    #[test]
    fn a_build_id_that_cannot_be_a_key_names_the_field() {
        let pin = Pin {
            deployment: DeploymentId::generate(),
            until: None,
        };
        for bad in ["", "a/b", "a b", &"x".repeat(129)] {
            match pin_entry(&keys(), bad, &pin) {
                Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "deployment_id"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
