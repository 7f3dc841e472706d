//! How a project's custom domains reach its distribution, and the quotas
//! they are held to (`docs/domains-at-scale.md`).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How a project's custom domains are put on its distribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainMode {
    /// Every domain is an alternate name of the project's one distribution,
    /// under the one viewer certificate that covers them all: at most
    /// [`DomainLimits::aliases_per_distribution`] domains, and each new
    /// certificate names the project's other domains too, up to
    /// [`DomainLimits::names_per_certificate`]. Projects made before
    /// tenants existed keep this mode.
    #[default]
    Aliases,
    /// Every domain is one distribution tenant of the project's
    /// multi-tenant distribution, with a certificate for that name alone:
    /// adding, validating, renewing and removing one domain never touches
    /// another, up to [`DomainLimits::tenants_per_account`].
    Tenants,
}

impl DomainMode {
    /// Reads `aliases` or `tenants`; anything else is `InvalidInput` naming
    /// `field` (as the caller spelt the option, such as `domain_mode`).
    pub fn parse(text: &str, field: &str) -> Result<Self> {
        match text {
            "aliases" => Ok(Self::Aliases),
            "tenants" => Ok(Self::Tenants),
            other => Err(Error::invalid_input(
                field,
                format!("must be \"aliases\" or \"tenants\", got {other:?}"),
            )),
        }
    }

    /// `aliases` or `tenants`, as in records and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aliases => "aliases",
            Self::Tenants => "tenants",
        }
    }
}

/// The quotas custom domains are held to. The defaults are AWS's default
/// quotas; raise a field only after raising the quota it names in Service
/// Quotas, as AWS enforces its own whatever Anchor counts. Lower values are
/// for tests and for keeping projects small. Past one of them, an `add`
/// fails with `Error::QuotaExceeded` naming the quota and this field, and
/// changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainLimits {
    /// Distribution tenants the account may hold ("Distribution tenants
    /// per account", CloudFront): 10,000 by default. In tenant mode each
    /// custom domain is one tenant.
    pub tenants_per_account: u32,
    /// Names on one ACM certificate ("Domain names per ACM certificate",
    /// ACM): 10 by default, at most 100. In alias mode a project's newest
    /// certificate names all of its domains, so this bounds them.
    pub names_per_certificate: u32,
    /// Alternate domain names on one distribution ("Alternate domain names
    /// (CNAMEs) per distribution", CloudFront): 100 by default. Bounds a
    /// project's domains in alias mode.
    pub aliases_per_distribution: u32,
}

impl Default for DomainLimits {
    fn default() -> Self {
        Self {
            tenants_per_account: 10_000,
            names_per_certificate: 10,
            aliases_per_distribution: 100,
        }
    }
}

/// ACM's hard ceiling on names per certificate, whatever the quota says.
pub const MAX_NAMES_PER_CERTIFICATE: u32 = 100;

impl DomainLimits {
    /// Refuses limits no domain could meet: every count at least 1, and
    /// at most [`MAX_NAMES_PER_CERTIFICATE`] names per certificate.
    /// `Error::InvalidInput` names the field, such as
    /// `domain_limits.names_per_certificate`.
    pub fn validate(&self) -> Result<()> {
        for (field, value) in [
            (
                "domain_limits.tenants_per_account",
                self.tenants_per_account,
            ),
            (
                "domain_limits.names_per_certificate",
                self.names_per_certificate,
            ),
            (
                "domain_limits.aliases_per_distribution",
                self.aliases_per_distribution,
            ),
        ] {
            if value == 0 {
                return Err(Error::invalid_input(field, "must be at least 1"));
            }
        }
        if self.names_per_certificate > MAX_NAMES_PER_CERTIFICATE {
            return Err(Error::invalid_input(
                "domain_limits.names_per_certificate",
                format!(
                    "{} is more than ACM allows on one certificate ({MAX_NAMES_PER_CERTIFICATE})",
                    self.names_per_certificate
                ),
            ));
        }
        Ok(())
    }

