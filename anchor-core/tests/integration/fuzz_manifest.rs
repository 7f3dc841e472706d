//! Fuzzing the reader of `open-next.output.json`, `OpenNextOutput::parse`,
//! with proptest.
//!
//! Inputs are arbitrary bytes, arbitrary JSON, and mutations of the real
//! manifest of the committed fixture: keys dropped, duplicated or added,
//! values of the wrong type, huge numbers, Unicode and control characters,
//! deep nesting, behaviours that point at unknown origins, bundles with
//! `..`, truncated text. Whatever the input, the reader must not panic;
//! what it accepts must satisfy the manifest's invariants (see
//! [`check_accepted`]); what it refuses must be `InvalidBuild` naming the
//! manifest file and, for well-formed JSON, the field at fault.
//!
//! `PROPTEST_CASES` sets the cases per property; without it each runs
//! [`DEFAULT_CASES`], a smoke run of a few seconds. `scripts/fuzz.sh` runs
//! these properties for a time budget.

use std::collections::BTreeSet;
use std::path::{Component, Path};

use anchor_core::model::{RouteTarget, DEFAULT_ROUTE_PATTERN};
use anchor_core::opennext::{OpenNextOutput, Origin, DEFAULT_ORIGIN, IMAGE_ORIGIN};
use anchor_core::Error;
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{json, Map, Value};

/// Cases per property when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 600;

/// The manifest of the committed fixture, trimmed from a real build.
const BASE: &str = include_str!("../fixtures/open-next-min/open-next.output.json");

/// The path the reader is told it is parsing; errors must name it.
const MANIFEST: &str = "/build/.open-next/open-next.output.json";

/// The top-level fields a refusal of well-formed JSON may start with.
const TOP_LEVEL: &[&str] = &["origins", "behaviors", "edgeFunctions", "additionalProps"];

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = DEFAULT_CASES;
    }
    config
}

fn base() -> Value {
    serde_json::from_str(BASE).unwrap()
}

/// Checks what an accepted manifest guarantees: the `default` and
/// `imageOptimizer` origins are functions; every function has a
/// `module.export` handler and a bundle strictly inside `.open-next/`;
/// every behaviour has a non-empty pattern and an existing `s3` or
/// `function` origin and no edge function; the behaviours in precedence
/// order are the same behaviours with the catch-all `*` last and only
/// there; the CDN routes have unique patterns with `*` last; and the
/// manifest serialises to JSON that parses back to itself.
fn check_accepted(output: &OpenNextOutput) {
    for required in [DEFAULT_ORIGIN, IMAGE_ORIGIN] {
        assert!(
            output.function(required).is_some(),
            "{required} is not a function"
        );
    }
    for (name, origin) in &output.origins {
        if let Origin::Function(f) = origin {
            let module = f.handler_module();
            assert!(module.is_some(), "origins.{name}.handler {:?}", f.handler);
            let dir = f.bundle_dir();
            let inside = dir.as_deref().is_some_and(|d| {
                d.components().next().is_some()
                    && d.components().all(|c| matches!(c, Component::Normal(_)))
            });
            assert!(inside, "origins.{name}.bundle {:?} -> {dir:?}", f.bundle);
        }
    }
    for (i, b) in output.behaviors.iter().enumerate() {
        assert!(!b.pattern.is_empty(), "behaviors[{i}] has an empty pattern");
        assert!(
            b.edge_function.is_none(),
            "behaviors[{i}] has an edge function"
        );
        let origin = b.origin.as_deref().and_then(|o| output.origins.get(o));
        assert!(
            matches!(origin, Some(Origin::S3(_) | Origin::Function(_))),
            "behaviors[{i}].origin {:?} is not an s3 or function origin",
            b.origin
        );
    }

    let ordered = output.behaviors_by_precedence();
    assert_eq!(
        ordered.len(),
        output.behaviors.len(),
        "precedence drops or repeats"
    );
    for b in &output.behaviors {
        assert_eq!(
            ordered.iter().filter(|o| std::ptr::eq(**o, b)).count(),
            1,
            "{b:?} is not in the precedence order exactly once"
        );
    }

    let routes = output.cdn_routes();
    assert_eq!(routes.len(), output.behaviors.len());
    let patterns: Vec<&str> = routes.iter().map(|r| r.pattern.as_str()).collect();
    let unique: BTreeSet<&str> = patterns.iter().copied().collect();
    assert_eq!(
        unique.len(),
        patterns.len(),
        "route patterns repeat: {patterns:?}"
    );
    assert!(
        patterns.iter().all(|p| !p.is_empty()),
        "an empty route pattern: {patterns:?}"
    );
    let catch_all: Vec<usize> = (0..patterns.len())
        .filter(|&i| patterns[i] == DEFAULT_ROUTE_PATTERN)
        .collect();
    assert_eq!(
        catch_all,
        [patterns.len() - 1],
        "'*' must be last and only last: {patterns:?}"
    );
    assert_ne!(
        routes[routes.len() - 1].target,
        RouteTarget::Assets { immutable: true },
        "the catch-all must not be cached forever"
    );

    let json = serde_json::to_vec(output).unwrap();
    let again = OpenNextOutput::parse(&json, Path::new(MANIFEST));
    assert_eq!(again.as_ref().ok(), Some(output), "re-parsing: {again:?}");
}

