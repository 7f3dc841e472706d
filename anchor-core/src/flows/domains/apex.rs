//! Refusing an apex: its routing record would be a CNAME, which DNS does
//! not allow there, so the message names a subdomain to add instead.

use crate::error::Error;
use crate::model::DomainName;

/// The `InvalidInput` (field `domain`) for an apex or a public suffix,
/// naming the domain as written and a name the user can add instead.
pub(super) fn apex_refused(domain: &DomainName) -> Error {
    let reason = if domain.is_public_suffix() {
        format!(
            "{domain} is a public suffix, under which anyone can register a domain; \
             add a subdomain of a domain registered under it, such as www.example.{domain}"
        )
    } else {
        format!(
            "{domain} is an apex domain; its routing record is a CNAME, which DNS does \
             not allow at an apex, so add a subdomain such as {}",
            suggested_subdomain(domain)
        )
    };
    Error::invalid_input("domain", reason)
}

/// `www.` before the apex, or `app.` when the apex already starts with
/// `www` (`www.co.uk` is itself registrable, and `www.www.co.uk` reads as
/// a typo).
fn suggested_subdomain(apex: &DomainName) -> String {
    let label = if apex.as_str().starts_with("www.") {
        "app"
    } else {
        "www"
    };
    format!("{label}.{apex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(name: &str) -> String {
        match apex_refused(&DomainName::parse(name).unwrap()) {
            Error::InvalidInput { reason, .. } => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn suggests_www_unless_the_apex_starts_with_it() {
        assert!(reason("example.com").ends_with("such as www.example.com"));
        assert!(reason("www.co.uk").ends_with("such as app.www.co.uk"));
        assert!(reason("co.uk").ends_with("such as www.example.co.uk"));
    }
}
