//! Hostile domain limits: quotas no domain could meet, refused when the
//! embedded default is opened on the world's own folder, before it is
//! touched.

use anchor_core::model::DomainLimits;
use anchor_core::{Anchor, FlowSettings, LocalOptions};

use super::catalogue::{Case, Want};
use super::world::World;
use crate::op;

fn input(field: &'static str, reason: &'static str) -> Want {
    Want::Input { field, reason }
}

/// Opens the world's folder again with `limits`.
async fn open(w: &World, limits: DomainLimits) -> anchor_core::Result<()> {
    let options = LocalOptions {
        settings: FlowSettings {
            domain_limits: limits,
            ..FlowSettings::default()
        },
        ..LocalOptions::default()
    };
    Anchor::local_with(w.env.tmp.path().join("anchor"), options)
        .await
        .map(drop)
}

/// Domain limits that must be refused naming the field.
pub fn domain_limit_cases() -> Vec<Case> {
    vec![
        Case {
            name: "domain-limits-no-tenants",
            op: op!(|w, dir| open(
                w,
                DomainLimits {
                    tenants_per_account: 0,
                    ..DomainLimits::default()
                }
            )
            .await),
            want: input("domain_limits.tenants_per_account", "at least 1"),
        },
        Case {
            name: "domain-limits-no-certificate-names",
            op: op!(|w, dir| open(
                w,
                DomainLimits {
                    names_per_certificate: 0,
                    ..DomainLimits::default()
                }
            )
            .await),
            want: input("domain_limits.names_per_certificate", "at least 1"),
        },
        Case {
            name: "domain-limits-more-names-than-acm-allows",
            op: op!(|w, dir| open(
                w,
                DomainLimits {
                    names_per_certificate: 101,
                    ..DomainLimits::default()
                }
            )
            .await),
            want: input(
                "domain_limits.names_per_certificate",
                "more than ACM allows",
            ),
        },
        Case {
            name: "domain-limits-no-aliases",
            op: op!(|w, dir| open(
                w,
                DomainLimits {
                    aliases_per_distribution: 0,
                    ..DomainLimits::default()
                }
            )
            .await),
            want: input("domain_limits.aliases_per_distribution", "at least 1"),
        },
    ]
}
