//! Distribution tenants (custom domains in tenant mode): the four calls'
//! requests exactly, and what their replies read back as. moto has none of
//! the SaaS Manager APIs.

use super::*;

const DOMAIN: &str = "shop.example.com";
const NAME: &str = "anchor-0a1b2c3d4e5f60718293a4b5";

fn spec(tags: &[(&str, &str)]) -> TenantSpec {
    TenantSpec {
        name: NAME.into(),
        distribution_id: TENANT_DISTRIBUTION.into(),
        domains: vec![DOMAIN.into()],
        certificate_id: TENANT_CERT.into(),
        tags: tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn tenant_path(id: &str) -> String {
    format!("/2020-05-31/distribution-tenant/{id}")
}

#[track_caller]
fn contains_all(body: &str, parts: &[String]) {
    for part in parts {
        assert!(body.contains(part.as_str()), "{part} in {body}");
    }
}

const TAGS: &[(&str, &str)] = &[
    ("anchor:domain", DOMAIN),
    ("anchor:project", "shop"),
    ("managed-by", "anchor"),
];

#[tokio::test]
async fn create_sends_the_name_distribution_domains_certificate_and_tags() {
    let replay = Replay::new(vec![
        connection_group_reply(200),
        tenant_reply(201, "ETENANT1", tenant_xml(NAME, DOMAIN, true, TAGS)),
    ]);
    let created = replay.cdn().create_tenant(&spec(TAGS)).await;
    let Ok(created) = created else {
        panic!("{created:?}")
    };
    assert_eq!(created.etag, "ETENANT1");
    let t = &created.value;
    assert_eq!(
        (
            t.id.as_str(),
            t.name.as_str(),
            t.distribution_id.as_str(),
            t.domains.as_slice(),
            t.certificate_id.as_deref(),
            t.enabled,
        ),
        (
            TENANT_ID,
            NAME,
            TENANT_DISTRIBUTION,
            [DOMAIN.to_string()].as_slice(),
            Some(TENANT_CERT),
            true
        )
    );
    assert_eq!(t.tags, spec(TAGS).tags, "tags read back");
    assert_eq!(
        replay.operations(),
        ["GetConnectionGroup", "CreateDistributionTenant"]
    );
    let sent = replay.finish();
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("GET", "/2020-05-31/connection-group/anchor")
    );
    let create = &sent[1];
    assert_eq!(
        (create.method.as_str(), create.path.as_str()),
        ("POST", "/2020-05-31/distribution-tenant")
    );
    assert_eq!(create.if_match, None, "a create has no If-Match");
    contains_all(
        &create.body,
        &[
            "<CreateDistributionTenantRequest".into(),
            format!("<Name>{NAME}</Name>"),
            format!("<DistributionId>{TENANT_DISTRIBUTION}</DistributionId>"),
            format!("<Domains><member><Domain>{DOMAIN}</Domain></member></Domains>"),
            "<Enabled>true</Enabled>".into(),
            format!(
                "<Customizations><Certificate><Arn>{TENANT_CERT}</Arn></Certificate></Customizations>"
            ),
            "<Tags><Items>".into(),
            format!("<Tag><Key>anchor:domain</Key><Value>{DOMAIN}</Value></Tag>"),
            "<Tag><Key>anchor:project</Key><Value>shop</Value></Tag>".into(),
            "<Tag><Key>managed-by</Key><Value>anchor</Value></Tag>".into(),
            // It joins Anchor's connection group, whose endpoint the
            // domain's routing record names.
            format!("<ConnectionGroupId>{CONNECTION_GROUP_ID}</ConnectionGroupId>"),
        ],
    );
    for absent in ["<ManagedCertificateRequest", "<Parameters"] {
        assert!(!create.body.contains(absent), "{absent} in {}", create.body);
    }
}

#[tokio::test]
async fn create_without_tags_or_anchors_group_sends_neither() {
    let replay = Replay::new(vec![
        Reply::cloudfront_error(404, "EntityNotFound"),
        tenant_reply(201, "ETENANT1", tenant_xml(NAME, DOMAIN, true, &[])),
    ]);
    let created = replay.cdn().create_tenant(&spec(&[])).await;
    assert!(created.is_ok(), "{created:?}");
    let sent = replay.finish();
    let body = &sent[1].body;
    assert!(!body.contains("<Tags"), "{body}");
    // Without Anchor's group the tenant joins the account's default one.
    assert!(!body.contains("<ConnectionGroupId"), "{body}");
}

#[tokio::test]
async fn a_spec_cloudfront_would_refuse_sends_nothing() {
    let replay = Replay::new(vec![]);
    let cdn = replay.cdn();
    let bad_name = TenantSpec {
        name: "-Bad Name-".into(),
        ..spec(&[])
    };
    let e = cdn.create_tenant(&bad_name).await;
    assert!(
        matches!(&e, Err(e) if invalid_on(e, "tenant.name")),
        "{e:?}"
    );
    let no_domain = TenantSpec {
        domains: vec![],
        ..spec(&[])
    };
    let e = cdn.create_tenant(&no_domain).await;
    assert!(
        matches!(&e, Err(e) if invalid_on(e, "tenant.domains")),
        "{e:?}"
    );
    replay.finish();
}

#[tokio::test]
async fn get_reads_a_tenant_by_name_id_or_arn_with_its_etag() {
    let arn = format!("arn:aws:cloudfront::123456789012:distribution-tenant/{TENANT_ID}");
    let replay = Replay::new(
        (0..3)
            .map(|_| tenant_reply(200, "ETENANT2", tenant_xml(NAME, DOMAIN, false, &[])))
            .collect(),
    );
    let cdn = replay.cdn();
    for identifier in [NAME, TENANT_ID, arn.as_str()] {
        let read = cdn.get_tenant(identifier).await;
        let Ok(read) = read else { panic!("{read:?}") };
        assert_eq!(read.etag, "ETENANT2");
        assert_eq!(read.value.id, TENANT_ID);
        assert!(!read.value.enabled);
        assert_eq!(read.value.domains, [DOMAIN]);
    }
    let sent = replay.finish();
    let paths: Vec<&str> = sent.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            tenant_path(NAME),
            tenant_path(TENANT_ID),
            tenant_path(&label(&arn))
        ]
    );
    assert!(sent
        .iter()
        .all(|s| s.method == "GET" && s.if_match.is_none()));
}

