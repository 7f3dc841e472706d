//! The options objects the methods accept. Every field is optional unless
//! its type says otherwise; an absent field takes the default its doc gives.

use napi::threadsafe_function::ThreadsafeFunction;
use napi::Status;
use napi_derive::napi;

use super::{ProgressEvent, SiteFunctionSettings};

/// A progress callback held weakly: it never keeps the process alive.
pub type ProgressCallback =
    ThreadsafeFunction<ProgressEvent, (), ProgressEvent, Status, false, true>;

/// The quotas custom domains are held to. Every field is optional; an
/// absent one takes AWS's default quota. Raise one only after raising the
/// quota it names in Service Quotas (AWS enforces its own whatever Anchor
/// counts); lower it for tests or to keep projects small. Past one, the
/// call that would pass it rejects with `ANCHOR_QUOTA_EXCEEDED` naming the
/// quota and this field (its `setting`), and changes nothing.
#[napi(object, object_to_js = false)]
pub struct DomainLimits {
    /// Distribution tenants the account may hold ("Distribution tenants
    /// per account", CloudFront): 10000 by default. In tenant mode each
    /// custom domain is one tenant, created when its certificate is issued.
    pub tenants_per_account: Option<f64>,
    /// Names on one certificate ("Domain names per ACM certificate", ACM):
    /// 10 by default, at most 100. In alias mode a project's newest
    /// certificate names all of its domains, so this bounds them.
    pub names_per_certificate: Option<f64>,
    /// Alternate domain names on one distribution ("Alternate domain names
    /// (CNAMEs) per distribution", CloudFront): 100 by default. Bounds a
    /// project's domains in alias mode.
    pub aliases_per_distribution: Option<f64>,
}

/// How `Anchor.local` opens the embedded default.
#[napi(object, object_to_js = false)]
pub struct LocalOpenOptions {
    /// The quotas custom domains are held to, as AWS holds an account to
    /// its own; AWS's defaults for what is absent. A value below 1 (or more
    /// than 100 names per certificate) rejects with `ANCHOR_INVALID_INPUT`
    /// naming it, such as `domainLimits.tenantsPerAccount`.
    pub domain_limits: Option<DomainLimits>,
    /// How new projects' domains reach their distribution: `'tenants'`
    /// (the default), one distribution tenant each with a certificate for
    /// that name alone, or `'aliases'`, alternate names under one
    /// certificate, as the AWS backend provisions.
    #[napi(ts_type = "'aliases' | 'tenants'")]
    pub domain_mode: Option<String>,
}

/// How `Anchor.aws` connects. Credentials come from the standard chain
/// (environment, profile, SSO, instance role); none are passed here.
#[napi(object, object_to_js = false)]
pub struct AwsOpenOptions {
    /// The asset bucket (created by `createProject` if missing).
    pub bucket: String,
    /// The region; the standard chain's when absent.
    pub region: Option<String>,
    /// A custom endpoint, such as a local moto server.
    pub endpoint_url: Option<String>,
    /// The named profile to load.
    pub profile: Option<String>,
    /// The role Lambda functions run as, for the functions Anchor creates.
    pub execution_role_arn: Option<String>,
    /// The prefix of the DynamoDB table names; default `anchor`.
    pub table_prefix: Option<String>,
    /// Attempts per AWS call, retries included; default 5.
    pub max_attempts: Option<f64>,
    /// Whether to create missing tables; default true.
    pub create_tables: Option<bool>,
    /// Whether new projects route through the account's shared edge
    /// router (a CloudFront Function and KeyValueStore). Default true;
    /// false for emulators without those APIs, such as moto.
    pub edge_router: Option<bool>,
    /// The account's domain quotas: AWS's defaults unless raised in Service
    /// Quotas. A bad value rejects with `ANCHOR_INVALID_INPUT` naming it,
    /// such as `domainLimits.namesPerCertificate`, before anything is
    /// opened.
    pub domain_limits: Option<DomainLimits>,
}

/// Options of `createProject`.
#[napi(object, object_to_js = false)]
pub struct CreateProjectOptions {
    /// An OpenNext build whose `open-next.output.json` gives the CDN routes;
    /// OpenNext's default routes when absent.
    pub build_dir: Option<String>,
    /// The memory, timeout, architecture and runtime the functions are
    /// created with; SST's defaults for what is absent. Functions that
    /// already exist are left as they are, for `deploy` to change. A bad
    /// value rejects with `ANCHOR_INVALID_INPUT` naming the key, such as
    /// `functionSettings.server.memoryMb`, and creates nothing.
    pub function_settings: Option<SiteFunctionSettings>,
}

/// Options of `deploy`.
#[napi(object, object_to_js = false)]
pub struct DeployOptions {
    /// Make the deployment live once it is ready; default true.
    pub promote: Option<bool>,
    /// Receives progress events on the main thread. It must return quickly;
    /// an exception it throws is an uncaught exception, as from an event
    /// listener. It is released when the deploy settles.
    #[napi(ts_type = "(event: ProgressEvent) => void")]
    pub on_progress: Option<ProgressCallback>,
    /// The memory, timeout, architecture and runtime of the functions, such
    /// as `{ server: { memoryMb: 2048, timeoutSeconds: 30 } }`; SST's
    /// defaults for what is absent. Without it each function keeps what it
    /// has. The new versions run with them (see the deployment's
    /// `serverVersion` and `imageVersion`). A bad value, or an architecture
    /// the build's native code cannot run on, rejects with
    /// `ANCHOR_INVALID_INPUT` naming the key (such as
    /// `functionSettings.server.memoryMb`) before anything is recorded.
    pub function_settings: Option<SiteFunctionSettings>,
    /// Roll the deployment out gradually by these stages instead of
    /// promoting it, such as `[{ percent: 5, holdSeconds: 600 }, { percent:
    /// 100, holdSeconds: 0 }]`; drive it with `anchor.rollouts(project)`.
    /// The project's first deployment is promoted at once.
    pub rollout: Option<Vec<super::RolloutStage>>,
}

/// Options of `rollback`. Without a target it goes to the deployment the
/// live one replaced.
#[napi(object, object_to_js = false)]
pub struct RollbackOptions {
    /// Roll back to this deployment id.
    pub to_deployment: Option<String>,
    /// Roll back to this version number (not with `toDeployment`).
    pub to_version: Option<f64>,
    /// Why, kept in the history; default `rollback`.
    pub reason: Option<String>,
    /// Invalidate the CDN paths the switch makes stale; default true.
    pub invalidate: Option<bool>,
}

/// Options of `prune`.
#[napi(object, object_to_js = false)]
pub struct PruneOptions {
    /// Only report what would be pruned and freed, changing nothing;
    /// default false.
    pub dry_run: Option<bool>,
}

/// Which page of a history to read.
#[napi(object, object_to_js = false)]
pub struct PageOptions {
    /// Items per page, 1 to 1000; default 20.
    pub limit: Option<f64>,
    /// The `nextCursor` of the previous page.
    pub cursor: Option<String>,
}
