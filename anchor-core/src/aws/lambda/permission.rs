//! CloudFront's permission to invoke an alias through its Function URL.

use aws_sdk_lambda::types::FunctionUrlAuthType;

use super::lookup::qualified;
use super::LambdaFunctions;
use crate::aws::errors::service_error;
use crate::error::{Error, ResourceKind, Result, Service};

/// The statement ids [`LambdaFunctions::allow_cloudfront`] adds, one per
/// action, derived from the distribution so a rerun finds them.
fn statement_ids(distribution_arn: &str) -> Result<(String, String)> {
    let id = distribution_arn
        .rsplit_once("distribution/")
        .map(|(_, id)| id)
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .ok_or_else(|| {
            Error::invalid_input(
                "distribution_arn",
                format!("{distribution_arn:?} is not a CloudFront distribution ARN"),
            )
        })?;
    Ok((
        format!("anchor-cloudfront-url-{id}"),
        format!("anchor-cloudfront-invoke-{id}"),
    ))
}

/// Who may invoke an alias through its Function URL, as two statements:
/// `lambda:InvokeFunctionUrl` with the URL's auth type and, as Lambda
/// requires for URLs created since October 2025, `lambda:InvokeFunction`
/// via the URL.
struct UrlGrant<'a> {
    principal: &'a str,
    source_arn: Option<&'a str>,
    auth: FunctionUrlAuthType,
    /// The statement ids of the two statements.
    sids: [&'a str; 2],
}

impl LambdaFunctions {
    /// Lets the CloudFront distribution `distribution_arn` invoke the
    /// alias's Function URL: `lambda:InvokeFunctionUrl` (with auth type
    /// `AWS_IAM`) and, as Lambda requires for URLs created since October
    /// 2025, `lambda:InvokeFunction` via the URL, both for principal
    /// `cloudfront.amazonaws.com` conditioned on the distribution's ARN.
    ///
    /// Idempotent: statements already in the alias's policy are not added
    /// again, and losing a race to add the same statement is success.
    pub async fn allow_cloudfront(
        &self,
        function: &str,
        alias: &str,
        distribution_arn: &str,
    ) -> Result<()> {
        let (url_sid, invoke_sid) = statement_ids(distribution_arn)?;
        let grant = UrlGrant {
            principal: "cloudfront.amazonaws.com",
            source_arn: Some(distribution_arn),
            auth: FunctionUrlAuthType::AwsIam,
            sids: [&url_sid, &invoke_sid],
        };
        self.grant_url(function, alias, &grant).await
    }

    /// Lets anyone invoke the alias through its `NONE`-auth Function URL:
    /// the same two statements, for principal `*`. Idempotent likewise.
    pub(super) async fn allow_public_url(&self, function: &str, alias: &str) -> Result<()> {
        let grant = UrlGrant {
            principal: "*",
            source_arn: None,
            auth: FunctionUrlAuthType::None,
            sids: ["anchor-public-url", "anchor-public-invoke"],
        };
        self.grant_url(function, alias, &grant).await
    }

    /// Adds the grant's two statements to the alias's policy, each unless it
    /// is there already; losing a race to add one is success.
    async fn grant_url(&self, function: &str, alias: &str, grant: &UrlGrant<'_>) -> Result<()> {
        let existing = self.policy_statement_ids(function, alias).await?;
        for (sid, via_url) in [(grant.sids[0], false), (grant.sids[1], true)] {
            if existing.iter().any(|e| e == sid) {
                continue;
            }
            let request = self
                .client
                .add_permission()
                .function_name(function)
                .qualifier(alias)
                .statement_id(sid)
                .principal(grant.principal)
                .set_source_arn(grant.source_arn.map(str::to_string));
            let request = if via_url {
                request
                    .action("lambda:InvokeFunction")
                    .invoked_via_function_url(true)
            } else {
                request
                    .action("lambda:InvokeFunctionUrl")
                    .function_url_auth_type(grant.auth.clone())
            };
            match request.send().await {
                Ok(_) => {}
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_resource_conflict_exception()) => {}
                Err(e) => {
                    let id = qualified(function, alias);
                    return Err(
                        if e.as_service_error()
                            .is_some_and(|s| s.is_resource_not_found_exception())
                        {
                            Error::not_found(ResourceKind::Alias, id)
                        } else {
                            service_error(Service::Functions, "AddPermission", &id, e)
                        },
                    );
                }
            }
        }
        Ok(())
    }

    /// The `Sid`s of the alias's resource policy; empty if it has none.
    async fn policy_statement_ids(&self, function: &str, alias: &str) -> Result<Vec<String>> {
        let id = qualified(function, alias);
        let policy = match self
            .client
            .get_policy()
            .function_name(function)
            .qualifier(alias)
            .send()
            .await
        {
            Ok(out) => out.policy.unwrap_or_default(),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                return Ok(Vec::new())
            }
            Err(e) => return Err(service_error(Service::Functions, "GetPolicy", &id, e)),
        };
        let parsed: serde_json::Value = serde_json::from_str(&policy).map_err(|e| {
            Error::service("aws", Service::Functions, "GetPolicy", format!("{id}: {e}"))
        })?;
        Ok(parsed["Statement"]
            .as_array()
            .map(|statements| {
                statements
                    .iter()
                    .filter_map(|s| s["Sid"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }
}