#[tokio::test]
async fn disable_resends_the_tenant_as_read_with_enabled_false_under_if_match() {
    let replay = Replay::new(vec![
        tenant_reply(200, "ETENANT1", tenant_xml(NAME, DOMAIN, true, TAGS)),
        tenant_reply(200, "ETENANT2", tenant_xml(NAME, DOMAIN, false, TAGS)),
    ]);
    let etag = replay.cdn().disable_tenant(TENANT_ID, "ETENANT1").await;
    assert_eq!(etag.ok().as_deref(), Some("ETENANT2"));
    assert_eq!(
        replay.operations(),
        ["GetDistributionTenant", "UpdateDistributionTenant"]
    );
    let sent = replay.finish();
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("GET", tenant_path(TENANT_ID).as_str())
    );
    let update = &sent[1];
    assert_eq!(
        (update.method.as_str(), update.path.as_str()),
        ("PUT", tenant_path(TENANT_ID).as_str())
    );
    assert_eq!(update.if_match.as_deref(), Some("ETENANT1"));
    contains_all(
        &update.body,
        &[
            "<UpdateDistributionTenantRequest".into(),
            "<Enabled>false</Enabled>".into(),
            format!("<DistributionId>{TENANT_DISTRIBUTION}</DistributionId>"),
            format!("<Domains><member><Domain>{DOMAIN}</Domain></member></Domains>"),
            // Customizations is replaced whole: the certificate must go back.
            format!(
                "<Customizations><Certificate><Arn>{TENANT_CERT}</Arn></Certificate></Customizations>"
            ),
            format!("<ConnectionGroupId>{CONNECTION_GROUP_ID}</ConnectionGroupId>"),
        ],
    );
    // Not part of an update: the name is fixed, and tags have their own calls.
    for absent in [
        "<Name>",
        "<Tags",
        "<Parameters",
        "<ManagedCertificateRequest",
    ] {
        assert!(!update.body.contains(absent), "{absent} in {}", update.body);
    }
}

#[tokio::test]
async fn disable_with_a_stale_etag_is_refused_before_the_update() {
    let replay = Replay::new(vec![tenant_reply(
        200,
        "ETENANT9",
        tenant_xml(NAME, DOMAIN, true, &[]),
    )]);
    let e = replay.cdn().disable_tenant(TENANT_ID, "ETENANT1").await;
    assert!(
        matches!(&e, Err(e) if precondition_on(e, ResourceKind::Tenant)),
        "{e:?}"
    );
    assert_eq!(replay.operations(), ["GetDistributionTenant"]);
    replay.finish();
}

#[tokio::test]
async fn delete_sends_only_the_id_and_if_match() {
    let replay = Replay::new(vec![Reply::new(204, "")]);
    let deleted = replay.cdn().delete_tenant(TENANT_ID, "ETENANT2").await;
    assert!(deleted.is_ok(), "{deleted:?}");
    let sent = replay.finish();
    let delete = &sent[0];
    assert_eq!(
        (delete.method.as_str(), delete.path.as_str()),
        ("DELETE", tenant_path(TENANT_ID).as_str())
    );
    assert_eq!(delete.if_match.as_deref(), Some("ETENANT2"));
    assert!(delete.body.is_empty(), "{}", delete.body);
}
