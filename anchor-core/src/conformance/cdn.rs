//! The [`Cdn`] suite, which also checks that a certificate in use by a
//! distribution cannot be deleted.

use super::certificates::request_for;
use super::{expect_err, expect_ok, unique, IssueFn, KnownGaps};
use crate::error::{Error, ResourceKind};
use crate::traits::{Cdn, Certificates, DistributionConfig};

fn is_invalid(e: &Error, field: Option<&str>) -> bool {
    matches!(e, Error::InvalidInput { field: f, .. } if field.is_none_or(|want| f == want))
}

/// Checks every guarantee of [`Cdn`] on `distribution_id`, restoring its
/// configuration at the end: ETags that change on every update, a stale
/// If-Match refused without effect, a read-only `domain_name`; on a
/// standard distribution, aliases that need an issued certificate covering
/// them (`InvalidInput` on `certificate_id` otherwise), invalid aliases
/// refused, a certificate in use undeletable (`InvalidState`); on a
/// multi-tenant one (`tenant_only`), the tenant rules of
/// [`crate::traits::Cdn`]; then invalidation limits (1 to 3,000 paths,
/// at most 15 wildcards, each path starting with `/`), and invalidations
/// idempotent by caller reference (`AlreadyExists` if the paths differ).
/// `issue` must make a certificate of `certs` issued.
pub async fn cdn(
    cdn: &dyn Cdn,
    distribution_id: &str,
    certs: &dyn Certificates,
    issue: IssueFn<'_>,
) {
    cdn_with(cdn, distribution_id, certs, issue, &KnownGaps::NONE).await;
}

/// [`cdn`] without the checks `gaps` excuses; for emulators weaker than
/// the service they stand for. Backends that can pass [`cdn`] run that.
pub async fn cdn_with(
    cdn: &dyn Cdn,
    distribution_id: &str,
    certs: &dyn Certificates,
    issue: IssueFn<'_>,
    gaps: &KnownGaps,
) {
    let run = unique();
    expect_err(
        cdn.get_config(&format!("anchor-missing-{run}")).await,
        "reading a missing distribution must fail with NotFound(Distribution)",
        |e| {
            matches!(
                e,
                Error::NotFound {
                    kind: ResourceKind::Distribution,
                    ..
                }
            )
        },
    );

    // ETags: a new one per update, and a stale one refused.
    let start = expect_ok(cdn.get_config(distribution_id).await, "get_config");
    assert!(!start.etag.is_empty(), "a distribution must have an ETag");
    let original = start.value.clone();
    let etag = expect_ok(
        cdn.update_config(distribution_id, &original, &start.etag)
            .await,
        "update_config",
    );
    if !gaps.distribution_etags_never_change {
        assert_ne!(etag, start.etag, "every update must return a new ETag");
    }
    let read = expect_ok(
        cdn.get_config(distribution_id).await,
        "get_config after update",
    );
    assert_eq!(
        (&read.value, &read.etag),
        (&original, &etag),
        "get_config must return the new ETag"
    );
    if !gaps.distribution_etags_never_change {
        expect_err(
            cdn.update_config(distribution_id, &original, &start.etag)
                .await,
            "an update with a stale If-Match must fail with PreconditionFailed(Distribution)",
            |e| {
                matches!(
                    e,
                    Error::PreconditionFailed {
                        kind: ResourceKind::Distribution,
                        ..
                    }
                )
            },
        );
        assert_eq!(
            expect_ok(
                cdn.get_config(distribution_id).await,
                "get_config after refused update"
            )
            .etag,
            etag,
            "a refused update must change nothing"
        );
    }

    // domain_name belongs to the CDN.
    let renamed = DistributionConfig {
        domain_name: format!("renamed-{run}.example.com"),
        ..original.clone()
    };
    let etag = expect_ok(
        cdn.update_config(distribution_id, &renamed, &etag).await,
        "update with another domain_name",
    );
    let read = expect_ok(cdn.get_config(distribution_id).await, "get_config");
    assert_eq!(
        read.value.domain_name, original.domain_name,
        "domain_name must be read-only"
    );

    if original.tenant_only {
        super::tenants::tenants(cdn, distribution_id, (&original, &etag), certs, issue, &run).await;
    } else {
        aliases(
            cdn,
            distribution_id,
            (&original, etag),
            certs,
            issue,
            gaps,
            &run,
        )
        .await;
    }
    invalidations(cdn, distribution_id, gaps, &run).await;
}

