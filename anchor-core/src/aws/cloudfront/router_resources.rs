//! The edge router's resources, found or created together per pair: the
//! cache policy of the routed behaviours, the KeyValueStore and the
//! viewer-request function that reads it. Pair `n`'s three are all named
//! [`router_pair_name`]`(n)`: pair 1 keeps the names of the single pair
//! Anchor made before it opened more (`docs/router.md`).

use super::router_function::VIEWER_RESPONSE_FUNCTION_NAME;
use super::CloudFrontCdn;
use crate::error::{Error, Result};
use crate::model::router_pair_name;
use crate::router::{RouterCode, RouterOptions};

/// What a distribution needs to route through the edge router: every
/// project of an account shares one of each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterResources {
    /// The viewer-request function's ARN, associated with the routed
    /// behaviours.
    pub function_arn: String,
    /// The KeyValueStore's ARN: the function reads it, and the flows write
    /// each project's keys into it.
    pub store_arn: String,
    /// The id of the cache policy the routed behaviours share.
    pub cache_policy_id: String,
    /// The viewer-response function's ARN, associated with the server
    /// behaviour to set the visitor and pin cookies. `None` (resources made
    /// before it existed, or brought without it) leaves the distribution
    /// without it: a rollout then splits a visitor's requests on each
    /// request's id, and untagged requests are not pinned.
    pub response_function_arn: Option<String>,
}

impl RouterResources {
    /// Checks resources made elsewhere (bring-your-own) before anything
    /// uses them: each must be set, and the ARNs must be CloudFront's.
    /// `Error::InvalidInput` names the field.
    pub fn check(&self) -> Result<()> {
        let response = self
            .response_function_arn
            .as_ref()
            .map(|arn| ("router.response_function_arn", arn, ":function/"));
        for (field, arn, kind) in [
            ("router.function_arn", &self.function_arn, ":function/"),
            ("router.store_arn", &self.store_arn, ":key-value-store/"),
        ]
        .into_iter()
        .chain(response)
        {
            if !arn.starts_with("arn:") || !arn.contains(":cloudfront::") || !arn.contains(kind) {
                return Err(Error::invalid_input(
                    field,
                    format!("{arn:.120?} is not a CloudFront ARN with {kind:?}"),
                ));
            }
        }
        if self.cache_policy_id.trim().is_empty() {
            return Err(Error::invalid_input(
                "router.cache_policy_id",
                "must not be empty",
            ));
        }
        Ok(())
    }
}

impl CloudFrontCdn {
    /// Finds or creates the router's cache policy, store and function (the
    /// function running the code generated with `options`, reading the
    /// store), in that order, then the account's viewer-response function
    /// ([`VIEWER_RESPONSE_FUNCTION_NAME`]), and returns them. Idempotent:
    /// when all exist as they should, it only reads (`ListCachePolicies`,
    /// `DescribeKeyValueStore`, `DescribeFunction` twice). A failure leaves
    /// what was made before it, which the next call adopts.
    ///
    /// The resources of router pair 1, as [`CloudFrontCdn::ensure_router_pair`].
    pub async fn ensure_router(&self, options: &RouterOptions) -> Result<RouterResources> {
        self.ensure_router_pair(1, options).await
    }

    /// [`CloudFrontCdn::ensure_router`] for router pair `index` (1-based):
    /// its cache policy, store and function are all named
    /// [`router_pair_name`]`(index)`. Each pair has its own cache policy
    /// because CloudFront also caps the distributions one policy serves.
    pub async fn ensure_router_pair(
        &self,
        index: u32,
        options: &RouterOptions,
    ) -> Result<RouterResources> {
        let name = router_pair_name(index);
        let code = RouterCode::generate(options)?;
        let cache_policy_id = self.ensure_cache_policy(&name).await?;
        let store = self.ensure_key_value_store(&name).await?;
        let function_arn = self
            .ensure_router_function(&name, code.code(), &store.arn)
            .await?;
        let response = RouterCode::generate_viewer_response()?;
        let response_function_arn = self
            .ensure_viewer_response_function(VIEWER_RESPONSE_FUNCTION_NAME, response.code())
            .await?;
        Ok(RouterResources {
            function_arn,
            store_arn: store.arn,
            cache_policy_id,
            response_function_arn: Some(response_function_arn),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resources() -> RouterResources {
        RouterResources {
            function_arn: "arn:aws:cloudfront::123456789012:function/anchor-router".into(),
            store_arn: "arn:aws:cloudfront::123456789012:key-value-store/0a1b".into(),
            cache_policy_id: "4d3c2b1a".into(),
            response_function_arn: Some(
                "arn:aws:cloudfront::123456789012:function/anchor-viewer-response".into(),
            ),
        }
    }

    #[test]
    fn resources_made_elsewhere_are_checked_field_by_field() {
        assert!(resources().check().is_ok());
        let swapped = RouterResources {
            function_arn: resources().store_arn,
            ..resources()
        };
        let err = swapped.check().unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { ref field, .. } if field == "router.function_arn")
        );
        let lambda = RouterResources {
            store_arn: "arn:aws:lambda:eu-west-1:123456789012:function:x".into(),
            ..resources()
        };
        let err = lambda.check().unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { ref field, .. } if field == "router.store_arn")
        );
        let wrong = RouterResources {
            response_function_arn: Some(resources().store_arn),
            ..resources()
        };
        let err = wrong.check().unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { ref field, .. } if field == "router.response_function_arn")
        );
        let without = RouterResources {
            response_function_arn: None,
            ..resources()
        };
        assert!(without.check().is_ok());
        let blank = RouterResources {
            cache_policy_id: " ".into(),
            ..resources()
        };
        let err = blank.check().unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { ref field, .. } if field == "router.cache_policy_id")
        );
    }
}
