//! The invoke mode of the `live` server URL on a distribution that routes
//! by behaviours: it must stream when the build about to go live streams
//! (OpenNext's streaming wrapper), or its responses arrive mangled.

use crate::error::Result;
use crate::flows::FlowContext;
use crate::model::Infrastructure;
use crate::traits::{FunctionUrlAuth, FunctionUrlOptions};

/// Sets the `live` server URL's invoke mode to the build's, just before the
/// deployment goes live; a URL that already has it gets no update. With
/// the edge router each deployment has its own URL (`routing.rs`), so
/// nothing is done here, nor before the alias exists.
pub(super) async fn match_live_url(
    svc: &FlowContext,
    infra: &Infrastructure,
    streaming: bool,
) -> Result<()> {
    if infra.router.is_some() {
        return Ok(());
    }
    // The embedded default makes the alias at the first switch, and its
    // edge calls the alias, not a URL: there is no URL to match yet.
    if svc
        .backend
        .functions
        .get_alias(&infra.server_function, &infra.alias)
        .await?
        .is_none()
    {
        return Ok(());
    }
    let options = FunctionUrlOptions {
        // The behaviours sign it through an Origin Access Control.
        auth: FunctionUrlAuth::AwsIam,
        streaming,
        // The provisioner granted the distribution already.
        cdn_distribution_id: None,
    };
    svc.backend
        .functions
        .ensure_url(&infra.server_function, &infra.alias, &options)
        .await
        .map(|_| ())
}
