//! `open-next.output.json`: every refusal names the file and the JSON field
//! path (or line and column), and no input makes the parser panic.

use std::fs;
use std::path::Path;

use anchor_core::opennext::{OpenNextBuild, OpenNextOutput};
use anchor_core::Error;
use proptest::prelude::*;
use serde_json::{json, Value};

use super::{assert_invalid, fixture, fixture_copy};

fn fixture_json() -> Value {
    let text = fs::read_to_string(fixture().join("open-next.output.json")).expect("read");
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Parses `v` as a manifest and expects a refusal whose reason contains
/// `needle`.
#[track_caller]
fn refused(v: &Value, needle: &str) -> String {
    let path = Path::new("x/open-next.output.json");
    let bytes = serde_json::to_vec(v).expect("serialize");
    assert_invalid(OpenNextOutput::parse(&bytes, path), path, needle)
}

#[test]
fn the_fixture_manifest_round_trips_its_fields() {
    let out = OpenNextOutput::parse(
        &serde_json::to_vec(&fixture_json()).expect("ser"),
        Path::new("f"),
    )
    .expect("parses");
    let server = out.function("default").expect("default");
    assert_eq!(server.bundle, ".open-next/server-functions/default");
    assert_eq!(server.wrapper.as_deref(), Some("aws-lambda"));
    assert_eq!(server.converter.as_deref(), Some("aws-apigw-v2"));
    assert_eq!(server.incremental_cache.as_deref(), Some("s3"));
    let image = out.function("imageOptimizer").expect("image");
    assert_eq!(image.image_loader.as_deref(), Some("s3"));
    let warmer = out.additional_props.warmer.as_ref().expect("warmer");
    assert_eq!(warmer.bundle, ".open-next/warmer-function");
    assert!(out.edge_functions.is_empty());
}

#[test]
fn unknown_fields_and_origin_types_are_ignored() {
    let mut v = fixture_json();
    v["futureField"] = json!({"a": 1});
    v["origins"]["default"]["newKnob"] = json!(true);
    v["origins"]["queue"] = json!({"type": "sqs-something", "x": 1});
    refused_not(&v);
}

fn refused_not(v: &Value) {
    let bytes = serde_json::to_vec(v).expect("ser");
    OpenNextOutput::parse(&bytes, Path::new("f")).expect("parses");
}

#[test]
fn malformed_json_reports_line_and_column() {
    let path = Path::new("o.json");
    let reason = assert_invalid(
        OpenNextOutput::parse(b"{\n  \"origins\": {,\n}", path),
        path,
        "line 2 column",
    );
    assert!(reason.contains("malformed JSON"), "{reason}");
    assert_invalid(OpenNextOutput::parse(b"{} trailing", path), path, "line 1");
}

#[test]
fn a_field_of_the_wrong_type_is_named() {
    let mut v = fixture_json();
    v["behaviors"][1]["pattern"] = json!(7);
    refused(&v, "behaviors[1].pattern");
    let mut v = fixture_json();
    v["origins"]["default"]["handler"] = json!(null);
    refused(&v, "origins.default.handler");
}

#[test]
fn a_behaviour_with_an_unknown_origin_is_named() {
    let mut v = fixture_json();
    v["behaviors"][3]["origin"] = json!("nowhere");
    let reason = refused(&v, "behaviors[3].origin");
    assert!(reason.contains("nowhere"), "{reason}");
    let mut v = fixture_json();
    v["behaviors"][4]
        .as_object_mut()
        .expect("obj")
        .remove("origin");
    refused(&v, "behaviors[4].origin: missing");
}

#[test]
fn missing_required_origins_are_named() {
    for name in ["default", "imageOptimizer"] {
        let mut v = fixture_json();
        v["origins"].as_object_mut().expect("obj").remove(name);
        refused(&v, &format!("origins.{name}: missing"));
        let mut v = fixture_json();
        v["origins"][name] = json!({"type": "ecs", "bundle": ".open-next/x"});
        refused(&v, &format!("origins.{name}.type"));
    }
}

#[test]
fn bad_behaviour_sets_are_refused() {
    let mut v = fixture_json();
    v["behaviors"][0]["edgeFunction"] = json!("middleware");
    refused(&v, "behaviors[0].edgeFunction");
    let mut v = fixture_json();
    v["behaviors"][5]["pattern"] = json!("_next/*");
    refused(&v, "behaviors[5].pattern");
    let mut v = fixture_json();
    v["behaviors"][2]["pattern"] = json!("other/*");
    refused(&v, "behaviors: no behaviour");
    let mut v = fixture_json();
    v["behaviors"][6]["pattern"] = json!("");
    refused(&v, "behaviors[6].pattern: is empty");
}

#[test]
fn bundles_and_handlers_must_stay_inside_the_build() {
    for bad in [
        "../elsewhere",
        ".open-next/../x",
        "/abs",
        ".open-next/",
        "server",
    ] {
        let mut v = fixture_json();
        v["origins"]["default"]["bundle"] = json!(bad);
        refused(&v, "origins.default.bundle");
    }
    for bad in ["index", "../index.handler", "index.", ".handler"] {
        let mut v = fixture_json();
        v["origins"]["imageOptimizer"]["handler"] = json!(bad);
        refused(&v, "origins.imageOptimizer.handler");
    }
}

#[test]
fn an_oversized_manifest_is_refused_before_parsing() {
    let (_tmp, dir) = fixture_copy();
    let path = dir.join("open-next.output.json");
    let mut big = fs::read(&path).expect("read");
    // Valid JSON with trailing whitespace: only the size is wrong.
    big.resize(OpenNextOutput::MAX_FILE_BYTES as usize + 1, b' ');
    fs::write(&path, big).expect("write");
    assert_invalid(OpenNextBuild::read(&dir), &path, "larger than");
}

fn json_ish() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just("null".to_owned()),
        Just("\"origins\"".to_owned()),
        Just("\"behaviors\"".to_owned()),
        Just("\"type\"".to_owned()),
        Just("\"function\"".to_owned()),
        Just("\"pattern\"".to_owned()),
        Just("\"origin\"".to_owned()),
        Just("\"default\"".to_owned()),
        "\"[a-z*/._]{0,8}\"",
        "-?[0-9]{1,20}(\\.[0-9]+)?",
        "\\PC{0,3}",
    ];
    proptest::collection::vec(atom, 0..40).prop_map(|parts| parts.concat())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z*/._]{0,10}".prop_map(Value::from),
        Just(json!("default")),
        Just(json!("function")),
        Just(json!(".open-next/server-functions/default")),
        Just(json!("index.handler")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![
            Just("origins".to_owned()),
            Just("behaviors".to_owned()),
            Just("type".to_owned()),
            Just("handler".to_owned()),
            Just("bundle".to_owned()),
            Just("pattern".to_owned()),
            Just("origin".to_owned()),
            Just("default".to_owned()),
            Just("imageOptimizer".to_owned()),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(key, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn ok_or_invalid_build(bytes: &[u8]) -> Result<(), TestCaseError> {
    match OpenNextOutput::parse(bytes, Path::new("p.json")) {
        Ok(_) | Err(Error::InvalidBuild { .. }) => Ok(()),
        Err(other) => Err(TestCaseError::fail(format!("unexpected error {other:?}"))),
    }
}

proptest! {
    #[test]
    fn random_text_never_panics(text in json_ish()) {
        ok_or_invalid_build(text.as_bytes())?;
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        ok_or_invalid_build(&bytes)?;
    }

    #[test]
    fn random_json_values_never_panic(v in json_value()) {
        ok_or_invalid_build(&serde_json::to_vec(&v).expect("serialize"))?;
    }
}
