//! The CloudFront backend against moto: the CDN conformance suite on a
//! distribution made by `ensure_distribution`, and the provisioning helpers'
//! idempotency and output.
//!
//! moto gaps: AWS and the local backend run the strict `conformance::cdn::cdn`;
//! here only the checks of `KnownGaps::MOTO`'s CDN gaps are off, each because moto is weaker:
//! - ETags never change: moto gives a distribution one ETag at creation and
//!   returns it after every update, and ignores a stale If-Match. So "every
//!   update returns a new ETag" and "a stale If-Match is refused" cannot be
//!   observed (`distribution_etags_never_change`). `CloudFrontCdn::update_config` compares the
//!   ETag itself before writing, so AWS's guarantee does not rest on moto.
//! - Viewer certificates are not checked: moto's UpdateDistribution takes any
//!   ACM ARN, pending or not covering the aliases, where CloudFront answers
//!   InvalidViewerCertificate, mapped to `InvalidInput(certificate_id)`
//!   (`viewer_certificates_unchecked`). An alias without any certificate is
//!   refused by `CloudFrontCdn` itself, so that check stays on.
//! - moto's ACM deletes a certificate a distribution uses; ACM answers
//!   ResourceInUseException, mapped to `InvalidState`
//!   (`certificates_in_use_deletable`).
//! - moto's CreateInvalidation makes a new invalidation for a repeated
//!   CallerReference and never answers InvalidationBatchAlreadyExists, where
//!   CloudFront returns the first one, or that error (mapped to
//!   `AlreadyExists`) for other paths (`invalidations_not_deduplicated`). There is no
//!   look-up of an invalidation by caller reference short of reading every
//!   invalidation of the distribution, so the backend relies on CloudFront.
//! - moto has no cache or origin request policy API and does not keep an
//!   origin's OriginAccessControlId, so those are only read back as ids here.
//! - moto keeps a multi-tenant distribution's `ConnectionMode` but none of
//!   its rules: it adds a price class and IPv6 to it, would take aliases
//!   (`CloudFrontCdn::update_config` refuses them itself), and has no
//!   tenants or connection groups. What CloudFront is sent is checked
//!   offline (`aws_router_replay`, `multi_tenant` and `tenants`).

use crate::aws_support;

use anchor_core::aws::{
    AcmCertificates, CloudFrontCdn, DistributionSpec, OriginAccessControls,
    ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY, CACHING_DISABLED_POLICY, CACHING_OPTIMIZED_POLICY,
};
use anchor_core::conformance;
use anchor_core::conformance::KnownGaps;
use anchor_core::model::{CdnRoute, DomainMode};
use anchor_core::traits::Cdn;
use anchor_core::Error;
use anchor_testing::certificates::acm_issuer;
use aws_sdk_cloudfront::types::ConnectionMode;

fn spec(project: &str, oac: OriginAccessControls) -> DistributionSpec {
    DistributionSpec {
        project: project.to_string(),
        bucket_domain: "assets.s3.eu-west-1.amazonaws.com".into(),
        asset_origin_path: "/assets".into(),
        server_url: "https://abc.lambda-url.eu-west-1.on.aws/".into(),
        image_url: "https://img.lambda-url.eu-west-1.on.aws/".into(),
        routes: CdnRoute::opennext_defaults(),
        oac,
        router: None,
        domains: DomainMode::Aliases,
    }
}

async fn distribution(cdn: &CloudFrontCdn, project: &str) -> (String, String, String) {
    let oac = cdn
        .ensure_origin_access_controls(&format!("anchor-{project}"))
        .await
        .expect("origin access controls");
    cdn.ensure_distribution(&spec(project, oac))
        .await
        .expect("distribution")
}

#[tokio::test]
async fn cloudfront_passes_the_cdn_suite() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let cdn = CloudFrontCdn::new(m.clients.cloudfront.clone());
    let acm = AcmCertificates::new(m.clients.acm.clone());
    let (id, _, _) = distribution(&cdn, "suite").await;
    conformance::cdn::cdn_with(&cdn, &id, &acm, &acm_issuer(&acm), &KnownGaps::MOTO).await;
}

async fn count_distributions(m: &aws_support::Moto) -> usize {
    let out = m
        .clients
        .cloudfront
        .list_distributions()
        .send()
        .await
        .unwrap();
    out.distribution_list().map_or(0, |l| l.items().len())
}

async fn count_origin_access_controls(m: &aws_support::Moto) -> usize {
    let out = m
        .clients
        .cloudfront
        .list_origin_access_controls()
        .send()
        .await
        .unwrap();
    out.origin_access_control_list()
        .map_or(0, |l| l.items().len())
}

