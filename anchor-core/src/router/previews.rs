//! The entries that make every deployment reachable at its own address,
//! promoted or not: `v<N>.<suffix>` on a wildcard domain, or the preview
//! header or query parameter on any host of the distribution.

use crate::error::Result;
use crate::model::DeploymentId;

use super::entries::KvsEntry;
use super::keys::{RouterKeys, GONE};

/// The request header that asks for a preview on any host: `v<N>`.
pub const PREVIEW_HEADER: &str = "x-anchor-preview";
/// The query parameter that asks for a preview on any host: `v<N>`. The
/// router removes it before the request goes on.
pub const PREVIEW_QUERY: &str = "__anchor_preview";

/// The entry that serves version `version` as `deployment` at its preview
/// address. Written with the deployment's routing entry, after it.
pub fn preview_entry(
    keys: &RouterKeys,
    version: u64,
    deployment: &DeploymentId,
) -> Result<KvsEntry> {
    KvsEntry::checked(keys.preview(version), deployment.to_string(), "version")
}

/// The entry that makes version `version`'s preview answer 410 Gone: its
/// deployment was pruned. Written when the deployment's entries go.
pub fn preview_gone_entry(keys: &RouterKeys, version: u64) -> Result<KvsEntry> {
    KvsEntry::checked(keys.preview(version), GONE.to_string(), "version")
}

/// The entry naming the host suffix under which `v<N>.<suffix>` is a
/// preview, such as `preview.example.com` for the wildcard domain
/// `*.preview.example.com`. Fails with [`Error::InvalidInput`] naming
/// `preview_suffix` unless it is a lowercase DNS name.
pub fn preview_suffix_entry(keys: &RouterKeys, suffix: &str) -> Result<KvsEntry> {
    preview_suffixes_entry(keys, &[suffix.to_string()])
}

/// The entry naming every host suffix under which `v<N>.<suffix>` is a
/// preview (one per wildcard domain, and `localhost` on the local edge),
/// comma-separated in the one key the router reads. Fails with
/// [`Error::InvalidInput`] naming `preview_suffix` for a suffix that is not
/// a lowercase DNS name, no suffix at all, or a list past the store's
/// 1,024-byte value.
pub fn preview_suffixes_entry(keys: &RouterKeys, suffixes: &[String]) -> Result<KvsEntry> {
    if suffixes.is_empty() {
        return Err(crate::error::Error::invalid_input(
            "preview_suffix",
            "at least one suffix",
        ));
    }
    for suffix in suffixes {
        super::entries::check_host("preview_suffix", suffix)?;
    }
    KvsEntry::checked(keys.preview_suffix(), suffixes.join(","), "preview_suffix")
}

/// The suffixes a stored preview-suffix value names, in order.
pub fn preview_suffixes(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn keys() -> RouterKeys {
        RouterKeys::new("E2ABCDEF123456").unwrap()
    }

    #[test]
    fn entries_name_the_version_and_the_suffix() {
        let id = DeploymentId::generate();
        let entry = preview_entry(&keys(), 12, &id).unwrap();
        assert_eq!(entry.key, "E2ABCDEF123456/v/12");
        assert_eq!(entry.value, id.as_str());
        assert_eq!(preview_gone_entry(&keys(), 12).unwrap().value, "gone");
        let suffix = preview_suffix_entry(&keys(), "preview.example.com").unwrap();
        assert_eq!(suffix.key, "E2ABCDEF123456/w");
    }

    #[test]
    fn several_suffixes_share_the_one_key() {
        let both = ["localhost".to_string(), "preview.example.com".to_string()];
        let entry = preview_suffixes_entry(&keys(), &both).unwrap();
        assert_eq!(entry.value, "localhost,preview.example.com");
        assert_eq!(preview_suffixes(&entry.value), both);
        assert!(preview_suffixes_entry(&keys(), &[]).is_err());
        let too_many: Vec<String> = (0..40)
            .map(|i| format!("p{i}.{}.com", "x".repeat(20)))
            .collect();
        assert!(preview_suffixes_entry(&keys(), &too_many).is_err());
    }

    #[test]
    fn a_bad_suffix_names_the_field() {
        for bad in [
            "",
            "*.example.com",
            "Example.com",
            "a..b",
            "-a.com",
            "a_b.com",
            "a.com,b.com",
        ] {
            match preview_suffix_entry(&keys(), bad) {
                Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "preview_suffix"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
    }
}
