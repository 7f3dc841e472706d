//! The [`Provisioner`] suite.
//!
//! A provisioner's effects are resources the other traits cannot list, so
//! the caller passes an [`InventoryFn`] that describes everything the
//! backend holds (functions, aliases, distributions, stores and so on, read
//! past Anchor); "nothing created" and "nothing changed" are checked as an
//! unchanged inventory.

use std::collections::BTreeMap;

use futures::future::BoxFuture;

use super::{expect_err, expect_ok, unique};
use crate::error::{Error, ResourceKind};
use crate::model::{Infrastructure, ProjectName, RouterCapacity};
use crate::traits::{Backend, ProvisionOptions};

/// A snapshot of every resource the backend under test holds, each named
/// by a key and described by a value that changes when the resource does:
/// read from the backend's own storage (the local cloud's database, AWS's
/// APIs), not through Anchor.
pub type InventoryFn<'a> = &'a (dyn Fn() -> BoxFuture<'a, BTreeMap<String, String>> + Send + Sync);

/// Checks every guarantee of [`crate::traits::Provisioner`] on `backend`'s
/// provisioner, reading its effects through `backend`'s other clients and
/// `inventory`:
///
/// - a new project gets two distinct functions, the alias asked for, a
///   distribution whose domain is the one reported, and the object store's
///   location; bound to router pair 1 when the backend gives a router;
/// - provisioning it again returns the same infrastructure and leaves the
///   inventory and the distribution's ETag as they were;
/// - an invalid alias or function setting is `InvalidInput` naming the
///   field (`alias`, `server.memory_mb`, ...) and creates nothing, as is
///   adopting resources that do not exist (`NotFound`, or `InvalidInput`
///   on `existing` from a backend without bring-your-own);
/// - adopting a project's resources under another name (bring-your-own)
///   returns them and changes nothing, or is refused on `existing`;
/// - router pairs: found without creating anything, opened idempotently,
///   refused past the account's quota (`InvalidInput` on the quota's field,
///   or on `router` quoting why the earlier pairs are full) with nothing
///   created; none and refused on a backend that gives no router;
/// - `route_through_router` on a distribution already laid out for the
///   router changes nothing.
///
/// Every name is unique per run, so a long-lived backend can be shared;
/// projects it provisions are not torn down (the trait has no teardown).
pub async fn provisioner(backend: &Backend, inventory: InventoryFn<'_>) {
    let run = unique();
    let p = project(&format!("cp{}", &run[..20]));
    let infra = provisions_once(backend, &p, inventory).await;
    refuses_bad_input(backend, &run, &infra, inventory).await;
    adopts_without_changes(backend, &run, &infra, inventory).await;
    router_pairs(backend, &run, &infra, inventory).await;
    routing_through_the_router_again_changes_nothing(backend, &infra, inventory).await;
}

fn project(name: &str) -> ProjectName {
    match ProjectName::parse(name) {
        Ok(name) => name,
        Err(e) => panic!("the suite made an invalid project name {name:?}: {e}"),
    }
}

fn is_invalid(e: &Error, field: &str) -> bool {
    matches!(e, Error::InvalidInput { field: f, .. } if f == field)
}

async fn provisions_once(
    backend: &Backend,
    p: &ProjectName,
    inventory: InventoryFn<'_>,
) -> Infrastructure {
    let provisioner = backend.provisioner.as_ref();
    let options = ProvisionOptions::default();
    let infra = expect_ok(provisioner.provision(p, &options).await, "provision");
    assert_eq!(infra.alias, options.alias, "the alias asked for");
    assert_ne!(
        infra.server_function, infra.image_function,
        "the server and image functions must be two functions"
    );
    for (what, value) in [
        ("server_function", &infra.server_function),
        ("image_function", &infra.image_function),
        ("asset_prefix", &infra.asset_prefix),
        ("distribution_id", &infra.distribution_id),
        ("distribution_domain", &infra.distribution_domain),
    ] {
        assert!(!value.is_empty(), "{what} must not be empty");
    }
    assert_eq!(
        infra.asset_location.as_deref(),
        Some(backend.objects.location().as_str()),
        "asset_location must be the object store's location"
    );
    let config = expect_ok(
        backend.cdn.get_config(&infra.distribution_id).await,
        "reading the provisioned distribution",
    );
    assert_eq!(
        config.value.domain_name, infra.distribution_domain,
        "distribution_domain must be the distribution's own domain"
    );
    let pair_1 = expect_ok(provisioner.find_router_pair(1).await, "find_router_pair(1)");
    if provisioner.gives_router() {
        assert!(
            pair_1.is_some(),
            "provisioning with a router binds pair 1, found or created"
        );
        assert_eq!(infra.router, pair_1, "the project is bound to pair 1");
    } else {
        assert_eq!(infra.router, None, "a backend without a router binds none");
    }

    let before = inventory().await;
    let again = expect_ok(provisioner.provision(p, &options).await, "provision again");
    assert_eq!(
        again, infra,
        "provisioning twice must return the same infrastructure"
    );
    assert_eq!(
        inventory().await,
        before,
        "provisioning twice must create and change nothing"
    );
    let reread = expect_ok(
        backend.cdn.get_config(&infra.distribution_id).await,
        "reading the distribution again",
    );
    assert_eq!(
        reread, config,
        "provisioning twice must leave the distribution and its ETag as they were"
    );
    infra
}

async fn refuses_bad_input(
    backend: &Backend,
    run: &str,
    infra: &Infrastructure,
    inventory: InventoryFn<'_>,
) {
    let provisioner = backend.provisioner.as_ref();
    let q = project(&format!("cq{}", &run[..20]));
    let mut cases: Vec<(&str, ProvisionOptions)> = Vec::new();
    for alias in ["not an alias", "123", ""] {
        cases.push((
            "alias",
            ProvisionOptions {
                alias: alias.into(),
                ..ProvisionOptions::default()
            },
        ));
    }
    let mut memory = ProvisionOptions::default();
    memory.functions.server.memory_mb = 64;
    cases.push(("server.memory_mb", memory));
    let mut timeout = ProvisionOptions::default();
    timeout.functions.image.timeout_seconds = 0;
    cases.push(("image.timeout_seconds", timeout));
    let mut runtime = ProvisionOptions::default();
    runtime.functions.server.runtime = "nodejs4.3".into();
    cases.push(("server.runtime", runtime));

    let before = inventory().await;
    for (field, options) in &cases {
        for name in [&q, &project(&format!("cp{}", &run[..20]))] {
            expect_err(
                provisioner.provision(name, options).await,
                &format!(
                    "provisioning {name} with a bad {field} ({options:?}) must fail with InvalidInput({field})"
                ),
                |e| is_invalid(e, field),
            );
            assert_eq!(
                inventory().await,
                before,
                "a refused {field} must create and change nothing"
            );
        }
    }

    let missing = Infrastructure {
        server_function: format!("anchor-missing-{}", &run[..20]),
        image_function: format!("anchor-missing-{}-i", &run[..20]),
        distribution_id: format!("anchor-missing-{run}"),
        router: None,
        ..infra.clone()
    };
    let adopt_missing = ProvisionOptions {
        existing: Some(missing),
        ..ProvisionOptions::default()
    };
    expect_err(
        provisioner.provision(&q, &adopt_missing).await,
        "adopting resources that do not exist must fail with NotFound (or InvalidInput(existing) without bring-your-own)",
        |e| {
            is_invalid(e, "existing")
                || matches!(
                    e,
                    Error::NotFound {
                        kind: ResourceKind::Function | ResourceKind::Distribution,
                        ..
                    }
                )
        },
    );
    assert_eq!(
        inventory().await,
        before,
        "adopting missing resources must create nothing"
    );

    // A refused project provisions normally afterwards, as a project of
    // its own.
    let options = ProvisionOptions {
        alias: "preview-1".into(),
        ..ProvisionOptions::default()
    };
    let other = expect_ok(
        provisioner.provision(&q, &options).await,
        "provisioning after refusals",
    );
    assert_eq!(other.alias, "preview-1", "the alias asked for");
    assert_eq!(
        other.asset_location, infra.asset_location,
        "one object store"
    );
    for (what, a, b) in [
        (
            "server_function",
            &other.server_function,
            &infra.server_function,
        ),
        (
            "image_function",
            &other.image_function,
            &infra.image_function,
        ),
        ("asset_prefix", &other.asset_prefix, &infra.asset_prefix),
        (
            "distribution_id",
            &other.distribution_id,
            &infra.distribution_id,
        ),
    ] {
        assert_ne!(a, b, "two projects must not share their {what}");
    }
}

async fn adopts_without_changes(
    backend: &Backend,
    run: &str,
    infra: &Infrastructure,
    inventory: InventoryFn<'_>,
) {
    let r = project(&format!("cr{}", &run[..20]));
    let before = inventory().await;
    let config = expect_ok(
        backend.cdn.get_config(&infra.distribution_id).await,
        "reading the distribution",
    );
    let options = ProvisionOptions {
        existing: Some(infra.clone()),
        ..ProvisionOptions::default()
    };
    match backend.provisioner.provision(&r, &options).await {
        Ok(adopted) => {
            for (what, a, b) in [
                (
                    "server_function",
                    &adopted.server_function,
                    &infra.server_function,
                ),
                (
                    "image_function",
                    &adopted.image_function,
                    &infra.image_function,
                ),
                (
                    "distribution_id",
                    &adopted.distribution_id,
                    &infra.distribution_id,
                ),
                (
                    "distribution_domain",
                    &adopted.distribution_domain,
                    &infra.distribution_domain,
                ),
                ("alias", &adopted.alias, &infra.alias),
            ] {
                assert_eq!(a, b, "bring-your-own must adopt the given {what}");
            }
            assert_eq!(
                adopted.asset_location, infra.asset_location,
                "an adopted project's assets go to the backend's object store"
            );
        }
        Err(e) if is_invalid(&e, "existing") => {}
        Err(e) => panic!("adopting existing resources failed: {e} ({e:?})"),
    }
    assert_eq!(
        inventory().await,
        before,
        "adopting existing resources must create and change nothing"
    );
    let reread = expect_ok(
        backend.cdn.get_config(&infra.distribution_id).await,
        "reading the distribution again",
    );
    assert_eq!(
        reread, config,
        "bring-your-own must never change the distribution"
    );
}

async fn router_pairs(
    backend: &Backend,
    run: &str,
    infra: &Infrastructure,
    inventory: InventoryFn<'_>,
) {
    let provisioner = backend.provisioner.as_ref();
    let full = format!("pairs before this one are full ({run})");
    // An index no other run uses: pair names derive from it alone.
    let index = 1_000_000
        + run
            .bytes()
            .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
            % 1_000_000_000;
    let roomy = RouterCapacity {
        functions_per_account: u32::MAX,
        stores_per_account: u32::MAX,
        ..RouterCapacity::default()
    };
    if !provisioner.gives_router() {
        for i in [1, index] {
            assert_eq!(
                expect_ok(provisioner.find_router_pair(i).await, "find_router_pair"),
                None,
                "a backend without a router has no pairs"
            );
            expect_err(
                provisioner.open_router_pair(i, &roomy, &full).await,
                "a backend without a router must refuse to open a pair with InvalidInput(router)",
                |e| is_invalid(e, "router"),
            );
        }
        return;
    }

    let before = inventory().await;
    assert_eq!(
        expect_ok(
            provisioner.find_router_pair(index).await,
            "find_router_pair"
        ),
        None,
        "a pair never opened is not found"
    );
    let pair_1 = expect_ok(
        provisioner.open_router_pair(1, &roomy, &full).await,
        "opening pair 1 again",
    );
    assert_eq!(
        Some(&pair_1),
        infra.router.as_ref(),
        "opening an existing pair returns its binding"
    );
    assert_eq!(
        inventory().await,
        before,
        "finding pairs and opening an existing one must create nothing"
    );

    let tight = RouterCapacity {
        functions_per_account: 1,
        stores_per_account: 1,
        ..RouterCapacity::default()
    };
    let refused = expect_err(
        provisioner.open_router_pair(index, &tight, &full).await,
        "opening a pair past the account's quota must fail with InvalidInput",
        |e| {
            is_invalid(e, "router_capacity.stores_per_account")
                || is_invalid(e, "router_capacity.functions_per_account")
                || is_invalid(e, "router")
        },
    );
    if let Error::InvalidInput { field, reason } = &refused {
        if field == "router" {
            assert!(
                reason.contains(&full),
                "a backend with one pair made elsewhere must quote why the others are full: {reason}"
            );
        }
    }
    assert_eq!(
        inventory().await,
        before,
        "a refused pair must create nothing"
    );

    match provisioner.open_router_pair(index, &roomy, &full).await {
        Ok(opened) => {
            assert_ne!(opened, pair_1, "pair {index} must be a pair of its own");
            assert_eq!(
                expect_ok(
                    provisioner.find_router_pair(index).await,
                    "find_router_pair"
                ),
                Some(opened.clone()),
                "an opened pair is found"
            );
            let after = inventory().await;
            assert_eq!(
                expect_ok(
                    provisioner.open_router_pair(index, &roomy, &full).await,
                    "opening the pair again"
                ),
                opened,
                "opening a pair is idempotent"
            );
            assert_eq!(
                inventory().await,
                after,
                "opening a pair again must create nothing"
            );
        }
        // Routed through one pair made elsewhere: it opens no other.
        Err(Error::InvalidInput { field, reason }) if field == "router" => {
            assert!(
                reason.contains(&full),
                "the refusal must quote {full:?}: {reason}"
            );
            assert_eq!(
                inventory().await,
                before,
                "a refused pair must create nothing"
            );
        }
        Err(e) => panic!("opening pair {index} failed: {e} ({e:?})"),
    }
}

async fn routing_through_the_router_again_changes_nothing(
    backend: &Backend,
    infra: &Infrastructure,
    inventory: InventoryFn<'_>,
) {
    if infra.router.is_none() {
        return;
    }
    let before = inventory().await;
    let config = expect_ok(
        backend.cdn.get_config(&infra.distribution_id).await,
        "reading the distribution",
    );
    expect_ok(
        backend.provisioner.route_through_router(infra).await,
        "route_through_router on a distribution laid out for the router",
    );
    assert_eq!(
        inventory().await,
        before,
        "routing an already routed distribution through the router must change nothing"
    );
    assert_eq!(
        expect_ok(
            backend.cdn.get_config(&infra.distribution_id).await,
            "reading the distribution again"
        ),
        config,
        "routing an already routed distribution must keep its ETag"
    );
}