/// Checks a refusal: `InvalidBuild` naming the manifest; for well-formed
/// JSON the reason starts with the field path at fault.
fn check_refused(err: Error, well_formed: bool) {
    let Error::InvalidBuild { path, reason } = err else {
        panic!("expected InvalidBuild, got {err:?}");
    };
    assert_eq!(path, Path::new(MANIFEST), "{reason}");
    if well_formed {
        let names_field = TOP_LEVEL
            .iter()
            .chain(&["(top level)"])
            .any(|f| reason.starts_with(f));
        assert!(names_field, "the reason names no field: {reason}");
    } else {
        assert!(reason.starts_with("malformed JSON"), "{reason}");
    }
}

/// Parses `bytes` and checks the result either way.
fn check(bytes: &[u8]) {
    let well_formed = serde_json::from_slice::<Value>(bytes).is_ok();
    match OpenNextOutput::parse(bytes, Path::new(MANIFEST)) {
        Ok(output) => check_accepted(&output),
        Err(err) => check_refused(err, well_formed),
    }
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(hostile_string(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Strings a manifest field could hold, from plausible to hostile.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("*".to_string()),
        Just("/*".to_string()),
        Just("/".to_string()),
        Just("s3".to_string()),
        Just(DEFAULT_ORIGIN.to_string()),
        Just(IMAGE_ORIGIN.to_string()),
        Just("function".to_string()),
        Just("ecs".to_string()),
        Just("index.handler".to_string()),
        Just(".open-next/server-functions/default".to_string()),
        Just(".open-next/../etc".to_string()),
        Just(".open-next/a/../../b".to_string()),
        Just("/etc/passwd".to_string()),
        Just("..\\..\\x".to_string()),
        Just(".open-next/".to_string()),
        Just("./.open-next/fn/".to_string()),
        Just("_next/image*".to_string()),
        Just("../index.handler".to_string()),
        "[a-z_./*-]{0,24}",
        "\\PC{0,16}",
        "[\u{0}-\u{1f}\u{7f}\u{202e}\u{feff}a-z./]{0,12}",
        "[a-z]{1000,3000}",
    ]
}

/// A path into a JSON value: object keys and array indices.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// Every path into `value`, the root included, parents before children.
fn paths(value: &Value) -> Vec<Vec<Step>> {
    let mut out = vec![Vec::new()];
    let mut i = 0;
    while i < out.len() {
        let path = out[i].clone();
        match get(value, &path) {
            Some(Value::Object(map)) => {
                for key in map.keys() {
                    let mut p = path.clone();
                    p.push(Step::Key(key.clone()));
                    out.push(p);
                }
            }
            Some(Value::Array(items)) => {
                for j in 0..items.len() {
                    let mut p = path.clone();
                    p.push(Step::Index(j));
                    out.push(p);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn get<'a>(value: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, step| match step {
        Step::Key(k) => v.get(k),
        Step::Index(i) => v.get(i),
    })
}

fn get_mut<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |v, step| match step {
        Step::Key(k) => v.get_mut(k),
        Step::Index(i) => v.get_mut(*i),
    })
}

/// One change to a well-formed manifest.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replaces the value at a path with any JSON.
    Replace(Index, Value),
    /// Removes the value at a path from its object or array.
    Remove(Index),
    /// Adds a key to the object at a path (or to its parent).
    AddKey(Index, String, Value),
    /// Appends a copy of one behaviour, pattern included.
    DuplicateBehavior(Index),
    /// Points a behaviour at an origin, known or not.
    RetargetBehavior(Index, String),
    /// Sets a behaviour's pattern.
    Repattern(Index, String),
    /// Sets a function origin's bundle or handler.
    FunctionPath(Index, bool, String),
    /// Changes an origin's type.
    Retype(Index, String),
    /// Adds a behaviour (to an origin, known or not).
    AddBehavior(String, String),
    /// Wraps the value at a path in `depth` arrays.
    Nest(Index, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), any_json()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        3 => any::<Index>().prop_map(Mutation::Remove),
        1 => (any::<Index>(), hostile_string(), any_json()).prop_map(|(i, k, v)| Mutation::AddKey(i, k, v)),
        1 => any::<Index>().prop_map(Mutation::DuplicateBehavior),
        2 => (any::<Index>(), hostile_string()).prop_map(|(i, o)| Mutation::RetargetBehavior(i, o)),
        2 => (any::<Index>(), hostile_string()).prop_map(|(i, p)| Mutation::Repattern(i, p)),
        2 => (any::<Index>(), any::<bool>(), hostile_string()).prop_map(|(i, b, s)| Mutation::FunctionPath(i, b, s)),
        1 => (any::<Index>(), hostile_string()).prop_map(|(i, t)| Mutation::Retype(i, t)),
        1 => (hostile_string(), hostile_string()).prop_map(|(p, o)| Mutation::AddBehavior(p, o)),
        1 => (any::<Index>(), 1usize..200).prop_map(|(i, d)| Mutation::Nest(i, d)),
    ]
}

