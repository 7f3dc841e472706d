//! Functions run on the architecture their native code was built for
//! (issue 15: OpenNext installs arm64 `sharp` by default, and every function
//! was created x86_64, so `<Image>` failed on AWS).
//!
//! Uses the real builds of `examples/nextjs-app`: `ANCHOR_NEXTJS_BUILD`
//! (built with x64 `sharp`, as its open-next.config.ts asks) and
//! `ANCHOR_NEXTJS_BUILD_ARM64` (built with OpenNext's default configuration,
//! `ANCHOR_OPENNEXT_DEFAULT_SHARP=1 examples/build-nextjs.sh`). The test
//! command builds both and sets `ANCHOR_REQUIRE_REAL_BUILD=1`.

use crate::edge_support;

use std::path::PathBuf;

use anchor_core::edge::{EdgeOptions, EdgeServer};
use anchor_core::model::Architecture;
use anchor_core::opennext::OpenNextBuild;
use anchor_core::traits::ProvisionOptions;
use anchor_core::Anchor;
use anchor_testing::real_builds;
use edge_support::get;

fn build(var: &str) -> Option<PathBuf> {
    real_builds::real_build(var)
}

#[test]
fn the_native_code_of_each_function_names_its_architecture() {
    let (Some(x64), Some(arm64)) = (
        build("ANCHOR_NEXTJS_BUILD"),
        build("ANCHOR_NEXTJS_BUILD_ARM64"),
    ) else {
        return;
    };
    let x64 = OpenNextBuild::read(&x64).unwrap();
    let image = x64.image_function().unwrap().native.clone().unwrap();
    assert_eq!(image.architecture, Architecture::X86_64);
    assert!(
        image.evidence.to_string_lossy().contains("linux-x64"),
        "{}",
        image.evidence.display()
    );
    assert_eq!(
        x64.server_function().unwrap().native,
        None,
        "the server bundle is plain JavaScript"
    );

    let arm64 = OpenNextBuild::read(&arm64).unwrap();
    let image = arm64.image_function().unwrap().native.clone().unwrap();
    assert_eq!(image.architecture, Architecture::Arm64);
    assert!(
        image.evidence.to_string_lossy().contains("linux-arm64"),
        "{}",
        image.evidence.display()
    );
}

#[tokio::test]
async fn a_default_opennext_build_is_published_for_arm64_and_the_local_edge_says_it_cannot_run_it()
{
    let Some(arm64) = build("ANCHOR_NEXTJS_BUILD_ARM64") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let anchor = Anchor::local(dir.path()).await.unwrap();
    let provision = ProvisionOptions {
        routes: Anchor::routes_of_build(&arm64).await.unwrap(),
        ..ProvisionOptions::default()
    };
    anchor.create_project_with("web", provision).await.unwrap();
    let plan = anchor.deployer("web", &arm64).plan().await.unwrap();
    assert_eq!(plan.image_architecture, Some(Architecture::Arm64));
    assert_eq!(plan.server_architecture, None);
    let deployed = anchor.deployer("web", &arm64).execute().await.unwrap();
    let image = deployed.image_version.unwrap();
    let runnable = anchor
        .local_cloud()
        .unwrap()
        .functions()
        .runnable(&image.function, &image.version)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(runnable.architecture, Some(Architecture::Arm64));

    if Architecture::of_this_machine() == Some(Architecture::Arm64) {
        return; // This machine runs it; the refusal below is for the others.
    }
    let server = EdgeServer::start(&anchor, "web", EdgeOptions::default())
        .await
        .unwrap();
    let addr = server.local_addr();
    let page = get(addr, "localhost", "/", &[]).await;
    assert_eq!(page.status, 200, "the server function is plain JavaScript");
    let image = get(
        addr,
        "localhost",
        "/_next/image?url=%2Fimages%2Fanchor.png&w=64&q=75",
        &[],
    )
    .await;
    assert_eq!(image.status, 502, "{}", image.text());
    assert!(
        image.text().contains("published for arm64"),
        "{}",
        image.text()
    );
    server.shutdown().await;
}
