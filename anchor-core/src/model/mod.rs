//! Plain typed records and their validation. Nothing here does I/O or
//! imports another layer of Anchor.

mod alias_name;
mod architecture;
pub(crate) mod asset_manifest;
mod behaviour;
mod cursor;
mod deployment;
mod domain;
mod domain_limits;
mod domain_name;
mod function_settings;
mod origin_secret;
mod page;
mod project;
mod prune_record;
mod retention;
mod rollback;
mod rollout;
mod rollout_record;
mod route;
mod router_capacity;
mod samples;
mod skew_policy;
mod tag_item;

pub use alias_name::validate_alias;
pub use architecture::Architecture;
pub use behaviour::{
    BehaviourSpec, CachePolicy, CachePolicySettings, DistributionLayout, OriginKind,
    OriginRequestPolicy, OriginSigning, ROUTER_CACHE_KEY_HEADER,
};
pub use cursor::Listing;
pub use deployment::{AssetSummary, Deployment, DeploymentId, DeploymentStatus, FunctionVersion};
pub use domain::{CdnStatus, CertificateStatus, DnsRecord, Domain};
pub use domain_limits::{DomainLimits, DomainMode, QuotaLimit, MAX_NAMES_PER_CERTIFICATE};
pub use domain_name::DomainName;
pub use function_settings::{
    FunctionSettings, FunctionSettingsParts, SiteFunctionSettings, SiteFunctionSettingsParts,
    DEFAULT_RUNTIME, MEMORY_MB_RANGE, RUNTIMES, TIMEOUT_SECONDS_RANGE,
};
pub use origin_secret::{OriginSecret, ORIGIN_SECRET_ENV, ORIGIN_SECRET_HEADER};
pub use page::{Page, PageRequest};
pub use project::{Infrastructure, LastSwitch, Project, ProjectName, RouterBinding, SwitchKind};
pub use prune_record::{Freed, PruneRecord};
pub use retention::{
    RetentionPolicy, RetentionPolicyParts, DEFAULT_KEEP_PROMOTED, DEFAULT_PREVIEW_MAX_AGE,
    MAX_KEEP_PROMOTED, MAX_PREVIEW_MAX_AGE,
};
pub use rollback::RollbackEvent;
pub use rollout::{RolloutPlan, RolloutStage, WEIGHT_SCALE};
pub use rollout_record::{Rollout, RolloutEvent, RolloutEventKind, RolloutState};
pub use route::{CdnRoute, RouteTarget, DEFAULT_ROUTE_PATTERN};
pub use router_capacity::{router_pair_name, RouterCapacity, ROUTER_PAIR_BASE_NAME};
pub use samples::{samples, Samples};
pub use skew_policy::{
    SkewPolicy, SkewPolicyParts, DEFAULT_MAX_PINNED, DEFAULT_SKEW_MAX_AGE, MAX_MAX_PINNED,
    MAX_SKEW_MAX_AGE,
};
pub use tag_item::TagItem;
