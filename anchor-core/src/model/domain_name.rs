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
/// addresses and labels mixing Latin, Greek, Cyrillic or Armenian letters
/// (homographs such as `аpple` with a Cyrillic `а`).
///
/// A wildcard is one leading `*` label over a name that passes the same
/// checks and is not a public suffix: `*.preview.example.com` and
/// `*.example.com`, never `a.*.example.com`, `*x.example.com` or `*.co.uk`.
/// On a project with the edge router, a wildcard domain gives every
/// deployment its own host (`v<N>.preview.example.com`).
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
        let (wildcard, trimmed) = match trimmed.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        if trimmed.contains('*') {
            return Err(bad(
                "a wildcard is one leading `*.` label, such as *.preview.example.com".into(),
            ));
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
        let prefix = if wildcard { "*." } else { "" };
        if prefix.len() + ascii.len() > Self::MAX_LEN {
            return Err(bad(format!(
                "is {} characters long; the limit is {}",
                prefix.len() + ascii.len(),
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
        check_one_script(&ascii).map_err(&bad)?;
        let tld = labels.last().copied().unwrap_or_default();
        if tld.starts_with("xn--") {
            // An internationalised TLD is fine; its ASCII form passed check_label.
        } else if !tld.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(bad(format!("top-level label {tld:?} must be alphabetic")));
        }
        if wildcard && psl::domain_str(&ascii).is_none() {
            return Err(bad(format!(
                "a wildcard over the public suffix {ascii:?} would claim names others register"
            )));
        }
        Ok(Self(format!("{prefix}{ascii}")))
    }

    /// Whether this is a wildcard (`*.preview.example.com`).
    pub fn is_wildcard(&self) -> bool {
        self.0.starts_with("*.")
    }

    /// What a wildcard covers the labels of: `preview.example.com` for
    /// `*.preview.example.com`; `None` for a name without a wildcard.
    pub fn wildcard_suffix(&self) -> Option<&str> {
        self.0.strip_prefix("*.")
    }

    /// The name of the distribution tenant that serves this domain in
    /// tenant mode: `anchor-` and 24 hex digits of the name's SHA-256. It
    /// is unique in the account (a domain belongs to one project), within
    /// CloudFront's rule for tenant names, and the same on every call, so
    /// a retried attach finds the tenant an earlier attempt created.
    pub fn tenant_name(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.0.as_bytes());
        let hash: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        format!("anchor-{hash}")
    }

    /// The normalised ASCII name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Unicode form, for display; equal to the ASCII form for ASCII names.
    pub fn to_unicode(&self) -> String {
        match self.wildcard_suffix() {
            Some(suffix) => format!("*.{}", idna::domain_to_unicode(suffix).0),
            None => idna::domain_to_unicode(&self.0).0,
        }
    }

    /// Whether this is an apex (a registrable domain such as `example.com`
    /// or `example.co.uk`) or a public suffix itself (`co.uk`), by the
    /// public suffix list; `false` for a subdomain such as `www.example.com`
    /// and for a wildcard, whose names are all subdomains.
    pub fn is_apex(&self) -> bool {
        !self.is_wildcard()
            && psl::domain_str(&self.0).is_none_or(|registrable| registrable == self.0)
    }

    /// Whether this is a public suffix itself (`co.uk`, `com`), under which
    /// others register domains, by the public suffix list. Every public
    /// suffix is also an [apex](Self::is_apex).
    pub fn is_public_suffix(&self) -> bool {
        !self.is_wildcard() && psl::domain_str(&self.0).is_none()
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

/// Scripts whose letters look alike (`а` and `a`, `ο` and `o`, `օ` and
/// `o`): a label mixing two of them is the classic homograph attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Greek,
    Cyrillic,
    Armenian,
}

fn script_of(c: char) -> Option<Script> {
    match c {
        'a'..='z' | 'A'..='Z' | '\u{c0}'..='\u{24f}' | '\u{1e00}'..='\u{1eff}' => {
            Some(Script::Latin)
        }
        '\u{370}'..='\u{3ff}' | '\u{1f00}'..='\u{1fff}' => Some(Script::Greek),
        '\u{400}'..='\u{52f}' | '\u{1c80}'..='\u{1c8f}' | '\u{2de0}'..='\u{2dff}' => {
            Some(Script::Cyrillic)
        }
        '\u{a640}'..='\u{a69f}' => Some(Script::Cyrillic),
        '\u{530}'..='\u{58f}' => Some(Script::Armenian),
        _ => None,
    }
}

/// Refuses a label whose Unicode form mixes letters of two confusable
/// scripts, such as `xn--pple-43d` (`аpple` with a Cyrillic `а`), as
/// browsers do before showing a name in Unicode.
fn check_one_script(ascii: &str) -> std::result::Result<(), String> {
    let (unicode, _) = idna::domain_to_unicode(ascii);
    for label in unicode.split('.') {
        let mut first = None;
        for script in label.chars().filter_map(script_of) {
            match first {
                None => first = Some(script),
                Some(s) if s != script => {
                    return Err(format!(
                        "label {label:?} mixes {s:?} and {script:?} letters, \
                         so it can pass for another name (a homograph)"
                    ))
                }
                Some(_) => {}
            }
        }
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
            "a.*.example.com",
            "*x.example.com",
            "**.example.com",
            "*.*.example.com",
            "*.co.uk",
            "*.com",
            "*.",
            "example.123",
            "ab--cd.example.com",
            "tab\t.example.com",
            "www.xn--pple-43d.com",
            "www.\u{430}pple.com",
            long_label.as_str(),
            long_name.as_str(),
        ] {
            let err = DomainName::parse(bad).expect_err(bad);
            assert_eq!(field_of(err), "domain", "{bad}");
        }
    }

    #[test]
    fn tells_an_apex_from_a_subdomain() {
        for (name, apex) in [
            ("example.com", true),
            ("example.co.uk", true),
            ("co.uk", true),
            ("www.example.com", false),
            ("shop.example.co.uk", false),
            ("a.b.example.io", false),
        ] {
            assert_eq!(DomainName::parse(name).unwrap().is_apex(), apex, "{name}");
        }
    }

    #[test]
    fn tells_a_public_suffix_from_a_registrable_domain() {
        for (name, suffix) in [
            ("co.uk", true),
            ("github.io", true),
            ("www.co.uk", false),
            ("example.com", false),
            ("www.example.com", false),
        ] {
            let parsed = DomainName::parse(name).unwrap();
            assert_eq!(parsed.is_public_suffix(), suffix, "{name}");
        }
    }

    #[test]
    fn a_wildcard_is_one_leading_label_over_a_registrable_name() {
        for (input, suffix) in [
            ("*.preview.example.com", "preview.example.com"),
            ("*.Example.COM.", "example.com"),
            ("*.bücher.example", "xn--bcher-kva.example"),
        ] {
            let name = DomainName::parse(input).unwrap();
            assert!(name.is_wildcard(), "{input}");
            assert_eq!(name.wildcard_suffix(), Some(suffix));
            assert_eq!(name.as_str(), format!("*.{suffix}"));
            assert!(!name.is_apex() && !name.is_public_suffix());
            assert_eq!(DomainName::parse(&name.to_unicode()).unwrap(), name);
        }
        let plain = DomainName::parse("www.example.com").unwrap();
        assert!(!plain.is_wildcard());
        assert_eq!(plain.wildcard_suffix(), None);
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

    #[test]
    fn tenant_names_meet_cloudfronts_rule_and_differ_by_domain() {
        let name = |d: &str| DomainName::parse(d).unwrap().tenant_name();
        let (a, b) = (name("shop.example.com"), name("*.preview.example.com"));
        for n in [&a, &b] {
            // CloudFront's rule: 3 to 128 of a-z 0-9 . -, alphanumeric ends.
            assert_eq!(n.len(), 31, "{n}");
            assert!(n
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        }
        assert_ne!(a, b);
        assert_eq!(a, name("SHOP.example.com."));
    }
}
