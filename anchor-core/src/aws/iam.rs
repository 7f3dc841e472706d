//! The least-privilege IAM policy Anchor needs, generated from the list of
//! AWS operations the backend calls.
//!
//! [`OPERATIONS`] names every operation of this module tree with the IAM
//! actions it needs. The AWS flow test records each operation the SDK
//! actually sends and fails if one is missing here, so the policy cannot
//! drift from the code.

use serde_json::{json, Value};

use super::cloudfront::ROUTER_FUNCTION_NAME;
use crate::traits::PROJECT_TAG_KEY;

/// Every AWS operation Anchor calls: (service, operation, IAM actions).
/// The service is the SDK's lowercase service id.
pub const OPERATIONS: &[(&str, &str, &[&str])] = &[
    ("s3", "PutObject", &["s3:PutObject"]),
    ("s3", "CopyObject", &["s3:GetObject", "s3:PutObject"]),
    ("s3", "HeadObject", &["s3:GetObject"]),
    ("s3", "GetObject", &["s3:GetObject"]),
    ("s3", "DeleteObject", &["s3:DeleteObject"]),
    ("s3", "CreateMultipartUpload", &["s3:PutObject"]),
    ("s3", "UploadPart", &["s3:PutObject"]),
    ("s3", "CompleteMultipartUpload", &["s3:PutObject"]),
    ("s3", "AbortMultipartUpload", &["s3:AbortMultipartUpload"]),
    ("s3", "HeadBucket", &["s3:ListBucket"]),
    // Pruning lists the ISR cache of a build no deployment uses any more.
    ("s3", "ListObjectsV2", &["s3:ListBucket"]),
    ("s3", "CreateBucket", &["s3:CreateBucket"]),
    ("s3", "GetBucketPolicy", &["s3:GetBucketPolicy"]),
    ("s3", "PutBucketPolicy", &["s3:PutBucketPolicy"]),
    ("lambda", "GetFunction", &["lambda:GetFunction"]),
    (
        "lambda",
        "GetFunctionConfiguration",
        &["lambda:GetFunctionConfiguration"],
    ),
    (
        "lambda",
        "CreateFunction",
        &["lambda:CreateFunction", "iam:PassRole"],
    ),
    (
        "lambda",
        "UpdateFunctionCode",
        &["lambda:UpdateFunctionCode"],
    ),
    (
        "lambda",
        "UpdateFunctionConfiguration",
        &["lambda:UpdateFunctionConfiguration", "iam:PassRole"],
    ),
    ("lambda", "PublishVersion", &["lambda:PublishVersion"]),
    (
        "lambda",
        "ListVersionsByFunction",
        &["lambda:ListVersionsByFunction"],
    ),
    ("lambda", "DeleteFunction", &["lambda:DeleteFunction"]),
    ("lambda", "GetAlias", &["lambda:GetAlias"]),
    ("lambda", "CreateAlias", &["lambda:CreateAlias"]),
    ("lambda", "UpdateAlias", &["lambda:UpdateAlias"]),
    ("lambda", "ListAliases", &["lambda:ListAliases"]),
    ("lambda", "DeleteAlias", &["lambda:DeleteAlias"]),
    (
        "lambda",
        "DeleteFunctionUrlConfig",
        &["lambda:DeleteFunctionUrlConfig"],
    ),
    (
        "lambda",
        "GetFunctionUrlConfig",
        &["lambda:GetFunctionUrlConfig"],
    ),
    (
        "lambda",
        "CreateFunctionUrlConfig",
        &["lambda:CreateFunctionUrlConfig"],
    ),
    (
        "lambda",
        "UpdateFunctionUrlConfig",
        &["lambda:UpdateFunctionUrlConfig"],
    ),
    ("lambda", "AddPermission", &["lambda:AddPermission"]),
    ("lambda", "GetPolicy", &["lambda:GetPolicy"]),
    (
        "cloudfront",
        "GetDistribution",
        &["cloudfront:GetDistribution"],
    ),
    (
        "cloudfront",
        "GetDistributionConfig",
        &["cloudfront:GetDistributionConfig"],
    ),
    (
        "cloudfront",
        "UpdateDistribution",
        &["cloudfront:UpdateDistribution"],
    ),
    (
        "cloudfront",
        "CreateDistribution",
        &["cloudfront:CreateDistribution"],
    ),
    (
        "cloudfront",
        "ListDistributions",
        &["cloudfront:ListDistributions"],
    ),
    (
        "cloudfront",
        "CreateInvalidation",
        &["cloudfront:CreateInvalidation"],
    ),
    (
        "cloudfront",
        "ListOriginAccessControls",
        &["cloudfront:ListOriginAccessControls"],
    ),
    (
        "cloudfront",
        "CreateOriginAccessControl",
        &["cloudfront:CreateOriginAccessControl"],
    ),
    // The edge router's resources, shared by every project (issue 15).
    (
        "cloudfront",
        "CreateKeyValueStore",
        &["cloudfront:CreateKeyValueStore"],
    ),
    (
        "cloudfront",
        "DescribeKeyValueStore",
        &["cloudfront:DescribeKeyValueStore"],
    ),
    (
        "cloudfront keyvaluestore",
        "DescribeKeyValueStore",
        &["cloudfront-keyvaluestore:DescribeKeyValueStore"],
    ),
    (
        "cloudfront keyvaluestore",
        "GetKey",
        &["cloudfront-keyvaluestore:GetKey"],
    ),
    (
        "cloudfront keyvaluestore",
        "UpdateKeys",
        &["cloudfront-keyvaluestore:UpdateKeys"],
    ),
    (
        "cloudfront",
        "DescribeFunction",
        &["cloudfront:DescribeFunction"],
    ),
    (
        "cloudfront",
        "CreateFunction",
        &["cloudfront:CreateFunction"],
    ),
    (
        "cloudfront",
        "UpdateFunction",
        &["cloudfront:UpdateFunction"],
    ),
    (
        "cloudfront",
        "PublishFunction",
        &["cloudfront:PublishFunction"],
    ),
    // Counting the account's functions and stores before a new router pair.
    ("cloudfront", "ListFunctions", &["cloudfront:ListFunctions"]),
    (
        "cloudfront",
        "ListKeyValueStores",
        &["cloudfront:ListKeyValueStores"],
    ),
    (
        "cloudfront",
        "ListCachePolicies",
        &["cloudfront:ListCachePolicies"],
    ),
    (
        "cloudfront",
        "CreateCachePolicy",
        &["cloudfront:CreateCachePolicy"],
    ),
    // Custom domains in tenant mode: one distribution tenant per domain
    // (issue 18). A create that carries tags is also tag-authorised.
    (
        "cloudfront",
        "CreateDistributionTenant",
        &[
            "cloudfront:CreateDistributionTenant",
            "cloudfront:TagResource",
        ],
    ),
    (
        "cloudfront",
        "GetDistributionTenant",
        &["cloudfront:GetDistributionTenant"],
    ),
    (
        "cloudfront",
        "UpdateDistributionTenant",
        &["cloudfront:UpdateDistributionTenant"],
    ),
    (
        "cloudfront",
        "DeleteDistributionTenant",
        &["cloudfront:DeleteDistributionTenant"],
    ),
    // Tenant-mode provisioning: the connection group Anchor's tenants join
    // (shared by every project), and finding a multi-tenant distribution.
    (
        "cloudfront",
        "GetConnectionGroup",
        &["cloudfront:GetConnectionGroup"],
    ),
    (
        "cloudfront",
        "CreateConnectionGroup",
        &["cloudfront:CreateConnectionGroup", "cloudfront:TagResource"],
    ),
    (
        "cloudfront",
        "ListDistributionsByConnectionMode",
        &["cloudfront:ListDistributionsByConnectionMode"],
    ),
    (
        "acm",
        "RequestCertificate",
        &["acm:RequestCertificate", "acm:AddTagsToCertificate"],
    ),
    ("acm", "DescribeCertificate", &["acm:DescribeCertificate"]),
    (
        "acm",
        "ListTagsForCertificate",
        &["acm:ListTagsForCertificate"],
    ),
    ("acm", "DeleteCertificate", &["acm:DeleteCertificate"]),
    // The revalidation pipeline of OpenNext's ISR (issue 15).
    ("sqs", "GetQueueUrl", &["sqs:GetQueueUrl"]),
    ("sqs", "CreateQueue", &["sqs:CreateQueue"]),
    ("sqs", "GetQueueAttributes", &["sqs:GetQueueAttributes"]),
    ("sqs", "DeleteQueue", &["sqs:DeleteQueue"]),
    // The rollout gate on named alarms (`AlarmGate`).
    (
        "cloudwatch",
        "DescribeAlarms",
        &["cloudwatch:DescribeAlarms"],
    ),
    (
        "lambda",
        "CreateEventSourceMapping",
        &["lambda:CreateEventSourceMapping"],
    ),
    (
        "lambda",
        "ListEventSourceMappings",
        &["lambda:ListEventSourceMappings"],
    ),
    (
        "lambda",
        "DeleteEventSourceMapping",
        &["lambda:DeleteEventSourceMapping"],
    ),
    ("dynamodb", "BatchWriteItem", &["dynamodb:BatchWriteItem"]),
    ("dynamodb", "DescribeTable", &["dynamodb:DescribeTable"]),
    ("dynamodb", "CreateTable", &["dynamodb:CreateTable"]),
    ("dynamodb", "GetItem", &["dynamodb:GetItem"]),
    ("dynamodb", "Query", &["dynamodb:Query"]),
    // Counting the projects bound to each router pair, and finding the tag
    // rows of a build pruning leaves unused (then deleted with
    // BatchWriteItem).
    ("dynamodb", "Scan", &["dynamodb:Scan"]),
    ("dynamodb", "UpdateItem", &["dynamodb:UpdateItem"]),
    (
        "dynamodb",
        "TransactWriteItems",
        &[
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:ConditionCheckItem",
        ],
    ),
];

