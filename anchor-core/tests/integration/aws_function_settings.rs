//! Function settings on moto (issue 15, "Function settings from the
//! build"): SST's defaults on a new project, arm64 for a default OpenNext
//! build, one configuration update per changed function and none when
//! nothing changed, invalid settings refused before any write, and the
//! Function URL streaming when the build streams.

use crate::aws_support;
use crate::common;

/// Settings are checked on the `live` aliases and URL of a project that
/// routes by behaviours: with the router, each deployment's own alias
/// carries its versions, and the same reconciliation applies.
async fn open(m: &Moto, role: Option<&str>, recorder: &CallRecorder) -> anchor_core::Anchor {
    open_with(m, role, recorder, |o| {
        o.router = anchor_core::aws::AwsRouter::Disabled
    })
    .await
}

use anchor_core::model::{Architecture, SiteFunctionSettings};
use anchor_core::traits::ProvisionOptions;
use anchor_core::Error;
use anchor_testing::real_builds;
use aws_sdk_lambda::types::InvokeMode;
use aws_support::intercept::CallRecorder;
use aws_support::provisioning::{mutations, open_with, P};
use aws_support::Moto;
use common::{build_copy, fixture_source, without_queue};

/// Memory, timeout, runtime and architecture of `function` at `qualifier`.
async fn config_of(m: &Moto, function: &str, qualifier: &str) -> (i32, i32, String, String) {
    let c = m
        .clients
        .lambda
        .get_function_configuration()
        .function_name(function)
        .qualifier(qualifier)
        .send()
        .await
        .unwrap();
    (
        c.memory_size.unwrap(),
        c.timeout.unwrap(),
        c.runtime().unwrap().as_str().to_string(),
        c.architectures().first().unwrap().as_str().to_string(),
    )
}

fn invalid_field(e: Error) -> String {
    match e {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn a_new_project_gets_ssts_defaults_and_arm64() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let a = open(&m, Some(&m.role_arn), &recorder).await;
    a.create_project(P).await.unwrap();
    let server = format!("{P}-server");
    let image = format!("{P}-image");
    assert_eq!(
        config_of(&m, &server, "$LATEST").await,
        (1024, 20, "nodejs24.x".into(), "arm64".into())
    );
    assert_eq!(
        config_of(&m, &image, "$LATEST").await,
        (1536, 25, "nodejs24.x".into(), "arm64".into())
    );

    // A default OpenNext build (arm64 sharp) keeps the image function on
    // arm64, and the published versions carry the defaults.
    let Some(build) = real_builds::real_build(real_builds::ARM64) else {
        return;
    };
    let d = a.deployer(P, &build).execute().await.unwrap();
    let image_version = d.image_version.unwrap().version;
    assert_eq!(
        config_of(&m, &image, &image_version).await,
        (1536, 25, "nodejs24.x".into(), "arm64".into())
    );
    let server_version = d.server_version.unwrap().version;
    assert_eq!(config_of(&m, &server, &server_version).await.0, 1024);
}

#[tokio::test]
async fn changed_settings_are_reconciled_with_one_update_and_unchanged_ones_send_none() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let a = open(&m, Some(&m.role_arn), &recorder).await;
    a.create_project(P).await.unwrap();
    // Without the revalidation queue: a queue per deployment changes the
    // server's environment on every deploy, which is not a settings change.
    let tmp = tempfile::tempdir().unwrap();
    let build = without_queue(build_copy(tmp.path(), "plain"));
    a.deployer(P, &build).execute().await.unwrap();

    // The same settings as the functions have: nothing to reconcile.
    recorder.clear();
    let same = a
        .deployer(P, &build)
        .function_settings(SiteFunctionSettings::default())
        .execute()
        .await
        .unwrap();
    assert_eq!(
        recorder.count("UpdateFunctionConfiguration"),
        0,
        "{:?}",
        recorder.operations()
    );
    assert_eq!(recorder.count("UpdateFunctionCode"), 0);

    // More memory and time for the server only: one update, of the server.
    let mut bigger = SiteFunctionSettings::default();
    bigger.server.memory_mb = 2048;
    bigger.server.timeout_seconds = 28;
    recorder.clear();
    let d = a
        .deployer(P, &build)
        .function_settings(bigger.clone())
        .execute()
        .await
        .unwrap();
    assert_eq!(
        recorder.count("UpdateFunctionConfiguration"),
        1,
        "{:?}",
        recorder.operations()
    );
    let server = format!("{P}-server");
    let version = d.server_version.clone().unwrap().version;
    assert_ne!(
        Some(version.clone()),
        same.server_version.map(|v| v.version)
    );
    let (memory, timeout, _, _) = config_of(&m, &server, &version).await;
    assert_eq!(
        (memory, timeout),
        (2048, 28),
        "the live version runs with them"
    );
    assert_eq!(m.live_versions(P).await.0, version);
    // The deployment's record reports what the version runs with.
    let record = d.server_version.clone().unwrap();
    assert_eq!(
        (record.memory_mb, record.timeout_seconds),
        (Some(2048), Some(28))
    );
    // The image function kept its version: nothing of it changed.
    assert_eq!(d.image_version, same.image_version);

    // Again with the same settings: no update, no new version.
    recorder.clear();
    let again = a
        .deployer(P, &build)
        .function_settings(bigger)
        .execute()
        .await
        .unwrap();
    assert_eq!(recorder.count("UpdateFunctionConfiguration"), 0);
    assert_eq!(recorder.count("PublishVersion"), 0);
    assert_eq!(again.server_version, d.server_version);
}

