//! The one error type of Anchor.
//!
//! Every backend converts its own failures into [`Error`], recording which
//! backend and which service failed, so callers (and the Python and Node
//! bindings) branch on structured fields, never on message text.

use std::fmt;
use std::path::PathBuf;

/// A boxed error kept as the `source` of a service failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of thing an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResourceKind {
    /// A project record.
    Project,
    /// A deployment record.
    Deployment,
    /// A custom domain record.
    Domain,
    /// A TLS certificate.
    Certificate,
    /// A function (Lambda).
    Function,
    /// A published function version.
    FunctionVersion,
    /// A function alias such as `live`.
    Alias,
    /// A CDN distribution.
    Distribution,
    /// A distribution tenant: one custom domain on a multi-tenant
    /// distribution.
    Tenant,
    /// An object in the asset store.
    Object,
    /// A key-value store the edge router reads.
    KeyValueStore,
    /// A project's tag table (OpenNext's tag cache).
    TagTable,
    /// A deployment's revalidation queue.
    Queue,
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Project => "project",
            Self::Deployment => "deployment",
            Self::Domain => "domain",
            Self::Certificate => "certificate",
            Self::Function => "function",
            Self::FunctionVersion => "function version",
            Self::Alias => "alias",
            Self::Distribution => "distribution",
            Self::Tenant => "distribution tenant",
            Self::Object => "object",
            Self::KeyValueStore => "key value store",
            Self::TagTable => "tag table",
            Self::Queue => "queue",
        })
    }
}

/// Which external service a call went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Service {
    /// The record store (SQLite or DynamoDB).
    StateStore,
    /// The asset object store (local files or S3).
    Objects,
    /// The function host (local versions or Lambda).
    Functions,
    /// The CDN (local config or CloudFront).
    Cdn,
    /// The certificate authority (local CA or ACM).
    Certificates,
    /// The revalidation pipeline: queues and the tag table (SQS and
    /// DynamoDB on AWS).
    Revalidation,
    /// What a rollout's health gate asks: CloudWatch alarms, a probe URL.
    HealthGate,
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::StateStore => "state store",
            Self::Objects => "objects",
            Self::Functions => "functions",
            Self::Cdn => "cdn",
            Self::Certificates => "certificates",
            Self::Revalidation => "revalidation",
            Self::HealthGate => "health gate",
        })
    }
}

/// Every failure Anchor reports.
///
/// The enum is `#[non_exhaustive]`: match the variants you handle and keep a
/// fallback arm. [`Error::code`] gives each variant a stable string code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A caller-supplied value is invalid. `field` names the option or field.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The option or field at fault, such as `domain` or `project.name`.
        field: String,
        /// Why the value was refused.
        reason: String,
    },
    /// The OpenNext build folder is missing something or is malformed.
    #[error("invalid build at {}: {reason}", path.display())]
    InvalidBuild {
        /// The file or folder at fault.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A record or cloud resource does not exist.
    #[error("{kind} {id:?} not found")]
    NotFound {
        /// What was looked up.
        kind: ResourceKind,
        /// Its name or id.
        id: String,
    },
    /// A create found the resource already there.
    #[error("{kind} {id:?} already exists")]
    AlreadyExists {
        /// What was created.
        kind: ResourceKind,
        /// Its name or id.
        id: String,
    },
    /// Another operation changed the resource first; this one lost and
    /// changed nothing. Retrying after re-reading is safe.
    #[error("conflict on {kind} {id:?}: {reason}")]
    Conflict {
        /// The contended resource.
        kind: ResourceKind,
        /// Its name or id.
        id: String,
        /// What the other party did.
        reason: String,
    },
    /// A conditional write or If-Match update saw a stale revision or ETag.
    #[error("precondition failed on {kind} {id:?}: {reason}")]
    PreconditionFailed {
        /// The resource whose revision moved.
        kind: ResourceKind,
        /// Its name or id.
        id: String,
        /// The expected and found revisions, as text.
        reason: String,
    },
    /// The domain is already attached to another project.
    #[error("domain {domain:?} is held by project {project:?}")]
    DomainTaken {
        /// The normalised domain name.
        domain: String,
        /// The project that holds it.
        project: String,
    },
    /// The resource exists but its state forbids the operation, such as
    /// rolling back to a failed deployment, or rolling back a project that
    /// has no earlier deployment to go back to.
    #[error("{kind} {id:?} is {state}: {reason}")]
    InvalidState {
        /// The resource.
        kind: ResourceKind,
        /// Its name or id.
        id: String,
        /// Its current state.
        state: String,
        /// Why that state forbids the operation.
        reason: String,
    },
    /// An AWS quota (or the limit Anchor was told the account has) would be
    /// passed: nothing changed. Raise `quota` in Service Quotas, then
    /// `setting` to match, or free room first.
    #[error("{reason}: the limit is {limit}; raise '{quota}' in Service Quotas, then {setting}")]
    QuotaExceeded {
        /// The quota's name in Service Quotas, with its service, such as
        /// `Distribution tenants per account (CloudFront)`.
        quota: String,
        /// The limit that was reached.
        limit: u64,
        /// The Anchor setting that carries the limit, such as
        /// `domain_limits.tenants_per_account`.
        setting: String,
        /// What reached it.
        reason: String,
    },
    /// A certificate does not carry Anchor's managed-by tag, so Anchor
    /// refuses to change or delete it.
    #[error("certificate {certificate:?} is not managed by Anchor")]
    NotManaged {
        /// The certificate id or ARN.
        certificate: String,
    },
    /// An external service call failed.
    #[error("{service} {operation} failed on the {backend} backend: {message}")]
    Service {
        /// `local`, `aws` or a wrapper such as `fault`.
        backend: &'static str,
        /// Which service.
        service: Service,
        /// The operation, such as `UpdateAlias`.
        operation: String,
        /// Whether retrying the same call may succeed (throttling, timeouts).
        retryable: bool,
        /// A short description.
        message: String,
        /// The backend's own error, if any.
        #[source]
        source: Option<BoxError>,
    },
    /// A local file operation failed.
    #[error("i/o error at {}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A bug in Anchor: an invariant of its own code did not hold (never a
    /// backend's failure, and never bad input). Nothing the caller can fix;
    /// worth a report. The bindings use the same code for a caught panic.
    #[error("internal error: {invariant}")]
    Internal {
        /// What should have held.
        invariant: String,
    },
}

