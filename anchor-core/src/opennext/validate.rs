//! Parsing and validating `open-next.output.json`, and ordering its
//! behaviours by precedence.
//!
//! Every error is `Error::InvalidBuild` naming the manifest file, with a
//! reason that starts with the JSON field path at fault (such as
//! `behaviors[3].origin`), or with the line and column for malformed JSON.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use super::output::{
    Behavior, FunctionOrigin, OpenNextOutput, Origin, DEFAULT_ORIGIN, DEFAULT_PATTERN, IMAGE_ORIGIN,
};
use crate::error::{Error, Result};

/// The folder every `bundle` path in the manifest starts with: OpenNext
/// writes them relative to the app, and the build folder is `.open-next`.
const BUILD_DIR_PREFIX: &str = ".open-next/";

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
    /// Never panics. Validation guarantees: the `default` and
    /// `imageOptimizer` origins exist and are functions; every function
    /// origin has a `module.export` handler and a bundle inside
    /// `.open-next/`; every behaviour has a non-empty, unique pattern and an
    /// origin that exists and is `s3` or `function`; no behaviour needs an
    /// edge function; exactly one behaviour is `*`.
    pub fn parse(json: &[u8], path: &Path) -> Result<Self> {
        let mut de = serde_json::Deserializer::from_slice(json);
        let output: Self = serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let field = e.path().to_string();
            json_error(path, &field, e.into_inner())
        })?;
        // Trailing bytes after the object make the file malformed too.
        de.end().map_err(|e| json_error(path, ".", e))?;
        output
            .validate()
            .map_err(|reason| Error::invalid_build(path, reason))?;
        Ok(output)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        for required in [DEFAULT_ORIGIN, IMAGE_ORIGIN] {
            match self.origins.get(required) {
                None => return Err(format!("origins.{required}: missing")),
                Some(Origin::Function(_)) => {}
                Some(other) => return Err(format!(
                    "origins.{required}.type: is {:?}; Anchor deploys only \"function\" origins",
                    other.type_name()
                )),
            }
        }
        for (name, origin) in &self.origins {
            if let Origin::Function(f) = origin {
                if f.handler_module().is_none() {
                    return Err(format!(
                        "origins.{name}.handler: {:?} is not of the form module.export",
                        f.handler
                    ));
                }
                if f.bundle_dir().is_none() {
                    return Err(format!(
                        "origins.{name}.bundle: {:?} is not a folder inside {BUILD_DIR_PREFIX}",
                        f.bundle
                    ));
                }
            }
        }
        let mut seen = BTreeSet::new();
        for (i, b) in self.behaviors.iter().enumerate() {
            self.validate_behavior(i, b)?;
            if !seen.insert(b.pattern.as_str()) {
                return Err(format!(
                    "behaviors[{i}].pattern: {:?} appears more than once",
                    b.pattern
                ));
            }
        }
        if !seen.contains(DEFAULT_PATTERN) {
            return Err(format!(
                "behaviors: no behaviour has the catch-all pattern {DEFAULT_PATTERN:?}"
            ));
        }
        Ok(())
    }

    fn validate_behavior(&self, i: usize, b: &Behavior) -> std::result::Result<(), String> {
        if b.pattern.is_empty() {
            return Err(format!("behaviors[{i}].pattern: is empty"));
        }
        // Dropping an edge function (external middleware) would deploy an
        // app without its middleware, so refuse rather than ignore it.
        if let Some(edge) = &b.edge_function {
            return Err(format!(
                "behaviors[{i}].edgeFunction: {edge:?}; Anchor does not deploy edge functions"
            ));
        }
        let Some(origin) = &b.origin else {
            return Err(format!("behaviors[{i}].origin: missing"));
        };
        match self.origins.get(origin) {
            None => Err(format!(
                "behaviors[{i}].origin: {origin:?} is not one of the origins"
            )),
            Some(Origin::S3(_) | Origin::Function(_)) => Ok(()),
            Some(other) => Err(format!(
                "behaviors[{i}].origin: {origin:?} is of type {:?}, which Anchor cannot serve",
                other.type_name()
            )),
        }
    }

    /// The behaviours in the order a CDN must try them: the image
    /// optimizer's first, then the other specific patterns in file order,
    /// and the catch-all `*` last.
    ///
    /// File order is kept among specific patterns because OpenNext lists
    /// `_next/data/*` (server) before `_next/*` (assets) and the first match
    /// wins.
    pub fn behaviors_by_precedence(&self) -> Vec<&Behavior> {
        let is_image = |b: &Behavior| {
            b.origin.as_deref() == Some(IMAGE_ORIGIN) || b.pattern.ends_with("_next/image*")
        };
        let mut ordered: Vec<&Behavior> = self.behaviors.iter().filter(|b| is_image(b)).collect();
        ordered.extend(
            self.behaviors
                .iter()
                .filter(|b| !is_image(b) && b.pattern != DEFAULT_PATTERN),
        );
        ordered.extend(
            self.behaviors
                .iter()
                .filter(|b| !is_image(b) && b.pattern == DEFAULT_PATTERN),
        );
        ordered
    }

    /// The function origin called `name`, if there is one.
    pub fn function(&self, name: &str) -> Option<&FunctionOrigin> {
        self.origins.get(name).and_then(Origin::as_function)
    }
}

impl FunctionOrigin {
    /// The module part of the handler (`index` for `index.handler`), or
    /// `None` if the handler is not `module.export` with a relative module
    /// path that stays inside the bundle.
    pub fn handler_module(&self) -> Option<&str> {
        let (module, export) = self.handler.rsplit_once('.')?;
        let ok = !export.is_empty() && relative_inside(module).is_some();
        ok.then_some(module)
    }

    /// The bundle folder relative to the `.open-next` folder
    /// (`server-functions/default` for `.open-next/server-functions/default`),
    /// or `None` if it does not lie strictly inside `.open-next/`.
    pub fn bundle_dir(&self) -> Option<PathBuf> {
        let rest = self.bundle.trim_start_matches("./");
        relative_inside(rest.strip_prefix(BUILD_DIR_PREFIX)?)
    }
}

/// An `InvalidBuild` for malformed JSON, naming the field path (when the
/// error is inside a value) and the line and column.
fn json_error(path: &Path, field: &str, e: serde_json::Error) -> Error {
    let at = format!("line {} column {}", e.line(), e.column());
    let reason = if field == "." {
        format!("malformed JSON at {at}: {e}")
    } else {
        format!("{field}: malformed JSON at {at}: {e}")
    };
    Error::invalid_build(path, reason)
}

/// `rel` as a path if it is non-empty, uses `/` separators and has only
/// plain components (no `..`, `.`, root or drive prefix).
fn relative_inside(rel: &str) -> Option<PathBuf> {
    let rel = rel.trim_end_matches('/');
    if rel.is_empty() || rel.contains('\\') {
        return None;
    }
    let path = Path::new(rel);
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| path.to_path_buf())
}
