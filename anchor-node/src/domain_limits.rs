//! `domainLimits: { tenantsPerAccount, namesPerCertificate,
//! aliasesPerDistribution }` and `domainMode` of `Anchor.local` and
//! `Anchor.aws` to the core's [`model::DomainLimits`] and [`DomainMode`].
//! Defaults and checks are the core's ([`model::DomainLimits::default`],
//! [`model::DomainLimits::validate`]); its errors name the field as
//! `domain_limits.tenants_per_account`, which reaches JS in camelCase
//! (`domainLimits.tenantsPerAccount`) as every field does.

use anchor_core::model::{self, DomainMode};
use anchor_core::Error;

use crate::args::camel_case;
use crate::convert::whole;
use crate::types::DomainLimits;

/// The option's name in the core's spelling, the root of every field its
/// errors name.
const LIMITS: &str = "domain_limits";
/// The domain mode option's name in the core's spelling.
const MODE: &str = "domain_mode";

/// The limits `options` describe, checked by the core. A number that is
/// not a whole number in `u32`'s range, or any value the core refuses, is
/// an `InvalidInput` naming the key, such as
/// `domainLimits.tenantsPerAccount`.
pub(crate) fn resolve(options: DomainLimits) -> Result<model::DomainLimits, Error> {
    let defaults = model::DomainLimits::default();
    let number = |key: &str, value: Option<f64>, default: u32| {
        let field = camel_case(&format!("{LIMITS}.{key}"));
        value.map_or(Ok(default), |v| {
            whole(&field, v, u64::from(u32::MAX)).map(|v| v as u32)
        })
    };
    let limits = model::DomainLimits {
        tenants_per_account: number(
            "tenants_per_account",
            options.tenants_per_account,
            defaults.tenants_per_account,
        )?,
        names_per_certificate: number(
            "names_per_certificate",
            options.names_per_certificate,
            defaults.names_per_certificate,
        )?,
        aliases_per_distribution: number(
            "aliases_per_distribution",
            options.aliases_per_distribution,
            defaults.aliases_per_distribution,
        )?,
    };
    limits.validate()?;
    Ok(limits)
}

/// `'aliases'` or `'tenants'` as the core's [`DomainMode`], read by the
/// core's own names; anything else is an `InvalidInput` naming
/// `domainMode`.
pub(crate) fn mode(name: String) -> Result<DomainMode, Error> {
    DomainMode::parse(&name, MODE)
}