impl Error {
    /// Builds [`Error::InvalidInput`].
    pub fn invalid_input(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The same error, with the field of an [`Error::InvalidInput`] renamed
    /// by `rename` (`None` keeps the name; other variants pass through):
    /// how a binding reports a core field under the name its callers wrote,
    /// such as `server.memory_mb` as `function_settings.server.memory_mb`.
    pub fn rename_field(self, rename: impl FnOnce(&str) -> Option<String>) -> Self {
        match self {
            Self::InvalidInput { field, reason } => Self::InvalidInput {
                field: rename(&field).unwrap_or(field),
                reason,
            },
            other => other,
        }
    }

    /// Builds [`Error::InvalidBuild`].
    pub fn invalid_build(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self::InvalidBuild {
            path: path.into(),
            reason: reason.into(),
        }
    }

    /// Builds [`Error::NotFound`].
    pub fn not_found(kind: ResourceKind, id: impl Into<String>) -> Self {
        Self::NotFound {
            kind,
            id: id.into(),
        }
    }

    /// Builds [`Error::Conflict`].
    pub fn conflict(kind: ResourceKind, id: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Conflict {
            kind,
            id: id.into(),
            reason: reason.into(),
        }
    }

    /// Builds [`Error::PreconditionFailed`].
    pub fn precondition(
        kind: ResourceKind,
        id: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::PreconditionFailed {
            kind,
            id: id.into(),
            reason: reason.into(),
        }
    }

    /// Builds [`Error::InvalidState`].
    pub fn invalid_state(
        kind: ResourceKind,
        id: impl Into<String>,
        state: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self::InvalidState {
            kind,
            id: id.into(),
            state: state.into(),
            reason: reason.into(),
        }
    }

    /// Builds [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// Builds [`Error::Internal`].
    pub fn internal(invariant: impl Into<String>) -> Self {
        Self::Internal {
            invariant: invariant.into(),
        }
    }

    /// Builds a non-retryable [`Error::Service`] without a source.
    pub fn service(
        backend: &'static str,
        service: Service,
        operation: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::Service {
            backend,
            service,
            operation: operation.into(),
            retryable: false,
            message: message.into(),
            source: None,
        }
    }

    /// A stable, upper-case code for this variant, such as `ANCHOR_CONFLICT`.
    ///
    /// The Python and Node bindings expose exactly these codes; they never
    /// change once released.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidInput { .. } => "ANCHOR_INVALID_INPUT",
            Self::InvalidBuild { .. } => "ANCHOR_INVALID_BUILD",
            Self::NotFound { .. } => "ANCHOR_NOT_FOUND",
            Self::AlreadyExists { .. } => "ANCHOR_ALREADY_EXISTS",
            Self::Conflict { .. } => "ANCHOR_CONFLICT",
            Self::PreconditionFailed { .. } => "ANCHOR_PRECONDITION_FAILED",
            Self::DomainTaken { .. } => "ANCHOR_DOMAIN_TAKEN",
            Self::InvalidState { .. } => "ANCHOR_INVALID_STATE",
            Self::QuotaExceeded { .. } => "ANCHOR_QUOTA_EXCEEDED",
            Self::NotManaged { .. } => "ANCHOR_NOT_MANAGED",
            Self::Service { .. } => "ANCHOR_SERVICE",
            Self::Io { .. } => "ANCHOR_IO",
            Self::Internal { .. } => "ANCHOR_INTERNAL",
        }
    }

    /// Every code [`Error::code`] can return, for bindings and their tests.
    pub const CODES: &'static [&'static str] = &[
        "ANCHOR_INVALID_INPUT",
        "ANCHOR_INVALID_BUILD",
        "ANCHOR_NOT_FOUND",
        "ANCHOR_ALREADY_EXISTS",
        "ANCHOR_CONFLICT",
        "ANCHOR_PRECONDITION_FAILED",
        "ANCHOR_DOMAIN_TAKEN",
        "ANCHOR_INVALID_STATE",
        "ANCHOR_NOT_MANAGED",
        "ANCHOR_SERVICE",
        "ANCHOR_QUOTA_EXCEEDED",
        "ANCHOR_IO",
        "ANCHOR_INTERNAL",
    ];

    /// Whether the same call may succeed if retried unchanged.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Service {
                retryable: true,
                ..
            }
        )
    }
}

mod fields;
pub use fields::{panic_message, FieldValue};
