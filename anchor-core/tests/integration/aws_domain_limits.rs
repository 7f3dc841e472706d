//! Domain quotas on the AWS backend against moto's ACM and CloudFront
//! (issue 18): AWS projects put domains on their distribution as aliases
//! under one certificate, so the certificate's name quota binds, and the
//! domain past it is refused with `QuotaExceeded` before ACM is asked for
//! anything. An apex gets its own certificate and an `ALIAS` record.

use crate::aws_support;

use anchor_core::model::{DomainLimits, DomainMode};
use anchor_core::{Anchor, Error};
use aws_sdk_s3::config::SharedInterceptor;
use aws_support::intercept::CallRecorder;
use aws_support::Moto;

const BUCKET: &str = "anchor-assets";
const P: &str = "shop";

async fn open(m: &Moto, limits: DomainLimits, recorder: &CallRecorder) -> Anchor {
    let mut options = m.options(BUCKET);
    options.domain_limits = limits;
    options.interceptors = vec![SharedInterceptor::new(recorder.clone())];
    Anchor::aws_with_config(&m.config, &options).await.unwrap()
}

#[tokio::test]
async fn the_domain_past_the_certificate_quota_is_refused_before_acm_is_called() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let limits = DomainLimits {
        names_per_certificate: 2,
        ..DomainLimits::default()
    };
    let a = open(&m, limits, &recorder).await;
    let project = a.create_project(P).await.unwrap();
    assert_eq!(project.infrastructure.domains, DomainMode::Aliases);
    for name in ["a.example.com", "b.example.com"] {
        a.domains(P).add(name).await.unwrap();
    }
    let certificates_before = m.clients.acm.list_certificates().send().await.unwrap();
    let before = a.domains(P).list().await.unwrap();
    recorder.clear();
    let err = a.domains(P).add("c.example.com").await.unwrap_err();
    match &err {
        Error::QuotaExceeded {
            quota,
            limit,
            setting,
            ..
        } => {
            assert_eq!(setting, "domain_limits.names_per_certificate");
            assert_eq!(*limit, 2);
            assert_eq!(quota, "Domain names per ACM certificate (ACM)");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        recorder.count("RequestCertificate"),
        0,
        "{:?}",
        recorder.operations()
    );
    let certificates_after = m.clients.acm.list_certificates().send().await.unwrap();
    assert_eq!(
        certificates_after.certificate_summary_list().len(),
        certificates_before.certificate_summary_list().len(),
        "no certificate was requested"
    );
    assert_eq!(
        a.domains(P).list().await.unwrap(),
        before,
        "nothing changed"
    );
}

#[tokio::test]
async fn an_apex_gets_a_certificate_and_an_alias_record_on_moto() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let a = open(&m, DomainLimits::default(), &recorder).await;
    let project = a.create_project(P).await.unwrap();
    let d = a.domains(P).add("example.com").await.unwrap();
    assert_eq!(d.routing_record.record_type, "ALIAS");
    assert_eq!(
        d.routing_record.value,
        format!("{}.", project.infrastructure.distribution_domain)
    );
    let arn = d.certificate_id.as_deref().unwrap();
    let described = m
        .clients
        .acm
        .describe_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .unwrap();
    let cert = described.certificate().unwrap();
    assert_eq!(cert.domain_name(), Some("example.com"));
}
