//! Refusing a public suffix (`co.uk`): anyone can register a domain under
//! it, so no project may claim it. The message names a domain to register
//! under it instead. An apex (`example.com`) is accepted, with an `ALIAS`
//! routing record.

use crate::error::Error;
use crate::model::DomainName;

/// The `InvalidInput` (field `domain`) for a public suffix, naming it as
/// written and a domain under it the user can register instead.
pub(super) fn public_suffix_refused(domain: &DomainName) -> Error {
    Error::invalid_input(
        "domain",
        format!(
            "{domain} is a public suffix, under which anyone can register a domain; \
             add a domain registered under it, such as www.example.{domain}"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_suffix_as_written_and_a_domain_under_it() {
        let err = public_suffix_refused(&DomainName::parse("CO.UK").unwrap());
        let Error::InvalidInput { field, reason } = err else {
            panic!("{err:?}")
        };
        assert_eq!(field, "domain");
        assert!(reason.starts_with("co.uk is a public suffix"), "{reason}");
        assert!(reason.ends_with("such as www.example.co.uk"), "{reason}");
    }
}
