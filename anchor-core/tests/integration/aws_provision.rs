//! Provisioning on moto: a second run changes nothing, and a missing
//! execution role is refused before anything is created. Resource counts are
//! read through the AWS crates, not through Anchor.

use crate::aws_support;

use anchor_core::model::ProjectName;
use anchor_core::traits::ProvisionOptions;
use anchor_core::Error;
use aws_support::intercept::CallRecorder;
use aws_support::provisioning::{inventory, mutations, open, P};

#[tokio::test]
async fn provisioning_twice_changes_nothing() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let a = open(&m, Some(&m.role_arn), &recorder).await;
    let project = a.create_project(P).await.unwrap();
    let before = inventory(&m).await;
    assert_eq!(before["buckets"], "1", "{before:#?}");
    assert_eq!(before["functions"], "2", "{before:#?}");
    assert_eq!(before["distributions"], "1", "{before:#?}");
    assert_eq!(before["origin access controls"], "2", "{before:#?}");
    for f in ["shop-server", "shop-image"] {
        assert!(
            before[&format!("{f} aliases")].contains("live"),
            "{before:#?}"
        );
        assert!(!before[&format!("{f} urls")].is_empty(), "{before:#?}");
        // $LATEST and the placeholder version the alias points at.
        assert_eq!(before[&format!("{f} versions")], "2", "{before:#?}");
        assert!(
            !before[&format!("{f}:live policy")].is_empty(),
            "{before:#?}"
        );
    }

    // Again through the provisioner of the same Anchor...
    recorder.clear();
    let name = ProjectName::parse(P).unwrap();
    let again = a
        .backend()
        .provisioner
        .provision(&name, &ProvisionOptions::default())
        .await
        .unwrap();
    // The provisioner makes resources; the origin secret is the project's
    // own, made once by `create_project`.
    assert_eq!(
        again,
        anchor_core::model::Infrastructure {
            ..project.infrastructure.clone()
        }
    );
    let writes = mutations(&recorder);
    assert!(writes.is_empty(), "the second run wrote: {writes:?}");
    assert_eq!(inventory(&m).await, before);

    // ...and through a second Anchor on the same account.
    let other = CallRecorder::default();
    let b = open(&m, Some(&m.role_arn), &other).await;
    other.clear();
    let third = b
        .backend()
        .provisioner
        .provision(&name, &ProvisionOptions::default())
        .await
        .unwrap();
    assert_eq!(third, again);
    let writes = mutations(&other);
    assert!(writes.is_empty(), "the third run wrote: {writes:?}");
    assert_eq!(inventory(&m).await, before);
    assert_eq!(b.project(P).await.unwrap(), project);
}

#[tokio::test]
async fn provisioning_without_a_role_fails_before_creating_anything() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let a = open(&m, None, &recorder).await;
    recorder.clear();
    let before = inventory(&m).await;
    let err = a.create_project(P).await.unwrap_err();
    match &err {
        Error::InvalidInput { field, .. } => assert_eq!(field, "execution_role_arn"),
        other => panic!("expected InvalidInput(execution_role_arn), got {other:?}"),
    }
    let writes = mutations(&recorder);
    assert!(writes.is_empty(), "wrote before refusing: {writes:?}");
    assert_eq!(inventory(&m).await, before);
    assert_eq!(before["functions"], "0");
    assert_eq!(before["buckets"], "0");
    let name = ProjectName::parse(P).unwrap();
    assert!(a
        .backend()
        .store
        .get_project(&name)
        .await
        .unwrap()
        .is_none());
}
