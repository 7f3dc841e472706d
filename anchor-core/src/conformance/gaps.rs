//! [`KnownGaps`]: the one shape of every "this emulator cannot pass that
//! check" knob the suites take.

/// Guarantees an implementation under test is known not to keep, because it
/// is an emulator weaker than the service it stands for. Each field names
/// the gap as the emulator has it; `true` skips exactly the checks that
/// gap makes impossible to observe, and nothing else.
///
/// The default, [`KnownGaps::NONE`], skips nothing: every real service and
/// the embedded default run the strict suites. [`KnownGaps::MOTO`] lists
/// moto's gaps. The suites of [`crate::traits::Certificates`],
/// [`crate::traits::KeyValueStore`] and [`crate::traits::StateStore`] have
/// no knobs: moto's ACM passes the certificates suite as it is, moto has no
/// KeyValueStore data plane at all (the tests replay it), and moto's
/// non-atomic DynamoDB transactions are worked around by the backend
/// itself (`AwsOptions::serialize_state_writes`) rather than excused, so
/// the state-store suite runs strict there too.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KnownGaps {
    /// A distribution keeps one ETag forever and a stale If-Match is
    /// accepted: "every update returns a new ETag" and "a stale If-Match
    /// is refused" are skipped ([`crate::conformance::cdn`]).
    pub distribution_etags_never_change: bool,
    /// The CDN takes any certificate id as the viewer certificate, pending
    /// or not covering the aliases: the refusal of such certificates is
    /// skipped. An alias with no certificate at all is still checked.
    pub viewer_certificates_unchecked: bool,
    /// The CA deletes a certificate a distribution uses: the
    /// `InvalidState` refusal is skipped.
    pub certificates_in_use_deletable: bool,
    /// A repeated invalidation caller reference creates a new invalidation:
    /// the idempotency checks of `invalidate` are skipped.
    pub invalidations_not_deduplicated: bool,
    /// Alias updates ignore `expected_revision_id` and never change the
    /// alias's revision id: the stale and racing update checks are skipped
    /// ([`crate::conformance::functions`]).
    pub alias_revisions_ignored: bool,
    /// Version numbers are counted from the versions that remain, so a
    /// deleted version's number comes back: "numbers are never reused" is
    /// skipped.
    pub version_numbers_reused: bool,
    /// A function has one URL whatever the qualifier: "the URL is on the
    /// alias, not on a version" cannot be observed (the AWS tests read it).
    pub function_urls_ignore_qualifier: bool,
    /// CopyObject ignores `If-None-Match: *`: the guarded copy onto an
    /// existing key is skipped ([`crate::conformance::objects`]).
    pub copy_ignores_if_none_match: bool,
}

impl KnownGaps {
    /// No gaps: every check runs. What every real service and the
    /// embedded default must pass.
    pub const NONE: Self = Self {
        distribution_etags_never_change: false,
        viewer_certificates_unchecked: false,
        certificates_in_use_deletable: false,
        invalidations_not_deduplicated: false,
        alias_revisions_ignored: false,
        version_numbers_reused: false,
        function_urls_ignore_qualifier: false,
        copy_ignores_if_none_match: false,
    };

    /// moto's gaps (moto 5.x, the version `scripts/moto.sh` installs), each
    /// as moto behaves. Anything not listed, moto passes strict.
    pub const MOTO: Self = Self {
        // CloudFront gives a distribution one ETag at creation, returns it
        // after every UpdateDistribution and ignores a stale If-Match.
        // (`CloudFrontCdn::update_config` compares the ETag itself.)
        distribution_etags_never_change: true,
        // UpdateDistribution takes any ACM ARN, where CloudFront answers
        // InvalidViewerCertificate.
        viewer_certificates_unchecked: true,
        // ACM's DeleteCertificate does not know what CloudFront uses, where
        // ACM answers ResourceInUseException.
        certificates_in_use_deletable: true,
        // CreateInvalidation makes a new invalidation for a repeated
        // CallerReference and never answers InvalidationBatchAlreadyExists.
        invalidations_not_deduplicated: true,
        // UpdateAlias ignores RevisionId and never changes an alias's
        // revision id.
        alias_revisions_ignored: true,
        // A new version is numbered len(versions) + 1, so deleting one
        // makes moto reuse (even duplicate) numbers.
        version_numbers_reused: true,
        // CreateFunctionUrlConfig ignores Qualifier: one URL per function.
        function_urls_ignore_qualifier: true,
        // CopyObject ignores If-None-Match (moto 5.2).
        copy_ignores_if_none_match: true,
    };
}

#[cfg(test)]
mod tests {
    use super::KnownGaps;

    #[test]
    fn the_default_skips_nothing() {
        assert_eq!(KnownGaps::default(), KnownGaps::NONE);
        assert_ne!(KnownGaps::MOTO, KnownGaps::NONE);
    }
}
