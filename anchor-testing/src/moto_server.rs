//! Where the moto server of this run is: `scripts/test.sh` starts one and
//! exports `ANCHOR_MOTO_ENDPOINT`; `ANCHOR_REQUIRE_MOTO` turns its absence
//! into a failure instead of a skip.

/// The variable naming the moto server (`http://127.0.0.1:<port>`).
pub const ENDPOINT_VAR: &str = "ANCHOR_MOTO_ENDPOINT";
/// Set by the test command: a test needing moto fails without it.
pub const REQUIRE_VAR: &str = "ANCHOR_REQUIRE_MOTO";

/// The moto endpoint, or `None` (after saying on stderr that the caller
/// skips) when it is not configured.
///
/// # Panics
/// When `ANCHOR_REQUIRE_MOTO` is set but `ANCHOR_MOTO_ENDPOINT` is not, so
/// a run that must test AWS cannot pass by skipping.
pub fn endpoint() -> Option<String> {
    match std::env::var(ENDPOINT_VAR) {
        Ok(endpoint) => Some(endpoint),
        Err(_) => {
            assert!(
                std::env::var_os(REQUIRE_VAR).is_none(),
                "{REQUIRE_VAR} is set but {ENDPOINT_VAR} is not"
            );
            eprintln!("skipped: {ENDPOINT_VAR} is not set; scripts/test.sh starts moto");
            None
        }
    }
}
