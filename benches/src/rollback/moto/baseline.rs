//! The raw-call baselines, straight through the AWS crates on the same
//! endpoint and tables as Anchor.
//!
//! [`Minimal`] is the fewest calls a switch can be made with: one
//! conditional UpdateItem (compare-and-set of an active pointer on a
//! revision) and then both UpdateAlias calls, concurrently, as Anchor sends
//! them. [`SameTransaction`] sends Anchor's deciding write instead: one
//! TransactWriteItems of the same six items (project, two deployment slots
//! and their id pointers, the rollback event), so the difference between it
//! and Anchor is Anchor's own code, not what the emulator charges for a
//! transaction.

use anchor_core::aws::AwsClients;
use anchor_core::model::Deployment;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use futures::future::try_join;

use crate::rollback::BenchError;

/// The keys of each baseline's items: `#` never occurs in a project name,
/// so Anchor's records and listings never meet them.
const MINIMAL_KEY: &str = "baseline-minimal#bench";
/// See [`MINIMAL_KEY`].
const KEY: &str = "baseline-transaction#bench";

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// Where both aliases go for each of the two deployments.
#[derive(Debug, Clone)]
pub struct Aliases {
    server_function: String,
    image_function: String,
    alias: String,
    /// `(server version, image version)` of deployment 0 and 1.
    versions: [(String, String); 2],
}

impl Aliases {
    /// The aliases of the project's functions and the versions of `a` and `b`.
    pub fn new(
        infra: &anchor_core::model::Infrastructure,
        a: &Deployment,
        b: &Deployment,
    ) -> Result<Self, BenchError> {
        let pair = |d: &Deployment| -> Result<(String, String), BenchError> {
            match (&d.server_version, &d.image_version) {
                (Some(s), Some(i)) => Ok((s.version.clone(), i.version.clone())),
                _ => Err(format!("deployment {} has no function versions", d.id).into()),
            }
        };
        Ok(Self {
            server_function: infra.server_function.clone(),
            image_function: infra.image_function.clone(),
            alias: infra.alias.clone(),
            versions: [pair(a)?, pair(b)?],
        })
    }

    /// Both UpdateAlias calls, concurrently.
    async fn point(&self, lambda: &aws_sdk_lambda::Client, to: usize) -> Result<(), BenchError> {
        let (server, image) = &self.versions[to];
        let update = |function: &str, version: &str| {
            lambda
                .update_alias()
                .function_name(function)
                .name(&self.alias)
                .function_version(version)
                .send()
        };
        try_join(
            update(&self.server_function, server),
            update(&self.image_function, image),
        )
        .await?;
        Ok(())
    }
}

/// One conditional UpdateItem, then both aliases.
pub struct Minimal {
    clients: AwsClients,
    table: String,
    aliases: Aliases,
    revision: u64,
}

impl Minimal {
    /// A baseline writing its pointer into `table` (Anchor's projects table).
    pub fn new(clients: AwsClients, table: &str, aliases: Aliases) -> Self {
        Self {
            clients,
            table: table.to_string(),
            aliases,
            revision: 0,
        }
    }

    /// Switches to deployment `to` (0 or 1).
    pub async fn switch(&mut self, to: usize) -> Result<(), BenchError> {
        let condition = if self.revision == 0 {
            "attribute_not_exists(#r)"
        } else {
            "#r = :cur"
        };
        let mut update = self
            .clients
            .dynamodb
            .update_item()
            .table_name(&self.table)
            .key("name", s(MINIMAL_KEY))
            .update_expression("SET #a = :to, #r = :next")
            .condition_expression(condition)
            .expression_attribute_names("#a", "active")
            .expression_attribute_names("#r", "revision")
            .expression_attribute_values(":to", n(to as u64))
            .expression_attribute_values(":next", n(self.revision + 1));
        if self.revision > 0 {
            update = update.expression_attribute_values(":cur", n(self.revision));
        }
        update.send().await?;
        self.revision += 1;
        self.aliases.point(&self.clients.lambda, to).await
    }
}

/// Anchor's six-item transaction, then both aliases.
pub struct SameTransaction {
    clients: AwsClients,
    tables: anchor_core::aws::TableNames,
    aliases: Aliases,
    /// The records the items carry (Anchor's JSON of the real deployments).
    records: [String; 2],
    project_record: String,
    revision: u64,
}

impl SameTransaction {
    /// A baseline writing under its own keys in Anchor's tables, with
    /// records as large as Anchor's.
    pub fn new(
        clients: AwsClients,
        tables: anchor_core::aws::TableNames,
        aliases: Aliases,
        deployments: [&Deployment; 2],
        project: &anchor_core::model::Project,
    ) -> Result<Self, BenchError> {
        Ok(Self {
            clients,
            tables,
            aliases,
            records: [
                serde_json::to_string(deployments[0])?,
                serde_json::to_string(deployments[1])?,
            ],
            project_record: serde_json::to_string(project)?,
            revision: 0,
        })
    }

    fn put(
        &self,
        table: &str,
        item: Vec<(&str, AttributeValue)>,
        fresh: bool,
    ) -> Result<TransactWriteItem, BenchError> {
        let item = item.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let mut put = Put::builder().table_name(table).set_item(Some(item));
        put = if fresh || self.revision == 0 {
            put.condition_expression("attribute_not_exists(#k)")
                .expression_attribute_names(
                    "#k",
                    if table == self.tables.projects {
                        "name"
                    } else {
                        "project"
                    },
                )
        } else {
            put.condition_expression("#r = :cur")
                .expression_attribute_names("#r", "revision")
                .expression_attribute_values(":cur", n(self.revision))
        };
        Ok(TransactWriteItem::builder().put(put.build()?).build())
    }

    /// Switches to deployment `to` (0 or 1).
    pub async fn switch(&mut self, to: usize) -> Result<(), BenchError> {
        let next = self.revision + 1;
        let record = |i: usize| s(self.records[i].clone());
        let mut items = vec![self.put(
            &self.tables.projects,
            vec![
                ("name", s(KEY)),
                ("revision", n(next)),
                ("record", s(self.project_record.clone())),
            ],
            false,
        )?];
        for i in 0..2 {
            let id = format!("id#{KEY}-{i}");
            items.push(self.put(
                &self.tables.deployments,
                vec![
                    ("project", s(KEY)),
                    ("version", n(i as u64 + 1)),
                    ("id", s(id.clone())),
                    ("revision", n(next)),
                    ("record", record(i)),
                ],
                false,
            )?);
            items.push(self.put(
                &self.tables.deployments,
                vec![
                    ("project", s(id)),
                    ("version", n(0)),
                    ("owner", s(KEY)),
                    ("owner_version", n(i as u64 + 1)),
                    ("revision", n(next)),
                    ("record", record(i)),
                ],
                false,
            )?);
        }
        items.push(self.put(
            &self.tables.rollbacks,
            vec![
                ("project", s(KEY)),
                ("sequence", n(next)),
                ("record", s(format!("{{\"to\":{to}}}"))),
            ],
            true,
        )?);
        self.clients
            .dynamodb
            .transact_write_items()
            .set_transact_items(Some(items))
            .client_request_token(format!("baseline-{next}-{}", std::process::id()))
            .send()
            .await?;
        self.revision = next;
        self.aliases.point(&self.clients.lambda, to).await
    }
}