#[tokio::test]
async fn invalid_settings_are_refused_naming_the_field_and_change_nothing() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let a = open(&m, Some(&m.role_arn), &recorder).await;

    let mut bad = SiteFunctionSettings::default();
    bad.image.timeout_seconds = 901;
    let options = ProvisionOptions {
        functions: bad.clone(),
        ..ProvisionOptions::default()
    };
    let e = a.create_project_with(P, options).await.unwrap_err();
    assert_eq!(invalid_field(e), "image.timeout_seconds");
    let functions = m.clients.lambda.list_functions().send().await.unwrap();
    assert!(functions.functions().is_empty(), "nothing was created");

    a.create_project(P).await.unwrap();
    let build = fixture_source();
    a.deployer(P, &build).execute().await.unwrap();
    let before = config_of(&m, &format!("{P}-server"), "$LATEST").await;
    for (settings, field) in [
        (
            {
                let mut s = SiteFunctionSettings::default();
                s.server.memory_mb = 64;
                s
            },
            "server.memory_mb",
        ),
        (
            {
                let mut s = SiteFunctionSettings::default();
                s.server.runtime = "nodejs12.x".into();
                s
            },
            "server.runtime",
        ),
        (
            {
                let mut s = SiteFunctionSettings::default();
                s.image.memory_mb = 20_000;
                s
            },
            "image.memory_mb",
        ),
    ] {
        recorder.clear();
        let e = a
            .deployer(P, &build)
            .function_settings(settings)
            .execute()
            .await
            .unwrap_err();
        assert_eq!(invalid_field(e), field);
        assert!(
            mutations(&recorder).is_empty(),
            "{field}: {:?}",
            mutations(&recorder)
        );
    }
    assert_eq!(
        config_of(&m, &format!("{P}-server"), "$LATEST").await,
        before
    );
}

#[tokio::test]
async fn an_architecture_the_builds_native_code_cannot_run_on_is_refused() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let Some(build) = real_builds::real_build(real_builds::ARM64) else {
        return;
    };
    let recorder = CallRecorder::default();
    let a = open(&m, Some(&m.role_arn), &recorder).await;
    a.create_project(P).await.unwrap();
    let mut settings = SiteFunctionSettings::default();
    settings.image.architecture = Some(Architecture::X86_64);
    recorder.clear();
    let e = a
        .deployer(P, &build)
        .function_settings(settings)
        .execute()
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "image.architecture");
    assert!(
        mutations(&recorder).is_empty(),
        "{:?}",
        mutations(&recorder)
    );
}

#[tokio::test]
async fn the_live_url_streams_when_the_build_streams() {
    let Some(m) = aws_support::moto().await else {
        return;
    };
    let recorder = CallRecorder::default();
    let a = open(&m, Some(&m.role_arn), &recorder).await;
    a.create_project(P).await.unwrap();
    let server = format!("{P}-server");
    let mode = |m: &Moto| {
        let lambda = m.clients.lambda.clone();
        let server = server.clone();
        async move {
            lambda
                .get_function_url_config()
                .function_name(server)
                .qualifier("live")
                .send()
                .await
                .unwrap()
                .invoke_mode
        }
    };
    assert_eq!(mode(&m).await, Some(InvokeMode::Buffered));

    // A buffered build leaves the buffered URL alone.
    let build = fixture_source();
    recorder.clear();
    a.deployer(P, &build).execute().await.unwrap();
    assert_eq!(recorder.count("UpdateFunctionUrlConfig"), 0);

    // A streaming build makes it stream before it goes live. (moto keeps
    // the invoke mode a URL was created with and ignores updates of it, so
    // the update itself is what can be checked here.)
    let tmp = tempfile::tempdir().unwrap();
    let streaming = build_copy(tmp.path(), "streaming");
    let output = streaming.join("open-next.output.json");
    let json = std::fs::read_to_string(&output).unwrap();
    std::fs::write(
        &output,
        json.replace(
            r#""bundle":".open-next/server-functions/default","streaming":false"#,
            r#""bundle":".open-next/server-functions/default","streaming":true"#,
        ),
    )
    .unwrap();
    recorder.clear();
    a.deployer(P, &streaming).execute().await.unwrap();
    assert_eq!(
        recorder.count("UpdateFunctionUrlConfig"),
        1,
        "{:?}",
        recorder.operations()
    );
    let update = recorder
        .operations()
        .iter()
        .position(|o| o == "UpdateFunctionUrlConfig")
        .unwrap();
    // The promotion moves the `live` aliases.
    let switch = recorder
        .operations()
        .iter()
        .position(|o| o == "UpdateAlias")
        .unwrap();
    assert!(
        update < switch,
        "the URL streams before the build goes live"
    );

    // A new URL is created streaming: the router's per-deployment URLs.
    use anchor_core::traits::{AliasRouting, FunctionUrlAuth, FunctionUrlOptions, SetAliasOptions};
    let functions = &a.backend().functions;
    let live = functions.get_alias(&server, "live").await.unwrap().unwrap();
    functions
        .set_alias(
            &server,
            "v9",
            &AliasRouting::single(live.routing.version),
            &SetAliasOptions::default(),
        )
        .await
        .unwrap();
    // moto keys URLs by function, not qualifier: drop the live one first.
    m.clients
        .lambda
        .delete_function_url_config()
        .function_name(&server)
        .qualifier("live")
        .send()
        .await
        .unwrap();
    let options = FunctionUrlOptions {
        auth: FunctionUrlAuth::None,
        streaming: true,
        cdn_distribution_id: None,
    };
    functions.ensure_url(&server, "v9", &options).await.unwrap();
    let created = m
        .clients
        .lambda
        .get_function_url_config()
        .function_name(&server)
        .qualifier("v9")
        .send()
        .await
        .unwrap();
    assert_eq!(created.invoke_mode, Some(InvokeMode::ResponseStream));
}
