//! Fuzzing the domain name parser, `DomainName::parse`, with proptest.
//!
//! Inputs are arbitrary strings and names built from hostile labels (mixed
//! case, trailing dots, Unicode, punycode, long and empty labels,
//! wildcards, IP addresses, control characters). Whatever the input, the
//! parser must not panic; what it accepts must be a normalised name that
//! parses back to itself; what it refuses must be `InvalidInput` naming the
//! field `domain`.
//!
//! `PROPTEST_CASES` sets the cases per property; without it each runs
//! [`DEFAULT_CASES`], a smoke run of a few seconds. `scripts/fuzz.sh` runs
//! these properties for a time budget.

use std::net::{Ipv4Addr, Ipv6Addr};

use anchor_core::model::DomainName;
use anchor_core::Error;
use proptest::prelude::*;

/// Cases per property when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 1500;

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    config
}

/// Checks what an accepted name guarantees: lowercase ASCII, no trailing
/// dot, at least two labels of 1 to 63 characters of `[a-z0-9-]` that
/// neither start nor end with `-`, at most 253 characters, and a fixed
/// point of parsing (its display form and its Unicode form parse to it).
fn check_accepted(input: &str, name: &DomainName) {
    let s = name.as_str();
    assert!(
        s.len() <= DomainName::MAX_LEN,
        "{input:?} -> {s:?} is too long"
    );
    assert!(!s.ends_with('.'), "{input:?} -> {s:?} keeps a trailing dot");
    // A wildcard is one leading `*` label over a name held to every rule.
    let rest = name.wildcard_suffix().unwrap_or(s);
    assert_eq!(
        name.is_wildcard(),
        s.starts_with("*."),
        "{input:?} -> {s:?}"
    );
    assert!(
        !rest.contains('*'),
        "{input:?} -> {s:?}: a wildcard past the first label"
    );
    let labels: Vec<&str> = rest.split('.').collect();
    assert!(labels.len() >= 2, "{input:?} -> {s:?} has one label");
    for label in &labels {
        assert!(
            (1..=DomainName::MAX_LABEL_LEN).contains(&label.len()),
            "{input:?} -> {s:?}: label {label:?} has a bad length"
        );
        assert!(
            label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{input:?} -> {s:?}: label {label:?} has a character outside [a-z0-9-]"
        );
        assert!(
            !label.starts_with('-') && !label.ends_with('-'),
            "{input:?} -> {s:?}: label {label:?} starts or ends with '-'"
        );
    }
    let tld = labels[labels.len() - 1];
    assert!(
        tld.starts_with("xn--") || tld.bytes().all(|b| b.is_ascii_alphabetic()),
        "{input:?} -> {s:?}: top-level label {tld:?}"
    );
    assert!(
        input.matches('*').count() <= 1,
        "{input:?}: more than one wildcard was accepted"
    );
    assert!(!is_ip(input), "{input:?}: an IP address was accepted");

    let again = DomainName::parse(&name.to_string());
    assert_eq!(again.as_ref().ok(), Some(name), "display form of {input:?}");
    let unicode = DomainName::parse(&name.to_unicode());
    assert_eq!(
        unicode.as_ref().ok(),
        Some(name),
        "Unicode form of {input:?}"
    );
    let dotted = DomainName::parse(&format!("{s}."));
    assert_eq!(
        dotted.as_ref().ok(),
        Some(name),
        "{s:?} with a trailing dot"
    );
    let upper = DomainName::parse(&s.to_ascii_uppercase());
    assert_eq!(upper.as_ref().ok(), Some(name), "{s:?} in upper case");
    if input.is_ascii() {
        let expected = input
            .strip_suffix('.')
            .unwrap_or(input)
            .to_ascii_lowercase();
        assert_eq!(s, expected, "an ASCII name is only lowercased");
    }
}

fn is_ip(input: &str) -> bool {
    let bare = input.strip_suffix('.').unwrap_or(input);
    bare.parse::<Ipv4Addr>().is_ok() || bare.trim_matches(['[', ']']).parse::<Ipv6Addr>().is_ok()
}

/// Parses `input` and checks the result either way.
fn check(input: &str) {
    match DomainName::parse(input) {
        Ok(name) => check_accepted(input, &name),
        Err(Error::InvalidInput { field, reason }) => {
            assert_eq!(field, "domain", "{input:?}: {reason}");
            assert!(!reason.is_empty(), "{input:?}: empty reason");
        }
        Err(other) => panic!("{input:?}: expected InvalidInput, got {other:?}"),
    }
}

