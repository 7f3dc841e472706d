//! Which edge router pair a project is bound to: the capacity rule of
//! `docs/router.md` ("One pair for many projects"), written once for every
//! backend.
//!
//! Pairs are tried in order (pair 1 first). A pair has room when fewer
//! projects are bound to it than its function may serve and its store
//! keeps a project's reserve below its size limit
//! ([`crate::model::RouterCapacity`]). The projects bound to a pair are
//! counted from the state store's project records, Anchor's source of
//! truth: CloudFront has no call listing the distributions a function or a
//! store serves. The store's bytes come from describing it. The first pair
//! with room is taken; when none has, the next one is opened.
//!
//! Not a lock: two projects created at the same moment may both take a
//! pair's last place. The store's reserve absorbs the bytes; CloudFront
//! refuses a distribution past its function's limit, and the project's
//! `create_project` fails and can be retried (then the pair counts full).

use super::FlowContext;
use crate::error::Result;
use crate::model::{ProjectName, RouterBinding};

/// The pair `project` is to be bound to, opened if need be; `None` if the
/// backend gives no router. A project already bound keeps its binding:
/// callers ask only for a project that has none.
pub(crate) async fn choose_router_pair(
    svc: &FlowContext,
    project: &ProjectName,
) -> Result<Option<RouterBinding>> {
    if !svc.backend.provisioner.gives_router() {
        return Ok(None);
    }
    let capacity = svc.settings.router_capacity;
    capacity.validate()?;
    let projects = svc.backend.store.list_projects().await?;
    let mut full = String::new();
    for index in 1..=u32::MAX {
        let Some(pair) = svc.backend.provisioner.find_router_pair(index).await? else {
            return svc
                .backend
                .provisioner
                .open_router_pair(index, &capacity, &full)
                .await
                .map(Some);
        };
        let bound = projects
            .iter()
            .filter(|p| &p.name != project)
            .filter(|p| {
                p.infrastructure
                    .router
                    .as_ref()
                    .is_some_and(|b| b.store == pair.store)
            })
            .count();
        let bound = u32::try_from(bound).unwrap_or(u32::MAX);
        let bytes = svc.backend.kvs.describe(&pair.store).await?.total_bytes;
        match capacity.full_because(bound, bytes) {
            None => return Ok(Some(pair)),
            Some(why) => full = format!("router pair {index} ({}) is full: {why}", pair.store),
        }
    }
    // Unreachable in practice: opening a pair stops at the account's
    // quotas long before.
    svc.backend
        .provisioner
        .open_router_pair(u32::MAX, &capacity, &full)
        .await
        .map(Some)
}
