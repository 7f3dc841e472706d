//! The least-privilege IAM policy Anchor needs, generated from the list of
//! AWS operations the backend calls.
//!
//! [`OPERATIONS`] names every operation of this module tree with the IAM
//! actions it needs. The AWS flow test records each operation the SDK
//! actually sends and fails if one is missing here, so the policy cannot
//! drift from the code.

use serde_json::{json, Value};

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
    ("dynamodb", "DescribeTable", &["dynamodb:DescribeTable"]),
    ("dynamodb", "CreateTable", &["dynamodb:CreateTable"]),
    ("dynamodb", "GetItem", &["dynamodb:GetItem"]),
    ("dynamodb", "Query", &["dynamodb:Query"]),
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
}

/// The resources each service prefix of an action may touch.
fn resources(scope: &IamPolicyScope, action: &str) -> Vec<String> {
    let IamPolicyScope {
        account_id: account,
        region,
        bucket,
        table_prefix,
        execution_role_arn,
    } = scope;
    match action {
        "s3:CreateBucket" | "s3:ListBucket" | "s3:GetBucketPolicy" | "s3:PutBucketPolicy" => {
            vec![format!("arn:aws:s3:::{bucket}")]
        }
        a if a.starts_with("s3:") => vec![format!("arn:aws:s3:::{bucket}/*")],
        "iam:PassRole" => vec![execution_role_arn.clone()],
        a if a.starts_with("lambda:") => ["server", "image"]
            .iter()
            .flat_map(|kind| {
                let base = format!("arn:aws:lambda:{region}:{account}:function:*-{kind}");
                [base.clone(), format!("{base}:*")]
            })
            .collect(),
        "cloudfront:ListDistributions"
        | "cloudfront:ListOriginAccessControls"
        | "cloudfront:CreateOriginAccessControl"
        | "acm:RequestCertificate"
        | "acm:AddTagsToCertificate" => vec!["*".into()],
        a if a.starts_with("cloudfront:") => {
            vec![format!("arn:aws:cloudfront::{account}:distribution/*")]
        }
        a if a.starts_with("acm:") => {
            vec![format!("arn:aws:acm:us-east-1:{account}:certificate/*")]
        }
        a if a.starts_with("dynamodb:") => {
            let table = format!("arn:aws:dynamodb:{region}:{account}:table/{table_prefix}-*");
            vec![table.clone(), format!("{table}/index/*")]
        }
        _ => vec!["*".into()],
    }
}

/// The policy document granting exactly the actions of [`OPERATIONS`],
/// each on the narrowest resources AWS allows. Deleting a certificate is
/// further limited to certificates tagged `managed-by=anchor`, and passing
/// the role to Lambda only.
pub fn iam_policy(scope: &IamPolicyScope) -> Value {
    let mut actions: Vec<&str> = OPERATIONS
        .iter()
        .flat_map(|(_, _, a)| a.iter().copied())
        .collect();
    actions.sort_unstable();
    actions.dedup();
    // One statement per distinct resource set, actions sorted, so the
    // document is stable and reviewable.
    let mut statements: Vec<(Vec<String>, Vec<&str>)> = Vec::new();
    for action in actions {
        if matches!(action, "acm:DeleteCertificate" | "iam:PassRole") {
            continue;
        }
        let res = resources(scope, action);
        match statements.iter_mut().find(|(r, _)| *r == res) {
            Some((_, list)) => list.push(action),
            None => statements.push((res, vec![action])),
        }
    }
    let mut document: Vec<Value> = statements
        .into_iter()
        .map(|(res, actions)| json!({"Effect": "Allow", "Action": actions, "Resource": res}))
        .collect();
    document.push(json!({
        "Effect": "Allow",
        "Action": ["acm:DeleteCertificate"],
        "Resource": resources(scope, "acm:DeleteCertificate"),
        "Condition": {"StringEquals": {"aws:ResourceTag/managed-by": "anchor"}}
    }));
    document.push(json!({
        "Effect": "Allow",
        "Action": ["iam:PassRole"],
        "Resource": resources(scope, "iam:PassRole"),
        "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    }));
    json!({"Version": "2012-10-17", "Statement": document})
}
