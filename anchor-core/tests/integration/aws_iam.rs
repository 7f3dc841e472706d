//! The generated IAM policy: valid, complete for [`OPERATIONS`], never a
//! wildcard action, and with the two dangerous actions scoped by condition.
//! No AWS or moto needed.

use std::collections::BTreeSet;

use anchor_core::aws::{iam_policy, IamPolicyScope, ProjectPolicyScope, OPERATIONS};
use serde_json::Value;

const ROLE: &str = "arn:aws:iam::123456789012:role/anchor-lambda";

fn policy() -> Value {
    let scope = IamPolicyScope {
        account_id: "123456789012".into(),
        region: "eu-west-1".into(),
        bucket: "anchor-assets".into(),
        table_prefix: "anchor".into(),
        execution_role_arn: ROLE.into(),
        project: None,
    };
    // Through text, as it is handed to IAM.
    let text = serde_json::to_string_pretty(&iam_policy(&scope)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A statement's actions or resources, which IAM allows as a string or a list.
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().unwrap().to_string())
            .collect(),
        other => panic!("expected a string or a list, got {other}"),
    }
}

/// The statements that allow `action`.
fn granting<'a>(doc: &'a Value, action: &str) -> Vec<&'a Value> {
    doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| strings(&s["Action"]).iter().any(|a| a == action))
        .collect()
}

#[test]
fn the_policy_is_a_valid_document() {
    let doc = policy();
    assert_eq!(doc["Version"], "2012-10-17");
    let statements = doc["Statement"].as_array().unwrap();
    assert!(!statements.is_empty());
    for s in statements {
        assert_eq!(s["Effect"], "Allow", "{s}");
        assert!(!strings(&s["Action"]).is_empty(), "{s}");
        assert!(!strings(&s["Resource"]).is_empty(), "{s}");
    }
}

#[test]
fn every_operation_is_allowed_and_no_action_is_a_wildcard() {
    let doc = policy();
    let granted: BTreeSet<String> = doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    for action in &granted {
        assert_ne!(action, "*");
        assert!(!action.contains('*'), "wildcard action {action}");
        assert!(action.contains(':'), "{action} names no service");
    }
    for (service, operation, actions) in OPERATIONS {
        for action in *actions {
            assert!(
                granted.contains(*action),
                "{service}:{operation} needs {action}, which the policy lacks"
            );
        }
    }
}

#[test]
fn deleting_certificates_needs_the_managed_by_tag() {
    let doc = policy();
    let statements = granting(&doc, "acm:DeleteCertificate");
    assert_eq!(statements.len(), 1, "{statements:?}");
    let s = statements[0];
    assert_eq!(
        s["Condition"]["StringEquals"]["aws:ResourceTag/managed-by"], "anchor",
        "{s}"
    );
    for r in strings(&s["Resource"]) {
        assert!(r.starts_with("arn:aws:acm:us-east-1:"), "{r}");
    }
}

#[test]
fn passing_the_role_is_limited_to_lambda() {
    let doc = policy();
    let statements = granting(&doc, "iam:PassRole");
    assert_eq!(statements.len(), 1, "{statements:?}");
    let s = statements[0];
    assert_eq!(strings(&s["Resource"]), [ROLE]);
    assert_eq!(
        s["Condition"]["StringEquals"]["iam:PassedToService"], "lambda.amazonaws.com",
        "{s}"
    );
}

/// docs/aws.md prints the policy for the example scope; it must be what the
/// generator makes today, so the docs cannot drift from the code.
#[test]
fn the_documented_policy_is_the_generated_one() {
    let scope = IamPolicyScope {
        account_id: "123456789012".into(),
        region: "eu-west-1".into(),
        bucket: "my-anchor-assets".into(),
        table_prefix: "anchor".into(),
        execution_role_arn: "arn:aws:iam::123456789012:role/anchor-lambda".into(),
        project: None,
    };
    let generated = serde_json::to_string_pretty(&iam_policy(&scope)).unwrap();
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/aws.md"),
    )
    .unwrap();
    assert!(
        doc.contains(&generated),
        "docs/aws.md is stale: run `cargo run -p anchor-examples --bin iam-policy` and paste its output"
    );
}

