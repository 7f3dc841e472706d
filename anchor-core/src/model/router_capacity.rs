//! How many projects one edge router pair (a viewer-request function and
//! the KeyValueStore it reads) takes, and how the pairs are named
//! (`docs/router.md`, "One pair for many projects").

use crate::error::{Error, Result};

/// The name of router pair 1: its function and its store are both called
/// this, as they were before Anchor opened more than one pair, so accounts
/// provisioned then keep their pair.
pub const ROUTER_PAIR_BASE_NAME: &str = "anchor-router";

/// The name of router pair `index` (1-based), shared by its function and
/// its store: `anchor-router` for pair 1, `anchor-router-<index>` after.
/// The same index always gives the same name, so pairs are found again by
/// name alone; index 0 is treated as 1.
pub fn router_pair_name(index: u32) -> String {
    if index <= 1 {
        ROUTER_PAIR_BASE_NAME.to_string()
    } else {
        format!("{ROUTER_PAIR_BASE_NAME}-{index}")
    }
}

/// The limits a router pair and an account are held to. The defaults are
/// CloudFront's default quotas; raise a field only after raising the quota
/// in Service Quotas (CloudFront), as CloudFront enforces its own whatever
/// Anchor counts. Lower ones are for tests and for keeping pairs small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouterCapacity {
    /// Distributions one function serves: a pair takes at most this many
    /// projects. CloudFront's "distributions associated with a single
    /// function", 100 by default.
    pub distributions_per_function: u32,
    /// The bytes (keys and values) one store holds: CloudFront's 5 MB.
    pub store_bytes: u64,
    /// The room a pair must have left to take one more project: a pair
    /// whose store holds more than `store_bytes - reserve_per_project` is
    /// full, so the projects already bound to it can go on deploying.
    /// 256 KiB by default, the keys of about 250 deployments with an
    /// inline public-file index.
    pub reserve_per_project: u64,
    /// CloudFront Functions the account may hold, 100 by default: a new
    /// pair is refused when the account has this many.
    pub functions_per_account: u32,
    /// KeyValueStores the account may hold, 50 by default: a new pair is
    /// refused when the account has this many.
    pub stores_per_account: u32,
}

impl Default for RouterCapacity {
    fn default() -> Self {
        Self {
            distributions_per_function: 100,
            store_bytes: 5 * 1024 * 1024,
            reserve_per_project: 256 * 1024,
            functions_per_account: 100,
            stores_per_account: 50,
        }
    }
}

impl RouterCapacity {
    /// Refuses limits no pair could meet: every count at least 1, and a
    /// reserve below the store's size. `Error::InvalidInput` names the
    /// field, such as `router_capacity.store_bytes`.
    pub fn validate(&self) -> Result<()> {
        for (field, value) in [
            (
                "router_capacity.distributions_per_function",
                self.distributions_per_function,
            ),
            (
                "router_capacity.functions_per_account",
                self.functions_per_account,
            ),
            (
                "router_capacity.stores_per_account",
                self.stores_per_account,
            ),
        ] {
            if value == 0 {
                return Err(Error::invalid_input(field, "must be at least 1"));
            }
        }
        if self.reserve_per_project >= self.store_bytes {
            return Err(Error::invalid_input(
                "router_capacity.reserve_per_project",
                format!(
                    "{} bytes leaves no room in a store of {} bytes",
                    self.reserve_per_project, self.store_bytes
                ),
            ));
        }
        Ok(())
    }

    /// Why a pair with `bound` projects and `store_bytes` in its store
    /// cannot take one more project, or `None` if it can: it has room when
    /// `bound` is below [`Self::distributions_per_function`] and the store
    /// holds at most [`Self::store_bytes`] less
    /// [`Self::reserve_per_project`].
    pub fn full_because(&self, bound: u32, store_bytes: u64) -> Option<String> {
        if bound >= self.distributions_per_function {
            return Some(format!(
                "its function serves {bound} distributions, the most \
                 router_capacity.distributions_per_function allows ({})",
                self.distributions_per_function
            ));
        }
        let ceiling = self.store_bytes.saturating_sub(self.reserve_per_project);
        if store_bytes > ceiling {
            return Some(format!(
                "its store holds {store_bytes} bytes, more than \
                 router_capacity.store_bytes ({}) less router_capacity.reserve_per_project ({})",
                self.store_bytes, self.reserve_per_project
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_one_keeps_the_name_of_the_single_pair_and_later_pairs_are_numbered() {
        assert_eq!(router_pair_name(1), "anchor-router");
        assert_eq!(router_pair_name(0), "anchor-router");
        assert_eq!(router_pair_name(2), "anchor-router-2");
        assert_eq!(router_pair_name(17), "anchor-router-17");
    }

    #[test]
    fn a_pair_is_full_at_its_distributions_or_within_the_reserve_of_its_size() {
        let capacity = RouterCapacity {
            distributions_per_function: 2,
            store_bytes: 1000,
            reserve_per_project: 100,
            ..RouterCapacity::default()
        };
        assert_eq!(capacity.full_because(1, 900), None);
        let by_count = capacity.full_because(2, 0).unwrap_or_default();
        assert!(
            by_count.contains("distributions_per_function"),
            "{by_count}"
        );
        let by_size = capacity.full_because(0, 901).unwrap_or_default();
        assert!(by_size.contains("reserve_per_project"), "{by_size}");
    }

    #[test]
    fn limits_no_pair_could_meet_are_refused_naming_the_field() {
        assert!(RouterCapacity::default().validate().is_ok());
        let zero = RouterCapacity {
            stores_per_account: 0,
            ..RouterCapacity::default()
        };
        assert!(matches!(zero.validate(),
            Err(Error::InvalidInput { ref field, .. }) if field == "router_capacity.stores_per_account"));
        let reserve = RouterCapacity {
            reserve_per_project: 5 * 1024 * 1024,
            ..RouterCapacity::default()
        };
        assert!(matches!(reserve.validate(),
            Err(Error::InvalidInput { ref field, .. }) if field == "router_capacity.reserve_per_project"));
    }
}
