//! The per-deployment secret that proves a request to a server function's
//! URL came through the project's distribution (`docs/aws.md`, "Origin
//! protection"). Each deploy generates one, freezes it in the server
//! version's environment and writes it to the router's store under a key of
//! its own; Anchor never reads it back. The router adds it as an origin
//! custom header; the guard Anchor wraps around the server's handler
//! compares it with the function's environment and answers 403 without it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The request header that carries the secret from the distribution to the
/// server function. Lowercase, as CloudFront Functions take header names.
pub const ORIGIN_SECRET_HEADER: &str = "x-anchor-origin-secret";

/// The server function's environment variable holding the secret.
pub const ORIGIN_SECRET_ENV: &str = "ANCHOR_ORIGIN_SECRET";

/// Random bytes in a secret: 256 bits.
const SECRET_BYTES: usize = 32;

/// A deployment's origin secret: 32 random bytes, hex-encoded (64 characters,
/// a valid header value and well under a KeyValueStore value's 1 KB).
///
/// Its `Debug` and `Display` never show it; read it with
/// [`OriginSecret::expose`] only to hand it to the function or the router.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OriginSecret(String);

impl OriginSecret {
    /// A new secret from the operating system's random source. Fails with
    /// `InvalidState` only if that source cannot be read.
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes).map_err(|e| {
            Error::invalid_state(
                crate::error::ResourceKind::Deployment,
                "origin secret",
                "without randomness",
                format!("the operating system's random source failed: {e}"),
            )
        })?;
        Ok(Self(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    /// Checks a stored value: 64 lowercase hex digits. The error names the
    /// field `origin_secret` and does not repeat the value.
    pub fn parse(value: &str) -> Result<Self> {
        let valid = value.len() == 2 * SECRET_BYTES
            && value
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if valid {
            Ok(Self(value.to_string()))
        } else {
            Err(Error::invalid_input(
                "origin_secret",
                format!(
                    "must be {} lowercase hex digits (got {} characters)",
                    2 * SECRET_BYTES,
                    value.len()
                ),
            ))
        }
    }

    /// The secret itself, to set in the server version's environment and
    /// in the router's secret key. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OriginSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OriginSecret(<redacted>)")
    }
}

impl fmt::Display for OriginSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl TryFrom<String> for OriginSecret {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Self::parse(&value)
    }
}

impl From<OriginSecret> for String {
    fn from(value: OriginSecret) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_secret_is_random_hex_and_never_printed() {
        let a = OriginSecret::generate().unwrap();
        let b = OriginSecret::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 64);
        assert_eq!(OriginSecret::parse(a.expose()).unwrap(), a);
        assert!(!format!("{a:?}").contains(a.expose()));
        assert!(!format!("{a}").contains(a.expose()));
    }

    #[test]
    fn a_stored_secret_round_trips_and_bad_ones_are_refused() {
        let a = OriginSecret::generate().unwrap();
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<OriginSecret>(&json).unwrap(), a);
        for bad in ["", "abc", &"G".repeat(64), &"A".repeat(64)] {
            assert!(OriginSecret::parse(bad).is_err(), "{bad:?}");
        }
    }
}
