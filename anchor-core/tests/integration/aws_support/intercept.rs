//! SDK interceptors the AWS tests install on every client: one records each
//! call, one makes chosen calls fail the way AWS does under load.

use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextMut, BeforeSerializationInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;

fn operation(cfg: &ConfigBag) -> (String, String) {
    cfg.load::<Metadata>()
        .map(|m| (m.service().to_ascii_lowercase(), m.name().to_string()))
        .unwrap_or_default()
}

/// Records `(service, operation)` of every call (not every attempt).
#[derive(Debug, Clone, Default)]
pub struct CallRecorder {
    calls: Arc<Mutex<Vec<(String, String)>>>,
}

impl CallRecorder {
    /// Forgets what was recorded so far.
    pub fn clear(&self) {
        self.calls.lock().unwrap().clear();
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<(String, String)> {
        self.calls.lock().unwrap().clone()
    }

    /// The operation names of every call so far.
    pub fn operations(&self) -> Vec<String> {
        self.calls().into_iter().map(|(_, o)| o).collect()
    }

    /// How many calls of `operation` were made.
    pub fn count(&self, operation: &str) -> usize {
        self.calls().iter().filter(|(_, o)| o == operation).count()
    }
}

impl Intercept for CallRecorder {
    fn name(&self) -> &'static str {
        "CallRecorder"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.calls.lock().unwrap().push(operation(cfg));
        Ok(())
    }
}

/// How an injected failure looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    /// HTTP 400 with the error type `ThrottlingException` (JSON protocols).
    Throttling,
    /// HTTP 503 with an empty body.
    Unavailable,
    /// HTTP 400 `AccessDeniedException`, which must not be retried.
    AccessDenied,
}

/// Replaces the responses of the next `remaining` attempts of one operation.
#[derive(Debug, Clone)]
pub struct FailureInjector {
    operation: String,
    kind: Injected,
    remaining: Arc<Mutex<usize>>,
    attempts: Arc<Mutex<usize>>,
}

impl FailureInjector {
    /// Fails the next `times` attempts of `operation` with `kind`.
    pub fn new(operation: &str, kind: Injected, times: usize) -> Self {
        Self {
            operation: operation.to_string(),
            kind,
            remaining: Arc::new(Mutex::new(times)),
            attempts: Arc::new(Mutex::new(0)),
        }
    }

    /// Attempts of the operation seen so far, failed or not.
    pub fn attempts(&self) -> usize {
        *self.attempts.lock().unwrap()
    }

    /// Injected failures still to come.
    pub fn remaining(&self) -> usize {
        *self.remaining.lock().unwrap()
    }
}

impl Intercept for FailureInjector {
    fn name(&self) -> &'static str {
        "FailureInjector"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if operation(cfg).1 != self.operation {
            return Ok(());
        }
        *self.attempts.lock().unwrap() += 1;
        let mut remaining = self.remaining.lock().unwrap();
        if *remaining == 0 {
            return Ok(());
        }
        *remaining -= 1;
        let (status, error_type) = match self.kind {
            Injected::Throttling => (400, Some("ThrottlingException")),
            Injected::Unavailable => (503, None),
            Injected::AccessDenied => (400, Some("AccessDeniedException")),
        };
        let body = match error_type {
            Some(t) => format!(r#"{{"__type":"{t}","message":"injected by the test"}}"#),
            None => String::new(),
        };
        let mut response = Response::new(StatusCode::try_from(status)?, SdkBody::from(body));
        if let Some(t) = error_type {
            response.headers_mut().insert("x-amzn-errortype", t);
            response
                .headers_mut()
                .insert("content-type", "application/x-amz-json-1.0");
        }
        *context.response_mut() = response;
        Ok(())
    }
}
