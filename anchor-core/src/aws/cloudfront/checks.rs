//! What CloudFront would refuse, refused before any call: invalid aliases,
//! aliases without a certificate, and invalidations beyond its limits.

use crate::error::{Error, Result};
use crate::model::DomainName;
use crate::traits::DistributionConfig;

pub use crate::traits::{MAX_INVALIDATION_PATHS, MAX_INVALIDATION_WILDCARDS};

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
