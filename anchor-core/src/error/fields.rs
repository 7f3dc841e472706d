//! What the Python and Node bindings need to turn an [`Error`] into their
//! own error objects, so neither binding repeats the per-variant mapping:
//! the structured fields, the `source()` chain, and one sample per code for
//! their tests.

use super::{Error, ResourceKind, Service};

/// The value of one structured error field, as a binding exposes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// Text, such as an id, a path or a reason.
    Text(String),
    /// A flag, such as `retryable`.
    Flag(bool),
}

/// Kinds and services as identifiers: `function version` -> `function_version`.
fn ident(value: impl std::fmt::Display) -> FieldValue {
    FieldValue::Text(value.to_string().replace(' ', "_"))
}

fn text(value: impl Into<String>) -> FieldValue {
    FieldValue::Text(value.into())
}

impl Error {
    /// The variant's structured fields in declaration order, with snake_case
    /// names (`field`, `kind`, `id`, `retryable`, ...). Kinds and services
    /// are identifiers such as `function_version` and `state_store`; paths
    /// are text. The message and the source are not fields: see
    /// [`Error::source_chain`].
    pub fn fields(&self) -> Vec<(&'static str, FieldValue)> {
        match self {
            Self::InvalidInput { field, reason } => {
                vec![("field", text(field)), ("reason", text(reason))]
            }
            Self::InvalidBuild { path, reason } => vec![
                ("path", text(path.display().to_string())),
                ("reason", text(reason)),
            ],
            Self::NotFound { kind, id } | Self::AlreadyExists { kind, id } => {
                vec![("kind", ident(kind)), ("id", text(id))]
            }
            Self::Conflict { kind, id, reason } | Self::PreconditionFailed { kind, id, reason } => {
                vec![
                    ("kind", ident(kind)),
                    ("id", text(id)),
                    ("reason", text(reason)),
                ]
            }
            Self::DomainTaken { domain, project } => {
                vec![("domain", text(domain)), ("project", text(project))]
            }
            Self::InvalidState {
                kind,
                id,
                state,
                reason,
            } => vec![
                ("kind", ident(kind)),
                ("id", text(id)),
                ("state", text(state)),
                ("reason", text(reason)),
            ],
            Self::NotManaged { certificate } => vec![("certificate", text(certificate))],
            Self::QuotaExceeded {
                quota,
                limit,
                setting,
                reason,
            } => vec![
                ("quota", text(quota)),
                ("limit", text(limit.to_string())),
                ("setting", text(setting)),
                ("reason", text(reason)),
            ],
            Self::Service {
                backend,
                service,
                operation,
                retryable,
                ..
            } => vec![
                ("backend", text(*backend)),
                ("service", ident(service)),
                ("operation", text(operation)),
                ("retryable", FieldValue::Flag(*retryable)),
            ],
            Self::Io { path, .. } => vec![("path", text(path.display().to_string()))],
            Self::Internal { invariant } => vec![("invariant", text(invariant))],
        }
    }

    /// The `source()` chain as one line, outermost first, joined by `": "`;
    /// `None` when the error has no source.
    pub fn source_chain(&self) -> Option<String> {
        let mut parts = Vec::new();
        let mut next = std::error::Error::source(self);
        while let Some(source) = next {
            parts.push(source.to_string());
            next = source.source();
        }
        (!parts.is_empty()).then(|| parts.join(": "))
    }

    /// A representative error for each of [`Error::CODES`] (`None` for any
    /// other string). The bindings raise these through their real mapping
    /// so their tests can check every code; `ANCHOR_SERVICE` and `ANCHOR_IO`
    /// carry a source.
    pub fn sample(code: &str) -> Option<Self> {
        let kind = ResourceKind::Deployment;
        let id = "01J0SAMPLE";
        Some(match code {
            "ANCHOR_INVALID_INPUT" => Self::invalid_input("domain", "sample reason"),
            "ANCHOR_INVALID_BUILD" => Self::invalid_build("/tmp/build", "sample reason"),
            "ANCHOR_NOT_FOUND" => Self::not_found(kind, id),
            "ANCHOR_ALREADY_EXISTS" => Self::AlreadyExists {
                kind,
                id: id.into(),
            },
            "ANCHOR_CONFLICT" => Self::conflict(kind, id, "sample reason"),
            "ANCHOR_PRECONDITION_FAILED" => Self::precondition(kind, id, "revision 1, found 2"),
            "ANCHOR_DOMAIN_TAKEN" => Self::DomainTaken {
                domain: "shop.example.com".into(),
                project: "other".into(),
            },
            "ANCHOR_INVALID_STATE" => Self::invalid_state(kind, id, "failed", "sample reason"),
            "ANCHOR_NOT_MANAGED" => Self::NotManaged {
                certificate: "arn:aws:acm:us-east-1:000000000000:certificate/sample".into(),
            },
            "ANCHOR_SERVICE" => Self::Service {
                backend: "local",
                service: Service::Functions,
                operation: "UpdateAlias".into(),
                retryable: true,
                message: "sample message".into(),
                source: Some(Box::new(std::io::Error::other("connection reset"))),
            },
            "ANCHOR_IO" => Self::io(
                "/tmp/missing",
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            ),
            "ANCHOR_INTERNAL" => Self::internal("a rollback records its event"),
            "ANCHOR_QUOTA_EXCEEDED" => Self::QuotaExceeded {
                quota: "Distribution tenants per account (CloudFront)".into(),
                limit: 10_000,
                setting: "domain_limits.tenants_per_account".into(),
                reason: "the account holds 10000 distribution tenants".into(),
            },
            _ => return None,
        })
    }
}

/// The message of a caught panic's payload (`&str` or `String`), for the
/// bindings, which turn a panic into an internal error instead of a crash.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_payload_gives_its_message() {
        let text =
            std::panic::catch_unwind(|| panic!("boom {}", 7)).map_err(|p| panic_message(&*p));
        assert_eq!(text, Err("boom 7".to_string()));
        let literal = std::panic::catch_unwind(|| panic!("plain")).map_err(|p| panic_message(&*p));
        assert_eq!(literal, Err("plain".to_string()));
    }

    #[test]
    fn every_code_has_a_sample_of_that_code_and_nothing_else_does() {
        for code in Error::CODES {
            let sample = Error::sample(code).map(|e| e.code());
            assert_eq!(sample, Some(*code));
        }
        assert!(Error::sample("ANCHOR_NOPE").is_none());
    }

    #[test]
    fn fields_name_the_structured_values_and_the_chain_joins_sources() {
        let e = Error::sample("ANCHOR_SERVICE").map(|e| (e.fields(), e.source_chain()));
        let Some((fields, chain)) = e else {
            panic!("no sample for ANCHOR_SERVICE")
        };
        assert_eq!(
            fields,
            vec![
                ("backend", FieldValue::Text("local".into())),
                ("service", FieldValue::Text("functions".into())),
                ("operation", FieldValue::Text("UpdateAlias".into())),
                ("retryable", FieldValue::Flag(true)),
            ]
        );
        assert_eq!(chain.as_deref(), Some("connection reset"));
        let state = Error::invalid_state(ResourceKind::FunctionVersion, "f:3", "gone", "why");
        assert_eq!(
            state.fields()[0],
            ("kind", FieldValue::Text("function_version".into()))
        );
        assert_eq!(state.source_chain(), None);
    }
}
