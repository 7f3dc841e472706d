//! `Anchor` methods of pruning under a retention policy: set the policy,
//! and prune (or report what a prune would do).

use anchor_core::model::RetentionPolicy;
use anchor_core::PruneOptions;
use pyo3::prelude::*;

use crate::anchor::PyAnchor;
use crate::convert::to_json;
use crate::spawn;

#[pymethods]
impl PyAnchor {
    /// Sets the project's retention policy; numbers out of range
    /// (negative ones included) are refused by the core, naming the field.
    fn set_retention_policy<'py>(
        &self,
        py: Python<'py>,
        project: String,
        keep_promoted: i64,
        preview_max_age_seconds: i64,
        after_deploy: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move {
            let policy =
                RetentionPolicy::from_signed(keep_promoted, preview_max_age_seconds, after_deploy)?;
            to_json(&anchor.set_retention_policy(&project, policy).await?)
        })
    }

    /// Prunes the project under its retention policy, or with `dry_run`
    /// only reports; the report as JSON.
    #[pyo3(signature = (project, dry_run=false))]
    fn prune<'py>(
        &self,
        py: Python<'py>,
        project: String,
        dry_run: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move {
            let options = PruneOptions::default().dry_run(dry_run);
            to_json(&anchor.prune(&project, options).await?)
        })
    }
}
