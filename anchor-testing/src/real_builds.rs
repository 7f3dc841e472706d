//! The real OpenNext builds of `examples/nextjs-app` the test command makes
//! and names in environment variables; `ANCHOR_REQUIRE_REAL_BUILD` turns a
//! missing one into a failure instead of a skip.

use std::path::PathBuf;

/// The build of the example's v1 (OpenNext's buffered wrapper).
pub const V1: &str = "ANCHOR_NEXTJS_BUILD";
/// The example's v2, built with OpenNext's streaming wrapper.
pub const V2: &str = "ANCHOR_NEXTJS_BUILD_V2";
/// v1 built with OpenNext's default configuration (arm64 `sharp`).
pub const ARM64: &str = "ANCHOR_NEXTJS_BUILD_ARM64";
/// Set by the test command: a test needing a real build fails without it.
pub const REQUIRE_VAR: &str = "ANCHOR_REQUIRE_REAL_BUILD";

/// The build named by each variable in `vars`, in order, or `None` (after
/// saying on stderr which are missing) when any is not set.
///
/// # Panics
/// When one is missing and `ANCHOR_REQUIRE_REAL_BUILD` is set.
pub fn real_builds(vars: &[&str]) -> Option<Vec<PathBuf>> {
    let found: Vec<Option<PathBuf>> = vars
        .iter()
        .map(|var| std::env::var_os(var).map(PathBuf::from))
        .collect();
    let missing: Vec<&str> = vars
        .iter()
        .zip(&found)
        .filter(|(_, build)| build.is_none())
        .map(|(var, _)| *var)
        .collect();
    if missing.is_empty() {
        return found.into_iter().collect();
    }
    let missing = missing.join(", ");
    assert!(
        std::env::var_os(REQUIRE_VAR).is_none(),
        "{REQUIRE_VAR} is set but {missing} is not"
    );
    eprintln!("skipped: set {missing} (scripts/test.sh does)");
    None
}

/// The build named by `var`; see [`real_builds`].
///
/// # Panics
/// When it is missing and `ANCHOR_REQUIRE_REAL_BUILD` is set.
pub fn real_build(var: &str) -> Option<PathBuf> {
    real_builds(&[var]).and_then(|mut builds| builds.pop())
}

/// The example's v1 and v2 builds; see [`real_builds`].
///
/// # Panics
/// When one is missing and `ANCHOR_REQUIRE_REAL_BUILD` is set.
pub fn v1_and_v2() -> Option<(PathBuf, PathBuf)> {
    let mut builds = real_builds(&[V1, V2])?.into_iter();
    Some((builds.next()?, builds.next()?))
}
