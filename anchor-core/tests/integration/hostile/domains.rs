//! Hostile domain names, domains of other projects and certificates that
//! are not Anchor's.

use anchor_core::ResourceKind;

use super::catalogue::{Case, Want};
use super::world::{World, BLOG_DOMAIN, FOREIGN_DOMAIN, OTHER, P, SHOP_DOMAIN};
use crate::op;

async fn add(w: &World, name: &str) -> anchor_core::Result<()> {
    w.plain().domains(P).add(name).await.map(drop)
}

fn domain(reason: &'static str) -> Want {
    Want::Input {
        field: "domain",
        reason,
    }
}

/// Names `add` must refuse, naming the field `domain`.
pub fn name_cases() -> Vec<Case> {
    vec![
        Case {
            name: "domain-empty",
            op: op!(|w, dir| add(w, "").await),
            want: domain("must not be empty"),
        },
        Case {
            name: "domain-homograph-punycode",
            // xn--pple-43d is "аpple" with a Cyrillic а.
            op: op!(|w, dir| add(w, "www.xn--pple-43d.com").await),
            want: domain("mixes"),
        },
        Case {
            name: "domain-homograph-unicode",
            op: op!(|w, dir| add(w, "www.\u{430}pple.com").await),
            want: domain("mixes"),
        },
        Case {
            name: "domain-wildcard-inner",
            op: op!(|w, dir| add(w, "a.*.shop-example.com").await),
            want: domain("wildcard"),
        },
        Case {
            name: "domain-wildcard-over-a-public-suffix",
            op: op!(|w, dir| add(w, "*.co.uk").await),
            want: domain("public suffix"),
        },
        Case {
            name: "domain-public-suffix",
            // Anyone can register under it, so no one may claim it.
            op: op!(|w, dir| add(w, "co.uk").await),
            want: domain("public suffix"),
        },
        Case {
            name: "domain-public-suffix-of-three-labels",
            op: op!(|w, dir| add(w, "act.edu.au").await),
            want: domain("public suffix"),
        },
        Case {
            name: "domain-label-over-63",
            op: op!(|w, dir| add(w, &format!("{}.shop-example.com", "a".repeat(64))).await),
            want: domain("the limit is 63"),
        },
        Case {
            name: "domain-name-over-253",
            op: op!(|w, dir| add(
                w,
                &format!("{}.shop-example.com", ["abcdefghi"; 25].join("."))
            )
            .await),
            want: domain("the limit is 253"),
        },
        Case {
            name: "domain-empty-label",
            op: op!(|w, dir| add(w, "a..shop-example.com").await),
            want: domain("empty label"),
        },
        Case {
            name: "domain-leading-hyphen",
            op: op!(|w, dir| add(w, "-www.shop-example.com").await),
            want: domain("starts or ends with '-'"),
        },
        Case {
            name: "domain-underscore",
            op: op!(|w, dir| add(w, "bad_name.shop-example.com").await),
            want: domain("'_'"),
        },
        Case {
            name: "domain-ipv4-address",
            op: op!(|w, dir| add(w, "10.0.0.1").await),
            want: domain("IP address"),
        },
        Case {
            name: "domain-ipv6-address",
            op: op!(|w, dir| add(w, "[::1]").await),
            want: domain("IP address"),
        },
        Case {
            name: "domain-localhost",
            op: op!(|w, dir| add(w, "localhost").await),
            want: domain("at least two labels"),
        },
        Case {
            name: "domain-control-character",
            op: op!(|w, dir| add(w, "www.shop-example.com\n").await),
            want: domain("contains the character"),
        },
    ]
}

/// Ownership, spelling and certificate cases of `add`, `refresh` and `remove`.
pub fn ownership_cases() -> Vec<Case> {
    vec![
        Case {
            // Case and a trailing dot are normalised away: the same domain,
            // returned as it is, not a second one.
            name: "domain-uppercase-trailing-dot-is-the-same",
            op: op!(|w, dir| {
                let d = w.plain().domains(P).add("WWW.Shop-Example.COM.").await?;
                assert_eq!(d.name.as_str(), SHOP_DOMAIN);
                Ok(())
            }),
            want: Want::Same,
        },
        Case {
            name: "domain-held-by-another-project",
            op: op!(|w, dir| add(w, &BLOG_DOMAIN.to_uppercase()).await),
            want: Want::Taken { holder: OTHER },
        },
        Case {
            name: "domain-of-another-project-removed",
            op: op!(|w, dir| w.plain().domains(P).remove(BLOG_DOMAIN).await),
            want: Want::Taken { holder: OTHER },
        },
        Case {
            name: "domain-never-added-removed",
            op: op!(|w, dir| w.plain().domains(P).remove("never.shop-example.com").await),
            want: Want::NotFound(ResourceKind::Domain),
        },
        Case {
            name: "domain-never-added-refreshed",
            op: op!(|w, dir| w
                .plain()
                .domains(P)
                .refresh("never.shop-example.com")
                .await
                .map(drop)),
            want: Want::NotFound(ResourceKind::Domain),
        },
        Case {
            name: "domain-of-unknown-project",
            op: op!(|w, dir| w
                .plain()
                .domains("ghost")
                .add("www.ghost-example.com")
                .await
                .map(drop)),
            want: Want::NotFound(ResourceKind::Project),
        },
        Case {
            name: "domain-with-a-foreign-certificate-removed",
            op: op!(|w, dir| w.plain().domains(P).remove(FOREIGN_DOMAIN).await),
            want: Want::NotManaged,
        },
        Case {
            name: "certificate-arn-not-anchors-validated",
            op: op!(|w, dir| {
                let arn = "arn:aws:acm:us-east-1:123456789012:certificate/not-anchors";
                let ca = w.plain().local_cloud().unwrap().certificates();
                ca.validate(arn).await
            }),
            want: Want::NotFound(ResourceKind::Certificate),
        },
    ]
}
