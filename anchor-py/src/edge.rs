//! The local edge: `Anchor.serve` runs `anchor_core::edge::EdgeServer` for
//! a project of the embedded default and returns a `LocalEdge` handle.

use std::net::SocketAddr;
use std::sync::Mutex;

use anchor_core::edge::{EdgeServer, ServeOptions};
use anchor_core::Error;
use pyo3::prelude::*;

use crate::anchor::PyAnchor;
use crate::convert::{self, to_json};
use crate::errors::Failure;
use crate::spawn;

/// A running local edge; `close()` stops it (so does dropping it).
#[pyclass(name = "LocalEdge", module = "anchor_deploy._anchor", frozen)]
pub(crate) struct PyLocalEdge {
    addr: SocketAddr,
    server: Mutex<Option<EdgeServer>>,
}

/// The core's serve options from Python's arguments; a negative number is
/// refused here, every bound by the core.
fn serve_options(
    host: Option<String>,
    port: i64,
    node: Option<String>,
    workers_per_function: Option<i64>,
    request_timeout_seconds: Option<f64>,
) -> Result<ServeOptions, Error> {
    Ok(ServeOptions {
        host,
        port: Some(convert::unsigned("port", port)?),
        node: node.map(Into::into),
        workers_per_function: workers_per_function
            .map(|w| convert::unsigned("workers_per_function", w))
            .transpose()?,
        request_timeout_seconds,
    })
}

#[pymethods]
impl PyAnchor {
    /// Serves `project` of the embedded default over HTTP (see
    /// `anchor_core::edge`); an awaitable of a `LocalEdge`.
    #[pyo3(signature = (project, host=None, port=0, node=None, workers_per_function=None,
        request_timeout_seconds=None))]
    #[allow(clippy::too_many_arguments)]
    fn serve<'py>(
        &self,
        py: Python<'py>,
        project: String,
        host: Option<String>,
        port: i64,
        node: Option<String>,
        workers_per_function: Option<i64>,
        request_timeout_seconds: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let anchor = self.inner.clone();
        spawn(py, async move {
            let options = serve_options(
                host,
                port,
                node,
                workers_per_function,
                request_timeout_seconds,
            )?
            .to_edge_options()?;
            let server = EdgeServer::start(&anchor, &project, options).await?;
            Ok::<_, Failure>(PyLocalEdge {
                addr: server.local_addr(),
                server: Mutex::new(Some(server)),
            })
        })
    }
}

#[pymethods]
impl PyLocalEdge {
    /// The live site, such as `http://127.0.0.1:41234/`.
    #[getter]
    fn url(&self) -> String {
        anchor_core::edge::site_url(self.addr)
    }

    /// Where deployment `version` is served, live or not.
    fn deployment_url(&self, version: u64) -> String {
        anchor_core::edge::deployment_url(self.addr, version)
    }

    /// The worker processes running now, as JSON.
    fn workers(&self, py: Python<'_>) -> PyResult<String> {
        let server = self.server.lock().unwrap_or_else(|p| p.into_inner());
        let workers = server.as_ref().map(|s| s.workers()).unwrap_or_default();
        to_json(&workers).map_err(|f| f.into_py_err(py))
    }

    /// Stops listening, lets open requests finish and stops the workers;
    /// an awaitable. Closing again does nothing.
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let server = self.server.lock().unwrap_or_else(|p| p.into_inner()).take();
        spawn(py, async move {
            if let Some(server) = server {
                server.shutdown().await;
            }
            Ok::<_, Failure>(())
        })
    }
}