    /// The domains one project may hold in `mode`: in alias mode the
    /// smaller of the certificate and distribution limits, with the
    /// `QuotaExceeded` parts of the one that binds; `None` in tenant mode,
    /// which only the account's tenant quota bounds.
    pub fn project_ceiling(&self, mode: DomainMode) -> Option<QuotaLimit> {
        if mode == DomainMode::Tenants {
            return None;
        }
        let by_certificate = QuotaLimit {
            limit: self.names_per_certificate,
            quota: "Domain names per ACM certificate (ACM)",
            setting: "domain_limits.names_per_certificate",
        };
        let by_distribution = QuotaLimit {
            limit: self.aliases_per_distribution,
            quota: "Alternate domain names (CNAMEs) per distribution (CloudFront)",
            setting: "domain_limits.aliases_per_distribution",
        };
        Some(if by_certificate.limit <= by_distribution.limit {
            by_certificate
        } else {
            by_distribution
        })
    }

    /// The account's tenant quota, as the parts of its `QuotaExceeded`.
    pub fn tenant_ceiling(&self) -> QuotaLimit {
        QuotaLimit {
            limit: self.tenants_per_account,
            quota: "Distribution tenants per account (CloudFront)",
            setting: "domain_limits.tenants_per_account",
        }
    }
}

/// One quota as an error names it: its value, its name in Service Quotas,
/// and the Anchor setting to raise after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaLimit {
    /// The value Anchor holds to.
    pub limit: u32,
    /// The quota's name in Service Quotas, with the service.
    pub quota: &'static str,
    /// The Anchor setting that carries it.
    pub setting: &'static str,
}

impl QuotaLimit {
    /// The `Error::QuotaExceeded` for this quota, with `reason` saying what
    /// hit it.
    pub fn exceeded(&self, reason: impl Into<String>) -> Error {
        Error::QuotaExceeded {
            quota: self.quota.to_string(),
            limit: u64::from(self.limit),
            setting: self.setting.to_string(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_mode_is_bound_by_the_smaller_limit() {
        let limits = DomainLimits::default();
        let ceiling = limits.project_ceiling(DomainMode::Aliases).unwrap();
        assert_eq!(ceiling.limit, 10);
        assert_eq!(ceiling.setting, "domain_limits.names_per_certificate");
        let raised = DomainLimits {
            names_per_certificate: 100,
            aliases_per_distribution: 50,
            ..limits
        };
        let ceiling = raised.project_ceiling(DomainMode::Aliases).unwrap();
        assert_eq!(ceiling.setting, "domain_limits.aliases_per_distribution");
        assert!(limits.project_ceiling(DomainMode::Tenants).is_none());
    }

    #[test]
    fn modes_read_back_by_their_names_and_nothing_else() {
        for mode in [DomainMode::Aliases, DomainMode::Tenants] {
            assert_eq!(DomainMode::parse(mode.as_str(), "m").unwrap(), mode);
        }
        let err = DomainMode::parse("Tenants", "domainMode").unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput { field, reason }
            if field == "domainMode" && reason.contains("\"Tenants\"")),
            "{err:?}"
        );
    }

    #[test]
    fn refuses_limits_no_domain_meets() {
        let zero = DomainLimits {
            tenants_per_account: 0,
            ..DomainLimits::default()
        };
        assert!(
            matches!(zero.validate(), Err(Error::InvalidInput { field, .. }) if field == "domain_limits.tenants_per_account")
        );
        let too_many = DomainLimits {
            names_per_certificate: 101,
            ..DomainLimits::default()
        };
        assert!(
            matches!(too_many.validate(), Err(Error::InvalidInput { field, .. }) if field == "domain_limits.names_per_certificate")
        );
        assert!(DomainLimits::default().validate().is_ok());
    }
}