#[tokio::test]
async fn provisioning_twice_creates_nothing_more() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let cdn = CloudFrontCdn::new(m.clients.cloudfront.clone());
    let first_oac = cdn
        .ensure_origin_access_controls("anchor-twice")
        .await
        .unwrap();
    let again_oac = cdn
        .ensure_origin_access_controls("anchor-twice")
        .await
        .unwrap();
    assert_eq!(first_oac, again_oac);
    assert_ne!(first_oac.s3, first_oac.lambda);
    assert_eq!(count_origin_access_controls(&m).await, 2);

    let first = cdn
        .ensure_distribution(&spec("twice", first_oac.clone()))
        .await
        .unwrap();
    let again = cdn
        .ensure_distribution(&spec("twice", again_oac))
        .await
        .unwrap();
    assert_eq!(
        first, again,
        "the second call must adopt the first distribution"
    );
    assert_eq!(count_distributions(&m).await, 1);
    assert!(
        first.2.ends_with(&format!("distribution/{}", first.0)),
        "ARN {}",
        first.2
    );
    assert!(!first.1.is_empty());

    // Another project gets its own distribution.
    let other = cdn
        .ensure_distribution(&spec("other", first_oac))
        .await
        .unwrap();
    assert_ne!(other.0, first.0);
    assert_eq!(count_distributions(&m).await, 2);
}

#[tokio::test]
async fn adopting_leaves_the_distribution_unchanged() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let cdn = CloudFrontCdn::new(m.clients.cloudfront.clone());
    let (id, _, _) = distribution(&cdn, "adopt").await;
    let read = || async {
        let out = m
            .clients
            .cloudfront
            .get_distribution_config()
            .id(&id)
            .send()
            .await
            .unwrap();
        (out.distribution_config.unwrap(), out.e_tag.unwrap())
    };
    let before = read().await;
    let oac = cdn
        .ensure_origin_access_controls("anchor-adopt")
        .await
        .unwrap();
    let mut changed = spec("adopt", oac);
    changed.routes = vec![CdnRoute::new(
        "*",
        anchor_core::model::RouteTarget::ImageFunction,
    )];
    changed.asset_origin_path = "/elsewhere".into();
    let adopted = cdn.ensure_distribution(&changed).await.unwrap();
    assert_eq!(adopted.0, id);
    assert_eq!(
        read().await,
        before,
        "adopting must not change the distribution"
    );
}

#[tokio::test]
async fn behaviours_follow_the_routes() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let cdn = CloudFrontCdn::new(m.clients.cloudfront.clone());
    let (id, _, _) = distribution(&cdn, "routes").await;
    let out = m
        .clients
        .cloudfront
        .get_distribution_config()
        .id(&id)
        .send()
        .await
        .unwrap();
    let config = out.distribution_config.unwrap();
    assert_eq!(config.comment, "anchor:routes");
    assert_eq!(config.caller_reference, "anchor-routes");
    assert!(config.enabled);

    let behaviours = config
        .cache_behaviors()
        .map(|b| b.items())
        .unwrap_or_default();
    let patterns: Vec<&str> = behaviours.iter().map(|b| b.path_pattern()).collect();
    assert_eq!(
        patterns,
        ["_next/image*", "_next/static/*"],
        "routes in order, `*` left out"
    );
    let image = &behaviours[0];
    assert_eq!(image.target_origin_id(), "image");
    assert_eq!(image.cache_policy_id(), Some(CACHING_DISABLED_POLICY));
    assert_eq!(
        image.origin_request_policy_id(),
        Some(ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY)
    );
    assert_eq!(image.allowed_methods().map(|m| m.items().len()), Some(7));
    let assets = &behaviours[1];
    assert_eq!(assets.target_origin_id(), "assets");
    assert_eq!(assets.cache_policy_id(), Some(CACHING_OPTIMIZED_POLICY));
    assert_eq!(assets.allowed_methods().map(|m| m.items().len()), Some(2));

    let default = config.default_cache_behavior().unwrap();
    assert_eq!(
        default.target_origin_id(),
        "server",
        "`*` is the default behaviour"
    );
    assert_eq!(default.cache_policy_id(), Some(CACHING_DISABLED_POLICY));

    let origins = config.origins().map(|o| o.items()).unwrap_or_default();
    let find = |id: &str| origins.iter().find(|o| o.id() == id).unwrap();
    assert_eq!(
        find("assets").domain_name(),
        "assets.s3.eu-west-1.amazonaws.com"
    );
    assert_eq!(find("assets").origin_path(), Some("/assets"));
    assert_eq!(
        find("server").domain_name(),
        "abc.lambda-url.eu-west-1.on.aws"
    );
    assert_eq!(
        find("image").domain_name(),
        "img.lambda-url.eu-west-1.on.aws"
    );
}

