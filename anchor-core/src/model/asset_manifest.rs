//! The asset manifest each deployment leaves in the object store, and the
//! key layout of a project's assets: stored records, read by the flows and
//! by the local edge alike.
//!
//! Layout under the project's `asset_prefix`:
//! - `_next/static/**`: hashed files, shared by every deployment and written
//!   once (never overwritten), so old pages keep finding their chunks after
//!   a rollback;
//! - `_cache/<build id>/**`: the build's ISR cache, which the OpenNext server
//!   reads; keyed by build id, so also written once by a deploy. The server
//!   writes the pages it regenerates there at run time too (and its fetch
//!   cache under `_cache/__fetch/<build id>/**`): those are in no manifest,
//!   and go when pruning leaves no deployment of the build;
//! - `deployments/<id>/**`: the deployment's unhashed files (public files,
//!   `BUILD_ID`), immutable once written;
//! - `manifests/<id>.json`: this manifest, so the next deployment can skip
//!   or copy content by hash without listing the bucket.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DeploymentId, Infrastructure};

/// One asset of a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ManifestEntry {
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// The object store key holding it.
    pub stored_key: String,
    /// Whether it is stored once for all deployments under a key whose
    /// content never changes: hashed `_next/static` files and the build's
    /// ISR cache (keyed by build id). Such entries are never invalidated.
    pub shared: bool,
}

/// Every asset of a deployment, by its path in the build's `assets/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AssetManifest {
    /// The Next.js build id.
    pub build_id: String,
    /// Assets by relative path.
    pub files: BTreeMap<String, ManifestEntry>,
    /// Prerendered routes the CDN may cache.
    pub routes: Vec<String>,
}

impl AssetManifest {
    /// Any stored key with this content, to copy from.
    pub fn key_with_content(&self, sha256: &str) -> Option<&str> {
        self.files
            .values()
            .find(|e| e.sha256 == sha256)
            .map(|e| e.stored_key.as_str())
    }
}

/// The folder of the ISR cache under the asset prefix, as OpenNext's `s3`
/// origin names it (`copy[].to`).
pub(crate) const CACHE_FOLDER: &str = "_cache";

/// The folder of the fetch cache inside [`CACHE_FOLDER`], as OpenNext's
/// incremental cache names it (`__fetch/<build id>/<key>`).
pub(crate) const FETCH_FOLDER: &str = "__fetch";

/// The prefixes under which OpenNext's server keeps build `id`'s ISR
/// cache: its pages (`<asset prefix>/_cache/<id>/`) and its fetch cache
/// (`<asset prefix>/_cache/__fetch/<id>/`). `None` for an id that is not
/// one plain path segment (empty, `.`, `..`, [`FETCH_FOLDER`], or with a
/// `/`), whose prefix could reach another build's entries.
pub(crate) fn cache_prefixes(infra: &Infrastructure, id: &str) -> Option<[String; 2]> {
    let plain = !id.is_empty() && !matches!(id, "." | ".." | FETCH_FOLDER) && !id.contains('/');
    plain.then(|| {
        let cache = format!("{}/{CACHE_FOLDER}", infra.asset_prefix);
        [
            format!("{cache}/{id}/"),
            format!("{cache}/{FETCH_FOLDER}/{id}/"),
        ]
    })
}

/// The build id of the ISR cache entry stored at `key`, if `key` is one:
/// the folder after `_cache/` (or after `_cache/__fetch/`).
pub(crate) fn cache_id_of<'k>(infra: &Infrastructure, key: &'k str) -> Option<&'k str> {
    let rest = key
        .strip_prefix(infra.asset_prefix.as_str())?
        .strip_prefix('/')?
        .strip_prefix(CACHE_FOLDER)?
        .strip_prefix('/')?;
    let (first, rest) = rest.split_once('/')?;
    let (id, entry) = if first == FETCH_FOLDER {
        rest.split_once('/')?
    } else {
        (first, rest)
    };
    (!id.is_empty() && !entry.is_empty()).then_some(id)
}

/// The key of a shared asset (hashed file or cache entry).
pub(crate) fn shared_key(infra: &Infrastructure, rel: &str) -> String {
    format!("{}/{}", infra.asset_prefix, rel)
}

/// The prefix of a deployment's own unhashed assets.
pub(crate) fn assets_path(infra: &Infrastructure, id: &DeploymentId) -> String {
    format!("{}/{}", infra.asset_prefix, deployment_folder(id))
}

/// The deployment's own folder under the project's prefix.
pub(crate) fn deployment_folder(id: &DeploymentId) -> String {
    format!("deployments/{id}")
}

/// The key of a deployment's manifest.
pub(crate) fn manifest_key(infra: &Infrastructure, id: &DeploymentId) -> String {
    format!("{}/manifests/{}.json", infra.asset_prefix, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infra() -> Infrastructure {
        let mut infra = crate::model::samples().unwrap().project.infrastructure;
        infra.asset_prefix = "shop".into();
        infra
    }

    #[test]
    fn a_build_has_a_page_and_a_fetch_cache_prefix() {
        assert_eq!(
            cache_prefixes(&infra(), "b1"),
            Some([
                "shop/_cache/b1/".to_string(),
                "shop/_cache/__fetch/b1/".to_string()
            ])
        );
        for id in ["", ".", "..", "__fetch", "a/b"] {
            assert_eq!(cache_prefixes(&infra(), id), None, "{id:?}");
        }
    }

    #[test]
    fn the_build_of_a_cache_key_is_the_folder_after_cache() {
        let infra = infra();
        for (key, id) in [
            ("shop/_cache/b1/index.cache", Some("b1")),
            (
                "shop/_cache/b1/route-cache/APP_PAGE/x/$/index.cache",
                Some("b1"),
            ),
            ("shop/_cache/__fetch/b1/abc", Some("b1")),
            ("shop/_cache/__fetchx/abc", Some("__fetchx")),
            ("shop/_cache/__fetch/b1", None),
            ("shop/_cache/b1", None),
            ("shop/_cache/b1/", None),
            ("shop/_next/static/b1/x.js", None),
            ("other/_cache/b1/index.cache", None),
            ("shopping/_cache/b1/index.cache", None),
        ] {
            assert_eq!(cache_id_of(&infra, key), id, "{key}");
        }
    }
}