/// The IAM actions `operation` of `service` needs, if Anchor calls it.
pub fn actions_for(service: &str, operation: &str) -> Option<&'static [&'static str]> {
    let service = service.to_ascii_lowercase();
    OPERATIONS
        .iter()
        .find(|(s, o, _)| *s == service && *o == operation)
        .map(|(_, _, actions)| *actions)
}

/// What the policy is scoped to.
#[derive(Debug, Clone)]
pub struct IamPolicyScope {
    /// The AWS account id.
    pub account_id: String,
    /// The region of the bucket, the functions and the tables.
    pub region: String,
    /// The asset bucket.
    pub bucket: String,
    /// The tables' name prefix (`anchor` for `anchor-projects`, ...).
    pub table_prefix: String,
    /// The execution role Anchor passes to the functions it creates.
    pub execution_role_arn: String,
    /// Narrows the policy to one project's resources; `None` grants what
    /// every project of this installation needs.
    pub project: Option<ProjectPolicyScope>,
}

/// One project's resources, for a policy that can touch nothing else.
#[derive(Debug, Clone)]
pub struct ProjectPolicyScope {
    /// The project's name. Its functions are `<name>-server` and
    /// `<name>-image`, its assets live under `<name>/` in the bucket, its
    /// records in the projects, deployments and rollbacks tables are keyed
    /// by it, and its certificates carry the tag `anchor:project=<name>`.
    pub name: String,
    /// The project's CloudFront distribution, once provisioned. Without it
    /// the distribution actions name every distribution of the account,
    /// because creating the distribution cannot name it in advance.
    pub distribution_id: Option<String>,
}

