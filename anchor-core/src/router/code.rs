//! The viewer-request function's code: the template with its settings
//! filled in, compacted, and checked against CloudFront's size limit.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

use super::compact::compact;
use super::keys::{
    DEPLOYMENT, GONE, LIVE, PIN, PREVIEW, PREVIEW_SUFFIX, SECRET, SHARD, WINDOW_END,
};
use super::MAX_FUNCTION_BYTES;

const TEMPLATE: &str = include_str!("viewer_request.js");
const PLACEHOLDER: &str = "__ANCHOR_SETTINGS__";

/// The header carrying the cache key: the cache policy must include it,
/// and the function overwrites any value a client sends.
pub const CACHE_KEY_HEADER: &str = crate::model::ROUTER_CACHE_KEY_HEADER;

/// The request headers that make Next.js answer the same URL differently
/// (an RSC payload, a prefetch, a router state, a revalidation), hashed into
/// the cache key of every request.
pub const RSC_HEADERS: &[&str] = &[
    "rsc",
    "next-router-prefetch",
    "next-router-state-tree",
    "next-url",
    "x-prerender-revalidate",
];

/// Headers hashed into the cache key of `/_next/image` requests only.
pub const IMAGE_HEADERS: &[&str] = &["accept"];

/// How many hex digits of SHA-256 the cache key keeps: 64 bits, so two
/// kinds of request of one deployment collide with negligible probability.
const HASH_LENGTH: usize = 16;

/// What the generated function may be tuned with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouterOptions {
    /// The most header bytes (request line, headers, cookies, as the
    /// function counts them) the function forwards; a bigger request gets
    /// 431. The default, 9,216, is a 10 KiB budget for the request line and
    /// headers (what API Gateway documents, and what Function URLs are
    /// expected to take) less 1 KiB for the headers CloudFront adds on the
    /// way (Via, X-Amz-Cf-Id, X-Forwarded-For, the origin secret, the OAC
    /// signature). See docs/router.md.
    pub max_header_bytes: usize,
}

impl Default for RouterOptions {
    fn default() -> Self {
        Self {
            max_header_bytes: 9 * 1024,
        }
    }
}

impl RouterOptions {
    /// Sets [`RouterOptions::max_header_bytes`].
    pub fn max_header_bytes(mut self, bytes: usize) -> Self {
        self.max_header_bytes = bytes;
        self
    }
}

/// The settings object the template reads as `S`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Settings {
    live: &'static str,
    deployment: &'static str,
    secret: &'static str,
    shards: &'static str,
    cache_key: &'static str,
    rsc_headers: &'static [&'static str],
    image_headers: &'static [&'static str],
    max_header_bytes: usize,
    hash_length: usize,
    secret_header: &'static str,
    visitor_cookie: &'static str,
    weight_scale: u32,
    preview: &'static str,
    preview_suffix: &'static str,
    gone: &'static str,
    preview_header: &'static str,
    preview_query: &'static str,
    pin: &'static str,
    window_end: &'static str,
    pin_header: &'static str,
    pin_query: &'static str,
    pin_cookie: &'static str,
}

/// The generated viewer-request function, ready to publish with runtime
/// `cloudfront-js-2.0`. Its code is at most 10,240 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterCode {
    code: String,
    sha256: String,
}

