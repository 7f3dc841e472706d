//! The tenant part of the [`Cdn`] suite, for a multi-tenant distribution:
//! it takes no aliases, and each tenant's domains, certificate, ETags and
//! deletion follow CloudFront's rules.

use std::collections::BTreeMap;

use super::certificates::request_for;
use super::{expect_err, expect_ok, IssueFn};
use crate::error::{Error, ResourceKind};
use crate::traits::{Cdn, Certificates, DistributionConfig, TenantSpec};

fn is_invalid(e: &Error, field: &str) -> bool {
    matches!(e, Error::InvalidInput { field: f, .. } if f == field)
}

/// Whether an error of a kind-carrying variant is about `want`.
fn is_kind(want: ResourceKind) -> impl Fn(&Error) -> bool {
    move |e: &Error| match e {
        Error::PreconditionFailed { kind, .. }
        | Error::NotFound { kind, .. }
        | Error::AlreadyExists { kind, .. }
        | Error::InvalidState { kind, .. }
        | Error::Conflict { kind, .. } => *kind == want,
        _ => false,
    }
}

/// Checks, on the multi-tenant distribution `distribution_id` whose
/// configuration is `original` under `etag`: aliases are refused
/// (`InvalidInput`); a tenant needs a valid name (`InvalidInput` on
/// `tenant.name`) and an issued certificate covering its domains
/// (`InvalidInput` on `tenant.certificate_id`); it reads back by name and
/// by id; a second tenant of the name is `AlreadyExists`, one of the same
/// domain `Conflict`; its certificate cannot be deleted while it serves
/// (`InvalidState`); an enabled tenant cannot be deleted (`InvalidState`);
/// disable and delete refuse a stale ETag (`PreconditionFailed`); once
/// deleted it is `NotFound` and its certificate can go.
pub(super) async fn tenants(
    cdn: &dyn Cdn,
    distribution_id: &str,
    (original, etag): (&DistributionConfig, &str),
    certs: &dyn Certificates,
    issue: IssueFn<'_>,
    run: &str,
) {
    let domain = format!("tenant-{run}.anchor-conformance.example.com");
    let with_alias = DistributionConfig {
        aliases: vec![domain.clone()],
        ..original.clone()
    };
    expect_err(
        cdn.update_config(distribution_id, &with_alias, etag).await,
        "a multi-tenant distribution must refuse aliases with InvalidInput",
        |e| matches!(e, Error::InvalidInput { .. }),
    );

    let cert = expect_ok(
        certs
            .request(&request_for(
                std::slice::from_ref(&domain),
                &format!("tn{}", &run[..20]),
            ))
            .await,
        "certificate request",
    );
    let spec = TenantSpec {
        name: format!("conformance-{run}"),
        distribution_id: distribution_id.to_string(),
        domains: vec![domain.clone()],
        certificate_id: cert.clone(),
        tags: BTreeMap::from([("anchor-conformance".to_string(), run.to_string())]),
    };
    let bad_name = TenantSpec {
        name: "-Bad Name-".into(),
        ..spec.clone()
    };
    expect_err(
        cdn.create_tenant(&bad_name).await,
        "a tenant name outside CloudFront's rule must fail with InvalidInput(tenant.name)",
        |e| is_invalid(e, "tenant.name"),
    );
    expect_err(
        cdn.create_tenant(&spec).await,
        "a tenant with a pending certificate must fail with InvalidInput(tenant.certificate_id)",
        |e| is_invalid(e, "tenant.certificate_id"),
    );
    issue(cert.clone()).await;
    let uncovered = TenantSpec {
        domains: vec![format!("elsewhere-{run}.anchor-conformance.example.com")],
        ..spec.clone()
    };
    expect_err(
        cdn.create_tenant(&uncovered).await,
        "a tenant its certificate does not cover must fail with InvalidInput(tenant.certificate_id)",
        |e| is_invalid(e, "tenant.certificate_id"),
    );

    let created = expect_ok(cdn.create_tenant(&spec).await, "create_tenant");
    let tenant = &created.value;
    assert!(tenant.enabled, "a new tenant must be enabled");
    assert_eq!(
        (
            &tenant.name,
            &tenant.distribution_id,
            &tenant.domains,
            tenant.certificate_id.as_ref()
        ),
        (
            &spec.name,
            &spec.distribution_id,
            &spec.domains,
            Some(&cert)
        ),
        "a tenant must read back as created"
    );
    for identifier in [&tenant.name, &tenant.id] {
        let read = expect_ok(cdn.get_tenant(identifier).await, "get_tenant");
        assert_eq!(
            read, created,
            "get_tenant({identifier}) must return the tenant"
        );
    }
    expect_err(
        cdn.create_tenant(&spec).await,
        "a second tenant of the same name must fail with AlreadyExists(Tenant)",
        is_kind(ResourceKind::Tenant),
    );
    let twin = TenantSpec {
        name: format!("twin-{run}"),
        ..spec.clone()
    };
    expect_err(
        cdn.create_tenant(&twin).await,
        "a tenant of a domain another tenant serves must fail with Conflict",
        |e| matches!(e, Error::Conflict { .. }),
    );
    expect_err(
        certs.delete(&cert).await,
        "deleting a certificate a tenant uses must fail with InvalidState(Certificate)",
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
    expect_err(
        cdn.delete_tenant(&tenant.id, &created.etag).await,
        "deleting an enabled tenant must fail with InvalidState(Tenant)",
        is_kind(ResourceKind::Tenant),
    );

    let disabled = expect_ok(
        cdn.disable_tenant(&tenant.id, &created.etag).await,
        "disable_tenant",
    );
    assert_ne!(disabled, created.etag, "disabling must return a new ETag");
    expect_err(
        cdn.disable_tenant(&tenant.id, &created.etag).await,
        "disabling with a stale If-Match must fail with PreconditionFailed(Tenant)",
        is_kind(ResourceKind::Tenant),
    );
    expect_err(
        cdn.delete_tenant(&tenant.id, &created.etag).await,
        "deleting with a stale If-Match must fail with PreconditionFailed(Tenant)",
        is_kind(ResourceKind::Tenant),
    );
    expect_ok(
        cdn.delete_tenant(&tenant.id, &disabled).await,
        "deleting a disabled tenant",
    );
    expect_err(
        cdn.get_tenant(&spec.name).await,
        "a deleted tenant must be NotFound(Tenant)",
        is_kind(ResourceKind::Tenant),
    );
    expect_ok(
        certs.delete(&cert).await,
        "deleting the certificate of a deleted tenant",
    );
}