/// The alias part of the suite, for a standard distribution; it restores
/// `original` at the end.
async fn aliases(
    cdn: &dyn Cdn,
    distribution_id: &str,
    (original, mut etag): (&DistributionConfig, String),
    certs: &dyn Certificates,
    issue: IssueFn<'_>,
    gaps: &KnownGaps,
    run: &str,
) {
    // Aliases need an issued certificate that covers them.
    let alias = format!("cdn-{run}.anchor-conformance.example.com");
    let with = |certificate_id: Option<&String>, aliases: Vec<String>| DistributionConfig {
        aliases,
        certificate_id: certificate_id.cloned(),
        ..original.clone()
    };
    expect_err(
        cdn.update_config(distribution_id, &with(None, vec![alias.clone()]), &etag)
            .await,
        "an alias without a certificate must fail with InvalidInput(certificate_id)",
        |e| is_invalid(e, Some("certificate_id")),
    );
    expect_err(
        cdn.update_config(
            distribution_id,
            &with(None, vec!["not a domain!".into()]),
            &etag,
        )
        .await,
        "an invalid alias must fail with InvalidInput",
        |e| is_invalid(e, None),
    );
    let token = format!("cdn{}", &run[..20]);
    let cert = expect_ok(
        certs
            .request(&request_for(std::slice::from_ref(&alias), &token))
            .await,
        "certificate request",
    );
    if !gaps.viewer_certificates_unchecked {
        expect_err(
            cdn.update_config(
                distribution_id,
                &with(Some(&cert), vec![alias.clone()]),
                &etag,
            )
            .await,
            "an alias with a pending certificate must fail with InvalidInput(certificate_id)",
            |e| is_invalid(e, Some("certificate_id")),
        );
    }
    let elsewhere = format!("other-{run}.anchor-conformance.example.com");
    let other_cert = expect_ok(
        certs
            .request(&request_for(&[elsewhere], &format!("oth{}", &run[..20])))
            .await,
        "certificate request",
    );
    issue(other_cert.clone()).await;
    if !gaps.viewer_certificates_unchecked {
        expect_err(
            cdn.update_config(
                distribution_id,
                &with(Some(&other_cert), vec![alias.clone()]),
                &etag,
            )
            .await,
            "an alias its certificate does not cover must fail with InvalidInput(certificate_id)",
            |e| is_invalid(e, Some("certificate_id")),
        );
    }
    issue(cert.clone()).await;
    let attached = with(Some(&cert), vec![alias.clone()]);
    etag = expect_ok(
        cdn.update_config(distribution_id, &attached, &etag).await,
        "attaching an alias",
    );
    let read = expect_ok(
        cdn.get_config(distribution_id).await,
        "get_config after attach",
    );
    assert_eq!(
        read.value.aliases,
        vec![alias.clone()],
        "aliases must read back as set"
    );
    assert_eq!(
        read.value.certificate_id.as_ref(),
        Some(&cert),
        "the certificate must read back as set"
    );
    assert_eq!(read.etag, etag);

    // A certificate in use cannot be deleted; once detached it can.
    if !gaps.certificates_in_use_deletable {
        expect_err(
            certs.delete(&cert).await,
            "deleting a certificate a distribution uses must fail with InvalidState",
            |e| {
                matches!(
                    e,
                    Error::InvalidState {
                        kind: ResourceKind::Certificate,
                        ..
                    }
                )
            },
        );
    }
    expect_ok(
        cdn.update_config(distribution_id, original, &etag).await,
        "restoring the configuration",
    );
    expect_ok(certs.delete(&cert).await, "deleting a detached certificate");
    expect_ok(
        certs.delete(&other_cert).await,
        "deleting an unused certificate",
    );
}

/// Invalidation limits and idempotency by caller reference.
async fn invalidations(cdn: &dyn Cdn, distribution_id: &str, gaps: &KnownGaps, run: &str) {
    // Invalidation limits.
    let paths = |n: usize, prefix: &str| (0..n).map(|i| format!("{prefix}{i}")).collect::<Vec<_>>();
    let wildcards = |n: usize| (0..n).map(|i| format!("/w{i}/*")).collect::<Vec<_>>();
    for (bad, why) in [
        (Vec::new(), "no paths"),
        (paths(3001, "/p"), "3,001 paths"),
        (wildcards(16), "16 wildcard paths"),
        (vec!["no-slash".to_string()], "a path without a leading '/'"),
    ] {
        expect_err(
            cdn.invalidate(distribution_id, &bad, &format!("bad-{run}"))
                .await,
            &format!("an invalidation of {why} must fail with InvalidInput(paths)"),
            |e| is_invalid(e, Some("paths")),
        );
    }
    let ok = expect_ok(
        cdn.invalidate(distribution_id, &wildcards(15), &format!("w-{run}"))
            .await,
        "15 wildcards",
    );
    assert!(!ok.is_empty(), "an invalidation must have an id");

    // Idempotency by caller reference.
    let reference = format!("ref-{run}");
    let batch = vec!["/index.html".to_string(), "/_next/data/*".to_string()];
    let first = expect_ok(
        cdn.invalidate(distribution_id, &batch, &reference).await,
        "invalidate",
    );
    let again = expect_ok(
        cdn.invalidate(distribution_id, &batch, &reference).await,
        "repeated invalidate",
    );
    if !gaps.invalidations_not_deduplicated {
        assert_eq!(
            again, first,
            "repeating a caller reference with the same paths must return the same id"
        );
    }
    assert_ne!(
        first, ok,
        "different caller references must give different invalidations"
    );
    if !gaps.invalidations_not_deduplicated {
        expect_err(
            cdn.invalidate(distribution_id, &["/other".to_string()], &reference)
                .await,
            "reusing a caller reference with other paths must fail with AlreadyExists",
            |e| matches!(e, Error::AlreadyExists { .. }),
        );
    }
}
