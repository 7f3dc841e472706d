//! The edge router: one viewer-request CloudFront Function and one
//! KeyValueStore that decide, per request, which deployment serves it.
//!
//! Every deployment is an immutable set of origins (its server and image
//! Function URLs, its public files under their own bucket path). The store
//! holds, per distribution, a pointer to the live deployment and one entry
//! per deployment saying where those origins are; the function reads them
//! and calls `cf.updateRequestOrigin`. The cache key carries the deployment,
//! so a promote or a rollback is one write of the pointer: no distribution
//! update, no invalidation. The function and the store are shared by every
//! project in the account; keys are namespaced by distribution id.
//!
//! - [`RouterCode`]: the function's code, generated from a template and
//!   checked against CloudFront's size limit, and the viewer-response
//!   function's ([`RouterCode::generate_viewer_response`]), which sets the
//!   visitor and pin cookies the router reads;
//! - [`RouterKeys`], [`DeploymentRoute`], [`secret_entry`], [`live_entry`]:
//!   the store entries;
//! - [`LivePointer`], [`RolloutSplit`]: the live pointer, which during a
//!   gradual rollout is a sticky split between two deployments;
//! - [`preview_entry`], [`preview_suffix_entry`]: every deployment's own
//!   address, `v<N>.<suffix>` or the preview header or query parameter;
//! - [`Pin`], [`pin_entry`]: skew protection, a page of an older
//!   deployment kept on it for a while;
//! - [`PublicIndex`]: which paths a deployment serves from `public/`;
//! - [`HOST_SCRIPT`]: runs the same code under Node, for tests and the
//!   local edge.
//!
//! See `docs/router.md` for the contract between the entries and the code.

mod code;
mod compact;
mod entries;
mod index;
mod keys;
mod pins;
mod pointer;
mod previews;
mod response_code;

pub use code::{RouterCode, RouterOptions, CACHE_KEY_HEADER, IMAGE_HEADERS, RSC_HEADERS};
pub use entries::{estimated_store_bytes, live_entry, secret_entry, DeploymentRoute, KvsEntry};
pub use index::{shard_of, PublicIndex};
pub use keys::RouterKeys;
pub use pins::{
    check_build_deployment_id, pin_entry, window_end_entry, Pin, DEFAULT_SKEW_WINDOW,
    MAX_BUILD_DEPLOYMENT_ID_BYTES, PIN_COOKIE, PIN_HEADER, PIN_QUERY, SERVED_HEADER,
};
pub use pointer::{LivePointer, RolloutSplit, VISITOR_COOKIE};
pub use previews::{
    preview_entry, preview_gone_entry, preview_suffix_entry, preview_suffixes,
    preview_suffixes_entry, PREVIEW_HEADER, PREVIEW_QUERY,
};
pub use response_code::VISITOR_COOKIE_MAX_AGE_SECONDS;

/// CloudFront's limit on a function's code, in bytes.
pub const MAX_FUNCTION_BYTES: usize = 10_240;
/// A KeyValueStore key's limit, in bytes.
pub const MAX_KEY_BYTES: usize = 512;
/// A KeyValueStore value's limit, in bytes.
pub const MAX_VALUE_BYTES: usize = 1024;
/// A KeyValueStore's total size limit, in bytes; see
/// [`estimated_store_bytes`].
pub const MAX_STORE_BYTES: u64 = 5 * 1024 * 1024;
/// The most shards one deployment's public-file index may take: about a
/// megabyte, a fifth of a store, for one deployment's top-level entries.
pub const MAX_SHARDS: usize = 1024;

/// `host.mjs`: an ES module that runs the generated code under Node as
/// CloudFront would, with shims for its `cloudfront` and `crypto` imports.
/// Write it to a file and run `node host.mjs` (newline-delimited JSON on
/// stdin and stdout, described at its top), or import its `loadRouter`.
pub const HOST_SCRIPT: &str = include_str!("host.mjs");
