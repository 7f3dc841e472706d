//! Serde types for `open-next.output.json`, the manifest `open-next build`
//! (`@opennextjs/aws` v3 and v4) writes at the root of `.open-next/`.
//!
//! The shape follows what the build writes: `origins` keyed by name (`s3`,
//! `imageOptimizer`, `default`, plus one per split function), `behaviors`
//! as `{ pattern, origin }` pairs, `edgeFunctions` and `additionalProps`.
//! Fields Anchor does not use are ignored, so newer builds still parse.
//! Validation lives in `validate.rs`; these types only describe the shape.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The origin name OpenNext gives the server function that renders pages.
pub const DEFAULT_ORIGIN: &str = "default";
/// The origin name OpenNext gives the image optimization function.
pub const IMAGE_ORIGIN: &str = "imageOptimizer";
/// The pattern of the catch-all behaviour, which CloudFront calls the
/// default cache behaviour.
pub const DEFAULT_PATTERN: &str = "*";

/// The parsed `open-next.output.json`.
///
/// A value returned by [`OpenNextOutput::parse`] has passed validation: the
/// `default` and `imageOptimizer` origins exist and are Lambda functions,
/// every behaviour names an existing origin, and exactly one behaviour is
/// the catch-all `*`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenNextOutput {
    /// Origins by name, such as `s3`, `default` and `imageOptimizer`.
    pub origins: BTreeMap<String, Origin>,
    /// Cache behaviours in the order the file lists them, which is not the
    /// order of precedence; see [`OpenNextOutput::behaviors_by_precedence`].
    pub behaviors: Vec<Behavior>,
    /// Functions placed at the edge (external middleware, global functions).
    /// Anchor does not deploy them; see the validation rules.
    #[serde(default)]
    pub edge_functions: BTreeMap<String, FunctionRef>,
    /// Helper functions (warmer, revalidation, tag-cache seeding).
    #[serde(default)]
    pub additional_props: AdditionalProps,
}

/// One origin, told apart by its `type` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Origin {
    /// Static files served from the asset bucket.
    S3(S3Origin),
    /// A Lambda function.
    Function(FunctionOrigin),
    /// A container (`generateDockerfile`); Anchor cannot deploy it, but it
    /// parses so the error can say so.
    Ecs(EcsOrigin),
    /// A type this version of Anchor does not know.
    #[serde(other)]
    Unknown,
}

impl Origin {
    /// The `type` string as written in the file (`unknown` for unknown ones).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::S3(_) => "s3",
            Self::Function(_) => "function",
            Self::Ecs(_) => "ecs",
            Self::Unknown => "unknown",
        }
    }

    /// The function origin, if this is one.
    pub fn as_function(&self) -> Option<&FunctionOrigin> {
        match self {
            Self::Function(f) => Some(f),
            _ => None,
        }
    }
}

/// An `s3` origin: where the assets and the ISR cache go in the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct S3Origin {
    /// The bucket prefix CloudFront reads from, such as `_assets`.
    #[serde(default)]
    pub origin_path: Option<String>,
    /// Which build folders are copied to which bucket prefixes.
    #[serde(default)]
    pub copy: Vec<CopyRule>,
}

/// One folder of the build copied into the asset bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyRule {
    /// Source folder, relative to the app, such as `.open-next/assets`.
    pub from: String,
    /// Destination prefix in the bucket, such as `_assets`.
    pub to: String,
    /// Whether CloudFront serves and caches it (`false` for the ISR cache).
    #[serde(default)]
    pub cached: bool,
    /// The sub-folder whose files are content-hashed, such as `_next`.
    #[serde(default)]
    pub versioned_sub_dir: Option<String>,
}

/// A `function` origin: a Lambda bundle and how OpenNext wraps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionOrigin {
    /// Lambda handler, `module.export`, such as `index.handler`.
    pub handler: String,
    /// Bundle folder relative to the app, such as
    /// `.open-next/server-functions/default`.
    pub bundle: String,
    /// Whether the function answers with response streaming.
    #[serde(default)]
    pub streaming: bool,
    /// OpenNext wrapper, such as `aws-lambda`.
    #[serde(default)]
    pub wrapper: Option<String>,
    /// OpenNext converter, such as `aws-apigw-v2`.
    #[serde(default)]
    pub converter: Option<String>,
    /// Image loader of the image optimizer, such as `s3`.
    #[serde(default)]
    pub image_loader: Option<String>,
    /// Revalidation queue override, such as `sqs`.
    #[serde(default)]
    pub queue: Option<String>,
    /// Incremental cache override, such as `s3`.
    #[serde(default)]
    pub incremental_cache: Option<String>,
    /// Tag cache override, such as `dynamodb`.
    #[serde(default)]
    pub tag_cache: Option<String>,
}

/// An `ecs` origin (a container image built from a Dockerfile).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EcsOrigin {
    /// Bundle folder relative to the app.
    #[serde(default)]
    pub bundle: Option<String>,
    /// The Dockerfile OpenNext generated.
    #[serde(default)]
    pub dockerfile: Option<String>,
}

/// A cache behaviour: requests matching `pattern` go to `origin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Behavior {
    /// CloudFront path pattern, such as `_next/static/*` or `*`.
    pub pattern: String,
    /// The origin name; OpenNext leaves it out for edge-placed functions.
    #[serde(default)]
    pub origin: Option<String>,
    /// An edge function run in front of the origin (external middleware).
    #[serde(default)]
    pub edge_function: Option<String>,
}

/// A helper function given by handler and bundle only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionRef {
    /// Lambda handler, `module.export`.
    pub handler: String,
    /// Bundle folder relative to the app.
    pub bundle: String,
}

/// `additionalProps`: switches and helper functions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdditionalProps {
    /// The build was made with `dangerous.disableIncrementalCache`.
    #[serde(default)]
    pub disable_incremental_cache: Option<bool>,
    /// The build was made with `dangerous.disableTagCache`.
    #[serde(default)]
    pub disable_tag_cache: Option<bool>,
    /// The warmer function.
    #[serde(default)]
    pub warmer: Option<FunctionRef>,
    /// The function that seeds the tag cache (absent if nothing to seed).
    #[serde(default)]
    pub initialization_function: Option<FunctionRef>,
    /// The function that consumes the revalidation queue.
    #[serde(default)]
    pub revalidation_function: Option<FunctionRef>,
}
