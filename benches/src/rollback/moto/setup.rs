//! One moto case: a fresh moto, a provisioned project with two real
//! deployments, and a history lengthened by imported superseded copies.

use std::path::Path;
use std::time::Duration;

use anchor_core::aws::{AwsClients, AwsConnection, AwsOptions, DynamoStateStore, TableNames};
use anchor_core::model::{Deployment, PageRequest, ProjectName};
use anchor_core::traits::ProvisionOptions;
use anchor_core::Anchor;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::config::Credentials;

use crate::rollback::{BenchError, PROJECT};

/// The asset bucket provisioning creates.
pub const BUCKET: &str = "anchor-bench-assets";
/// Anchor's default table prefix, used unchanged.
pub const TABLE_PREFIX: &str = "anchor";

/// A prepared moto case.
pub struct MotoCase {
    /// Anchor on moto (state writes serialised, as moto needs).
    pub anchor: Anchor,
    /// Raw clients from the same `SdkConfig`, for the baselines.
    pub clients: AwsClients,
    /// The older real deployment.
    pub first: Deployment,
    /// The newer real deployment, live after preparation.
    pub second: Deployment,
}

/// Refuses anything but a loopback endpoint: nothing may leave the machine.
pub fn check_loopback(endpoint: &str) -> Result<(), BenchError> {
    let host = endpoint.trim_start_matches("http://");
    let loopback = ["127.", "localhost:", "[::1]:"];
    if endpoint.starts_with("http://") && loopback.iter().any(|p| host.starts_with(p)) {
        Ok(())
    } else {
        Err(
            format!("{endpoint} is not a loopback http endpoint; only a local moto is benchmarked")
                .into(),
        )
    }
}

/// The shared `SdkConfig`: moto's endpoint and dummy keys (moto checks
/// no signature; the keys name no account).
pub async fn sdk_config(endpoint: &str) -> (AwsConnection, SdkConfig) {
    let connection = AwsConnection {
        region: Some("eu-west-1".into()),
        endpoint_url: Some(endpoint.to_string()),
        initial_backoff: Duration::from_millis(5),
        ..AwsConnection::default()
    };
    let config = connection
        .loader()
        .credentials_provider(Credentials::new("moto", "moto", None, None, "moto"))
        .load()
        .await;
    (connection, config)
}

/// Resets moto, provisions `bench`, deploys the fixture and a changed
/// copy, and lengthens the history to `history` deployments in between.
pub async fn prepare(endpoint: &str, dir: &Path, history: u64) -> Result<MotoCase, BenchError> {
    check_loopback(endpoint)?;
    anchor_testing::moto_control::reset(endpoint)?;
    let role = anchor_testing::moto_control::create_role(endpoint, crate::MOTO_ROLE_NAME)?;
    let (connection, config) = sdk_config(endpoint).await;
    let mut options = AwsOptions::new(BUCKET);
    options.connection = connection;
    options.execution_role_arn = Some(role);
    options.table_prefix = TABLE_PREFIX.into();
    // moto applies neither transactions nor ADD atomically (see
    // anchor-core/tests/integration/aws_dynamodb.rs); this process is the only writer.
    options.serialize_state_writes = true;
    let anchor = Anchor::aws_with_config(&config, &options).await?;
    let routes = Anchor::routes_of_build(crate::fixture()).await?;
    let provision = ProvisionOptions {
        routes,
        ..ProvisionOptions::default()
    };
    anchor.create_project_with(PROJECT, provision).await?;
    let first = anchor.deployer(PROJECT, crate::fixture()).execute().await?;
    let v2 = crate::second_build(dir)?;
    lengthen(&config, &first, history.saturating_sub(2)).await?;
    let second = anchor.deployer(PROJECT, &v2).execute().await?;
    let listed = anchor.history(PROJECT, &PageRequest::first(1)).await?;
    if listed.items.first().map(|d| d.version) != Some(second.version) {
        return Err("the seeded history does not end with the second deployment".into());
    }
    Ok(MotoCase {
        anchor,
        clients: AwsClients::new(&config),
        first,
        second,
    })
}

/// Adds `count` superseded copies of `of`: versions from the store's
/// counter, records through BatchWriteItem (one transaction per record
/// would cost a copy of the whole table each on moto).
async fn lengthen(config: &SdkConfig, of: &Deployment, count: u64) -> Result<(), BenchError> {
    use anchor_core::traits::StateStore;
    let store = DynamoStateStore::new(
        aws_sdk_dynamodb::Client::new(config),
        TableNames::with_prefix(TABLE_PREFIX),
    )
    .serialize_writes(true);
    let name = ProjectName::parse(PROJECT)?;
    let mut chunk = Vec::new();
    for _ in 0..count {
        let version = store.allocate_version(&name).await?;
        chunk.push(crate::superseded_copy(of, version));
        if chunk.len() == 500 {
            store
                .import_deployments(&std::mem::take(&mut chunk))
                .await?;
        }
    }
    store.import_deployments(&chunk).await?;
    Ok(())
}
