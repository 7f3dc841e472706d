//! Domain records: names unique across projects, insertion order, and
//! conditional deletes.

use crate::error::ResourceKind;
use crate::traits::{DomainWrite, Expect, StateStore, WriteBatch};

use super::fixtures::*;

pub(super) async fn names_are_unique(store: &dyn StateStore) {
    let (a, b) = (project_name("hold"), project_name("want"));
    let name = domain_name("shared");
    let claim = |project| WriteBatch {
        domains: vec![DomainWrite::Put(domain(&name, project), Expect::Absent)],
        ..WriteBatch::default()
    };
    ok(store.commit(claim(&a)).await, "claiming a domain");
    assert_precondition(
        store.commit(claim(&b)).await,
        ResourceKind::Domain,
        name.as_str(),
        "a domain held by one project must not be claimable by another",
    );
    let read = ok(store.get_domain(&name).await, "get_domain");
    assert_eq!(
        read.map(|d| d.project),
        Some(a),
        "the domain must stay with its first holder"
    );
    let listed = ok(store.list_domains(&b).await, "list_domains");
    assert!(
        listed.is_empty(),
        "the losing project must list no domains, got {listed:?}"
    );
}

pub(super) async fn oldest_first_and_conditional_delete(store: &dyn StateStore) {
    let project = project_name("order");
    // Not alphabetical, so name order cannot pass for insertion order.
    let names = [domain_name("zz"), domain_name("aa"), domain_name("mm")];
    for name in &names {
        let put = DomainWrite::Put(domain(name, &project), Expect::Absent);
        let batch = WriteBatch {
            domains: vec![put],
            ..WriteBatch::default()
        };
        ok(store.commit(batch).await, "claiming a domain");
    }
    let mut updated = domain(&names[1], &project);
    updated.revision = 2;
    updated.certificate_status = crate::model::CertificateStatus::PendingValidation;
    let batch = WriteBatch {
        domains: vec![DomainWrite::Put(updated.clone(), Expect::Revision(1))],
        ..WriteBatch::default()
    };
    ok(
        store.commit(batch).await,
        "updating a domain under its revision",
    );
    let listed: Vec<_> = ok(store.list_domains(&project).await, "list_domains")
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(
        listed,
        names.to_vec(),
        "list_domains must be oldest first, updates keep their place"
    );

    let delete = |expected_revision| WriteBatch {
        domains: vec![DomainWrite::Delete {
            name: names[1].clone(),
            expected_revision,
        }],
        ..WriteBatch::default()
    };
    assert_precondition(
        store.commit(delete(1)).await,
        ResourceKind::Domain,
        names[1].as_str(),
        "deleting a domain under a stale revision must fail",
    );
    let read = ok(store.get_domain(&names[1]).await, "get_domain");
    assert_eq!(
        read.as_ref(),
        Some(&updated),
        "a failed delete must leave the domain"
    );
    ok(
        store.commit(delete(2)).await,
        "deleting a domain under its revision",
    );
    let read = ok(store.get_domain(&names[1]).await, "get_domain");
    assert_eq!(read, None, "a deleted domain must read as None");
    assert_precondition(
        store.commit(delete(2)).await,
        ResourceKind::Domain,
        names[1].as_str(),
        "deleting a missing domain must fail",
    );
    let listed = ok(store.list_domains(&project).await, "list_domains");
    assert_eq!(
        listed.len(),
        2,
        "a deleted domain must leave the listing: {listed:?}"
    );
}
