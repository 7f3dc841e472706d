//! What `create_project(name, build_dir, function_settings)` provisions with.

use std::path::PathBuf;

use crate::error::Result;
use crate::model::SiteFunctionSettings;
use crate::traits::ProvisionOptions;
use crate::Anchor;

/// The provisioning options of `create_project` as every binding takes it:
/// with `build_dir` (an `.open-next` folder) the CDN routes come from that
/// build's manifest, so its public files are routed to the asset store;
/// without it, OpenNext's default routes. Nothing of the build is read
/// besides its manifest. With `functions`, new functions are created with
/// those settings, else SST's defaults. Fails with `InvalidBuild` when the
/// folder is not an OpenNext build.
pub async fn provision_options(
    build_dir: Option<PathBuf>,
    functions: Option<SiteFunctionSettings>,
) -> Result<ProvisionOptions> {
    let mut options = ProvisionOptions::default();
    if let Some(functions) = functions {
        options.functions = functions;
    }
    if let Some(dir) = build_dir {
        options.routes = Anchor::routes_of_build(dir).await?;
    }
    Ok(options)
}
