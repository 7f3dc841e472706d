//! A project's retention policy: which deployments `prune` keeps, in the
//! way of Vercel's: the last N promoted deployments, and previews younger
//! than a maximum age. Whatever the policy, pruning never touches what
//! serves or may serve again soon (`docs/pruning.md`).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How many promoted deployments are kept unless the project sets another.
pub const DEFAULT_KEEP_PROMOTED: u32 = 10;
/// How long a deployment that was never promoted is kept unless the
/// project sets another: 30 days.
pub const DEFAULT_PREVIEW_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);
/// The most promoted deployments a policy may keep.
pub const MAX_KEEP_PROMOTED: u32 = 10_000;
/// The longest a policy may keep previews: 10 years.
pub const MAX_PREVIEW_MAX_AGE: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// A validated retention policy.
///
/// `prune` keeps the `keep_promoted` newest deployments that were ever
/// promoted, and every deployment never promoted that is younger than
/// `preview_max_age_seconds`; the rest may go. With `after_deploy`, every
/// deploy of the project prunes once it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RetentionPolicyParts", into = "RetentionPolicyParts")]
pub struct RetentionPolicy {
    keep_promoted: u32,
    preview_max_age_seconds: u64,
    after_deploy: bool,
}

/// The stored and bound form of [`RetentionPolicy`], before validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPolicyParts {
    /// How many promoted deployments are kept.
    pub keep_promoted: u32,
    /// How long a deployment never promoted is kept, in seconds.
    pub preview_max_age_seconds: u64,
    /// Whether every deploy prunes once it is done.
    pub after_deploy: bool,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            keep_promoted: DEFAULT_KEEP_PROMOTED,
            preview_max_age_seconds: DEFAULT_PREVIEW_MAX_AGE.as_secs(),
            after_deploy: false,
        }
    }
}

impl RetentionPolicy {
    /// Validates a policy. Fails with `InvalidInput` naming
    /// `retention.keep_promoted` above [`MAX_KEEP_PROMOTED`], or
    /// `retention.preview_max_age_seconds` above [`MAX_PREVIEW_MAX_AGE`].
    pub fn new(keep_promoted: u32, preview_max_age: Duration, after_deploy: bool) -> Result<Self> {
        if keep_promoted > MAX_KEEP_PROMOTED {
            return Err(Error::invalid_input(
                "retention.keep_promoted",
                format!("{keep_promoted} is over {MAX_KEEP_PROMOTED}"),
            ));
        }
        if preview_max_age > MAX_PREVIEW_MAX_AGE {
            return Err(Error::invalid_input(
                "retention.preview_max_age_seconds",
                format!(
                    "{} is over {} seconds (10 years)",
                    preview_max_age.as_secs(),
                    MAX_PREVIEW_MAX_AGE.as_secs()
                ),
            ));
        }
        Ok(Self {
            keep_promoted,
            preview_max_age_seconds: preview_max_age.as_secs(),
            after_deploy,
        })
    }

    /// A policy from numbers as a binding passes them: a negative one is
    /// `InvalidInput` naming `retention.keep_promoted` or
    /// `retention.preview_max_age_seconds`, then as [`RetentionPolicy::new`].
    pub fn from_signed(
        keep_promoted: i64,
        preview_max_age_seconds: i64,
        after_deploy: bool,
    ) -> Result<Self> {
        let keep = u32::try_from(keep_promoted).map_err(|_| {
            Error::invalid_input(
                "retention.keep_promoted",
                format!("{keep_promoted} is not within 0..={MAX_KEEP_PROMOTED}"),
            )
        })?;
        let age = u64::try_from(preview_max_age_seconds).map_err(|_| {
            Error::invalid_input(
                "retention.preview_max_age_seconds",
                format!("{preview_max_age_seconds} is negative; an age is 0 seconds or more"),
            )
        })?;
        Self::new(keep, Duration::from_secs(age), after_deploy)
    }

    /// How many promoted deployments are kept.
    pub fn keep_promoted(&self) -> u32 {
        self.keep_promoted
    }

    /// How long a deployment never promoted is kept.
    pub fn preview_max_age(&self) -> Duration {
        Duration::from_secs(self.preview_max_age_seconds)
    }

    /// Whether every deploy prunes once it is done.
    pub fn after_deploy(&self) -> bool {
        self.after_deploy
    }
}

impl TryFrom<RetentionPolicyParts> for RetentionPolicy {
    type Error = Error;
    fn try_from(parts: RetentionPolicyParts) -> Result<Self> {
        Self::new(
            parts.keep_promoted,
            Duration::from_secs(parts.preview_max_age_seconds),
            parts.after_deploy,
        )
    }
}

impl From<RetentionPolicy> for RetentionPolicyParts {
    fn from(policy: RetentionPolicy) -> Self {
        Self {
            keep_promoted: policy.keep_promoted,
            preview_max_age_seconds: policy.preview_max_age_seconds,
            after_deploy: policy.after_deploy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<RetentionPolicy>) -> String {
        match r {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_policies_name_their_field() {
        assert_eq!(
            field(RetentionPolicy::from_signed(-1, 60, false)),
            "retention.keep_promoted"
        );
        assert_eq!(
            field(RetentionPolicy::from_signed(3, -1, false)),
            "retention.preview_max_age_seconds"
        );
        assert_eq!(
            field(RetentionPolicy::from_signed(10_001, 60, false)),
            "retention.keep_promoted"
        );
        assert_eq!(
            field(RetentionPolicy::from_signed(3, 11 * 365 * 86_400, false)),
            "retention.preview_max_age_seconds"
        );
        let p = RetentionPolicy::from_signed(0, 0, true).unwrap();
        assert_eq!((p.keep_promoted(), p.after_deploy()), (0, true));
        assert_eq!(RetentionPolicy::default().keep_promoted(), 10);
    }

    #[test]
    fn a_stored_policy_is_validated_when_read() {
        let err = serde_json::from_str::<RetentionPolicy>(
            r#"{"keep_promoted": 99999, "preview_max_age_seconds": 1, "after_deploy": false}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("retention.keep_promoted"), "{err}");
    }
}
