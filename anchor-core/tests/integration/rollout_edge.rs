//! A gradual rollout watched on the local edge with the real build (issue
//! 17): two visitor cookies on either side of the split each keep their
//! deployment, request after request, and the probe gate, sent to the
//! candidate alone, completes the rollout.
//!
//! Needs the real builds and `node`, like `edge_local`.

use crate::edge_support;

use std::time::Duration;

use crate::edge_local::greeting;
use anchor_core::aws::ProbeGate;
use anchor_core::edge::{EdgeOptions, EdgeServer};
use anchor_core::model::{RolloutPlan, RolloutStage, RolloutState};
use anchor_core::router::{PIN_COOKIE, SERVED_HEADER, VISITOR_COOKIE};
use anchor_core::traits::ProvisionOptions;
use anchor_core::Anchor;
use edge_support::get;
use sha2::{Digest, Sha256};

const P: &str = "canary";

/// The router's bucket of `visitor` in a rollout salted `salt`.
fn bucket(salt: &str, visitor: &str) -> u32 {
    let hex: String = Sha256::digest(format!("{salt}:{visitor}"))
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect();
    u32::from_str_radix(&hex, 16).unwrap() % 10_000
}

/// The real v1 live and v2 rolling out at 50 % on the embedded default,
/// with each build's Next.js deploymentId (if it has one); `None` without
/// the real builds.
async fn half_rolled_out() -> Option<(tempfile::TempDir, Anchor, [Option<String>; 2])> {
    let (v1, v2) = anchor_testing::real_builds::v1_and_v2()?;
    let dir = tempfile::tempdir().unwrap();
    let anchor = Anchor::local(dir.path()).await.unwrap();
    let provision = ProvisionOptions {
        routes: Anchor::routes_of_build(&v1).await.unwrap(),
        ..ProvisionOptions::default()
    };
    anchor.create_project_with(P, provision).await.unwrap();
    let mut ids = [None, None];
    for (slot, build) in ids.iter_mut().zip([&v1, &v2]) {
        *slot = anchor
            .deployer(P, build)
            .plan()
            .await
            .unwrap()
            .next_deployment_id;
    }
    anchor.deployer(P, &v1).execute().await.unwrap();
    let plan = RolloutPlan::new(vec![
        RolloutStage::new(50.0, Duration::ZERO),
        RolloutStage::new(100.0, Duration::ZERO),
    ])
    .unwrap();
    anchor
        .deployer(P, &v2)
        .rollout(plan)
        .execute()
        .await
        .unwrap();
    Some((dir, anchor, ids))
}

#[tokio::test]
async fn two_visitor_cookies_keep_their_sides_and_the_probe_gate_completes_the_rollout() {
    let Some((_dir, anchor, _)) = half_rolled_out().await else {
        return;
    };
    let rollout = anchor.rollouts(P).status().await.unwrap().unwrap();
    let server = EdgeServer::start(&anchor, P, EdgeOptions::default())
        .await
        .unwrap();
    let addr = server.local_addr();

    // One visitor on each side of the 50 % split.
    let visitors: Vec<String> = (0..100).map(|i| format!("visitor-{i}")).collect();
    let new = visitors
        .iter()
        .find(|v| bucket(&rollout.salt, v) < 5_000)
        .unwrap();
    let old = visitors
        .iter()
        .find(|v| bucket(&rollout.salt, v) >= 5_000)
        .unwrap();
    let page = |visitor: &str| {
        let cookie = format!("{VISITOR_COOKIE}={visitor}");
        async move { greeting(&get(addr, "localhost", "/", &[("cookie", &cookie)]).await) }
    };
    for _ in 0..3 {
        assert_eq!(page(new).await, "Hello from Anchor v2", "{new}");
        assert_eq!(page(old).await, "Hello from Anchor v1", "{old}");
    }

    // The probe reaches v2 alone, finds it healthy, and the rollout ends.
    let gate = ProbeGate::new(&format!("http://localhost:{}/", addr.port()), 5, 0.0).unwrap();
    let done = anchor.rollouts(P).check(&gate).await.unwrap();
    assert_eq!(done.state, RolloutState::Completed);
    assert_eq!(done.events.last().unwrap().decided_by, "probe");
    assert_eq!(page(old).await, "Hello from Anchor v2");
    server.shutdown().await;
}

/// `name`'s value among the reply's `Set-Cookie` headers, if it sets it.
fn set_cookie(reply: &edge_support::Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|rest| rest.split(';').next().unwrap_or("").to_string())
}

