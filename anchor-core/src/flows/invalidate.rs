//! Which CDN paths can be stale after a switch, and invalidating them in
//! batches CloudFront accepts.

use std::collections::BTreeSet;

use super::manifest;
use super::FlowContext;
use crate::error::Result;
use crate::model::asset_manifest::AssetManifest;
use crate::model::{Deployment, Infrastructure};

use crate::traits::{
    MAX_INVALIDATION_PATHS as MAX_PATHS, MAX_INVALIDATION_WILDCARDS as MAX_WILDCARDS,
};

/// The paths whose cached response may differ between `old` and `new`:
/// unhashed files added, changed or removed, and every prerendered route of
/// either build. Hashed `_next/static` files never change under one name, so
/// they are never listed. With no `old`, nothing can be cached yet.
pub(crate) fn stale_paths(old: Option<&AssetManifest>, new: &AssetManifest) -> Vec<String> {
    let Some(old) = old else {
        return Vec::new();
    };
    let mut paths = BTreeSet::new();
    for (rel, entry) in new.files.iter().filter(|(_, e)| !e.shared) {
        if old.files.get(rel).map(|o| &o.sha256) != Some(&entry.sha256) {
            paths.insert(url_path(rel));
        }
    }
    for rel in old.files.iter().filter(|(_, e)| !e.shared).map(|(r, _)| r) {
        if !new.files.contains_key(rel) {
            paths.insert(url_path(rel));
        }
    }
    paths.extend(old.routes.iter().chain(&new.routes).cloned());
    paths.into_iter().collect()
}

/// A key as a URL path: leading slash, and every byte outside the
/// unreserved set and `/` percent-encoded, as CloudFront expects.
fn url_path(rel: &str) -> String {
    let mut out = String::with_capacity(rel.len() + 1);
    out.push('/');
    for b in rel.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Splits `paths` into batches of at most [`MAX_PATHS`] paths and
/// [`MAX_WILDCARDS`] wildcard paths each, keeping their order.
pub(crate) fn batches(paths: &[String]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut current = Vec::new();
    let mut wildcards = 0;
    for p in paths {
        let wild = p.contains('*');
        if current.len() == MAX_PATHS || (wild && wildcards == MAX_WILDCARDS) {
            out.push(std::mem::take(&mut current));
            wildcards = 0;
        }
        wildcards += usize::from(wild);
        current.push(p.clone());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Invalidates `paths` in batches; returns the ids joined by `,`, or `None`
/// when there was nothing to invalidate. `reference` makes retries
/// idempotent: batch `i` uses `<reference>-<i>`.
pub(crate) async fn invalidate(
    svc: &FlowContext,
    infra: &Infrastructure,
    paths: &[String],
    reference: &str,
) -> Result<Option<String>> {
    let mut ids = Vec::new();
    for (i, batch) in batches(paths).iter().enumerate() {
        let id = svc
            .backend
            .cdn
            .invalidate(&infra.distribution_id, batch, &format!("{reference}-{i}"))
            .await?;
        ids.push(id);
    }
    Ok((!ids.is_empty()).then(|| ids.join(",")))
}

/// Invalidates what switching from `from` to `to` made stale. Returns the
/// invalidation id, or the failure as text: the switch stands either way.
pub(crate) async fn after_switch(
    svc: &FlowContext,
    infra: &Infrastructure,
    from: Option<&Deployment>,
    to: &Deployment,
    reference: &str,
) -> (Option<String>, Option<String>) {
    if infra.router.is_some() {
        // The router's cache key carries the deployment: nothing cached for
        // the old one is served for the new, so there is nothing to purge.
        return (None, None);
    }
    let result = async {
        let old = match from {
            Some(f) => manifest::load(svc, infra, &f.id).await?,
            None => None,
        };
        let new = manifest::load(svc, infra, &to.id)
            .await?
            .unwrap_or_default();
        let paths = stale_paths(old.as_deref(), &new);
        invalidate(svc, infra, &paths, reference).await
    }
    .await;
    match result {
        Ok(id) => (id, None),
        Err(e) => (None, Some(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::asset_manifest::ManifestEntry;

    fn entry(sha: &str, shared: bool) -> ManifestEntry {
        ManifestEntry {
            sha256: sha.into(),
            size: 1,
            stored_key: "k".into(),
            shared,
        }
    }

    #[test]
    fn batches_respect_both_limits() {
        let mut paths: Vec<String> = (0..7000).map(|i| format!("/p{i}")).collect();
        paths.extend((0..40).map(|i| format!("/w{i}/*")));
        let out = batches(&paths);
        assert!(out.iter().all(|b| b.len() <= MAX_PATHS));
        assert!(out
            .iter()
            .all(|b| b.iter().filter(|p| p.contains('*')).count() <= MAX_WILDCARDS));
        assert_eq!(out.concat(), paths, "order and content kept");
    }

    #[test]
    fn only_changed_unhashed_files_and_routes_are_stale() {
        let mut old = AssetManifest::default();
        old.files
            .insert("_next/static/a.js".into(), entry("1", true));
        old.files.insert("robots.txt".into(), entry("2", false));
        old.files.insert("gone.txt".into(), entry("3", false));
        old.files.insert("same.txt".into(), entry("4", false));
        old.routes = vec!["/".into()];
        let mut new = old.clone();
        new.files.remove("gone.txt");
        new.files
            .insert("_next/static/b.js".into(), entry("5", true));
        new.files.insert("robots.txt".into(), entry("6", false));
        new.files.insert("new file.txt".into(), entry("7", false));
        new.routes = vec!["/".into(), "/about".into()];
        assert_eq!(
            stale_paths(Some(&old), &new),
            vec!["/", "/about", "/gone.txt", "/new%20file.txt", "/robots.txt"]
        );
        assert!(stale_paths(None, &new).is_empty());
    }
}
