//! The build's Next.js `deploymentId`, which skew protection pins by: Next
//! sends it back with the requests a page makes (`x-deployment-id`,
//! `?dpl=`), so the router can keep them on that page's deployment.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// Where Next records the config the server runs with, in a server bundle.
const REQUIRED_SERVER_FILES: &str = ".next/required-server-files.json";

/// `config.deploymentId` of the server bundle at `bundle_dir`: `None` when
/// the file is absent or the build set no `deploymentId` (set it in
/// `next.config`, or `NEXT_DEPLOYMENT_ID` when building). Fails with
/// [`Error::InvalidBuild`] naming the file when it is not JSON, or when the
/// id cannot key a pin ([`crate::router::check_build_deployment_id`]).
pub(crate) fn read_deployment_id(bundle_dir: &Path) -> Result<Option<String>> {
    let path = bundle_dir.join(REQUIRED_SERVER_FILES);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::invalid_build(&path, format!("cannot read: {e}"))),
    };
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| Error::invalid_build(&path, format!("not JSON: {e}")))?;
    let Some(id) = json.pointer("/config/deploymentId").and_then(Value::as_str) else {
        return Ok(None);
    };
    if id.is_empty() {
        return Ok(None);
    }
    crate::router::check_build_deployment_id(id).map_err(|e| {
        Error::invalid_build(
            &path,
            format!("config.deploymentId cannot be pinned by skew protection: {e}"),
        )
    })?;
    Ok(Some(id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(json: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".next")).unwrap();
        std::fs::write(dir.path().join(REQUIRED_SERVER_FILES), json).unwrap();
        dir
    }

    #[test]
    fn the_id_is_read_from_the_config_and_absent_means_none() {
        let set = bundle(r#"{"config": {"deploymentId": "build-42"}}"#);
        assert_eq!(
            read_deployment_id(set.path()).unwrap().as_deref(),
            Some("build-42")
        );
        for json in [r#"{"config": {}}"#, r#"{"config": {"deploymentId": ""}}"#] {
            assert_eq!(read_deployment_id(bundle(json).path()).unwrap(), None);
        }
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(read_deployment_id(empty.path()).unwrap(), None);
    }

    #[test]
    fn an_unusable_id_or_bad_json_names_the_file() {
        for json in ["{", r#"{"config": {"deploymentId": "a/b"}}"#] {
            match read_deployment_id(bundle(json).path()) {
                Err(Error::InvalidBuild { path, .. }) => {
                    assert!(path.ends_with(REQUIRED_SERVER_FILES), "{path:?}")
                }
                other => panic!("{json}: {other:?}"),
            }
        }
    }
}
