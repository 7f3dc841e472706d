//! `domain_limits={...}` and `domain_mode="tenants"` of `Anchor.local` and
//! `Anchor.aws` to the core's [`DomainLimits`] and [`DomainMode`]. The
//! defaults and checks are the core's ([`DomainLimits::default`],
//! [`DomainLimits::validate`]), and so are the names its errors give
//! (`domain_limits.tenants_per_account`); Python writes them as they are.

use anchor_core::model::{DomainLimits, DomainMode};
use anchor_core::Error;
use pyo3::prelude::*;

use crate::convert::{mapping, text, whole};

/// The argument's name, the root of every field its errors name.
const LIMITS: &str = "domain_limits";
/// The domain mode argument's name.
const MODE: &str = "domain_mode";

/// Reads the `domain_limits` dict (with the GIL held, so the result owns
/// everything) and checks it: a missing key or `None` takes the core's
/// default, and a key that is not a limit, a value that is not a whole
/// number, or one the core refuses is an `InvalidInput` naming it, such as
/// `domain_limits.tenants_per_account`.
pub(crate) fn limits(value: &Bound<'_, PyAny>) -> Result<DomainLimits, Error> {
    let mut limits = DomainLimits::default();
    for (key, value) in mapping(value, LIMITS)? {
        let field = format!("{LIMITS}.{key}");
        let slot = match key.as_str() {
            "tenants_per_account" => &mut limits.tenants_per_account,
            "names_per_certificate" => &mut limits.names_per_certificate,
            "aliases_per_distribution" => &mut limits.aliases_per_distribution,
            _ => {
                return Err(Error::invalid_input(
                    field,
                    "is not a limit; use tenants_per_account, names_per_certificate \
                     or aliases_per_distribution",
                ))
            }
        };
        if !value.is_none() {
            *slot = whole(&value, &field)?;
        }
    }
    limits.validate()?;
    Ok(limits)
}

/// `"aliases"` or `"tenants"` (a `DomainMode` member is one of them) as the
/// core's [`DomainMode`], read by the core's own names; anything else is an
/// `InvalidInput` naming `domain_mode`.
pub(crate) fn mode(value: &Bound<'_, PyAny>) -> Result<DomainMode, Error> {
    DomainMode::parse(&text(value, MODE)?, MODE)
}
