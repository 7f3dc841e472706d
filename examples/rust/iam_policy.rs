//! Prints the least-privilege IAM policy Anchor's AWS backend needs,
//! generated from the operations the backend sends.
//!
//! ```sh
//! cargo run -p anchor-examples --bin iam-policy -- \
//!   --account 123456789012 --region eu-west-1 --bucket my-assets \
//!   --role arn:aws:iam::123456789012:role/anchor-lambda [--table-prefix anchor] \
//!   [--project shop [--distribution E2ABC...]] [--execution-role]
//! ```
//!
//! With `--execution-role` it prints instead the policy of the functions'
//! execution role (what OpenNext's functions call at run time).
//!
//! With `--project`, the policy names only that project's resources (its
//! functions, its assets prefix, its records, its tagged certificates and,
//! given `--distribution`, its distribution).

use anchor_core::aws::{execution_role_policy, iam_policy, IamPolicyScope, ProjectPolicyScope};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str, default: Option<&str>| -> String {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map(String::as_str)
            .or(default)
            .unwrap_or_else(|| {
                eprintln!("missing {flag}; see the doc comment of examples/rust/iam_policy.rs");
                std::process::exit(2)
            })
            .to_string()
    };
    let optional = |flag: &str| -> Option<String> {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let scope = IamPolicyScope {
        account_id: value("--account", Some("123456789012")),
        region: value("--region", Some("eu-west-1")),
        bucket: value("--bucket", Some("my-anchor-assets")),
        table_prefix: value("--table-prefix", Some("anchor")),
        execution_role_arn: value(
            "--role",
            Some("arn:aws:iam::123456789012:role/anchor-lambda"),
        ),
        project: optional("--project").map(|name| ProjectPolicyScope {
            name,
            distribution_id: optional("--distribution"),
        }),
    };
    let policy = if args.iter().any(|a| a == "--execution-role") {
        execution_role_policy(&scope)
    } else {
        iam_policy(&scope)
    };
    match serde_json::to_string_pretty(&policy) {
        Ok(text) => println!("{text}"),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1)
        }
    }
}