impl RouterCode {
    /// Generates the function for `options`. The same options always give
    /// the same bytes. Fails with [`Error::InvalidInput`] naming
    /// `max_header_bytes` when it is outside 1,024..=65,536, or `router`
    /// when the code passes CloudFront's 10,240-byte limit.
    pub fn generate(options: &RouterOptions) -> Result<Self> {
        if !(1024..=65_536).contains(&options.max_header_bytes) {
            return Err(Error::invalid_input(
                "max_header_bytes",
                format!("{} is not within 1024..=65536", options.max_header_bytes),
            ));
        }
        let settings = Settings {
            live: LIVE,
            deployment: DEPLOYMENT,
            secret: SECRET,
            shards: SHARD,
            cache_key: CACHE_KEY_HEADER,
            rsc_headers: RSC_HEADERS,
            image_headers: IMAGE_HEADERS,
            max_header_bytes: options.max_header_bytes,
            hash_length: HASH_LENGTH,
            secret_header: crate::model::ORIGIN_SECRET_HEADER,
            visitor_cookie: super::VISITOR_COOKIE,
            weight_scale: crate::model::WEIGHT_SCALE,
            preview: PREVIEW,
            preview_suffix: PREVIEW_SUFFIX,
            gone: GONE,
            preview_header: super::PREVIEW_HEADER,
            preview_query: super::PREVIEW_QUERY,
            pin: PIN,
            window_end: WINDOW_END,
            pin_header: super::PIN_HEADER,
            pin_query: super::PIN_QUERY,
            pin_cookie: super::PIN_COOKIE,
        };
        let settings = serde_json::to_string(&settings)
            .map_err(|e| Error::invalid_input("router", format!("settings: {e}")))?;
        let code = compact(&TEMPLATE.replacen(PLACEHOLDER, &settings, 1));
        Self::checked(code)
    }

    pub(super) fn checked(code: String) -> Result<Self> {
        if code.len() > MAX_FUNCTION_BYTES {
            return Err(Error::invalid_input(
                "router",
                format!(
                    "the generated function is {} bytes, over CloudFront's {MAX_FUNCTION_BYTES}",
                    code.len()
                ),
            ));
        }
        let sha256 = Sha256::digest(code.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Self { code, sha256 })
    }

    /// The function code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The code's size in bytes, at most 10,240.
    pub fn len(&self) -> usize {
        self.code.len()
    }

    /// Always false: the code is never empty. Here because `len` is.
    pub fn is_empty(&self) -> bool {
        self.code.is_empty()
    }

    /// Lowercase hex SHA-256 of the code: equal hashes, equal code.
    pub fn sha256_hex(&self) -> &str {
        &self.sha256
    }

    /// A comment to publish the function with (`anchor-router sha256:<hex>`,
    /// 85 characters, within CloudFront's 128), so a deployer compares it
    /// with [`RouterCode::comment`] of the code it would publish and
    /// updates the function only when they differ.
    pub fn comment(&self) -> String {
        format!("anchor-router sha256:{}", self.sha256)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_small_deterministic_code() {
        let a = RouterCode::generate(&RouterOptions::default()).unwrap();
        let b = RouterCode::generate(&RouterOptions::default()).unwrap();
        assert_eq!(a, b);
        assert!(a.len() <= MAX_FUNCTION_BYTES);
        assert!(a
            .code()
            .starts_with("import cf from 'cloudfront';\nimport crypto from 'crypto';\n"));
        assert!(!a.code().contains(PLACEHOLDER));
        assert!(a.code().contains("\"maxHeaderBytes\":9216"));
        assert_eq!(a.sha256_hex().len(), 64);
        assert!(a.comment().len() <= 128);
        let c = RouterCode::generate(&RouterOptions::default().max_header_bytes(4096)).unwrap();
        assert_ne!(a.sha256_hex(), c.sha256_hex());
    }

    #[test]
    fn keeps_to_what_cloudfront_runtime_2_accepts() {
        let code = RouterCode::generate(&RouterOptions::default()).unwrap();
        for banned in [
            "?.", "??", "class ", "require(", "fetch(", "(?<", "//", "/*",
        ] {
            assert!(
                !code.code().contains(banned),
                "generated code contains {banned:?}"
            );
        }
    }

    #[test]
    fn refuses_out_of_range_options_and_oversized_code() {
        for bytes in [0, 1023, 65_537] {
            let err = RouterCode::generate(&RouterOptions::default().max_header_bytes(bytes));
            assert!(
                matches!(err, Err(Error::InvalidInput { ref field, .. }) if field == "max_header_bytes")
            );
        }
        let err = RouterCode::checked("x".repeat(MAX_FUNCTION_BYTES + 1)).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "router"));
        assert!(RouterCode::checked("x".repeat(MAX_FUNCTION_BYTES)).is_ok());
    }
}
