"""The AWS flow against a moto server: ANCHOR_MOTO_ENDPOINT names it
(scripts/test-python.sh starts one; without it the test is skipped)."""

from __future__ import annotations

import asyncio
import os
import urllib.request
from pathlib import Path

import pytest

from anchor_deploy import Anchor, DeploymentStatus

ENDPOINT = os.environ.get("ANCHOR_MOTO_ENDPOINT")
pytestmark = pytest.mark.skipif(not ENDPOINT, reason="ANCHOR_MOTO_ENDPOINT is not set")


def test_aws_flow(monkeypatch: pytest.MonkeyPatch, build_v1: Path, build_v2: Path) -> None:
    boto3 = pytest.importorskip("boto3")
    assert ENDPOINT
    req = urllib.request.Request(f"{ENDPOINT}/moto-api/reset", method="POST")
    urllib.request.urlopen(req).read()
    # moto accepts any key pair; these name no real account and reach only
    # the loopback server. monkeypatch restores the environment afterwards.
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "moto")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "moto")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # Test-only: moto's DynamoDB transactions are not atomic, so the native
    # module serialises its state writes (not a public parameter).
    monkeypatch.setenv("ANCHOR_TEST_SERIALIZE_STATE_WRITES", "1")

    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=ENDPOINT)
    role_arn = iam.create_role(RoleName="anchor-lambda", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = boto3.client("lambda", region_name="eu-west-1", endpoint_url=ENDPOINT)

    def live_version(function: str, alias: str) -> str:
        return str(lam.get_alias(FunctionName=function, Name=alias)["FunctionVersion"])

    async def flow() -> None:
        anchor = await Anchor.aws(
            bucket="anchor-py-test",
            region="eu-west-1",
            endpoint_url=ENDPOINT,
            execution_role_arn=role_arn,
            # moto has no CloudFront Functions, KeyValueStore or cache
            # policies; the Rust tests cover the router with a stand-in.
            edge_router=False,
        )
        project = await anchor.create_project("shop", build_dir=build_v1)
        infra = project.infrastructure

        d1 = await anchor.deploy("shop", build_v1)
        assert d1.status is DeploymentStatus.LIVE and d1.server_version is not None
        assert live_version(infra.server_function, infra.alias) == d1.server_version.version

        d2 = await anchor.deploy("shop", build_v2)
        assert d2.status is DeploymentStatus.LIVE and d2.server_version is not None
        assert d2.assets.copied_files + d2.assets.skipped_files > 0  # nothing re-sent that S3 holds
        assert live_version(infra.server_function, infra.alias) == d2.server_version.version

        back = await anchor.rollback("shop", reason="moto")
        assert back.to.id == d1.id and back.event.from_version == 2
        assert live_version(infra.server_function, infra.alias) == d1.server_version.version
        assert (await anchor.active_deployment("shop")).id == d1.id
        assert [e.to_version for e in (await anchor.rollback_history("shop")).items] == [1]

    asyncio.run(flow())
