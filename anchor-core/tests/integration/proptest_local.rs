//! Random sequences of deploy, preview, promote, rollback and injected
//! failures; the invariants hold after every step.

use crate::common;

use anchor_core::fault::Fault;
use anchor_core::model::{DeploymentStatus, PageRequest};
use common::{check_invariants, eager_settings, env_with, make_variant, Env};
use proptest::prelude::*;

const P: &str = "shop";

#[derive(Debug, Clone)]
enum Action {
    Deploy { variant: u8, promote: bool },
    PromoteNewestReady,
    RollbackPrevious,
    RollbackToVersion(u8),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0u8..4, any::<bool>()).prop_map(|(variant, promote)| Action::Deploy { variant, promote }),
        Just(Action::PromoteNewestReady),
        Just(Action::RollbackPrevious),
        (1u8..8).prop_map(Action::RollbackToVersion),
    ]
}

fn fault() -> impl Strategy<Value = Option<(usize, Fault)>> {
    prop_oneof![
        2 => Just(None),
        1 => (0usize..40, prop_oneof![Just(Fault::Fail), Just(Fault::Timeout), Just(Fault::Throttle), Just(Fault::LostReply)]).prop_map(Some),
    ]
}

async fn apply(env: &Env, action: &Action) -> anchor_core::Result<()> {
    let a = &env.anchor;
    match action {
        Action::Deploy { variant, promote } => {
            let name = format!("variant-{variant}");
            let dir = env.tmp.path().join("builds").join(&name);
            if !dir.exists() {
                let dir = env.build(&name);
                make_variant(&dir, &name);
            }
            a.deployer(P, &dir)
                .promote(*promote)
                .execute()
                .await
                .map(drop)
        }
        Action::PromoteNewestReady => {
            let page = env.plain.history(P, &PageRequest::first(100)).await?;
            match page
                .items
                .iter()
                .find(|d| d.status == DeploymentStatus::Ready)
            {
                Some(d) => a.promote(P, d.id.as_str()).await.map(drop),
                None => Ok(()),
            }
        }
        Action::RollbackPrevious => a.rollback(P).execute().await.map(drop),
        Action::RollbackToVersion(v) => a
            .rollback(P)
            .to_version(u64::from(*v))
            .execute()
            .await
            .map(drop),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_after_every_step(steps in proptest::collection::vec((action(), fault()), 1..8)) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let env = env_with(eager_settings()).await;
            env.plain.create_project(P).await.unwrap();
            let mut rollbacks_won = 0;
            for (action, fault) in &steps {
                let events_before = env.plain.rollback_history(P, &PageRequest::first(1000)).await.unwrap().items.len();
                match fault {
                    Some((position, kind)) => env.plan.arm(*position, *kind),
                    None => env.plan.reset(),
                }
                let result = apply(&env, action).await;
                env.plan.reset();
                if fault.is_none() {
                    if let Err(e) = &result {
                        // Without a fault, only refusals of the request itself are allowed.
                        assert!(
                            matches!(e, anchor_core::Error::InvalidState { .. } | anchor_core::Error::NotFound { .. }),
                            "{action:?} failed without a fault: {e}"
                        );
                    }
                }
                check_invariants(&env.plain, P).await;
                let events_after = env.plain.rollback_history(P, &PageRequest::first(1000)).await.unwrap().items.len();
                assert!(events_after == events_before || events_after == events_before + 1);
                rollbacks_won += events_after - events_before;
            }
            let events = env.plain.rollback_history(P, &PageRequest::first(1000)).await.unwrap();
            assert_eq!(events.items.len(), rollbacks_won, "no rollback event lost");
        });
    }
}