fn behaviors_mut(v: &mut Value) -> Option<&mut Vec<Value>> {
    v.get_mut("behaviors").and_then(Value::as_array_mut)
}

fn origins_mut(v: &mut Value) -> Option<&mut Map<String, Value>> {
    v.get_mut("origins").and_then(Value::as_object_mut)
}

fn nth_origin(v: &mut Value, i: Index) -> Option<&mut Value> {
    let origins = origins_mut(v)?;
    let n = origins.len();
    (n > 0).then(|| origins.values_mut().nth(i.index(n)))?
}

fn nth_behavior(v: &mut Value, i: Index) -> Option<&mut Value> {
    let behaviors = behaviors_mut(v)?;
    let n = behaviors.len();
    (n > 0).then(|| &mut behaviors[i.index(n)])
}

fn set(target: Option<&mut Value>, key: &str, value: Value) {
    if let Some(Value::Object(map)) = target {
        map.insert(key.to_owned(), value);
    }
}

fn apply(v: &mut Value, m: &Mutation) {
    match m {
        Mutation::Replace(i, new) => {
            let all = paths(v);
            let path = &all[i.index(all.len())];
            if let Some(slot) = get_mut(v, path) {
                *slot = new.clone();
            }
        }
        Mutation::Remove(i) => {
            let all = paths(v);
            let path = &all[i.index(all.len())];
            if let Some((last, parent)) = path.split_last() {
                match (get_mut(v, parent), last) {
                    (Some(Value::Object(map)), Step::Key(k)) => {
                        map.remove(k);
                    }
                    (Some(Value::Array(items)), Step::Index(j)) if *j < items.len() => {
                        items.remove(*j);
                    }
                    _ => {}
                }
            }
        }
        Mutation::AddKey(i, key, value) => {
            let all = paths(v);
            let path = &all[i.index(all.len())];
            set(get_mut(v, path), key, value.clone());
        }
        Mutation::DuplicateBehavior(i) => {
            if let Some(copy) = nth_behavior(v, *i).map(|b| b.clone()) {
                if let Some(list) = behaviors_mut(v) {
                    list.push(copy);
                }
            }
        }
        Mutation::RetargetBehavior(i, origin) => {
            set(nth_behavior(v, *i), "origin", json!(origin));
        }
        Mutation::Repattern(i, pattern) => {
            set(nth_behavior(v, *i), "pattern", json!(pattern));
        }
        Mutation::FunctionPath(i, bundle, path) => {
            let key = if *bundle { "bundle" } else { "handler" };
            set(nth_origin(v, *i), key, json!(path));
        }
        Mutation::Retype(i, kind) => set(nth_origin(v, *i), "type", json!(kind)),
        Mutation::AddBehavior(pattern, origin) => {
            if let Some(list) = behaviors_mut(v) {
                list.push(json!({"pattern": pattern, "origin": origin}));
            }
        }
        Mutation::Nest(i, depth) => {
            let all = paths(v);
            let path = &all[i.index(all.len())];
            if let Some(slot) = get_mut(v, path) {
                for _ in 0..*depth {
                    *slot = Value::Array(vec![slot.take()]);
                }
            }
        }
    }
}

