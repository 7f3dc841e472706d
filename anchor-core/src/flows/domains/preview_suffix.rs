//! A wildcard domain's part in the router: while `*.preview.example.com`
//! is attached, `preview.example.com` is one of the distribution's preview
//! suffixes, so `v<N>.preview.example.com` reaches deployment N
//! (`docs/release-management.md`, "Previews").

use crate::error::{Error, Result};
use crate::flows::FlowContext;
use crate::model::{DomainName, Infrastructure};
use crate::router::{preview_suffixes, preview_suffixes_entry, RouterKeys};
use crate::traits::KvsUpdate;

/// How often a suffix change is tried again when another writer moved the
/// shared store's ETag between the read and the write.
const ATTEMPTS: u32 = 30;

/// Adds (`present`) or removes `domain`'s suffix from the distribution's
/// preview suffixes, as one conditional update of the one key under the
/// ETag read before it, so two changes never lose each other. Nothing for
/// a name without a wildcard, a project without the router, or a list that
/// already says so (reads only). Removing the last suffix deletes the key.
pub(crate) async fn set_preview_suffix(
    svc: &FlowContext,
    infra: &Infrastructure,
    domain: &DomainName,
    present: bool,
) -> Result<()> {
    let (Some(suffix), Some(binding)) = (domain.wildcard_suffix(), &infra.router) else {
        return Ok(());
    };
    let keys = RouterKeys::new(&infra.distribution_id)?;
    let key = keys.preview_suffix();
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let etag = svc.backend.kvs.describe(&binding.store).await?.etag;
        let stored = svc.backend.kvs.get(&binding.store, &key).await?;
        let mut suffixes = stored.as_deref().map(preview_suffixes).unwrap_or_default();
        let has = suffixes.iter().any(|s| s == suffix);
        if has == present {
            return Ok(());
        }
        if present {
            suffixes.push(suffix.to_string());
        } else {
            suffixes.retain(|s| s != suffix);
        }
        let update = if suffixes.is_empty() {
            KvsUpdate {
                puts: Vec::new(),
                deletes: vec![key.clone()],
            }
        } else {
            let entry = preview_suffixes_entry(&keys, &suffixes)?;
            KvsUpdate::put(entry.key, entry.value)
        };
        match svc.backend.kvs.update(&binding.store, &update, &etag).await {
            Ok(_) => return Ok(()),
            Err(e @ Error::PreconditionFailed { .. }) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        Error::invalid_state(
            crate::error::ResourceKind::Domain,
            domain.as_str(),
            "attaching",
            "the router's store kept changing",
        )
    }))
}
