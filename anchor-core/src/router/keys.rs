//! Where a distribution's routing lives in the shared KeyValueStore.
//!
//! The function and its store are shared by every distribution in the
//! account, so every key starts with the distribution id the function reads
//! from `event.context.distributionId`: two sites never see each other's
//! pointers, and one store serves many projects.

use crate::error::{Error, Result};
use crate::model::DeploymentId;

use super::MAX_KEY_BYTES;

/// The key suffix of a distribution's live pointer: `<dist>/live`.
pub(crate) const LIVE: &str = "live";
/// The infix of a deployment's entry: `<dist>/d/<deployment id>`.
pub(crate) const DEPLOYMENT: &str = "d/";
/// The infix of a deployment's origin secret: `<dist>/k/<deployment id>`.
/// A key of its own, apart from the entry, because Anchor reads entries
/// back and never reads a secret back.
pub(crate) const SECRET: &str = "k/";
/// The infix of a preview handle: `<dist>/v/<version>`.
pub(crate) const PREVIEW: &str = "v/";
/// The key suffix of the host suffix under which `v<N>.<suffix>` is a
/// preview: `<dist>/w`.
pub(crate) const PREVIEW_SUFFIX: &str = "w";
/// The infix of a skew-protection pin: `<dist>/s/<build deploymentId>`.
pub(crate) const PIN: &str = "s/";
/// The infix of the end of a deployment's skew window:
/// `<dist>/e/<deployment id>`.
pub(crate) const WINDOW_END: &str = "e/";
/// The value of a preview handle whose deployment was pruned.
pub(crate) const GONE: &str = "gone";
/// The infix of an index shard: `<dist>/d/<deployment id>/p/<k>`.
pub(crate) const SHARD: &str = "/p/";

/// The longest distribution id accepted. CloudFront's are 13 or 14
/// characters; the margin leaves room for the local edge's own names.
const MAX_DISTRIBUTION_BYTES: usize = 128;

/// The keys of one distribution in the shared store.
///
/// Construction validates the distribution id, so every key it hands out
/// is within the store's 512-byte key limit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouterKeys {
    distribution: String,
}

impl RouterKeys {
    /// The keys of `distribution_id`, which must be 1 to 128 ASCII letters,
    /// digits, `-`, `_` or `.` (no `/`, the separator). The error names the
    /// field `distribution`.
    pub fn new(distribution_id: &str) -> Result<Self> {
        let valid = !distribution_id.is_empty()
            && distribution_id.len() <= MAX_DISTRIBUTION_BYTES
            && distribution_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if !valid {
            return Err(Error::invalid_input(
                "distribution",
                format!(
                    "{distribution_id:?} is not a distribution id (1 to {MAX_DISTRIBUTION_BYTES} \
                     ASCII letters, digits, '-', '_' or '.')"
                ),
            ));
        }
        Ok(Self {
            distribution: distribution_id.to_owned(),
        })
    }

    /// The distribution id the keys belong to.
    pub fn distribution(&self) -> &str {
        &self.distribution
    }

    /// `<dist>/live`: holds the live deployment's id.
    pub fn live(&self) -> String {
        format!("{}/{LIVE}", self.distribution)
    }

    /// `<dist>/d/<deployment id>`: what routing needs for that deployment.
    pub fn deployment(&self, id: &DeploymentId) -> String {
        format!("{}/{DEPLOYMENT}{id}", self.distribution)
    }

    /// `<dist>/v/<version>`: the deployment of that version, served as a
    /// preview whether it is live or not (or `gone` once pruned).
    pub fn preview(&self, version: u64) -> String {
        format!("{}/{PREVIEW}{version}", self.distribution)
    }

    /// `<dist>/s/<build deploymentId>`: which deployment a page naming that
    /// Next.js `deploymentId` is pinned to, and until when. The id must be
    /// checked first (`check_build_deployment_id`).
    pub fn pin(&self, build_deployment_id: &str) -> String {
        format!("{}/{PIN}{build_deployment_id}", self.distribution)
    }

    /// `<dist>/e/<deployment id>`: until when (Unix seconds) pages pinned
    /// to that deployment are still served by it; `0` while it is live.
    pub fn window_end(&self, id: &DeploymentId) -> String {
        format!("{}/{WINDOW_END}{id}", self.distribution)
    }

    /// `<dist>/w`: the host suffix (a wildcard domain without its `*.`)
    /// under which `v<N>.<suffix>` serves version N.
    pub fn preview_suffix(&self) -> String {
        format!("{}/{PREVIEW_SUFFIX}", self.distribution)
    }

    /// `<dist>/k/<deployment id>`: the origin secret the router sends that
    /// deployment's server. Written once, at its deploy; only the router
    /// reads it.
    pub fn secret(&self, id: &DeploymentId) -> String {
        format!("{}/{SECRET}{id}", self.distribution)
    }

    /// `<dist>/d/<deployment id>/p/<k>`: shard `k` of that deployment's
    /// public-file index. Fails (field `public_index`) only if the key
    /// would pass the store's key limit, which takes billions of shards.
    pub fn shard(&self, id: &DeploymentId, k: usize) -> Result<String> {
        let key = format!("{}{SHARD}{k}", self.deployment(id));
        if key.len() > MAX_KEY_BYTES {
            return Err(Error::invalid_input(
                "public_index",
                format!("shard key {key:?} is over {MAX_KEY_BYTES} bytes"),
            ));
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_namespaced_by_distribution() {
        let id = DeploymentId::generate();
        let keys = RouterKeys::new("E2ABCDEF123456").unwrap();
        assert_eq!(keys.live(), "E2ABCDEF123456/live");
        assert_eq!(keys.deployment(&id), format!("E2ABCDEF123456/d/{id}"));
        assert_eq!(keys.secret(&id), format!("E2ABCDEF123456/k/{id}"));
        assert_eq!(
            keys.shard(&id, 3).unwrap(),
            format!("E2ABCDEF123456/d/{id}/p/3")
        );
    }

    #[test]
    fn refuses_bad_distribution_ids() {
        for bad in ["", "a/b", "a b", &"x".repeat(129)] {
            match RouterKeys::new(bad) {
                Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "distribution"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(RouterKeys::new(&"x".repeat(128)).is_ok());
    }
}
