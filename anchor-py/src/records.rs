//! `Anchor` methods that read records: the active deployment, one
//! deployment, the histories, and recovery.

use pyo3::prelude::*;

use crate::anchor::PyAnchor;
use crate::convert::{self, to_json};
use crate::spawn;

#[pymethods]
impl PyAnchor {
    /// The live deployment as JSON, or `None` before the first promotion.
    fn active_deployment<'py>(
        &self,
        py: Python<'py>,
        project: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move {
            match anchor.active_deployment(&project).await? {
                Some(d) => to_json(&d).map(Some),
                None => Ok(None),
            }
        })
    }

    fn deployment<'py>(
        &self,
        py: Python<'py>,
        project: String,
        deployment_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move {
            to_json(&anchor.deployment(&project, &deployment_id).await?)
        })
    }

    #[pyo3(signature = (project, limit=20, cursor=None))]
    fn history<'py>(
        &self,
        py: Python<'py>,
        project: String,
        limit: i64,
        cursor: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move {
            let page = convert::page(limit, cursor)?;
            to_json(&anchor.history(&project, &page).await?)
        })
    }

    #[pyo3(signature = (project, limit=20, cursor=None))]
    fn rollback_history<'py>(
        &self,
        py: Python<'py>,
        project: String,
        limit: i64,
        cursor: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move {
            let page = convert::page(limit, cursor)?;
            to_json(&anchor.rollback_history(&project, &page).await?)
        })
    }

    fn recover<'py>(&self, py: Python<'py>, project: String) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move { to_json(&anchor.recover(&project).await?) })
    }
}
