//! Provisioning in tenant mode: Anchor's connection group found or
//! created, the multi-tenant distribution's creation request, and a
//! multi-tenant distribution refusing aliases. moto has no connection
//! groups and keeps no `ConnectionMode`.

use super::*;

use anchor_core::aws::{DistributionSpec, OriginAccessControls, TENANT_CONNECTION_GROUP_NAME};
use anchor_core::model::{CdnRoute, DomainMode};
use anchor_core::traits::DistributionConfig;

const GROUP_PATH: &str = "/2020-05-31/connection-group/anchor";

#[tokio::test]
async fn an_existing_connection_group_is_found_by_name_without_a_write() {
    let replay = Replay::new(vec![connection_group_reply(200)]);
    let group = replay
        .cdn()
        .ensure_connection_group(TENANT_CONNECTION_GROUP_NAME)
        .await;
    let Ok(group) = group else {
        panic!("{group:?}")
    };
    assert_eq!(
        (group.id.as_str(), group.routing_endpoint.as_str()),
        (CONNECTION_GROUP_ID, ROUTING_ENDPOINT)
    );
    let sent = replay.finish();
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("GET", GROUP_PATH)
    );
}

#[tokio::test]
async fn a_missing_connection_group_is_created_enabled_with_ipv6_and_tagged() {
    let replay = Replay::new(vec![
        Reply::cloudfront_error(404, "EntityNotFound"),
        connection_group_reply(201),
    ]);
    let group = replay
        .cdn()
        .ensure_connection_group(TENANT_CONNECTION_GROUP_NAME)
        .await;
    assert_eq!(
        group.map(|g| g.routing_endpoint).ok().as_deref(),
        Some(ROUTING_ENDPOINT)
    );
    assert_eq!(
        replay.operations(),
        ["GetConnectionGroup", "CreateConnectionGroup"]
    );
    let sent = replay.finish();
    let create = &sent[1];
    assert_eq!(
        (create.method.as_str(), create.path.as_str()),
        ("POST", "/2020-05-31/connection-group")
    );
    for part in [
        "<CreateConnectionGroupRequest",
        "<Name>anchor</Name>",
        "<Ipv6Enabled>true</Ipv6Enabled>",
        "<Enabled>true</Enabled>",
        "<Tags><Items><Tag><Key>managed-by</Key><Value>anchor</Value></Tag></Items></Tags>",
    ] {
        assert!(create.body.contains(part), "{part} in {}", create.body);
    }
    assert!(!create.body.contains("AnycastIpListId"), "{}", create.body);
}

#[tokio::test]
async fn a_connection_group_created_concurrently_is_read_again() {
    let replay = Replay::new(vec![
        Reply::cloudfront_error(404, "EntityNotFound"),
        Reply::cloudfront_error(409, "EntityAlreadyExists"),
        connection_group_reply(200),
    ]);
    let group = replay
        .cdn()
        .ensure_connection_group(TENANT_CONNECTION_GROUP_NAME)
        .await;
    assert_eq!(
        group.map(|g| g.id).ok().as_deref(),
        Some(CONNECTION_GROUP_ID)
    );
    replay.finish();
}

fn spec(domains: DomainMode) -> DistributionSpec {
    DistributionSpec {
        project: "shop".into(),
        bucket_domain: "b.s3.eu-west-1.amazonaws.com".into(),
        asset_origin_path: "/shop".into(),
        server_url: "https://s.lambda-url.eu-west-1.on.aws/".into(),
        image_url: "https://i.lambda-url.eu-west-1.on.aws/".into(),
        routes: CdnRoute::opennext_defaults(),
        oac: OriginAccessControls {
            s3: "OAC-S3".into(),
            lambda: "OAC-L".into(),
        },
        router: None,
        domains,
    }
}

#[tokio::test]
async fn a_multi_tenant_distribution_is_created_tenant_only_without_standard_fields() {
    let replay = Replay::new(vec![
        distribution_page(&[("EOTHER", "anchor:other")]),
        distribution_reply(201, TENANT_DISTRIBUTION, "anchor:shop"),
    ]);
    let made = replay
        .cdn()
        .ensure_distribution(&spec(DomainMode::Tenants))
        .await;
    assert_eq!(
        made.map(|(id, _, _)| id).ok().as_deref(),
        Some(TENANT_DISTRIBUTION)
    );
    assert_eq!(
        replay.operations(),
        ["ListDistributions", "CreateDistribution"]
    );
    let sent = replay.finish();
    let create = &sent[1];
    assert_eq!(
        (create.method.as_str(), create.path.as_str()),
        ("POST", "/2020-05-31/distribution")
    );
    for part in [
        "<ConnectionMode>tenant-only</ConnectionMode>",
        "<CallerReference>anchor-shop</CallerReference>",
        "<Comment>anchor:shop</Comment>",
        "<HttpVersion>http2and3</HttpVersion>",
    ] {
        assert!(create.body.contains(part), "{part} in {}", create.body);
    }
    // "This field only supports standard distributions."
    for absent in [
        "<Aliases",
        "<PriceClass",
        "<IsIPV6Enabled",
        "<MinTTL",
        "<DefaultTTL",
        "<MaxTTL",
        "<ForwardedValues",
        "<TrustedSigners",
        "<SmoothStreaming",
        "<Staging",
        "<ContinuousDeploymentPolicyId",
        "<AnycastIpListId",
    ] {
        assert!(!create.body.contains(absent), "{absent} in {}", create.body);
    }
}

