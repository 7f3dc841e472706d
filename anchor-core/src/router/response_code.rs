//! The viewer-response function's code: the template with its settings
//! filled in, compacted, and checked against CloudFront's size limit.

use serde::Serialize;

use crate::error::{Error, Result};

use super::compact::compact;
use super::{RouterCode, PIN_COOKIE, SERVED_HEADER, VISITOR_COOKIE};

const TEMPLATE: &str = include_str!("viewer_response.js");
const PLACEHOLDER: &str = "__ANCHOR_SETTINGS__";

/// How long the visitor cookie lasts: a year, within the 400 days browsers
/// keep a cookie at most, so a visitor keeps their bucket across rollouts'
/// stages however long they run.
pub const VISITOR_COOKIE_MAX_AGE_SECONDS: u64 = 365 * 24 * 3600;

/// The visitor cookie's attributes. `HttpOnly`: only the router reads it.
/// `Secure`: CloudFront serves over HTTPS, and browsers treat
/// `localhost` (the local edge) as secure too.
fn visitor_attributes() -> String {
    format!("Path=/; Max-Age={VISITOR_COOKIE_MAX_AGE_SECONDS}; Secure; HttpOnly; SameSite=Lax")
}

/// The pin cookie's attributes: a session cookie, reset by every HTML page
/// the browser loads, so it names the deployment of the last page loaded.
const PIN_ATTRIBUTES: &str = "Path=/; Secure; HttpOnly; SameSite=Lax";

/// The settings object the template reads as `S`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Settings {
    visitor_cookie: &'static str,
    visitor_attributes: String,
    pin_cookie: &'static str,
    pin_attributes: &'static str,
    served_header: &'static str,
}

impl RouterCode {
    /// Generates the router's viewer-response function (runtime
    /// `cloudfront-js-2.0`, no store): it sets the visitor cookie on a
    /// response to a request without one, to the request's id the router
    /// split it by, and on an HTML response whose server named its build's
    /// `deploymentId` in [`SERVED_HEADER`] it sets the pin cookie to that
    /// id, then removes the header. Always the same bytes.
    pub fn generate_viewer_response() -> Result<Self> {
        let settings = Settings {
            visitor_cookie: VISITOR_COOKIE,
            visitor_attributes: visitor_attributes(),
            pin_cookie: PIN_COOKIE,
            pin_attributes: PIN_ATTRIBUTES,
            served_header: SERVED_HEADER,
        };
        let settings = serde_json::to_string(&settings)
            .map_err(|e| Error::invalid_input("router", format!("settings: {e}")))?;
        Self::checked(compact(&TEMPLATE.replacen(PLACEHOLDER, &settings, 1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_small_deterministic_code_without_imports() {
        let a = RouterCode::generate_viewer_response().unwrap();
        assert_eq!(a, RouterCode::generate_viewer_response().unwrap());
        assert!(a.len() < 2048, "{} bytes", a.len());
        assert!(!a.code().contains(PLACEHOLDER));
        assert!(!a.code().contains("import "));
        assert!(a
            .code()
            .contains("\"servedHeader\":\"x-anchor-deployment-id\""));
        for banned in ["?.", "??", "class ", "require(", "fetch(", "//", "/*"] {
            assert!(!a.code().contains(banned), "contains {banned:?}");
        }
    }
}
