//! Lambda's rule for alias names, which every backend applies.

use crate::error::{Error, Result};

/// Checks `name` against Lambda's rule for alias names: 1 to 128 of
/// `A-Z a-z 0-9 - _`, not all digits (an all-digit qualifier is a version).
/// The error is `InvalidInput` on `alias`.
pub fn validate_alias(name: &str) -> Result<()> {
    let ok = (1..=128).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !name.chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "alias",
            format!(
                "{name:?} must be 1 to 128 characters of A-Z, a-z, 0-9, '-' and '_', not all digits"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::validate_alias;

    #[test]
    fn lambda_alias_names_are_accepted_and_others_refused_on_alias() {
        for good in ["live", "preview-1", "a_b", "v1", &"a".repeat(128)] {
            assert!(validate_alias(good).is_ok(), "{good:?}");
        }
        for bad in ["", "123", "not an alias", "ä", &"a".repeat(129)] {
            let err = validate_alias(bad).unwrap_err();
            assert!(
                matches!(&err, crate::Error::InvalidInput { field, .. } if field == "alias"),
                "{bad:?}: {err:?}"
            );
        }
    }
}