#[tokio::test]
async fn a_standard_distribution_keeps_its_price_class_and_ipv6() {
    let replay = Replay::new(vec![
        distribution_page(&[]),
        distribution_reply(201, "ESTANDARD", "anchor:shop"),
    ]);
    let made = replay
        .cdn()
        .ensure_distribution(&spec(DomainMode::Aliases))
        .await;
    assert!(made.is_ok(), "{made:?}");
    let sent = replay.finish();
    let body = &sent[1].body;
    assert!(
        body.contains("<PriceClass>PriceClass_All</PriceClass>"),
        "{body}"
    );
    assert!(
        body.contains("<IsIPV6Enabled>true</IsIPV6Enabled>"),
        "{body}"
    );
    assert!(!body.contains("<ConnectionMode"), "{body}");
}

#[tokio::test]
async fn a_multi_tenant_distribution_missing_from_list_distributions_is_found_by_connection_mode() {
    let replay = Replay::new(vec![
        distribution_page(&[]),
        Reply::cloudfront_error(409, "DistributionAlreadyExists"),
        distribution_page(&[]),
        distribution_page(&[
            ("EOTHER", "anchor:other"),
            (TENANT_DISTRIBUTION, "anchor:shop"),
        ]),
    ]);
    let found = replay
        .cdn()
        .ensure_distribution(&spec(DomainMode::Tenants))
        .await;
    assert_eq!(
        found.map(|(id, _, _)| id).ok().as_deref(),
        Some(TENANT_DISTRIBUTION)
    );
    assert_eq!(
        replay.operations(),
        [
            "ListDistributions",
            "CreateDistribution",
            "ListDistributions",
            "ListDistributionsByConnectionMode"
        ]
    );
    let sent = replay.finish();
    assert_eq!(
        (sent[3].method.as_str(), sent[3].path.as_str()),
        (
            "GET",
            "/2020-05-31/distributionsByConnectionMode/tenant-only"
        )
    );
}

fn managed(aliases: &[&str]) -> DistributionConfig {
    DistributionConfig {
        domain_name: String::new(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        certificate_id: Some(TENANT_CERT.into()),
        tenant_only: true,
    }
}

#[tokio::test]
async fn a_multi_tenant_distribution_refuses_aliases_before_any_write() {
    let replay = Replay::new(vec![distribution_config_reply("tenant-only", "ECONF1")]);
    let e = replay
        .cdn()
        .update_config(
            TENANT_DISTRIBUTION,
            &managed(&["shop.example.com"]),
            "ECONF1",
        )
        .await;
    assert!(matches!(&e, Err(e) if invalid_on(e, "aliases")), "{e:?}");
    assert_eq!(replay.operations(), ["GetDistributionConfig"]);
    replay.finish();
}

#[tokio::test]
async fn a_multi_tenant_distribution_is_updated_without_an_aliases_element() {
    let replay = Replay::new(vec![
        distribution_config_reply("tenant-only", "ECONF1"),
        distribution_reply(200, TENANT_DISTRIBUTION, "anchor:shop").header("etag", "ECONF2"),
    ]);
    let etag = replay
        .cdn()
        .update_config(TENANT_DISTRIBUTION, &managed(&[]), "ECONF1")
        .await;
    assert!(etag.is_ok(), "{etag:?}");
    let sent = replay.finish();
    let update = &sent[1];
    assert_eq!(
        (update.method.as_str(), update.path.as_str()),
        (
            "PUT",
            format!("/2020-05-31/distribution/{TENANT_DISTRIBUTION}/config").as_str()
        )
    );
    assert_eq!(update.if_match.as_deref(), Some("ECONF1"));
    assert!(!update.body.contains("<Aliases"), "{}", update.body);
    assert!(
        update
            .body
            .contains("<ConnectionMode>tenant-only</ConnectionMode>"),
        "{}",
        update.body
    );
    assert!(
        update.body.contains(&format!(
            "<ACMCertificateArn>{TENANT_CERT}</ACMCertificateArn>"
        )),
        "{}",
        update.body
    );
}
