//! The Node.js executable tests run scripts with.

use std::ffi::OsString;

/// `$ANCHOR_NODE`, else `node` on the `PATH`: the same choice the local
/// edge makes for its workers (`EdgeOptions::node`).
pub fn node_program() -> OsString {
    std::env::var_os("ANCHOR_NODE").unwrap_or_else(|| "node".into())
}
