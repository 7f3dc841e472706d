//! Reading `open-next.output.json` into [`OpenNextOutput`].
//!
//! Every error is `Error::InvalidBuild` naming the manifest file. Malformed
//! JSON gives the line and column; a well-formed file with a wrong field
//! gives the field path, such as `origins.default.handler`.

use std::io::Read;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::output::{OpenNextOutput, Origin};
use crate::error::{Error, Result};

impl OpenNextOutput {
    /// The largest manifest accepted. Real ones are a few kilobytes; the cap
    /// keeps a hostile or corrupt file from being read into memory whole.
    pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

    /// Reads and validates the manifest at `path`.
    ///
    /// Fails with `Error::InvalidBuild` naming `path` if it is missing, larger
    /// than [`Self::MAX_FILE_BYTES`], malformed or invalid (see
    /// [`Self::parse`]).
    pub fn read(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| {
            Error::invalid_build(path, format!("cannot open open-next.output.json: {e}"))
        })?;
        // Read one byte past the cap so a file that grows after a size
        // check is still refused, without trusting metadata.
        let mut bytes = Vec::new();
        file.take(Self::MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        if bytes.len() as u64 > Self::MAX_FILE_BYTES {
            return Err(Error::invalid_build(
                path,
                format!(
                    "file is larger than {} bytes; refusing to parse it",
                    Self::MAX_FILE_BYTES
                ),
            ));
        }
        Self::parse(&bytes, path)
    }

    /// Parses and validates manifest bytes; `path` is only used in errors.
    ///
    /// Never panics; every failure is `Error::InvalidBuild`. Validation
    /// guarantees: the `default` and `imageOptimizer` origins exist and are
    /// functions; every function origin has a `module.export` handler and a
    /// bundle inside `.open-next/` (no path segment over 255 bytes); every
    /// behaviour has a pattern that CloudFront accepts (at most 255 of its
    /// allowed characters), non-empty and unique once leading `/` are
    /// removed (see [`super::Behavior::route_pattern`]), and an origin that
    /// exists and is `s3` or `function`; no behaviour needs an edge
    /// function; exactly one behaviour is `*` (or `/*`).
    pub fn parse(json: &[u8], path: &Path) -> Result<Self> {
        let value: Value = serde_json::from_slice(json)
            .map_err(|e| Error::invalid_build(path, format!("malformed JSON: {e}")))?;
        let output = from_value(value).map_err(|reason| Error::invalid_build(path, reason))?;
        output
            .validate()
            .map_err(|reason| Error::invalid_build(path, reason))?;
        Ok(output)
    }
}

/// How a reason names the whole document rather than one field in it.
const TOP_LEVEL: &str = "(top level)";

/// Builds the typed manifest from well-formed JSON.
///
/// Origins are converted one by one: serde cannot report field paths inside
/// an internally tagged enum, and the error must say `origins.default.handler`
/// rather than just `origins.default`.
fn from_value(mut value: Value) -> std::result::Result<OpenNextOutput, String> {
    // serde would also build the struct from an array, and then name an
    // element such as `[0]` in the error instead of the real fault.
    if !value.is_object() {
        let found = match value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        };
        return Err(format!("{TOP_LEVEL}: expected an object, found {found}"));
    }
    let origins = value
        .as_object_mut()
        .and_then(|root| root.insert("origins".to_owned(), Value::Object(Default::default())));
    let mut output: OpenNextOutput = typed(value, "")?;
    let origins = match origins {
        None => return Err("origins: missing".to_owned()),
        Some(Value::Object(map)) => map,
        Some(_) => return Err("origins: expected an object".to_owned()),
    };
    for (name, origin) in origins {
        let parsed = origin_from_value(&name, origin)?;
        output.origins.insert(name, parsed);
    }
    Ok(output)
}

fn origin_from_value(name: &str, value: Value) -> std::result::Result<Origin, String> {
    let prefix = format!("origins.{name}");
    let kind = match value.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(_) => return Err(format!("{prefix}.type: expected a string")),
        None if value.is_object() => return Err(format!("{prefix}.type: missing")),
        None => return Err(format!("{prefix}: expected an object")),
    };
    Ok(match kind.as_str() {
        "s3" => Origin::S3(typed(value, &prefix)?),
        "function" => Origin::Function(typed(value, &prefix)?),
        "ecs" => Origin::Ecs(typed(value, &prefix)?),
        _ => Origin::Unknown,
    })
}

/// Deserializes `value`, prefixing the failing field's path with `prefix`.
fn typed<T: DeserializeOwned>(value: Value, prefix: &str) -> std::result::Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        let full = match (prefix.is_empty(), field == ".") {
            // serde_path_to_error names the root "."; say what it is.
            (true, true) => TOP_LEVEL.to_owned(),
            (true, false) => field,
            (false, true) => prefix.to_owned(),
            (false, false) => format!("{prefix}.{field}"),
        };
        format!("{full}: {}", e.into_inner())
    })
}
