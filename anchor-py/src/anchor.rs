//! The `Anchor` class: one method per entry point of `anchor_core::Anchor`.
//! Each takes ownership of its arguments, then returns an awaitable.

use std::path::PathBuf;

use anchor_core::aws::{AwsOptions, AwsRouter};
use anchor_core::{Error, LocalOptions};
use pyo3::prelude::*;

use crate::convert::to_json;
use crate::domain_limits;
use crate::errors::Failure;
use crate::function_settings as settings;
use crate::spawn;

/// Deploys, rolls back and manages domains on one backend. Cheap to share.
#[pyclass(name = "Anchor", module = "anchor_deploy._anchor", frozen)]
pub(crate) struct PyAnchor {
    pub(crate) inner: anchor_core::Anchor,
}

#[pymethods]
impl PyAnchor {
    /// Opens the embedded local backend in `path` (created if missing),
    /// holding domains to `domain_limits` and giving new projects
    /// `domain_mode`; the core's defaults for what is `None`.
    #[staticmethod]
    #[pyo3(signature = (path, domain_limits=None, domain_mode=None))]
    fn local<'py>(
        py: Python<'py>,
        path: PathBuf,
        domain_limits: Option<Bound<'py, PyAny>>,
        domain_mode: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let limits = domain_limits
            .as_ref()
            .map(domain_limits::limits)
            .transpose();
        let mode = domain_mode.as_ref().map(domain_limits::mode).transpose();
        spawn(py, async move {
            let mut options = LocalOptions::default();
            if let Some(limits) = limits? {
                options.settings.domain_limits = limits;
            }
            if let Some(mode) = mode? {
                options.domain_mode = mode;
            }
            let inner = anchor_core::Anchor::local_with(path, options).await?;
            Ok::<_, Failure>(PyAnchor { inner })
        })
    }

    /// Opens the AWS backend. The state writes are serialised only when the
    /// test-only variable `ANCHOR_TEST_SERIALIZE_STATE_WRITES=1` is set (see
    /// [`serialize_state_writes_for_tests`]).
    #[staticmethod]
    #[pyo3(signature = (bucket, region=None, endpoint_url=None, profile=None,
        execution_role_arn=None, table_prefix="anchor".to_string(), max_attempts=5,
        create_tables=true, edge_router=true, domain_limits=None))]
    #[allow(clippy::too_many_arguments)]
    fn aws<'py>(
        py: Python<'py>,
        bucket: String,
        region: Option<String>,
        endpoint_url: Option<String>,
        profile: Option<String>,
        execution_role_arn: Option<String>,
        table_prefix: String,
        max_attempts: i64,
        create_tables: bool,
        edge_router: bool,
        domain_limits: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        // Read on the calling thread, where `os.environ` is written.
        let serialize_state_writes = serialize_state_writes_for_tests();
        // Checked before `Anchor::aws` connects: the core checks the limits
        // only once it has made the tables.
        let limits = domain_limits
            .as_ref()
            .map(domain_limits::limits)
            .transpose();
        spawn(py, async move {
            let mut options = AwsOptions::new(bucket);
            options.connection.region = region;
            options.connection.endpoint_url = endpoint_url;
            options.connection.profile = profile;
            options.connection.max_attempts = u32::try_from(max_attempts).map_err(|_| {
                Error::invalid_input(
                    "max_attempts",
                    format!("must be between 0 and {}, got {max_attempts}", u32::MAX),
                )
            })?;
            options.execution_role_arn = execution_role_arn;
            options.table_prefix = table_prefix;
            options.create_tables = create_tables;
            options.serialize_state_writes = serialize_state_writes;
            if !edge_router {
                options.router = AwsRouter::Disabled;
            }
            if let Some(limits) = limits? {
                options.domain_limits = limits;
            }
            let inner = anchor_core::Anchor::aws(options).await?;
            Ok::<_, Failure>(PyAnchor { inner })
        })
    }

    /// Creates a project (idempotent); with `build_dir`, the CDN routes come
    /// from that OpenNext build rather than OpenNext's defaults. With
    /// `function_settings`, new functions are created with them.
    #[pyo3(signature = (name, build_dir=None, function_settings=None))]
    fn create_project<'py>(
        &self,
        py: Python<'py>,
        name: String,
        build_dir: Option<PathBuf>,
        function_settings: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        let settings = function_settings
            .as_ref()
            .map(|value| settings::parts(value).and_then(|parts| settings::resolve(&parts)))
            .transpose();
        spawn(py, async move {
            let options = anchor_core::calls::provision_options(build_dir, settings?).await?;
            to_json(&anchor.create_project_with(&name, options).await?)
        })
    }

    fn project<'py>(&self, py: Python<'py>, name: String) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move { to_json(&anchor.project(&name).await?) })
    }
}

/// Whether `ANCHOR_TEST_SERIALIZE_STATE_WRITES` is `1`: the test suites set
/// it against moto, whose DynamoDB transactions are not atomic, so that
/// `AwsOptions::serialize_state_writes` never has to be a public parameter.
pub(crate) fn serialize_state_writes_for_tests() -> bool {
    std::env::var_os("ANCHOR_TEST_SERIALIZE_STATE_WRITES").is_some_and(|v| v == "1")
}
