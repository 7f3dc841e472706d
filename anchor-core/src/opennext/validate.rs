//! Validating a parsed `open-next.output.json`, and ordering its behaviours
//! by precedence. Reasons start with the JSON field path at fault, such as
//! `behaviors[3].origin`; `parse.rs` wraps them in `Error::InvalidBuild`.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use super::output::{
    Behavior, FunctionOrigin, FunctionRef, OpenNextOutput, Origin, DEFAULT_ORIGIN, DEFAULT_PATTERN,
    IMAGE_ORIGIN,
};
/// The folder every `bundle` path in the manifest starts with: OpenNext
/// writes them relative to the app, and the build folder is `.open-next`.
const BUILD_DIR_PREFIX: &str = ".open-next/";

impl OpenNextOutput {
    /// Checks what serde cannot: required origins, references between
    /// behaviours and origins, and paths that must stay inside the build.
    /// The error is the reason, starting with the JSON field path.
    pub(super) fn validate(&self) -> std::result::Result<(), String> {
        for required in [DEFAULT_ORIGIN, IMAGE_ORIGIN] {
            match self.origins.get(required) {
                None => return Err(format!("origins.{required}: missing")),
                Some(Origin::Function(_)) => {}
                Some(other) => {
                    return Err(format!(
                    "origins.{required}.type: is {:?}; Anchor deploys only \"function\" origins",
                    other.type_name()
                ))
                }
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
        // Patterns are compared as routes: `/*` and `*` are one pattern.
        let mut seen = BTreeSet::new();
        for (i, b) in self.behaviors.iter().enumerate() {
            self.validate_behavior(i, b)?;
            if !seen.insert(b.route_pattern()) {
                return Err(format!(
                    "behaviors[{i}].pattern: {:?} appears more than once (a leading '/' is ignored)",
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
        if b.route_pattern().is_empty() {
            return Err(format!(
                "behaviors[{i}].pattern: is empty once leading '/' are removed ({:?})",
                b.pattern
            ));
        }
        if let Some(problem) = pattern_problem(&b.pattern) {
            return Err(format!("behaviors[{i}].pattern: {:?} {problem}", b.pattern));
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
    /// wins. The catch-all is last whatever its origin, since it matches
    /// every path.
    pub fn behaviors_by_precedence(&self) -> Vec<&Behavior> {
        let is_catch_all = |b: &Behavior| b.route_pattern() == DEFAULT_PATTERN;
        let is_image = |b: &Behavior| {
            !is_catch_all(b)
                && (b.origin.as_deref() == Some(IMAGE_ORIGIN)
                    || b.pattern.ends_with("_next/image*"))
        };
        let mut ordered: Vec<&Behavior> = self.behaviors.iter().filter(|b| is_image(b)).collect();
        ordered.extend(
            self.behaviors
                .iter()
                .filter(|b| !is_image(b) && !is_catch_all(b)),
        );
        ordered.extend(self.behaviors.iter().filter(|b| is_catch_all(b)));
        ordered
    }

    /// The function origin called `name`, if there is one.
    pub fn function(&self, name: &str) -> Option<&FunctionOrigin> {
        self.origins.get(name).and_then(Origin::as_function)
    }
}

impl Behavior {
    /// The pattern as a CDN route names it, without leading `/`: CloudFront
    /// treats `/images/*` and `images/*` alike, so validation compares
    /// these.
    pub fn route_pattern(&self) -> &str {
        self.pattern.trim_start_matches('/')
    }
}

impl FunctionOrigin {
    /// The module part of the handler (`index` for `index.handler`), or
    /// `None` if the handler is not `module.export` with a relative module
    /// path that stays inside the bundle.
    pub fn handler_module(&self) -> Option<&str> {
        handler_module(&self.handler)
    }

    /// The bundle folder relative to the `.open-next` folder
    /// (`server-functions/default` for `.open-next/server-functions/default`),
    /// or `None` if it does not lie strictly inside `.open-next/`.
    pub fn bundle_dir(&self) -> Option<PathBuf> {
        bundle_dir(&self.bundle)
    }
}

impl FunctionRef {
    /// The module part of the handler, as [`FunctionOrigin::handler_module`].
    pub fn handler_module(&self) -> Option<&str> {
        handler_module(&self.handler)
    }

    /// The bundle folder relative to `.open-next`, as
    /// [`FunctionOrigin::bundle_dir`].
    pub fn bundle_dir(&self) -> Option<PathBuf> {
        bundle_dir(&self.bundle)
    }
}

/// `module` of `module.export`, if it is a relative path inside the bundle.
fn handler_module(handler: &str) -> Option<&str> {
    let (module, export) = handler.rsplit_once('.')?;
    let ok = !export.is_empty() && relative_inside(module).is_some();
    ok.then_some(module)
}

/// A `.open-next/<folder>` bundle path as `<folder>`, if it stays inside.
fn bundle_dir(bundle: &str) -> Option<PathBuf> {
    let rest = bundle.trim_start_matches("./");
    relative_inside(rest.strip_prefix(BUILD_DIR_PREFIX)?)
}

/// The longest CloudFront path pattern.
const MAX_PATTERN_LEN: usize = 255;
/// The longest file or folder name file systems allow.
const MAX_SEGMENT_BYTES: usize = 255;

/// Why CloudFront would refuse `pattern`, if it would: more than 255
/// characters, or a character outside `A-Z a-z 0-9 _ - . * $ / ~ " ' @ : + &`.
/// Refused here so a bad build fails before anything is recorded, not
/// halfway through provisioning.
fn pattern_problem(pattern: &str) -> Option<String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Some(format!(
            "is {} characters long; CloudFront allows {MAX_PATTERN_LEN}",
            pattern.len()
        ));
    }
    pattern
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_-.*$/~\"'@:+&".contains(*c)))
        .map(|c| format!("contains {c:?}, which CloudFront path patterns do not allow"))
}

/// `rel` as a path if it is non-empty, uses `/` separators and has only
/// plain components (no `..`, `.`, root or drive prefix) of at most 255
/// bytes each.
fn relative_inside(rel: &str) -> Option<PathBuf> {
    let rel = rel.trim_end_matches('/');
    if rel.is_empty() || rel.contains('\\') {
        return None;
    }
    let path = Path::new(rel);
    path.components()
        .all(|c| matches!(c, Component::Normal(n) if n.len() <= MAX_SEGMENT_BYTES))
        .then(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn output(behaviors: &[(&str, &str)]) -> OpenNextOutput {
        let behaviors: Vec<_> = behaviors
            .iter()
            .map(|(p, o)| serde_json::json!({"pattern": p, "origin": o}))
            .collect();
        let f = |bundle: &str| serde_json::json!({"type": "function", "handler": "index.handler", "bundle": bundle});
        let v = serde_json::json!({
            "origins": {
                "s3": {"type": "s3", "originPath": "_assets", "copy": []},
                "default": f(".open-next/server-functions/default"),
                "api": f(".open-next/server-functions/api"),
                "imageOptimizer": f(".open-next/image-optimization-function"),
            },
            "behaviors": behaviors,
        });
        let bytes = serde_json::to_vec(&v).unwrap_or_default();
        match OpenNextOutput::parse(&bytes, Path::new("o.json")) {
            Ok(o) => o,
            Err(e) => panic!("test manifest must parse: {e}"),
        }
    }

    fn order(o: &OpenNextOutput) -> Vec<&str> {
        o.behaviors_by_precedence()
            .iter()
            .map(|b| b.pattern.as_str())
            .collect()
    }

    #[test]
    fn base_path_image_patterns_still_come_first() {
        let o = output(&[
            ("*", "default"),
            ("docs/_next/data/*", "default"),
            ("docs/_next/*", "s3"),
            ("docs/_next/image*", "imageOptimizer"),
        ]);
        assert_eq!(
            order(&o),
            [
                "docs/_next/image*",
                "docs/_next/data/*",
                "docs/_next/*",
                "*"
            ]
        );
    }

    #[test]
    fn split_functions_keep_file_order_before_the_catch_all() {
        let o = output(&[
            ("_next/image*", "imageOptimizer"),
            ("api/*", "api"),
            ("_next/data/*", "default"),
            ("*", "default"),
            ("_next/*", "s3"),
        ]);
        assert_eq!(
            order(&o),
            ["_next/image*", "api/*", "_next/data/*", "_next/*", "*"]
        );
        assert_eq!(o.behaviors_by_precedence().len(), o.behaviors.len());
    }

    #[test]
    fn patterns_are_compared_as_routes() {
        // Found by tests/integration/fuzz_manifest.rs: `/*` next to `*` gave two `*`
        // routes, and `/` an empty one.
        let parse = |behaviors: serde_json::Value| {
            let mut v = serde_json::to_value(output(&[("*", "default")])).unwrap_or_default();
            v["behaviors"] = behaviors;
            let bytes = serde_json::to_vec(&v).unwrap_or_default();
            OpenNextOutput::parse(&bytes, Path::new("o.json")).map_err(|e| e.to_string())
        };
        let twice = parse(serde_json::json!([
            {"pattern": "*", "origin": "default"},
            {"pattern": "/*", "origin": "default"},
        ]));
        assert!(
            matches!(&twice, Err(e) if e.contains("behaviors[1].pattern")),
            "{twice:?}"
        );
        let empty = parse(serde_json::json!([
            {"pattern": "/", "origin": "s3"},
            {"pattern": "*", "origin": "default"},
        ]));
        assert!(
            matches!(&empty, Err(e) if e.contains("behaviors[0].pattern")),
            "{empty:?}"
        );
        let slashed = parse(serde_json::json!([{"pattern": "/*", "origin": "default"}]));
        let routes = slashed.map(|o| o.cdn_routes()).unwrap_or_default();
        assert_eq!(
            routes
                .iter()
                .map(|r| r.pattern.as_str())
                .collect::<Vec<_>>(),
            ["*"]
        );
    }

    #[test]
    fn the_catch_all_is_last_whatever_its_origin() {
        let o = output(&[("*", "imageOptimizer"), ("api/*", "default")]);
        assert_eq!(order(&o), ["api/*", "*"]);
    }

    #[test]
    fn bundle_and_handler_paths_are_resolved_inside() {
        let o = output(&[("*", "default")]);
        let f = o
            .function("default")
            .map(|f| (f.bundle_dir(), f.handler_module()));
        assert_eq!(
            f,
            Some((
                Some(PathBuf::from("server-functions/default")),
                Some("index")
            ))
        );
        let mut g = FunctionOrigin {
            handler: "dist/main.handler".into(),
            bundle: "./.open-next/fn/".into(),
            ..o.function("api").cloned().unwrap_or_else(|| panic!("api"))
        };
        assert_eq!(g.handler_module(), Some("dist/main"));
        assert_eq!(g.bundle_dir(), Some(PathBuf::from("fn")));
        g.bundle = ".open-next/a/../../b".into();
        assert_eq!(g.bundle_dir(), None);
    }
}
