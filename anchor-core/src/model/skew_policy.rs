//! A project's skew protection policy: how long, and for how many earlier
//! deployments, pages loaded from a deployment that left live keep being
//! served by it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How long a window lasts unless the project sets another: 7 days.
pub const DEFAULT_SKEW_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);
/// How many deployments keep an open window at once unless the project
/// sets another.
pub const DEFAULT_MAX_PINNED: u32 = 10;
/// The longest window accepted: 60 days, Vercel's longest.
pub const MAX_SKEW_MAX_AGE: Duration = Duration::from_secs(60 * 24 * 3600);
/// The most deployments that may keep an open window at once. Each switch
/// writes at most one window end more than it closes, so the bound also
/// keeps the store's entries per project small.
pub const MAX_MAX_PINNED: u32 = 100;

/// A validated skew protection policy.
///
/// When a deployment leaves live, pages loaded from it keep being served
/// by it for `max_age_seconds`; at most `max_pinned` deployments keep a
/// window at once, and a switch that would exceed it ends the oldest
/// window then. `max_age_seconds` 0 or `max_pinned` 0 turn skew protection
/// off: an old page's next request goes to the live deployment (assets
/// answer 404, so it reloads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "SkewPolicyParts", into = "SkewPolicyParts")]
pub struct SkewPolicy {
    max_age_seconds: u64,
    max_pinned: u32,
}

/// The stored and bound form of [`SkewPolicy`], before validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkewPolicyParts {
    /// How long a window lasts, in seconds.
    pub max_age_seconds: u64,
    /// How many deployments keep an open window at once.
    pub max_pinned: u32,
}

impl Default for SkewPolicy {
    fn default() -> Self {
        Self {
            max_age_seconds: DEFAULT_SKEW_MAX_AGE.as_secs(),
            max_pinned: DEFAULT_MAX_PINNED,
        }
    }
}

impl SkewPolicy {
    /// Validates a policy. Fails with `InvalidInput` naming
    /// `skew.max_age_seconds` above [`MAX_SKEW_MAX_AGE`], or
    /// `skew.max_pinned` above [`MAX_MAX_PINNED`].
    pub fn new(max_age: Duration, max_pinned: u32) -> Result<Self> {
        if max_age > MAX_SKEW_MAX_AGE {
            return Err(Error::invalid_input(
                "skew.max_age_seconds",
                format!(
                    "{} is over the longest window, {} seconds (60 days)",
                    max_age.as_secs(),
                    MAX_SKEW_MAX_AGE.as_secs()
                ),
            ));
        }
        if max_pinned > MAX_MAX_PINNED {
            return Err(Error::invalid_input(
                "skew.max_pinned",
                format!("{max_pinned} is over {MAX_MAX_PINNED}"),
            ));
        }
        Ok(Self {
            max_age_seconds: max_age.as_secs(),
            max_pinned,
        })
    }

    /// A policy from seconds as a binding passes them: a negative number is
    /// `InvalidInput` naming `skew.max_age_seconds` or `skew.max_pinned`,
    /// then as [`SkewPolicy::new`].
    pub fn from_signed(max_age_seconds: i64, max_pinned: i64) -> Result<Self> {
        let age = u64::try_from(max_age_seconds).map_err(|_| {
            Error::invalid_input(
                "skew.max_age_seconds",
                format!("{max_age_seconds} is negative; a window is 0 seconds or more"),
            )
        })?;
        let pinned = u32::try_from(max_pinned).map_err(|_| {
            Error::invalid_input(
                "skew.max_pinned",
                format!("{max_pinned} is not within 0..={MAX_MAX_PINNED}"),
            )
        })?;
        Self::new(Duration::from_secs(age), pinned)
    }

    /// How long a window lasts.
    pub fn max_age(&self) -> Duration {
        Duration::from_secs(self.max_age_seconds)
    }

    /// How many deployments keep an open window at once.
    pub fn max_pinned(&self) -> u32 {
        self.max_pinned
    }

    /// Whether leaving deployments get a window at all.
    pub fn is_on(&self) -> bool {
        self.max_age_seconds > 0 && self.max_pinned > 0
    }
}

impl TryFrom<SkewPolicyParts> for SkewPolicy {
    type Error = Error;
    fn try_from(parts: SkewPolicyParts) -> Result<Self> {
        Self::new(Duration::from_secs(parts.max_age_seconds), parts.max_pinned)
    }
}

impl From<SkewPolicy> for SkewPolicyParts {
    fn from(policy: SkewPolicy) -> Self {
        Self {
            max_age_seconds: policy.max_age_seconds,
            max_pinned: policy.max_pinned,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<SkewPolicy>) -> String {
        match r {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_policies_name_their_field() {
        assert_eq!(
            field(SkewPolicy::from_signed(-1, 5)),
            "skew.max_age_seconds"
        );
        assert_eq!(field(SkewPolicy::from_signed(60, -1)), "skew.max_pinned");
        assert_eq!(
            field(SkewPolicy::from_signed(61 * 86_400, 5)),
            "skew.max_age_seconds"
        );
        assert_eq!(field(SkewPolicy::from_signed(60, 101)), "skew.max_pinned");
        let off = SkewPolicy::from_signed(0, 5).unwrap();
        assert!(!off.is_on());
        assert!(SkewPolicy::default().is_on());
        assert_eq!(SkewPolicy::default().max_age(), DEFAULT_SKEW_MAX_AGE);
    }

    #[test]
    fn a_stored_policy_is_validated_when_read() {
        let err =
            serde_json::from_str::<SkewPolicy>(r#"{"max_age_seconds": 99999999, "max_pinned": 1}"#)
                .unwrap_err();
        assert!(err.to_string().contains("skew.max_age_seconds"), "{err}");
    }
}
