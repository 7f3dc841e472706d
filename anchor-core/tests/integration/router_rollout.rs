//! The generated router's sticky split during a gradual rollout (issue 17,
//! acceptance 2), run under `node` through `host.mjs` as CloudFront would
//! run it: shares, stickiness within a stage, and growing stages only
//! moving visitors to the candidate.

use anchor_core::model::DeploymentId;
use anchor_core::router::{LivePointer, RolloutSplit, RouterKeys, VISITOR_COOKIE};
use serde_json::json;

use crate::router_function::{cache_key, deployment, event, served_by, shop_index, Deployed, Host};

const DIST: &str = "E7ROLLOUTDIST1";

/// A host with deployments `old` and `new` (both with entries), `old` live.
fn rollout_site() -> (Host, RouterKeys, Deployed, Deployed) {
    let mut host = Host::start();
    let keys = RouterKeys::new(DIST).unwrap();
    let old = deployment("shop", "old", shop_index());
    let new = deployment("shop", "new", shop_index());
    host.put(&old.entries(&keys).unwrap());
    host.put(&new.entries(&keys).unwrap());
    host.put(&[LivePointer::Single(old.deployment.clone())
        .entry(&keys)
        .unwrap()]);
    (host, keys, old, new)
}

fn split(old: &Deployed, candidate: &DeploymentId, weight: u32) -> LivePointer {
    LivePointer::Split(RolloutSplit {
        live: old.deployment.clone(),
        candidate: candidate.clone(),
        weight,
        salt: "r01jfk2".into(),
    })
}

/// The deployment that served `visitor`'s request for `/about`: the id
/// the cache key starts with.
fn served(host: &mut Host, visitor: &str) -> String {
    let mut ev = event(DIST, "GET", "/about", &[]);
    ev["request"]["cookies"] = json!({ VISITOR_COOKIE: { "value": visitor } });
    let (result, _) = host.run(ev);
    served_by(&result)
}

/// Visitor ids as a browser would carry them: random, not sequential.
fn visitors(n: usize) -> Vec<String> {
    (0..n)
        .map(|_| ulid::Ulid::new().to_string().to_lowercase())
        .collect()
}

#[test]
fn a_quarter_of_10000_visitors_get_the_candidate_and_each_keeps_it() {
    let (mut host, keys, old, new) = rollout_site();
    host.put(&[split(&old, &new.deployment, 2500).entry(&keys).unwrap()]);
    let visitors = visitors(10_000);
    let first: Vec<String> = visitors.iter().map(|v| served(&mut host, v)).collect();
    let on_new = first
        .iter()
        .filter(|d| **d == new.deployment.as_str())
        .count();
    let on_old = first
        .iter()
        .filter(|d| **d == old.deployment.as_str())
        .count();
    assert_eq!(on_new + on_old, 10_000, "a request went to neither");
    let share = on_new as f64 / 100.0;
    assert!(
        (24.0..=26.0).contains(&share),
        "{share} % of visitors got the candidate at a 25 % stage"
    );
    for (visitor, before) in visitors.iter().zip(&first) {
        assert_eq!(
            &served(&mut host, visitor),
            before,
            "visitor {visitor} changed deployment within one stage"
        );
    }
}

#[test]
fn a_growing_stage_only_moves_visitors_to_the_candidate() {
    let (mut host, keys, old, new) = rollout_site();
    let visitors = visitors(2_000);
    host.put(&[split(&old, &new.deployment, 500).entry(&keys).unwrap()]);
    let at_5: Vec<String> = visitors.iter().map(|v| served(&mut host, v)).collect();
    host.put(&[split(&old, &new.deployment, 2500).entry(&keys).unwrap()]);
    let mut moved = 0;
    for (visitor, before) in visitors.iter().zip(&at_5) {
        let now = served(&mut host, visitor);
        if before == new.deployment.as_str() {
            assert_eq!(
                now,
                before.as_str(),
                "{visitor} went back to the old deployment"
            );
        } else if now == new.deployment.as_str() {
            moved += 1;
        }
    }
    assert!(
        moved > 0,
        "no visitor joined the candidate at the larger stage"
    );

    // Completing is one write of the bare pointer: everyone is on the new one.
    host.put(&[LivePointer::Single(new.deployment.clone())
        .entry(&keys)
        .unwrap()]);
    for visitor in &visitors[..200] {
        assert_eq!(served(&mut host, visitor), new.deployment.as_str());
    }
}

#[test]
fn aborting_is_one_write_back_to_the_old_deployment() {
    let (mut host, keys, old, new) = rollout_site();
    host.put(&[split(&old, &new.deployment, 10_000).entry(&keys).unwrap()]);
    let visitors = visitors(100);
    for visitor in &visitors {
        assert_eq!(served(&mut host, visitor), new.deployment.as_str());
    }
    host.put(&[LivePointer::Single(old.deployment.clone())
        .entry(&keys)
        .unwrap()]);
    for visitor in &visitors {
        assert_eq!(served(&mut host, visitor), old.deployment.as_str());
    }
}

#[test]
fn a_candidate_without_a_routing_entry_serves_nobody() {
    let (mut host, keys, old, _new) = rollout_site();
    let missing = DeploymentId::generate();
    host.put(&[split(&old, &missing, 10_000).entry(&keys).unwrap()]);
    for visitor in visitors(50) {
        assert_eq!(served(&mut host, &visitor), old.deployment.as_str());
    }
}

#[test]
fn a_first_request_without_the_cookie_is_split_on_its_request_id() {
    let (mut host, keys, old, new) = rollout_site();
    host.put(&[split(&old, &new.deployment, 5000).entry(&keys).unwrap()]);
    let mut on_new = 0;
    for _ in 0..400 {
        let mut ev = event(DIST, "GET", "/about", &[]);
        ev["context"]["requestId"] = json!(ulid::Ulid::new().to_string());
        let (result, _) = host.run(ev);
        if cache_key(&result).starts_with(new.deployment.as_str()) {
            on_new += 1;
        }
    }
    // Half, give or take five standard deviations (10 requests).
    assert!(
        (150..=250).contains(&on_new),
        "{on_new} of 400 on the candidate"
    );
}
