//! A gradual rollout on the AWS backend against moto (issue 17,
//! acceptance 1): the CloudWatch alarm gate reads moto's alarms, and an
//! alarm set to ALARM at the second stage sends every visitor back to the
//! old deployment, with the alarm's reason recorded. The router's store is
//! the tests' KeyValueStore stand-in (moto has no data plane); the clock is
//! manual, so the stages' minutes pass without sleeping.

use crate::aws_flow::open;
use crate::aws_support;
use crate::common;
use crate::rollout_local::plan;

use std::sync::Arc;

use anchor_core::aws::{open_backend, AlarmGate};
use anchor_core::clock::ManualClock;
use anchor_core::model::{RolloutEventKind, RolloutState};
use anchor_core::router::{LivePointer, RouterKeys};
use anchor_core::traits::{GateCheck, HealthGate, ProvisionOptions};
use anchor_core::{Anchor, Error};
use aws_sdk_cloudwatch::types::{ComparisonOperator, StateValue, Statistic};

const P: &str = "shop";
const ALARM: &str = "shop-5xx";

async fn put_alarm(cloudwatch: &aws_sdk_cloudwatch::Client) {
    cloudwatch
        .put_metric_alarm()
        .alarm_name(ALARM)
        .namespace("AWS/CloudFront")
        .metric_name("5xxErrorRate")
        .statistic(Statistic::Average)
        .period(60)
        .evaluation_periods(1)
        .threshold(5.0)
        .comparison_operator(ComparisonOperator::GreaterThanThreshold)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn an_alarm_in_alarm_at_the_second_stage_ends_on_the_old_deployment_with_its_reason() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let v1_dir = common::real_build_or_fixture();
    let v2_dir = common::v2_build_or_variant(&v1_dir, tmp.path());
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let backend = open_backend(&m.config, &m.options("anchor-assets"))
        .await
        .unwrap();
    let a = Anchor::builder(backend).clock(clock.clone()).build();
    let routes = Anchor::routes_of_build(&v1_dir).await.unwrap();
    let options = ProvisionOptions {
        routes,
        ..ProvisionOptions::default()
    };
    let project = a.create_project_with(P, options).await.unwrap();
    let keys = RouterKeys::new(&project.infrastructure.distribution_id).unwrap();
    let pointer = || LivePointer::parse(&m.router_store.value(&keys.live()).unwrap()).unwrap();

    let v1 = a.deployer(P, &v1_dir).execute().await.unwrap();
    let v2 = a
        .deployer(P, &v2_dir)
        .rollout(plan())
        .execute()
        .await
        .unwrap();
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&m.config);
    put_alarm(&cloudwatch).await;
    let gate = AlarmGate::new(&m.config, vec![ALARM.into()]).unwrap();
    let rollouts = a.rollouts(P);
    assert!(matches!(pointer(), LivePointer::Split(s) if s.weight == 500 && s.candidate == v2.id));

    // Stage one holds 10 minutes; the new alarm has no data: healthy.
    clock.advance(chrono::Duration::minutes(10));
    let second = rollouts.check(&gate).await.unwrap();
    assert_eq!((second.state, second.stage), (RolloutState::Running, 1));
    assert!(matches!(pointer(), LivePointer::Split(s) if s.weight == 2500));

    cloudwatch
        .set_alarm_state()
        .alarm_name(ALARM)
        .state_value(StateValue::Alarm)
        .state_reason("5xx error rate 12 % over 5 %")
        .send()
        .await
        .unwrap();
    clock.advance(chrono::Duration::minutes(30));
    let aborted = rollouts.check(&gate).await.unwrap();
    assert_eq!(aborted.state, RolloutState::Aborted);
    let last = aborted.events.last().unwrap();
    assert_eq!(
        (last.kind, last.decided_by.as_str()),
        (RolloutEventKind::Aborted, "alarms")
    );
    assert_eq!(
        last.reason.as_deref(),
        Some("alarm shop-5xx is ALARM: 5xx error rate 12 % over 5 %")
    );
    // 100 % on the old deployment: the bare pointer names v1, which the
    // project still records live; the record persisted in DynamoDB.
    assert_eq!(pointer(), LivePointer::Single(v1.id.clone()));
    let fresh = open(&m, Vec::new()).await;
    assert_eq!(fresh.active_deployment(P).await.unwrap().unwrap().id, v1.id);
    assert_eq!(fresh.rollouts(P).status().await.unwrap().unwrap(), aborted);
}

#[tokio::test]
async fn an_alarm_name_cloudwatch_does_not_know_is_an_error_not_a_verdict() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let gate = AlarmGate::new(&m.config, vec!["no-such-alarm".into()]).unwrap();
    let check = GateCheck::new(
        anchor_core::model::ProjectName::parse(P).unwrap(),
        anchor_core::model::DeploymentId::generate(),
        2,
        anchor_core::model::DeploymentId::generate(),
        0,
        5.0,
    );
    let err = gate.check(&check).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, reason } if field == "alarms" && reason.contains("no-such-alarm")),
        "{err:?}"
    );
    let err = AlarmGate::new(&m.config, Vec::new()).unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "alarms"));
    let err = AlarmGate::new(&m.config, vec!["ok".into(), String::new()]).unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "alarms[1]"));
}
