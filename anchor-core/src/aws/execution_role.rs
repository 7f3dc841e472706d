//! The policy of the functions' execution role: what OpenNext's server,
//! image and revalidation functions call at run time, on the project's own
//! resources only.

use serde_json::{json, Value};

use super::iam::{queues, tag_tables, IamPolicyScope};

/// The execution role's policy document for `scope`:
/// - logs: the functions' own log groups (`/aws/lambda/<project>-*`);
/// - S3: read the assets and the ISR cache, write and delete the cache;
/// - SQS: the server sends to its deployment's queue, the revalidation
///   function's event source mapping receives and deletes;
/// - DynamoDB: the tag cache's reads and writes on the tag table and its
///   `revalidate` index;
/// - CloudFront: `CreateInvalidation` on the project's distribution, which
///   OpenNext's `cloudfront` CDN invalidation sends after on-demand
///   revalidation (every distribution of the account until the project's
///   is known).
///
/// With no project in `scope`, each resource is every project's.
pub fn execution_role_policy(scope: &IamPolicyScope) -> Value {
    let IamPolicyScope {
        account_id: account,
        region,
        bucket,
        project,
        ..
    } = scope;
    let name = project.as_ref().map_or("*", |p| p.name.as_str());
    let objects = match project {
        Some(p) => format!("arn:aws:s3:::{bucket}/{}/*", p.name),
        None => format!("arn:aws:s3:::{bucket}/*"),
    };
    let distribution = match project.as_ref().and_then(|p| p.distribution_id.as_ref()) {
        Some(id) => format!("arn:aws:cloudfront::{account}:distribution/{id}"),
        None => format!("arn:aws:cloudfront::{account}:distribution/*"),
    };
    let log_group = format!("arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{name}-*");
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [log_group.clone(), format!("{log_group}:*")],
            },
            {
                "Effect": "Allow",
                "Action": ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                "Resource": [objects],
            },
            {
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": [format!("arn:aws:s3:::{bucket}")],
            },
            {
                "Effect": "Allow",
                "Action": [
                    "sqs:ChangeMessageVisibility",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                    "sqs:GetQueueUrl",
                    "sqs:ReceiveMessage",
                    "sqs:SendMessage",
                ],
                "Resource": queues(scope),
            },
            {
                "Effect": "Allow",
                "Action": [
                    "dynamodb:BatchGetItem",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:DescribeTable",
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:Query",
                    "dynamodb:UpdateItem",
                ],
                "Resource": tag_tables(scope),
            },
            {
                "Effect": "Allow",
                "Action": ["cloudfront:CreateInvalidation"],
                "Resource": [distribution],
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ProjectPolicyScope;

    fn scope(project: Option<&str>) -> IamPolicyScope {
        IamPolicyScope {
            account_id: "123456789012".into(),
            region: "eu-west-1".into(),
            bucket: "assets".into(),
            table_prefix: "anchor".into(),
            execution_role_arn: "arn:aws:iam::123456789012:role/fn".into(),
            project: project.map(|name| ProjectPolicyScope {
                name: name.into(),
                distribution_id: None,
            }),
        }
    }

    fn resources_of<'a>(doc: &'a Value, action: &str) -> Vec<&'a str> {
        doc["Statement"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| {
                s["Action"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == action))
            })
            .flat_map(|s| s["Resource"].as_array().into_iter().flatten())
            .filter_map(Value::as_str)
            .collect()
    }

    #[test]
    fn a_project_role_reaches_only_its_queues_table_and_cache() {
        let doc = execution_role_policy(&scope(Some("shop")));
        let ulid = "?".repeat(26);
        assert_eq!(
            resources_of(&doc, "sqs:SendMessage"),
            [
                format!("arn:aws:sqs:eu-west-1:123456789012:shop-{ulid}.fifo").as_str(),
                "arn:aws:sqs:eu-west-1:123456789012:shop-revalidation-dlq.fifo"
            ]
        );
        assert_eq!(
            resources_of(&doc, "sqs:ReceiveMessage"),
            resources_of(&doc, "sqs:SendMessage")
        );
        assert_eq!(
            resources_of(&doc, "dynamodb:Query"),
            [
                "arn:aws:dynamodb:eu-west-1:123456789012:table/anchor-shop-tags",
                "arn:aws:dynamodb:eu-west-1:123456789012:table/anchor-shop-tags/index/*"
            ]
        );
        assert_eq!(
            resources_of(&doc, "s3:PutObject"),
            ["arn:aws:s3:::assets/shop/*"]
        );
    }

    #[test]
    fn the_server_may_invalidate_only_its_projects_distribution() {
        let mut known = scope(Some("shop"));
        if let Some(p) = known.project.as_mut() {
            p.distribution_id = Some("E2ABC".into());
        }
        assert_eq!(
            resources_of(
                &execution_role_policy(&known),
                "cloudfront:CreateInvalidation"
            ),
            ["arn:aws:cloudfront::123456789012:distribution/E2ABC"]
        );
        assert_eq!(
            resources_of(
                &execution_role_policy(&scope(Some("shop"))),
                "cloudfront:CreateInvalidation"
            ),
            ["arn:aws:cloudfront::123456789012:distribution/*"]
        );
    }

    #[test]
    fn an_installation_role_reaches_every_project() {
        let doc = execution_role_policy(&scope(None));
        assert_eq!(
            resources_of(&doc, "dynamodb:PutItem")[0],
            "arn:aws:dynamodb:eu-west-1:123456789012:table/anchor-*-tags"
        );
        assert_eq!(
            resources_of(&doc, "sqs:DeleteMessage"),
            ["arn:aws:sqs:eu-west-1:123456789012:*.fifo"]
        );
    }
}
