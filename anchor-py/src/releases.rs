//! `Anchor` methods that ship and switch releases: deploy, plan, promote,
//! rollback.

use std::path::PathBuf;

use anchor_core::calls::{rollback_target, rollout_plan};
use pyo3::prelude::*;

use crate::anchor::PyAnchor;
use crate::convert::{self, to_json};
use crate::function_settings as settings;
use crate::progress;
use crate::spawn;

#[pymethods]
impl PyAnchor {
    /// Deploys the OpenNext build in `build_dir`; `on_progress` receives
    /// each progress event as JSON, on a runtime thread, with the GIL held.
    /// `function_settings` (a dict, see `function_settings.rs`) is read
    /// here; a bad value fails the awaitable before anything is recorded.
    // One parameter per keyword argument of Python's `deploy`.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (project, build_dir, promote=true, on_progress=None,
        function_settings=None, rollout=None))]
    fn deploy<'py>(
        &self,
        py: Python<'py>,
        project: String,
        build_dir: PathBuf,
        promote: bool,
        on_progress: Option<Py<PyAny>>,
        function_settings: Option<Bound<'py, PyAny>>,
        rollout: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let plan = rollout.as_deref().map(rollout_plan).transpose();
        let settings = function_settings
            .as_ref()
            .map(|value| settings::parts(value).and_then(|parts| settings::resolve(&parts)))
            .transpose();
        let scope = on_progress.map(progress::scope);
        let mut deployer = self
            .inner
            .deployer(&project, build_dir)
            .promote(promote)
            .progress_fn(scope.as_ref().map(|s| s.progress_fn()));
        let mut named = false;
        if let Ok(Some(settings)) = &settings {
            deployer = deployer.function_settings(settings.clone());
            named = true;
        }
        if let Ok(Some(plan)) = &plan {
            deployer = deployer.rollout(plan.clone());
        }
        spawn(py, async move {
            settings?;
            plan?;
            let deployment = deployer.execute().await;
            // Release the Python callable as soon as the deploy is over.
            drop(deployer);
            drop(scope);
            // The deploy names a setting the build refuses (an architecture
            // its native code cannot run on) by the core's field name.
            to_json(&deployment.map_err(|e| if named { settings::rename(e) } else { e })?)
        })
    }

    /// The dry run of a deploy: writes nothing.
    fn plan<'py>(
        &self,
        py: Python<'py>,
        project: String,
        build_dir: PathBuf,
    ) -> PyResult<Bound<'py, PyAny>> {
        let deployer = self.inner.deployer(&project, build_dir);
        spawn(py, async move { to_json(&deployer.plan().await?) })
    }

    fn promote<'py>(
        &self,
        py: Python<'py>,
        project: String,
        deployment_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move {
            to_json(&anchor.promote(&project, &deployment_id).await?)
        })
    }

    /// Rolls back to the previous deployment, or to `to_deployment` or
    /// `to_version` (not both).
    #[pyo3(signature = (project, to_deployment=None, to_version=None,
        reason="rollback".to_string(), invalidate=true))]
    fn rollback<'py>(
        &self,
        py: Python<'py>,
        project: String,
        to_deployment: Option<String>,
        to_version: Option<i64>,
        reason: String,
        invalidate: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rollback = self
            .inner
            .rollback(&project)
            .reason(reason)
            .invalidate(invalidate);
        spawn(py, async move {
            let to_version = to_version
                .map(|v| convert::unsigned("to_version", v))
                .transpose()?;
            let rollback = rollback.target(rollback_target(to_deployment, to_version)?);
            to_json(&rollback.execute().await?)
        })
    }
}
