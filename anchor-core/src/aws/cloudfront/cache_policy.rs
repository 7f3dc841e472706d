//! The one custom cache policy the server and image behaviours share,
//! found by name or created once per account.

use aws_sdk_cloudfront::types::{
    CachePolicyConfig, CachePolicyCookieBehavior, CachePolicyCookiesConfig,
    CachePolicyHeaderBehavior, CachePolicyHeadersConfig, CachePolicyQueryStringBehavior,
    CachePolicyQueryStringsConfig, CachePolicyType, Headers,
    ParametersInCacheKeyAndForwardedToOrigin,
};

use super::{build_error, CloudFrontCdn};
use crate::aws::errors::service_error;
use crate::error::{Error, Result, Service};

/// The name of the router's cache policy. One per account, shared by every
/// project's server and image behaviours: an account may hold only 20
/// custom cache policies by default, so a policy per project (or per
/// deployment) would run out after a handful of projects.
pub const ROUTER_CACHE_POLICY_NAME: &str = "anchor-router";

/// The only header in the cache key. The router function hashes into it
/// what must split the cache (the viewer's host, the RSC headers, the
/// deployment), because every header in a cache key is also forwarded to
/// the origin, and `Host` must not be: a Lambda Function URL only answers
/// requests for its own host, so the viewer's `Host` in the key would
/// break every origin request.
pub const CACHE_KEY_HEADER: &str = crate::model::ROUTER_CACHE_KEY_HEADER;

/// The shortest time CloudFront keeps a response: 0, so an origin's
/// `Cache-Control: no-store` or `max-age=0` (dynamic pages) is obeyed.
pub const CACHE_POLICY_MIN_TTL: i64 = 0;
/// The time a response without `Cache-Control` is kept: 0, because Next.js
/// states what may be cached and anything it did not is dynamic.
pub const CACHE_POLICY_DEFAULT_TTL: i64 = 0;
/// The longest time a response is kept: one year (31,536,000 s), for
/// the `s-maxage` of ISR pages and immutable images.
pub const CACHE_POLICY_MAX_TTL: i64 = 31_536_000;

/// How many custom cache policies an account may hold unless raised.
pub const CACHE_POLICY_QUOTA: u32 = 20;

/// The policy's configuration: every query string (Next.js reads them,
/// and the image optimiser's `url`, `w` and `q` pick the image), no
/// cookies (the router puts what matters in [`CACHE_KEY_HEADER`]), only
/// [`CACHE_KEY_HEADER`] as a header, and gzip and brotli normalised so
/// compressed copies are cached apart.
pub fn router_cache_policy_config(name: &str) -> Result<CachePolicyConfig> {
    let built = build_error("CreateCachePolicy");
    let headers = CachePolicyHeadersConfig::builder()
        .header_behavior(CachePolicyHeaderBehavior::Whitelist)
        .headers(
            Headers::builder()
                .quantity(1)
                .items(CACHE_KEY_HEADER)
                .build()
                .map_err(&built)?,
        )
        .build()
        .map_err(&built)?;
    let cookies = CachePolicyCookiesConfig::builder()
        .cookie_behavior(CachePolicyCookieBehavior::None)
        .build()
        .map_err(&built)?;
    let query_strings = CachePolicyQueryStringsConfig::builder()
        .query_string_behavior(CachePolicyQueryStringBehavior::All)
        .build()
        .map_err(&built)?;
    let parameters = ParametersInCacheKeyAndForwardedToOrigin::builder()
        .enable_accept_encoding_gzip(true)
        .enable_accept_encoding_brotli(true)
        .headers_config(headers)
        .cookies_config(cookies)
        .query_strings_config(query_strings)
        .build()
        .map_err(&built)?;
    CachePolicyConfig::builder()
        .name(name)
        .comment("Anchor's router: the server and image behaviours of every project")
        .min_ttl(CACHE_POLICY_MIN_TTL)
        .default_ttl(CACHE_POLICY_DEFAULT_TTL)
        .max_ttl(CACHE_POLICY_MAX_TTL)
        .parameters_in_cache_key_and_forwarded_to_origin(parameters)
        .build()
        .map_err(&built)
}

impl CloudFrontCdn {
    /// Returns the id of the custom cache policy named `name`, creating it
    /// with [`router_cache_policy_config`]'s settings if the account has none.
    ///
    /// Idempotent: the account's custom policies are listed (every page)
    /// and a policy of that name is used as it is, with no write. A
    /// concurrent creator (`CachePolicyAlreadyExists`) is adopted by
    /// listing again. An account at its quota (`TooManyCachePolicies`) is
    /// `Error::InvalidInput` on `cache_policy`, not retryable: the message
    /// names the quota ([`CACHE_POLICY_QUOTA`] per account by default) and
    /// how to raise it. The quota is an input the caller controls (delete
    /// a policy or raise it), like the store's size limit; no resource of
    /// Anchor's is in a wrong state.
    pub async fn ensure_cache_policy(&self, name: &str) -> Result<String> {
        if name.is_empty() || name.len() > 128 {
            return Err(Error::invalid_input(
                "name",
                format!("{name:.80?} must be 1 to 128 characters"),
            ));
        }
        if let Some(id) = self.find_cache_policy(name).await? {
            return Ok(id);
        }
        let config = router_cache_policy_config(name)?;
        let created = self
            .client
            .create_cache_policy()
            .cache_policy_config(config)
            .send()
            .await;
        let err = match created {
            Ok(out) => {
                return out
                    .cache_policy()
                    .map(|p| p.id().to_string())
                    .ok_or_else(|| {
                        Error::service(
                            "aws",
                            Service::Cdn,
                            "CreateCachePolicy",
                            "no cache policy in the reply",
                        )
                    })
            }
            Err(err) => err,
        };
        match err.as_service_error() {
            Some(e) if e.is_cache_policy_already_exists() => {
                self.find_cache_policy(name).await?.ok_or_else(|| {
                    Error::service(
                        "aws",
                        Service::Cdn,
                        "CreateCachePolicy",
                        format!("{name} already exists but is not a custom policy of this account"),
                    )
                })
            }
            Some(e) if e.is_too_many_cache_policies() => Err(Error::invalid_input(
                "cache_policy",
                format!(
                    "cannot create cache policy {name}: the account has its {CACHE_POLICY_QUOTA} \
                     custom cache policies (CloudFront's default quota per account); delete an \
                     unused one or request more under 'Cache policies per AWS account' in \
                     Service Quotas (CloudFront)"
                ),
            )),
            _ => Err(service_error(Service::Cdn, "CreateCachePolicy", name, err)),
        }
    }

    /// The id of the account's custom cache policy named `name`.
    async fn find_cache_policy(&self, name: &str) -> Result<Option<String>> {
        let mut marker: Option<String> = None;
        loop {
            let out = self
                .client
                .list_cache_policies()
                .r#type(CachePolicyType::Custom)
                .set_marker(marker.take())
                .send()
                .await
                .map_err(|e| service_error(Service::Cdn, "ListCachePolicies", name, e))?;
            let Some(list) = out.cache_policy_list() else {
                return Ok(None);
            };
            let found = list
                .items()
                .iter()
                .filter_map(|summary| summary.cache_policy())
                .find(|policy| {
                    policy
                        .cache_policy_config()
                        .is_some_and(|c| c.name() == name)
                });
            if let Some(policy) = found {
                return Ok(Some(policy.id().to_string()));
            }
            match list.next_marker().filter(|m| !m.is_empty()) {
                Some(next) => marker = Some(next.to_string()),
                None => return Ok(None),
            }
        }
    }
}
