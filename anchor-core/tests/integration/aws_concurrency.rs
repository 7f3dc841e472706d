//! 100 mixed operations at once on one project, on the AWS backend against
//! a real moto server with DynamoDB records: the shared scenario of
//! `concurrency/mod.rs`.
//!
//! The options are those of the other moto flow tests, including
//! `serialize_state_writes`: moto's DynamoDB runs each request on its own
//! thread without a lock, so `UpdateItem ADD` (the version counter) and
//! `TransactWriteItems` (the switch's deciding write) are not atomic under
//! concurrency (see `aws_dynamodb.rs`), which DynamoDB itself guarantees.
//! Without the option this test would measure moto, not Anchor. Only the
//! store's own writes are serialised; the flows still race each other
//! everywhere else (reads, Lambda publishes and aliases, ACM, CloudFront
//! If-Match), and the conditional writes still decide every race.
//!
//! Deploys publish Lambda versions, which is slow on moto, so this mix has
//! 5 deploys and 95 cheaper operations. ACM issues a certificate
//! `MOTO_ACM_VALIDATION_WAIT` seconds (2 in scripts/moto.sh) after the
//! request, so the domains the burst adds stay pending; the two attached
//! before it are refreshed and removed.

use crate::aws_support;
use crate::concurrency;

use std::time::Duration;

use anchor_core::Anchor;
use concurrency::Mix;

const BUCKET: &str = "anchor-assets";
const P: &str = "shop";

fn mix() -> Mix {
    Mix {
        deploys: 3,
        previews: 2,
        rollbacks_by_id: 20,
        rollbacks_by_version: 14,
        rollbacks_to_new_versions: 4,
        rollbacks_to_previous: 10,
        promotes: 11,
        domain_adds: 14,
        domain_refreshes: 10,
        domain_removes: 12,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_mixed_operations_at_once_lose_nothing_on_moto() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let a = Anchor::aws_with_config(&m.config, &m.options(BUCKET))
        .await
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mix = mix();
    assert_eq!(mix.total(), 100);
    let before = concurrency::prepare(
        &a,
        P,
        &tmp.path().join("builds"),
        3,
        2,
        &mix,
        Duration::from_millis(250),
    )
    .await;
    let figures = concurrency::run(&a, P, &before, &mix).await;
    assert_eq!(figures.operations, 100);
    assert!(
        figures.successes.values().sum::<usize>() > 0,
        "some operations win"
    );
}
