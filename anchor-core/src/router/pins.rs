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
/// The cookie that pins a page's untagged requests (a fetch to a route
/// handler, a public file) to the deployment that served its HTML. The
/// viewer-response function sets it; the router ignores it on navigations,
/// which load a fresh page from the live deployment.
pub const PIN_COOKIE: &str = "__anchor_dpl";
/// The response header in which a deployment's server names its build's
/// `deploymentId` (added by Anchor's origin guard), for the
/// viewer-response function, which removes it.
pub const SERVED_HEADER: &str = "x-anchor-deployment-id";

/// The longest `deploymentId` Anchor pins by: the key must fit the store's
/// limit with room for the distribution id.
pub const MAX_BUILD_DEPLOYMENT_ID_BYTES: usize = 128;

/// How long a page of a deployment that left live keeps reaching it: 7
/// days, as Vercel's default.
pub const DEFAULT_SKEW_WINDOW: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// What `<dist>/s/<deploymentId>` holds: the Anchor deployment a build's
/// `deploymentId` belongs to. Whether its pages are still pinned is the
/// deployment's window end (`<dist>/e/<id>`, [`window_end_entry`]), which a
/// switch writes in the same update as the live pointer, so a switch reads
/// nothing more than it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pin {
    /// The Anchor deployment the build's `deploymentId` belongs to.
    #[serde(rename = "d")]
    pub deployment: DeploymentId,
}

/// The entry saying until when (`end`, Unix seconds) pages pinned to
/// `deployment` are served by it; `None` writes `0`: it is live, so no end.
/// Past the end its asset requests answer 404 and its other requests go to
/// the live deployment. A deployment without the entry (a preview never
/// promoted, or one made before windows existed) stays pinned.
pub fn window_end_entry(
    keys: &RouterKeys,
    deployment: &DeploymentId,
    end: Option<i64>,
) -> Result<KvsEntry> {
    KvsEntry::checked(
        keys.window_end(deployment),
        end.unwrap_or(0).max(0).to_string(),
        "deployment",
    )
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
    fn a_pin_is_keyed_by_the_builds_id_and_its_window_by_the_deployment() {
        let pin = Pin {
            deployment: DeploymentId::generate(),
        };
        let entry = pin_entry(&keys(), "build-42", &pin).unwrap();
        assert_eq!(entry.key, "E2ABCDEF123456/s/build-42");
        assert_eq!(serde_json::from_str::<Pin>(&entry.value).unwrap(), pin);
        let end = window_end_entry(&keys(), &pin.deployment, Some(1_800_000_000)).unwrap();
        assert_eq!(end.key, format!("E2ABCDEF123456/e/{}", pin.deployment));
        assert_eq!(end.value, "1800000000");
        let live = window_end_entry(&keys(), &pin.deployment, None).unwrap();
        assert_eq!(live.value, "0");
    }

    #[test]
    fn a_build_id_that_cannot_be_a_key_names_the_field() {
        let pin = Pin {
            deployment: DeploymentId::generate(),
        };
        for bad in ["", "a/b", "a b", &"x".repeat(129)] {
            match pin_entry(&keys(), bad, &pin) {
                Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "deployment_id"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