#[tokio::test]
async fn a_first_visit_gets_the_cookies_that_keep_the_visitor_on_its_side() {
    let Some((_dir, anchor, ids)) = half_rolled_out().await else {
        return;
    };
    let server = EdgeServer::start(&anchor, P, EdgeOptions::default())
        .await
        .unwrap();
    let addr = server.local_addr();

    let mut sides = [0, 0];
    for _ in 0..12 {
        // A first visit: no cookie, split on the request's id.
        let first = get(addr, "localhost", "/", &[]).await;
        let served = greeting(&first);
        let side = usize::from(served.ends_with("v2"));
        sides[side] += 1;
        let visitor = set_cookie(&first, VISITOR_COOKIE)
            .unwrap_or_else(|| panic!("no visitor cookie: {:?}", first.headers));
        assert!(
            first.header(SERVED_HEADER).is_none(),
            "the served header leaked"
        );
        // The page names its deployment's build, when the build has an id.
        assert_eq!(set_cookie(&first, PIN_COOKIE), ids[side].clone());
        // With the cookie it was given, the visitor stays where it landed,
        // and is not given another.
        let cookie = format!("{VISITOR_COOKIE}={visitor}");
        for _ in 0..3 {
            let again = get(addr, "localhost", "/", &[("cookie", &cookie)]).await;
            assert_eq!(greeting(&again), served, "visitor {visitor} flipped");
            assert_eq!(set_cookie(&again, VISITOR_COOKIE), None);
        }
    }
    // Twelve visitors at 50 % all on one side is a broken split (1 in 2,048).
    assert!(sides[0] > 0 && sides[1] > 0, "{sides:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_probe_gate_refuses_bad_settings_by_name() {
    let field = |r: anchor_core::Result<ProbeGate>| match r {
        Err(anchor_core::Error::InvalidInput { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field(ProbeGate::new("ftp://x/", 5, 0.1)), "probe.url");
    assert_eq!(field(ProbeGate::new("https:///path", 5, 0.1)), "probe.url");
    assert_eq!(
        field(ProbeGate::new("https://x/", 0, 0.1)),
        "probe.requests"
    );
    assert_eq!(
        field(ProbeGate::new("https://x/", 1001, 0.1)),
        "probe.requests"
    );
    assert_eq!(
        field(ProbeGate::new("https://x/", 5, 1.5)),
        "probe.max_error_rate"
    );
    assert_eq!(
        field(ProbeGate::new("https://x/", 5, f64::NAN)),
        "probe.max_error_rate"
    );
}

/// A server that answers 500 to requests for the preview `v2` and 200 to
/// the rest, counting the requests.
async fn failing_for_v2() -> (
    std::net::SocketAddr,
    std::sync::Arc<std::sync::atomic::AtomicU32>,
) {
    use std::sync::atomic::{AtomicU32, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = std::sync::Arc::new(AtomicU32::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    let n = socket.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    head.extend_from_slice(&buf[..n]);
                }
                seen.fetch_add(1, Ordering::SeqCst);
                let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
                let status = if text.contains("x-anchor-preview: v2\r\n") {
                    "500 Internal Server Error"
                } else {
                    "200 OK"
                };
                let reply =
                    format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                let _ = socket.write_all(reply.as_bytes()).await;
            });
        }
    });
    (addr, count)
}

fn check_of(version: u64) -> anchor_core::traits::GateCheck {
    anchor_core::traits::GateCheck::new(
        anchor_core::model::ProjectName::parse(P).unwrap(),
        anchor_core::model::DeploymentId::generate(),
        version,
        anchor_core::model::DeploymentId::generate(),
        0,
        5.0,
    )
}

#[tokio::test]
async fn the_probe_judges_the_candidate_alone_and_cannot_judge_what_it_cannot_reach() {
    use anchor_core::traits::{GateVerdict, HealthGate};
    let (addr, count) = failing_for_v2().await;
    let gate = ProbeGate::new(&format!("http://{addr}/health"), 4, 0.25).unwrap();
    // v2 fails every probe: unhealthy, with the numbers in the reason.
    match gate.check(&check_of(2)).await.unwrap() {
        GateVerdict::Unhealthy { reason } => {
            assert!(reason.starts_with("4 of 4 probes"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // Another version is answered 200: healthy.
    assert_eq!(
        gate.check(&check_of(3)).await.unwrap(),
        GateVerdict::Healthy
    );
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 8);

    // Nothing listens: an error, not a verdict.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let unreachable = ProbeGate::new(&format!("http://127.0.0.1:{port}/"), 2, 0.5)
        .unwrap()
        .timeout(Duration::from_secs(2));
    let err = unreachable.check(&check_of(2)).await.unwrap_err();
    assert!(
        matches!(
            &err,
            anchor_core::Error::Service {
                retryable: true,
                ..
            }
        ),
        "{err:?}"
    );
}
