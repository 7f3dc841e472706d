//! `Anchor` methods for custom domains, and the local CA of the embedded
//! default.

use anchor_core::Error;
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
        let cloud = self.inner.local_cloud().cloned();
        spawn(py, async move {
            let cloud = cloud.ok_or_else(|| {
                Error::invalid_input(
                    "backend",
                    "validate_local_certificate needs the embedded local backend (Anchor.local)",
                )
            })?;
            cloud.certificates().validate(&certificate_id).await?;
            Ok::<_, Failure>(NoResult)
        })
    }
}