/// A change to the manifest's text rather than its structure.
#[derive(Debug, Clone)]
enum TextEdit {
    /// Cuts the text at a byte.
    Truncate(Index),
    /// Overwrites one byte.
    Flip(Index, u8),
    /// Inserts text at a byte.
    Insert(Index, String),
    /// Repeats a top-level key with another value; the last one wins.
    DuplicateKey(usize, String),
}

fn text_edit() -> impl Strategy<Value = TextEdit> {
    let snippet = prop_oneof![
        Just("1e999999".to_string()),
        Just("-1e400".to_string()),
        Just("18446744073709551616".to_string()),
        Just("\u{feff}".to_string()),
        Just("\"\\ud800\"".to_string()),
        Just("[".repeat(5000)),
        Just("{\"a\":".repeat(300)),
        Just(",".to_string()),
        Just("\u{0}".to_string()),
        "\\PC{0,8}",
    ];
    prop_oneof![
        any::<Index>().prop_map(TextEdit::Truncate),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| TextEdit::Flip(i, b)),
        (any::<Index>(), snippet).prop_map(|(i, s)| TextEdit::Insert(i, s)),
        (
            0..TOP_LEVEL.len(),
            prop_oneof![
                Just("[]".to_string()),
                Just("{}".to_string()),
                Just("null".to_string()),
                Just("7".to_string())
            ]
        )
            .prop_map(|(k, v)| TextEdit::DuplicateKey(k, v)),
    ]
}

fn edit(text: &[u8], e: &TextEdit) -> Vec<u8> {
    let mut out = text.to_vec();
    match e {
        TextEdit::Truncate(i) => out.truncate(i.index(out.len() + 1)),
        TextEdit::Flip(i, b) => {
            if !out.is_empty() {
                let at = i.index(out.len());
                out[at] = *b;
            }
        }
        TextEdit::Insert(i, s) => {
            let at = i.index(out.len() + 1);
            out.splice(at..at, s.bytes());
        }
        TextEdit::DuplicateKey(k, v) => {
            if out.first() == Some(&b'{') {
                let key = format!("{{\"{}\":{v},", TOP_LEVEL[*k]);
                out.splice(0..1, key.bytes());
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check(&bytes);
    }

    #[test]
    fn arbitrary_json_never_panics(value in any_json()) {
        check(&serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn mutated_manifests_are_checked_or_refused(mutations in proptest::collection::vec(mutation(), 1..5)) {
        let mut value = base();
        for m in &mutations {
            apply(&mut value, m);
        }
        check(&serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn edited_manifest_text_is_checked_or_refused(edits in proptest::collection::vec(text_edit(), 1..4)) {
        let mut text = BASE.as_bytes().to_vec();
        for e in &edits {
            text = edit(&text, e);
        }
        check(&text);
    }

    #[test]
    fn harmless_changes_are_accepted(
        extra in proptest::collection::vec(("[a-z]{1,8}", any_json()), 0..4),
        order in Just((0..64usize).collect::<Vec<_>>()).prop_shuffle(),
    ) {
        // Unknown keys are ignored and the file order of behaviours is free.
        let mut value = base();
        for (key, v) in &extra {
            if !TOP_LEVEL.contains(&key.as_str()) {
                set(Some(&mut value), key, v.clone());
            }
        }
        if let Some(list) = behaviors_mut(&mut value) {
            let shuffled = order.iter().filter_map(|&i| list.get(i).cloned()).collect();
            *list = shuffled;
        }
        let parsed = OpenNextOutput::parse(&serde_json::to_vec(&value).unwrap(), Path::new(MANIFEST));
        prop_assert!(parsed.is_ok(), "{:?}", parsed);
        check_accepted(&parsed.unwrap());
    }
}