fn project_policy() -> Value {
    let scope = IamPolicyScope {
        account_id: "123456789012".into(),
        region: "eu-west-1".into(),
        bucket: "anchor-assets".into(),
        table_prefix: "anchor".into(),
        execution_role_arn: ROLE.into(),
        project: Some(ProjectPolicyScope {
            name: "shop".into(),
            distribution_id: Some("E2SHOP".into()),
        }),
    };
    let text = serde_json::to_string_pretty(&iam_policy(&scope)).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_project_policy_names_only_that_projects_resources() {
    let doc = project_policy();
    let statements = doc["Statement"].as_array().unwrap();
    let granted: BTreeSet<String> = statements
        .iter()
        .flat_map(|s| strings(&s["Action"]))
        .collect();
    for (service, operation, actions) in OPERATIONS {
        for action in *actions {
            assert!(
                granted.contains(*action),
                "{service}:{operation} needs {action}"
            );
        }
    }
    let table = |kind: &str| format!("arn:aws:dynamodb:eu-west-1:123456789012:table/anchor-{kind}");
    for s in statements {
        let actions = strings(&s["Action"]);
        let condition = &s["Condition"]["StringEquals"];
        for r in strings(&s["Resource"]) {
            let own = r == "arn:aws:s3:::anchor-assets/shop/*"
                // The bucket itself (create, head, policy), not its objects.
                || r == "arn:aws:s3:::anchor-assets"
                || r.starts_with("arn:aws:lambda:eu-west-1:123456789012:function:shop-server")
                || r.starts_with("arn:aws:lambda:eu-west-1:123456789012:function:shop-image")
                || r.starts_with("arn:aws:lambda:eu-west-1:123456789012:function:shop-revalidation")
                // The revalidation queues and the tag table (ISR).
                || r.starts_with("arn:aws:sqs:eu-west-1:123456789012:shop-")
                || r == table("shop-tags")
                || r == format!("{}/index/*", table("shop-tags"))
                // Event source mappings are named by id: narrowed by the
                // function they feed, the project's revalidation function.
                || ((r == "*"
                    || r == "arn:aws:lambda:eu-west-1:123456789012:event-source-mapping:*")
                    && s["Condition"]["ArnLike"]["lambda:FunctionArn"]
                        == serde_json::json!([
                            "arn:aws:lambda:eu-west-1:123456789012:function:shop-revalidation",
                            "arn:aws:lambda:eu-west-1:123456789012:function:shop-revalidation:*"
                        ]))
                || r == "arn:aws:cloudfront::123456789012:distribution/E2SHOP"
                || r == ROLE
                || (r.starts_with("arn:aws:acm:us-east-1:123456789012:certificate/")
                    && condition["aws:ResourceTag/anchor:project"] == "shop")
                || ([table("projects"), table("deployments"), table("rollbacks")].contains(&r)
                    && (actions.iter().all(|a| {
                        a == "dynamodb:CreateTable" || a == "dynamodb:DescribeTable"
                    }) || s["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
                        == serde_json::json!(["shop"])))
                // Shared by design: the router pairs' stores and functions
                // (`anchor-router`, `anchor-router-2`, ...) and the cache
                // policy serve every project of the account.
                || r == "arn:aws:cloudfront::123456789012:key-value-store/*"
                || r == "arn:aws:cloudfront::123456789012:function/anchor-router*"
                || r == "arn:aws:cloudfront::123456789012:cache-policy/*"
                // Tenant ids are CloudFront's, the connection group Anchor's
                // tenants join is the account's, and tagging is granted on
                // those two only (their creates carry tags).
                || (r == "arn:aws:cloudfront::123456789012:distribution-tenant/*"
                    && actions.iter().all(|a| {
                        (a.starts_with("cloudfront:") && a.contains("DistributionTenant"))
                            || a == "cloudfront:TagResource"
                    }))
                || (r == "arn:aws:cloudfront::123456789012:connection-group/*"
                    && actions.iter().all(|a| {
                        a == "cloudfront:GetConnectionGroup"
                            || a == "cloudfront:CreateConnectionGroup"
                            || a == "cloudfront:TagResource"
                    }))
                // Read-only, and the alarm names are the caller's choice:
                // a rollout's alarm gate reads any alarm of the region.
                || (r == "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:*"
                    && actions.iter().all(|a| a == "cloudwatch:DescribeAlarms"))
                // Shared by design: a domain name belongs to one project.
                || r == table("domains")
                || r == format!("{}/index/*", table("domains"));
            let account_wide_create_or_list = r == "*"
                && actions.iter().all(|a| {
                    matches!(
                        a.as_str(),
                        "cloudfront:ListDistributions"
                            | "cloudfront:ListDistributionsByConnectionMode"
                            | "lambda:ListEventSourceMappings"
                            | "cloudfront:ListOriginAccessControls"
                            | "cloudfront:CreateOriginAccessControl"
                            | "cloudfront:ListCachePolicies"
                            | "cloudfront:ListFunctions"
                            | "cloudfront:ListKeyValueStores"
                    ) || ((a == "acm:RequestCertificate" || a == "acm:AddTagsToCertificate")
                        && condition["aws:RequestTag/anchor:project"] == "shop")
                });
            assert!(
                own || account_wide_create_or_list,
                "{r} is not the project's own resource in {s}"
            );
            assert!(!r.contains("function:*"), "{r}");
        }
    }
    // Another project's queues are out of reach: the deployment queues'
    // names are the project's, a hyphen and exactly 26 characters.
    let queues = granting(&doc, "sqs:CreateQueue");
    assert_eq!(queues.len(), 1);
    assert_eq!(
        strings(&queues[0]["Resource"]),
        [
            format!(
                "arn:aws:sqs:eu-west-1:123456789012:shop-{}.fifo",
                "?".repeat(26)
            ),
            "arn:aws:sqs:eu-west-1:123456789012:shop-revalidation-dlq.fifo".to_string()
        ]
    );
    // Seeding, and pruning a build's rows (found with a Scan), touch only
    // the project's tag table.
    let seed = granting(&doc, "dynamodb:BatchWriteItem");
    assert_eq!(seed.len(), 1, "{seed:?}");
    let tags = [
        table("shop-tags"),
        format!("{}/index/*", table("shop-tags")),
    ];
    assert_eq!(strings(&seed[0]["Resource"]), tags);
    assert!(
        strings(&seed[0]["Action"]).contains(&"dynamodb:Scan".to_string()),
        "{seed:?}"
    );
    // Listing the bucket (pruning's ISR cache) only under the project's
    // prefix; HeadBucket sends none, hence `IfExists`.
    let list = granting(&doc, "s3:ListBucket");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(
        strings(&list[0]["Resource"]),
        ["arn:aws:s3:::anchor-assets"]
    );
    assert_eq!(
        list[0]["Condition"]["StringLikeIfExists"]["s3:prefix"],
        serde_json::json!(["shop/*"])
    );
    // Deleting a certificate needs both tags: Anchor's and the project's.
    let delete = granting(&doc, "acm:DeleteCertificate");
    assert_eq!(delete.len(), 1);
    assert_eq!(
        delete[0]["Condition"]["StringEquals"]["aws:ResourceTag/managed-by"],
        "anchor"
    );
    assert_eq!(
        delete[0]["Condition"]["StringEquals"]["aws:ResourceTag/anchor:project"],
        "shop"
    );
}