/// One label of a hostile name.
fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        40 => "[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?",
        4 => "[a-zA-Z0-9-]{1,12}",
        1 => "[a-z]{60,66}",
        1 => Just(String::new()),
        1 => Just("*".to_string()),
        1 => "-[a-z]{1,5}|[a-z]{1,5}-|[a-z]{2}--[a-z]{1,5}",
        2 => "xn--[a-z0-9-]{1,16}",
        2 => "[a-zäöüßéñ\u{0430}-\u{044f}\u{03b1}-\u{03c9}\u{4e00}-\u{4e10}]{1,10}",
        1 => "[\u{ff21}-\u{ff3a}\u{ff41}-\u{ff5a}a-z]{1,8}",
        1 => "[a-z\u{00ad}\u{200b}-\u{200d}\u{fe0f}\u{1f600}-\u{1f60f}]{1,8}",
        1 => "[a-z_%!@ \t\n\r\u{0}\u{7f}\u{85}\u{a0}]{1,6}",
        1 => "[0-9]{1,3}",
    ]
}

/// What joins two labels: almost always a dot, sometimes a dot look-alike.
fn separator() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        40 => Just("."),
        1 => Just("\u{3002}"), // ideographic full stop, a dot under UTS #46
        1 => Just("\u{ff0e}"), // fullwidth full stop
        1 => Just(".."),
    ]
}

/// Names built from hostile labels, with optional trailing dots.
fn hostile_name() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec((label(), separator()), 1..5),
        label(),
        prop_oneof![3 => Just(""), 2 => Just("."), 1 => Just("..")],
    )
        .prop_map(|(head, tld, tail)| {
            let mut s = String::new();
            for (label, sep) in head {
                s.push_str(&label);
                s.push_str(sep);
            }
            s.push_str(&tld);
            s.push_str(tail);
            s
        })
}

/// IPv4 and IPv6 addresses, bare and bracketed, with or without a dot.
fn ip_address() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| Ipv4Addr::from(o).to_string()),
        any::<[u16; 8]>().prop_map(|s| Ipv6Addr::from(s).to_string()),
        any::<[u16; 8]>().prop_map(|s| format!("[{}]", Ipv6Addr::from(s))),
        any::<[u8; 4]>().prop_map(|o| format!("{}.", Ipv4Addr::from(o))),
    ]
}

/// Names that must be accepted unchanged but for case: plain ASCII labels
/// of legal length whose hyphens are single and inner (so never `--` in
/// positions 3 and 4), and an alphabetic top-level label.
fn valid_name() -> impl Strategy<Value = String> {
    let inner = "[a-z0-9]([a-z0-9]|-[a-z0-9]){0,30}";
    (
        proptest::collection::vec(inner, 1..5),
        "[a-z]{2,10}",
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(labels, tld, upper, dot)| {
            let mut s = format!("{}.{tld}", labels.join("."));
            if upper {
                s = s.to_ascii_uppercase();
            }
            if dot {
                s.push('.');
            }
            s
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_strings_never_panic(input in any::<String>()) {
        check(&input);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn hostile_names_are_normalised_or_refused(input in hostile_name()) {
        check(&input);
    }

    #[test]
    fn ip_addresses_are_refused(input in ip_address()) {
        let refused = matches!(DomainName::parse(&input), Err(Error::InvalidInput { ref field, .. }) if field == "domain");
        prop_assert!(refused, "{input:?} was not refused");
    }

    #[test]
    fn valid_names_are_accepted_lowercased(input in valid_name()) {
        prop_assume!(input.trim_end_matches('.').len() <= DomainName::MAX_LEN);
        let name = DomainName::parse(&input);
        let expected = input.strip_suffix('.').unwrap_or(&input).to_ascii_lowercase();
        prop_assert_eq!(name.as_ref().map(DomainName::as_str).ok(), Some(expected.as_str()), "{:?}: {:?}", input, name);
        if let Ok(name) = &name {
            check_accepted(&input, name);
        }
    }

    #[test]
    fn over_long_names_are_refused(label in "[a-z]{1,63}", repeat in 2usize..40) {
        let name = format!("{}.com", vec![label.as_str(); repeat].join("."));
        let result = DomainName::parse(&name);
        if name.len() > DomainName::MAX_LEN {
            prop_assert!(matches!(result, Err(Error::InvalidInput { .. })), "{name:?} accepted");
        } else {
            prop_assert!(result.is_ok(), "{name:?}: {result:?}");
        }
    }
}
