//! The `functionSettings` option of `deploy` and `createProject`, and the
//! settings a deploy plan reconciles the functions to.

use anchor_core::model;
use napi_derive::napi;

use super::number;

/// The settings of one function. Every field is optional; an absent one
/// takes SST's default for that function.
#[napi(object)]
pub struct FunctionSettings {
    /// Memory in MB, 128 to 10240; Lambda gives CPU in proportion. Default
    /// 1024 for the server, 1536 for the image optimiser.
    pub memory_mb: Option<f64>,
    /// How long one invocation may run, 1 to 900 seconds. Default 20 for
    /// the server, 25 for the image optimiser.
    pub timeout_seconds: Option<f64>,
    /// `arm64` or `x86_64`. Default: what the build's native code (such as
    /// `sharp`) needs, else arm64 for a new function. One the build's
    /// native code cannot run on is refused before anything is published.
    #[napi(ts_type = "'arm64' | 'x86_64'")]
    pub architecture: Option<String>,
    /// Lambda's runtime: `nodejs18.x`, `nodejs20.x`, `nodejs22.x` or
    /// `nodejs24.x` (the default).
    pub runtime: Option<String>,
}

/// The settings of a project's two functions; an absent function takes its
/// defaults whole.
#[napi(object)]
pub struct SiteFunctionSettings {
    /// The server function (pages, API routes, Server Actions).
    pub server: Option<FunctionSettings>,
    /// The image optimiser (`/_next/image`).
    pub image: Option<FunctionSettings>,
}

impl From<&model::FunctionSettings> for FunctionSettings {
    fn from(s: &model::FunctionSettings) -> Self {
        Self {
            memory_mb: Some(number(u64::from(s.memory_mb))),
            timeout_seconds: Some(number(u64::from(s.timeout_seconds))),
            architecture: s.architecture.map(|a| a.as_str().to_string()),
            runtime: Some(s.runtime.clone()),
        }
    }
}

impl From<&model::SiteFunctionSettings> for SiteFunctionSettings {
    fn from(s: &model::SiteFunctionSettings) -> Self {
        Self {
            server: Some((&s.server).into()),
            image: Some((&s.image).into()),
        }
    }
}