/// The resources one action may touch, and the condition that narrows it.
#[derive(Debug, Clone, PartialEq)]
struct Grant {
    resources: Vec<String>,
    condition: Option<Value>,
}

impl Grant {
    fn on(resources: Vec<String>) -> Self {
        Self {
            resources,
            condition: None,
        }
    }

    fn when(mut self, condition: Value) -> Self {
        self.condition = Some(condition);
        self
    }
}

/// What `action` may touch under `scope`.
fn grant(scope: &IamPolicyScope, action: &str) -> Grant {
    let IamPolicyScope {
        account_id: account,
        region,
        bucket,
        table_prefix,
        execution_role_arn,
        project,
    } = scope;
    let project = project.as_ref();
    match action {
        "s3:CreateBucket" | "s3:GetBucketPolicy" | "s3:PutBucketPolicy" => {
            Grant::on(vec![format!("arn:aws:s3:::{bucket}")])
        }
        // Listing names the bucket; a project lists only under its own
        // prefix. HeadBucket needs this action too and sends no prefix,
        // which IAM cannot tell from a listing without one: `IfExists`.
        "s3:ListBucket" => {
            let on = Grant::on(vec![format!("arn:aws:s3:::{bucket}")]);
            match project {
                Some(p) => on.when(json!({"StringLikeIfExists": {
                    "s3:prefix": [format!("{}/*", p.name)]
                }})),
                None => on,
            }
        }
        a if a.starts_with("s3:") => Grant::on(vec![match project {
            Some(p) => format!("arn:aws:s3:::{bucket}/{}/*", p.name),
            None => format!("arn:aws:s3:::{bucket}/*"),
        }]),
        "iam:PassRole" => Grant::on(vec![execution_role_arn.clone()])
            .when(json!({"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}})),
        // Mappings are named by id, not by function: Lambda narrows them
        // by the function they feed. Listing them cannot be narrowed.
        "lambda:ListEventSourceMappings" => Grant::on(vec!["*".into()]),
        "lambda:CreateEventSourceMapping" | "lambda:DeleteEventSourceMapping" => {
            let name = project.map_or("*", |p| p.name.as_str());
            let function =
                format!("arn:aws:lambda:{region}:{account}:function:{name}-revalidation");
            let resource = if action == "lambda:CreateEventSourceMapping" {
                "*".to_string()
            } else {
                format!("arn:aws:lambda:{region}:{account}:event-source-mapping:*")
            };
            Grant::on(vec![resource]).when(json!({"ArnLike": {
                "lambda:FunctionArn": [function.clone(), format!("{function}:*")]
            }}))
        }
        a if a.starts_with("lambda:") => Grant::on(
            ["server", "image", "revalidation"]
                .iter()
                .flat_map(|kind| {
                    let name = project.map_or("*", |p| p.name.as_str());
                    let base = format!("arn:aws:lambda:{region}:{account}:function:{name}-{kind}");
                    [base.clone(), format!("{base}:*")]
                })
                .collect(),
        ),
        a if a.starts_with("sqs:") => Grant::on(queues(scope)),
        "cloudfront:ListDistributions"
        | "cloudfront:ListDistributionsByConnectionMode"
        | "cloudfront:ListOriginAccessControls"
        | "cloudfront:CreateOriginAccessControl"
        | "cloudfront:ListCachePolicies"
        | "cloudfront:ListFunctions"
        | "cloudfront:ListKeyValueStores" => Grant::on(vec!["*".into()]),
        // Alarms are read by name, and the names are the caller's: any.
        "cloudwatch:DescribeAlarms" => Grant::on(vec![format!(
            "arn:aws:cloudwatch:{region}:{account}:alarm:*"
        )]),
        // The router's store, function and cache policy are the account's,
        // shared by every project, so a project's policy grants them too.
        // A store's and a policy's ARNs end in ids CloudFront chooses; the
        // function's ends in its name.
        "cloudfront:CreateKeyValueStore" | "cloudfront:DescribeKeyValueStore" => {
            Grant::on(vec![format!(
                "arn:aws:cloudfront::{account}:key-value-store/*"
            )])
        }
        a if a.starts_with("cloudfront-keyvaluestore:") => Grant::on(vec![format!(
            "arn:aws:cloudfront::{account}:key-value-store/*"
        )]),
        "cloudfront:CreateFunction"
        | "cloudfront:DescribeFunction"
        | "cloudfront:UpdateFunction"
        | "cloudfront:PublishFunction" => Grant::on(vec![format!(
            "arn:aws:cloudfront::{account}:function/{ROUTER_FUNCTION_NAME}*"
        )]),
        "cloudfront:CreateCachePolicy" => Grant::on(vec![format!(
            "arn:aws:cloudfront::{account}:cache-policy/*"
        )]),
        // Tenants' ids are CloudFront's and their names are hashes of the
        // domain, so a policy cannot name one project's tenants in advance.
        // A create also names the multi-tenant distribution it joins.
        "cloudfront:CreateDistributionTenant" => {
            let id = project
                .and_then(|p| p.distribution_id.as_deref())
                .unwrap_or("*");
            Grant::on(vec![
                format!("arn:aws:cloudfront::{account}:distribution-tenant/*"),
                format!("arn:aws:cloudfront::{account}:distribution/{id}"),
            ])
        }
        "cloudfront:GetDistributionTenant"
        | "cloudfront:UpdateDistributionTenant"
        | "cloudfront:DeleteDistributionTenant" => Grant::on(vec![format!(
            "arn:aws:cloudfront::{account}:distribution-tenant/*"
        )]),
        // Anchor's connection group, one per account like the router's
        // resources; its id is CloudFront's.
        "cloudfront:GetConnectionGroup" | "cloudfront:CreateConnectionGroup" => {
            Grant::on(vec![format!(
                "arn:aws:cloudfront::{account}:connection-group/*"
            )])
        }
        // Only to tag what Anchor creates with tags: tenants and the group.
        "cloudfront:TagResource" => Grant::on(vec![
            format!("arn:aws:cloudfront::{account}:distribution-tenant/*"),
            format!("arn:aws:cloudfront::{account}:connection-group/*"),
        ]),
        a if a.starts_with("cloudfront:") => {
            let id = project
                .and_then(|p| p.distribution_id.as_deref())
                .unwrap_or("*");
            Grant::on(vec![format!(
                "arn:aws:cloudfront::{account}:distribution/{id}"
            )])
        }
        "acm:RequestCertificate" | "acm:AddTagsToCertificate" => {
            let any = Grant::on(vec!["*".into()]);
            match project {
                Some(p) => any.when(json!({"StringEquals": {
                    format!("aws:RequestTag/{PROJECT_TAG_KEY}"): p.name
                }})),
                None => any,
            }
        }
        a if a.starts_with("acm:") => {
            let certificates = Grant::on(vec![format!(
                "arn:aws:acm:us-east-1:{account}:certificate/*"
            )]);
            let mut tags = serde_json::Map::new();
            if a == "acm:DeleteCertificate" {
                tags.insert("aws:ResourceTag/managed-by".into(), json!("anchor"));
            }
            if let Some(p) = project {
                tags.insert(format!("aws:ResourceTag/{PROJECT_TAG_KEY}"), json!(p.name));
            }
            if tags.is_empty() {
                certificates
            } else {
                certificates.when(json!({ "StringEquals": tags }))
            }
        }
        // The tag tables: written to seed them and to delete a pruned
        // build's rows, keyed by build id.
        "dynamodb:BatchWriteItem" => Grant::on(tag_tables(scope)),
        a if a.starts_with("dynamodb:") => {
            let table = |kind: &str| {
                format!("arn:aws:dynamodb:{region}:{account}:table/{table_prefix}-{kind}")
            };
            match project {
                None => {
                    let table = table("*");
                    Grant::on(vec![table.clone(), format!("{table}/index/*")])
                }
                // The tables keyed by project: only the project's items.
                // CreateTable and DescribeTable act on tables, not items.
                Some(p) if !matches!(a, "dynamodb:CreateTable" | "dynamodb:DescribeTable") => {
                    Grant::on(
                        ["projects", "deployments", "rollbacks"]
                            .iter()
                            .map(|kind| table(kind))
                            .collect(),
                    )
                    .when(json!({"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [p.name]}}))
                }
                Some(_) => Grant::on(
                    ["projects", "deployments", "rollbacks", "domains"]
                        .iter()
                        .map(|kind| table(kind))
                        .chain(tag_tables(scope))
                        .collect(),
                ),
            }
        }
        _ => Grant::on(vec!["*".into()]),
    }
}

/// The revalidation queues: `<project>-<26-character ULID>.fifo` per
/// deployment and `<project>-revalidation-dlq.fifo`.
pub(crate) fn queues(scope: &IamPolicyScope) -> Vec<String> {
    let IamPolicyScope {
        account_id: account,
        region,
        project,
        ..
    } = scope;
    match project {
        Some(p) => {
            let name = &p.name;
            let ulid = "?".repeat(26);
            vec![
                format!("arn:aws:sqs:{region}:{account}:{name}-{ulid}.fifo"),
                format!("arn:aws:sqs:{region}:{account}:{name}-revalidation-dlq.fifo"),
            ]
        }
        None => vec![format!("arn:aws:sqs:{region}:{account}:*.fifo")],
    }
}

/// The tag tables (`<prefix>-<project>-tags`) and their indexes.
pub(crate) fn tag_tables(scope: &IamPolicyScope) -> Vec<String> {
    let name = scope.project.as_ref().map_or("*", |p| p.name.as_str());
    let table = format!(
        "arn:aws:dynamodb:{}:{}:table/{}-{name}-tags",
        scope.region, scope.account_id, scope.table_prefix
    );
    vec![table.clone(), format!("{table}/index/*")]
}

/// A project policy's extra grant on its tag table: Scan, to find the rows
/// of a build pruning leaves unused (DynamoDB has no prefix query on a
/// partition key). An installation's policy grants Scan on every table of
/// the prefix already, the tag tables among them.
fn tag_table_scan_grant(scope: &IamPolicyScope) -> Option<(Grant, Vec<&'static str>)> {
    scope.project.as_ref()?;
    Some((Grant::on(tag_tables(scope)), vec!["dynamodb:Scan"]))
}

/// A project policy's extra grant on the domains table, which is keyed by
/// domain name so that a name can belong to one project only: every
/// project must read any name to find out whether another project holds
/// it. Anchor's writes there are conditioned on the record's `project`.
fn domains_table_grant(scope: &IamPolicyScope) -> Option<(Grant, Vec<&'static str>)> {
    scope.project.as_ref()?;
    let table = format!(
        "arn:aws:dynamodb:{}:{}:table/{}-domains",
        scope.region, scope.account_id, scope.table_prefix
    );
    let actions = OPERATIONS
        .iter()
        .filter(|(service, _, _)| *service == "dynamodb")
        .flat_map(|(_, _, a)| a.iter().copied())
        .filter(|a| {
            !matches!(
                *a,
                "dynamodb:CreateTable" | "dynamodb:DescribeTable" | "dynamodb:BatchWriteItem"
            )
        });
    let mut actions: Vec<&'static str> = actions.collect();
    actions.sort_unstable();
    actions.dedup();
    Some((
        Grant::on(vec![table.clone(), format!("{table}/index/*")]),
        actions,
    ))
}

/// The policy document granting exactly the actions of [`OPERATIONS`],
/// each on the narrowest resources AWS allows. Deleting a certificate is
/// further limited to certificates tagged `managed-by=anchor`, and passing
/// the role to Lambda only. With [`IamPolicyScope::project`], every
/// resource is the project's own (see [`ProjectPolicyScope`]), except the
/// bucket itself, the shared domains table, the edge router's store,
/// function and cache policy (one each per account, shared by every
/// project), and the account-wide list and create calls that provisioning
/// needs and AWS cannot scope.
pub fn iam_policy(scope: &IamPolicyScope) -> Value {
    let mut actions: Vec<&str> = OPERATIONS
        .iter()
        .flat_map(|(_, _, a)| a.iter().copied())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    // One statement per distinct grant, actions sorted, so the document is
    // stable and reviewable.
    let mut statements: Vec<(Grant, Vec<&str>)> = Vec::new();
    for action in actions {
        let g = grant(scope, action);
        match statements.iter_mut().find(|(have, _)| *have == g) {
            Some((_, list)) => list.push(action),
            None => statements.push((g, vec![action])),
        }
    }
    // The extra grants join a statement with the same grant if one exists.
    for (g, extra) in domains_table_grant(scope)
        .into_iter()
        .chain(tag_table_scan_grant(scope))
    {
        match statements.iter_mut().find(|(have, _)| *have == g) {
            Some((_, list)) => {
                list.extend(extra);
                list.sort_unstable();
                list.dedup();
            }
            None => statements.push((g, extra)),
        }
    }
    // Unconditioned statements first, as the policy has always listed them.
    statements.sort_by_key(|(g, _)| g.condition.is_some());
    let document: Vec<Value> = statements
        .into_iter()
        .map(|(g, actions)| {
            let mut s = json!({"Effect": "Allow", "Action": actions, "Resource": g.resources});
            if let Some(c) = g.condition {
                s["Condition"] = c;
            }
            s
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": document})
}
