//! `Anchor` methods for custom domains, and the local CA of the embedded
//! default.

use pyo3::prelude::*;

use crate::anchor::PyAnchor;
use crate::convert::{to_json, NoResult};
use crate::errors::Failure;
use crate::spawn;

#[pymethods]
impl PyAnchor {
    fn domain_add<'py>(
        &self,
        py: Python<'py>,
        project: String,
        name: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let domains = self.inner.domains(&project);
        spawn(py, async move { to_json(&domains.add(&name).await?) })
    }

    fn domain_refresh<'py>(
        &self,
        py: Python<'py>,
        project: String,
        name: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let domains = self.inner.domains(&project);
        spawn(py, async move { to_json(&domains.refresh(&name).await?) })
    }

    fn domain_remove<'py>(
        &self,
        py: Python<'py>,
        project: String,
        name: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let domains = self.inner.domains(&project);
        spawn(py, async move {
            domains.remove(&name).await?;
            Ok::<_, Failure>(NoResult)
        })
    }

    fn domain_list<'py>(&self, py: Python<'py>, project: String) -> PyResult<Bound<'py, PyAny>> {
        let domains = self.inner.domains(&project);
        spawn(py, async move { to_json(&domains.list().await?) })
    }

    /// Issues a pending certificate of the embedded local CA (what DNS
    /// validation does on AWS). Only on the local backend.
    fn validate_local_certificate<'py>(
        &self,
        py: Python<'py>,
        certificate_id: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move {
            anchor_core::calls::validate_local_certificate(&anchor, &certificate_id).await?;
            Ok::<_, Failure>(NoResult)
        })
    }
}