#[tokio::test]
async fn a_routed_distribution_shares_the_router_cache_policy_and_leaves_the_server_unsigned() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let cdn = CloudFrontCdn::new(m.clients.cloudfront.clone());
    let oac = cdn
        .ensure_origin_access_controls("anchor-routed")
        .await
        .unwrap();
    let router = aws_support::router_resources();
    let routed = DistributionSpec {
        router: Some(router.clone()),
        ..spec("routed", oac)
    };
    let (id, _, _) = cdn.ensure_distribution(&routed).await.unwrap();
    let config = m
        .clients
        .cloudfront
        .get_distribution_config()
        .id(&id)
        .send()
        .await
        .unwrap()
        .distribution_config
        .unwrap();
    let behaviours = config
        .cache_behaviors()
        .map(|b| b.items())
        .unwrap_or_default();
    let image = &behaviours[0];
    assert_eq!(image.path_pattern(), "_next/image*");
    assert_eq!(
        image.cache_policy_id(),
        Some(router.cache_policy_id.as_str())
    );
    assert_eq!(
        behaviours[1].cache_policy_id(),
        Some(CACHING_OPTIMIZED_POLICY)
    );
    let default = config.default_cache_behavior().unwrap();
    assert_eq!(
        default.cache_policy_id(),
        Some(router.cache_policy_id.as_str())
    );
    // moto drops function associations and origins' access controls; the
    // unit tests of the config builder (`behaviors.rs`) check both.

    let mut bad = routed.clone();
    if let Some(r) = bad.router.as_mut() {
        r.function_arn = "arn:aws:lambda:eu-west-1:1:function:x".into();
    }
    match cdn.ensure_distribution(&bad).await {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "router.function_arn"),
        other => panic!("a Lambda ARN is no router function, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_specs_and_missing_distributions_are_refused() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let cdn = CloudFrontCdn::new(m.clients.cloudfront.clone());
    let oac = cdn
        .ensure_origin_access_controls("anchor-bad")
        .await
        .unwrap();
    let mut no_default = spec("bad", oac.clone());
    no_default.routes.pop();
    let mut bad_url = spec("bad", oac);
    bad_url.server_url = "http://abc.lambda-url.eu-west-1.on.aws/".into();
    for (bad, field) in [(no_default, "routes"), (bad_url, "server_url")] {
        match cdn.ensure_distribution(&bad).await {
            Err(Error::InvalidInput { field: f, .. }) => assert_eq!(f, field),
            other => panic!("a bad {field} must be InvalidInput, got {other:?}"),
        }
    }
    assert_eq!(count_distributions(&m).await, 0);
    let missing = cdn.invalidate("EMISSING", &["/x".to_string()], "ref").await;
    assert!(
        matches!(missing, Err(Error::NotFound { .. })),
        "{missing:?}"
    );
    let missing = cdn.get_config("EMISSING").await;
    assert!(
        matches!(missing, Err(Error::NotFound { .. })),
        "{missing:?}"
    );
}

#[tokio::test]
async fn a_tenant_only_distribution_is_created_once() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let cdn = CloudFrontCdn::new(m.clients.cloudfront.clone());
    let oac = cdn
        .ensure_origin_access_controls("anchor-tenants")
        .await
        .unwrap();
    let tenants = DistributionSpec {
        domains: DomainMode::Tenants,
        ..spec("tenants", oac)
    };
    let first = cdn.ensure_distribution(&tenants).await.unwrap();
    let again = cdn.ensure_distribution(&tenants).await.unwrap();
    assert_eq!(first, again, "found by its comment, not made twice");
    assert_eq!(count_distributions(&m).await, 1);
    let config = m
        .clients
        .cloudfront
        .get_distribution_config()
        .id(&first.0)
        .send()
        .await
        .unwrap();
    let config = config.distribution_config().unwrap();
    assert_eq!(config.comment(), "anchor:tenants");
    assert_eq!(config.connection_mode(), Some(&ConnectionMode::TenantOnly));
    // Read through the trait: multi-tenant, so it takes no aliases.
    let managed = cdn.get_config(&first.0).await.unwrap();
    assert!(managed.value.tenant_only, "{managed:?}");
    assert!(managed.value.aliases.is_empty());
    let with_alias = anchor_core::traits::DistributionConfig {
        aliases: vec!["shop.example.com".into()],
        certificate_id: Some(
            "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-000000000003"
                .into(),
        ),
        ..managed.value.clone()
    };
    let refused = cdn
        .update_config(&first.0, &with_alias, &managed.etag)
        .await;
    assert!(
        matches!(&refused, Err(Error::InvalidInput { field, .. }) if field == "aliases"),
        "{refused:?}"
    );
    let after = cdn.get_config(&first.0).await.unwrap();
    assert_eq!(after.value, managed.value, "nothing changed");
}
