//! What CloudFront would refuse, refused before any call: invalid aliases,
//! aliases without a certificate, and invalidations beyond its limits.

use crate::error::{Error, Result};
use crate::model::DomainName;
use crate::traits::DistributionConfig;

/// CloudFront's limit on paths in one invalidation.
pub const MAX_INVALIDATION_PATHS: usize = 3000;
/// CloudFront's limit on paths with a `*` wildcard in one invalidation.
pub const MAX_INVALIDATION_WILDCARDS: usize = 15;

/// Aliases must be DNS names in normal form, each once; aliases need a
/// viewer certificate (CloudFront's InvalidViewerCertificate otherwise).
pub(super) fn check_config(config: &DistributionConfig) -> Result<()> {
    for (i, alias) in config.aliases.iter().enumerate() {
        let normal =
            DomainName::parse(alias).map_err(|e| Error::invalid_input("aliases", e.to_string()))?;
        if normal.as_str() != alias {
            return Err(Error::invalid_input(
                "aliases",
                format!("{alias:?} must be written as {:?}", normal.as_str()),
            ));
        }
        if config.aliases[..i].contains(alias) {
            return Err(Error::invalid_input(
                "aliases",
                format!("{alias:?} is listed twice"),
            ));
        }
    }
    match (config.aliases.first(), &config.certificate_id) {
        (Some(alias), None) => Err(Error::invalid_input(
            "certificate_id",
            format!("alias {alias} needs a viewer certificate that covers it"),
        )),
        _ => Ok(()),
    }
}

pub(super) fn check_paths(paths: &[String]) -> Result<()> {
    let bad = |reason: String| Error::invalid_input("paths", reason);
    if paths.is_empty() || paths.len() > MAX_INVALIDATION_PATHS {
        return Err(bad(format!(
            "an invalidation needs 1 to {MAX_INVALIDATION_PATHS} paths, not {}",
            paths.len()
        )));
    }
    let wildcards = paths.iter().filter(|p| p.contains('*')).count();
    if wildcards > MAX_INVALIDATION_WILDCARDS {
        return Err(bad(format!(
            "at most {MAX_INVALIDATION_WILDCARDS} paths may have a '*', not {wildcards}"
        )));
    }
    if let Some(path) = paths.iter().find(|p| !p.starts_with('/')) {
        return Err(bad(format!("{path:?} must start with '/'")));
    }
    Ok(())
}
