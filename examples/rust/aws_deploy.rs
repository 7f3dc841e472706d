//! Deploys an OpenNext build to your AWS account with Anchor.
//!
//! ```sh
//! export AWS_PROFILE=...            # or any source of the standard chain
//! export AWS_REGION=eu-west-1
//! cargo run -p anchor-examples --bin aws-deploy -- \
//!   --bucket my-anchor-assets --role arn:aws:iam::123456789012:role/anchor-lambda \
//!   --project shop --build examples/nextjs-app/.open-next
//! ```
//!
//! The first run provisions the bucket, the DynamoDB tables, both functions
//! with their `live` aliases and Function URLs, the account's shared edge
//! router (its CloudFront Function, KeyValueStore and cache policy) and the
//! CloudFront distribution; later runs find them and only deploy.
//! `--without-router` provisions the behaviours layout instead, for
//! emulators without CloudFront Functions (the test script's moto).

use anchor_core::aws::{AwsOptions, AwsRouter};
use anchor_core::traits::ProvisionOptions;
use anchor_core::Anchor;

fn arg(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(bucket), Some(project), Some(build)) = (
        arg(&args, "--bucket"),
        arg(&args, "--project"),
        arg(&args, "--build"),
    ) else {
        eprintln!(
            "usage: aws-deploy --bucket B --project P --build DIR [--role ARN] [--rollback] [--without-router]"
        );
        std::process::exit(2)
    };
    if let Err(e) = run(&args, bucket, &project, &build).await {
        eprintln!("error [{}]: {e}", e.code());
        std::process::exit(1)
    }
}

async fn run(
    args: &[String],
    bucket: String,
    project: &str,
    build: &str,
) -> anchor_core::Result<()> {
    let mut options = AwsOptions::new(bucket);
    options.execution_role_arn = arg(args, "--role");
    if args.iter().any(|a| a == "--without-router") {
        options.router = AwsRouter::Disabled;
    }
    let anchor = Anchor::aws(options).await?;
    let routes = Anchor::routes_of_build(build).await?;
    let created = anchor
        .create_project_with(
            project,
            ProvisionOptions {
                routes,
                ..ProvisionOptions::default()
            },
        )
        .await?;
    println!(
        "project {project}: https://{}",
        created.infrastructure.distribution_domain
    );
    if args.iter().any(|a| a == "--rollback") {
        let back = anchor
            .rollback(project)
            .reason("aws-deploy --rollback")
            .execute()
            .await?;
        println!("rolled back to v{} in {:?}", back.to.version, back.elapsed);
        return Ok(());
    }
    let live = anchor
        .deployer(project, build)
        .on_progress(|e| eprintln!("{:?} {}/{}", e.phase, e.done, e.total))
        .execute()
        .await?;
    println!(
        "v{} ({}) is live: {} uploaded, {} copied, {} skipped",
        live.version,
        live.id,
        live.assets.uploaded_files,
        live.assets.copied_files,
        live.assets.skipped_files
    );
    Ok(())
}
