//! Helpers shared by the provisioning tests: an `Anchor` on moto with a
//! call recorder, the calls that change something, and an inventory of
//! every resource provisioning makes.

use std::collections::BTreeMap;

use anchor_core::Anchor;
use aws_sdk_s3::config::SharedInterceptor;

use super::intercept::CallRecorder;
use super::Moto;

pub const BUCKET: &str = "anchor-assets";
pub const P: &str = "shop";

pub async fn open(m: &Moto, role: Option<&str>, recorder: &CallRecorder) -> Anchor {
    open_with(m, role, recorder, |_| {}).await
}

/// [`open`] with options changed by `change`, such as a project layout
/// without the router.
pub async fn open_with(
    m: &Moto,
    role: Option<&str>,
    recorder: &CallRecorder,
    change: impl FnOnce(&mut anchor_core::aws::AwsOptions),
) -> Anchor {
    let mut options = m.options(BUCKET);
    change(&mut options);
    options.execution_role_arn = role.map(str::to_string);
    options.interceptors = vec![SharedInterceptor::new(recorder.clone())];
    Anchor::aws_with_config(&m.config, &options).await.unwrap()
}

/// Calls that create or change something; a repeat provisioning must make none.
pub fn mutations(recorder: &CallRecorder) -> Vec<String> {
    const WRITES: &[&str] = &[
        "Create",
        "Put",
        "Update",
        "Publish",
        "AddPermission",
        "Delete",
        "TransactWrite",
        "Tag",
    ];
    recorder
        .operations()
        .into_iter()
        .filter(|op| WRITES.iter().any(|w| op.starts_with(w)))
        .collect()
}

/// Every kind of resource provisioning makes, counted (or, for policies,
/// read) through the AWS crates.
pub async fn inventory(m: &Moto) -> BTreeMap<String, String> {
    let c = &m.clients;
    let mut out = BTreeMap::new();
    let buckets = c.s3.list_buckets().send().await.unwrap();
    out.insert("buckets".into(), buckets.buckets().len().to_string());
    for b in buckets.buckets() {
        let name = b.name().unwrap();
        let policy = c.s3.get_bucket_policy().bucket(name).send().await;
        let policy = policy.ok().and_then(|p| p.policy).unwrap_or_default();
        out.insert(format!("bucket {name} policy"), policy);
    }
    let functions = c.lambda.list_functions().send().await.unwrap();
    out.insert("functions".into(), functions.functions().len().to_string());
    for f in functions.functions() {
        let name = f.function_name().unwrap();
        let versions = c
            .lambda
            .list_versions_by_function()
            .function_name(name)
            .send()
            .await
            .unwrap();
        out.insert(
            format!("{name} versions"),
            versions.versions().len().to_string(),
        );
        let aliases = c
            .lambda
            .list_aliases()
            .function_name(name)
            .send()
            .await
            .unwrap();
        out.insert(
            format!("{name} aliases"),
            format!("{:?}", aliases.aliases()),
        );
        // moto has no ListFunctionUrlConfigs: read the URL of each alias.
        let mut urls = Vec::new();
        for alias in aliases.aliases() {
            let url = c
                .lambda
                .get_function_url_config()
                .function_name(name)
                .qualifier(alias.name().unwrap())
                .send()
                .await;
            if let Ok(url) = url {
                urls.push(url.function_url);
            }
        }
        out.insert(format!("{name} urls"), urls.join(" "));
        for alias in aliases.aliases() {
            let policy = c
                .lambda
                .get_policy()
                .function_name(name)
                .qualifier(alias.name().unwrap())
                .send()
                .await;
            let policy = policy.ok().and_then(|p| p.policy).unwrap_or_default();
            out.insert(format!("{name}:{} policy", alias.name().unwrap()), policy);
        }
    }
    let distributions = c.cloudfront.list_distributions().send().await.unwrap();
    let list = distributions.distribution_list().unwrap();
    out.insert("distributions".into(), list.items().len().to_string());
    let oacs = c
        .cloudfront
        .list_origin_access_controls()
        .send()
        .await
        .unwrap();
    let oacs = oacs
        .origin_access_control_list()
        .map(|l| l.items().len())
        .unwrap_or(0);
    out.insert("origin access controls".into(), oacs.to_string());
    let tables = c.dynamodb.list_tables().send().await.unwrap();
    out.insert("tables".into(), format!("{:?}", tables.table_names()));
    out
}
