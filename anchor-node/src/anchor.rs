//! The `Anchor` class: opening a backend, and projects. Each method takes
//! ownership of its arguments, then returns a Promise.

use anchor_core::aws::{AwsOptions, AwsRouter};
use anchor_core::LocalOptions;
use napi::bindgen_prelude::{PromiseRaw, Unknown};
use napi::Env;
use napi_derive::napi;

use crate::args::args;
use crate::bridge::spawn;
use crate::convert::whole;
use crate::domain_limits;
use crate::errors::Failure;
use crate::function_settings as settings;
use crate::types::{AwsOpenOptions, CreateProjectOptions, LocalOpenOptions, Project};

/// Deploys, rolls back and manages domains on one backend. Open it with
/// `Anchor.local` or `Anchor.aws`; one instance can serve many calls at once.
#[napi]
pub struct Anchor {
    pub(crate) inner: anchor_core::Anchor,
}

#[napi]
impl Anchor {
    /// Opens the embedded local backend in `path` (created if missing):
    /// files for objects and function versions, SQLite for records. Its
    /// options hold custom domains to `domainLimits` and give new projects
    /// `domainMode` (see `LocalOpenOptions`).
    #[napi(ts_return_type = "Promise<Anchor>")]
    pub fn local<'env>(
        env: &'env Env,
        #[napi(ts_arg_type = "string")] path: Unknown<'_>,
        #[napi(ts_arg_type = "LocalOpenOptions")] options: Option<Unknown<'_>>,
    ) -> napi::Result<PromiseRaw<'env, Anchor>> {
        args!(env, reject; path: String, options: Option<LocalOpenOptions>);
        let (limits, mode) = match options {
            Some(o) => (o.domain_limits, o.domain_mode),
            None => (None, None),
        };
        let limits = limits.map(domain_limits::resolve).transpose();
        let mode = mode.map(domain_limits::mode).transpose();
        spawn(env, async move {
            let mut local = LocalOptions::default();
            if let Some(limits) = limits? {
                local.settings.domain_limits = limits;
            }
            if let Some(mode) = mode? {
                local.domain_mode = mode;
            }
            let inner = anchor_core::Anchor::local_with(path, local).await?;
            Ok(Anchor { inner })
        })
    }

    /// Opens the AWS backend. Credentials come from the standard chain.
    /// State writes are serialised only when the test-only variable
    /// `ANCHOR_TEST_SERIALIZE_STATE_WRITES=1` is set (for moto).
    #[napi(ts_return_type = "Promise<Anchor>")]
    pub fn aws<'env>(
        env: &'env Env,
        #[napi(ts_arg_type = "AwsOpenOptions")] options: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Anchor>> {
        args!(env, reject; options: AwsOpenOptions);
        let serialize_state_writes = serialize_state_writes_for_tests();
        spawn(env, async move {
            // Checked before `Anchor::aws` connects: the core checks the
            // limits only once it has made the tables.
            let limits = options
                .domain_limits
                .map(domain_limits::resolve)
                .transpose()?;
            let mut aws = AwsOptions::new(options.bucket);
            aws.connection.region = options.region;
            aws.connection.endpoint_url = options.endpoint_url;
            aws.connection.profile = options.profile;
            if let Some(attempts) = options.max_attempts {
                aws.connection.max_attempts =
                    whole("maxAttempts", attempts, u64::from(u32::MAX))? as u32;
            }
            aws.execution_role_arn = options.execution_role_arn;
            if let Some(prefix) = options.table_prefix {
                aws.table_prefix = prefix;
            }
            if let Some(create) = options.create_tables {
                aws.create_tables = create;
            }
            aws.serialize_state_writes = serialize_state_writes;
            if options.edge_router == Some(false) {
                aws.router = AwsRouter::Disabled;
            }
            if let Some(limits) = limits {
                aws.domain_limits = limits;
            }
            let inner = anchor_core::Anchor::aws(aws).await?;
            Ok(Anchor { inner })
        })
    }

    /// Creates a project and its infrastructure; running it again changes
    /// nothing. `buildDir` (an `.open-next` folder) supplies only the CDN
    /// routes, from its manifest, so the app's public files (`/favicon.ico`)
    /// are served from the asset store; nothing of it is uploaded (that is
    /// `deploy`). Without it the project gets OpenNext's default routes,
    /// which leave public files at the root unrouted. With
    /// `functionSettings`, new functions are created with them.
    #[napi]
    pub fn create_project<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] name: Unknown<'_>,
        #[napi(ts_arg_type = "CreateProjectOptions")] options: Option<Unknown<'_>>,
    ) -> napi::Result<PromiseRaw<'env, Project>> {
        args!(env, reject; name: String, options: Option<CreateProjectOptions>);
        let anchor = self.inner.clone();
        let (build_dir, function_settings) = match options {
            Some(o) => (o.build_dir, o.function_settings),
            None => (None, None),
        };
        let settings = function_settings.map(settings::resolve).transpose();
        spawn(env, async move {
            let provision =
                anchor_core::calls::provision_options(build_dir.map(Into::into), settings?).await?;
            let project = anchor.create_project_with(&name, provision).await?;
            Ok::<_, Failure>(Project::from(&project))
        })
    }

    /// The project named `name`.
    #[napi]
    pub fn project<'env>(
        &self,
        env: &'env Env,
        #[napi(ts_arg_type = "string")] name: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Project>> {
        args!(env, reject; name: String);
        let anchor = self.inner.clone();
        spawn(env, async move {
            Ok::<_, Failure>(Project::from(&anchor.project(&name).await?))
        })
    }
}

/// Whether `ANCHOR_TEST_SERIALIZE_STATE_WRITES` is `1`: the test suites set
/// it against moto, whose DynamoDB transactions are not atomic, so that
/// `AwsOptions::serialize_state_writes` never has to be a public option.
/// Read on the calling (main) thread, where `process.env` is written.
fn serialize_state_writes_for_tests() -> bool {
    std::env::var_os("ANCHOR_TEST_SERIALIZE_STATE_WRITES").is_some_and(|v| v == "1")
}
