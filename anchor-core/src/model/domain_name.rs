use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A validated, normalised custom domain name.
///
/// Normalisation lowercases, maps Unicode to its IDNA (punycode) form by
/// UTS #46, and drops one trailing dot. Validation then requires at least two
/// labels, labels of 1 to 63 characters of `a-z`, `0-9` and inner `-`, at most
/// 253 characters in all, an alphabetic top-level label, and refuses IP
/// addresses and wildcards.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DomainName(String);

impl DomainName {
    /// The longest name accepted, in ASCII form without the trailing dot.
    pub const MAX_LEN: usize = 253;
    /// The longest label accepted.
    pub const MAX_LABEL_LEN: usize = 63;

    /// Normalises and validates `input`; every error names the field `domain`.
    pub fn parse(input: &str) -> Result<Self> {
        let bad = |reason: String| Error::invalid_input("domain", format!("{input:?}: {reason}"));
        let trimmed = input.strip_suffix('.').unwrap_or(input);
        if trimmed.is_empty() {
            return Err(bad("must not be empty".into()));
        }
        if trimmed.contains('*') {
            return Err(bad("wildcard domains are not supported".into()));
        }
        if let Some(c) = trimmed
            .chars()
            .find(|c| c.is_control() || c.is_whitespace())
        {
            return Err(bad(format!("contains the character {c:?}")));
        }
        if trimmed.parse::<Ipv4Addr>().is_ok()
            || trimmed.trim_matches(['[', ']']).parse::<Ipv6Addr>().is_ok()
        {
            return Err(bad("is an IP address, not a domain name".into()));
        }
        let ascii = idna::domain_to_ascii(trimmed)
            .map_err(|_| bad("is not a valid internationalised domain name".into()))?;
        if ascii.len() > Self::MAX_LEN {
            return Err(bad(format!(
                "is {} characters long; the limit is {}",
                ascii.len(),
                Self::MAX_LEN
            )));
        }
        let labels: Vec<&str> = ascii.split('.').collect();
        if labels.len() < 2 {
            return Err(bad("needs at least two labels, such as example.com".into()));
        }
        for label in &labels {
            check_label(label).map_err(&bad)?;
        }
        let tld = labels.last().copied().unwrap_or_default();
        if tld.starts_with("xn--") {
            // An internationalised TLD is fine; its ASCII form passed check_label.
        } else if !tld.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(bad(format!("top-level label {tld:?} must be alphabetic")));
        }
        Ok(Self(ascii))
    }

    /// The normalised ASCII name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Unicode form, for display; equal to the ASCII form for ASCII names.
    pub fn to_unicode(&self) -> String {
        idna::domain_to_unicode(&self.0).0
    }
}

fn check_label(label: &str) -> std::result::Result<(), String> {
    if label.is_empty() {
        return Err("has an empty label".into());
    }
    if label.len() > DomainName::MAX_LABEL_LEN {
        return Err(format!(
            "label {:?} is {} characters long; the limit is {}",
            label,
            label.len(),
            DomainName::MAX_LABEL_LEN
        ));
    }
    if let Some(c) = label
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!("label {label:?} contains {c:?}"));
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(format!("label {label:?} starts or ends with '-'"));
    }
    if label.len() >= 4 && &label[2..4] == "--" && !label.starts_with("xn") {
        return Err(format!("label {label:?} has '--' in positions 3 and 4"));
    }
    Ok(())
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DomainName {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Self::parse(&value)
    }
}

impl From<DomainName> for String {
    fn from(value: DomainName) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(err: Error) -> String {
        match err {
            Error::InvalidInput { field, .. } => field,
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }

    #[test]
    fn normalises_case_trailing_dot_and_unicode() {
        assert_eq!(
            DomainName::parse("WWW.Example.COM.").unwrap().as_str(),
            "www.example.com"
        );
        let idn = DomainName::parse("bücher.example").unwrap();
        assert_eq!(idn.as_str(), "xn--bcher-kva.example");
        assert_eq!(idn.to_unicode(), "bücher.example");
    }

    #[test]
    fn refuses_bad_names_naming_the_field() {
        let long_label = format!("{}.com", "a".repeat(64));
        let long_name = format!("{}.com", ["abcdefghij"; 25].join("."));
        for bad in [
            "",
            ".",
            "localhost",
            "192.168.0.1",
            "[::1]",
            "::1",
            "a..example.com",
            ".example.com",
            "exa_mple.com",
            "exa mple.com",
            "-bad.example.com",
            "bad-.example.com",
            "*.example.com",
            "example.123",
            "ab--cd.example.com",
            "tab\t.example.com",
            long_label.as_str(),
            long_name.as_str(),
        ] {
            let err = DomainName::parse(bad).expect_err(bad);
            assert_eq!(field_of(err), "domain", "{bad}");
        }
    }

    #[test]
    fn accepts_ordinary_names() {
        for ok in [
            "example.com",
            "a.b.c.example.co.uk",
            "x1-y2.example.io",
            "xn--bcher-kva.example",
        ] {
            assert_eq!(DomainName::parse(ok).unwrap().as_str(), ok);
        }
    }
}
