"""Pruning through the Python API on the embedded default: a retention
policy, a dry run that reports what the run then does, the record a
pruned deployment keeps, and a refused policy that changes nothing."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from anchor_deploy import (
    Anchor,
    DeploymentStatus,
    InvalidInputError,
    KeepReason,
    PruneReport,
    RetentionPolicy,
    sync,
)

PROJECT = "prune"


def _variant(fixture: Path, root: Path, tag: str) -> Path:
    """A copy of the fixture made a different build: new server code, a
    changed public file and a new hashed chunk (as the core's tests do)."""
    build = root / tag
    shutil.copytree(fixture, build)
    with open(build / "server-functions" / "default" / "index.mjs", "a") as server:
        server.write(f"\n// variant {tag}\n")
    with open(build / "assets" / "robots.txt", "a") as robots:
        robots.write(f"# variant {tag}\n")
    (build / "assets" / "_next" / "static" / "chunks" / f"variant-{tag}.js").write_text(f"/* {tag} */")
    return build


def _versions(report: PruneReport) -> list:
    return [p.version for p in report.pruned]


def _kept(report: PruneReport) -> list:
    return [(k.version, k.reason) for k in report.kept]


def test_a_dry_run_reports_what_the_prune_then_frees(tmp_path: Path, fixture_build: Path) -> None:
    async def flow() -> None:
        anchor = await Anchor.local(tmp_path / "state")
        await anchor.create_project(PROJECT)
        # Skew protection off, so no window keeps an old deployment.
        await anchor.set_skew_policy(PROJECT, max_age_seconds=0, max_pinned=0)
        deployed = [await anchor.deploy(PROJECT, _variant(fixture_build, tmp_path, f"b{i}")) for i in range(3)]
        project = await anchor.set_retention_policy(PROJECT, keep_promoted=1, preview_max_age_seconds=0)
        assert project.retention == RetentionPolicy(1, 0, False)

        dry = await anchor.prune(PROJECT, dry_run=True)
        assert dry.dry_run
        assert _versions(dry) == [1]
        assert _kept(dry) == [(3, KeepReason.LIVE), (2, KeepReason.ROLLBACK_TARGET)]
        assert [k.reason for k in dry.kept] == ["live", "rollback_target"]
        untouched = await anchor.deployment(PROJECT, deployed[0].id)
        assert untouched.status is DeploymentStatus.SUPERSEDED and untouched.pruned is None

        report = await anchor.prune(PROJECT)
        assert not report.dry_run
        assert _versions(report) == _versions(dry)
        assert _kept(report) == _kept(dry)
        assert report.freed == dry.freed, "a run frees what its dry run said"
        # Each build has its own server; the image bundle is shared with
        # the live deployment, so its version stays.
        assert report.freed.function_versions == 1
        assert report.freed.lambda_code_bytes > 0 and report.freed.s3_objects > 0
        assert report.pruned[0].freed == report.freed

        pruned = await anchor.deployment(PROJECT, deployed[0].id)
        assert pruned.status is DeploymentStatus.PRUNED
        assert pruned.pruned is not None
        assert pruned.pruned.finished_at is not None
        assert pruned.pruned.previous_status is DeploymentStatus.SUPERSEDED
        assert pruned.pruned.freed == report.pruned[0].freed
        assert pruned.pruned.reason == report.pruned[0].reason
        assert pruned.server_version == deployed[0].server_version, "the record is kept"

        again = await anchor.prune(PROJECT)
        assert again.pruned == () and again.finished == ()

        before = await anchor.project(PROJECT)
        with pytest.raises(InvalidInputError) as negative:
            await anchor.set_retention_policy(PROJECT, keep_promoted=-1)
        assert negative.value.field == "retention.keep_promoted"
        assert await anchor.project(PROJECT) == before

    asyncio.run(flow())


def test_the_sync_facade_sets_the_default_policy_and_refuses_a_negative_age(tmp_path: Path) -> None:
    anchor = sync.Anchor.local(tmp_path / "state")
    anchor.create_project(PROJECT)
    assert anchor.project(PROJECT).retention is None
    project = anchor.set_retention_policy(PROJECT)
    assert project.retention == RetentionPolicy(10, 30 * 24 * 3600, False)
    with pytest.raises(InvalidInputError) as negative:
        anchor.set_retention_policy(PROJECT, preview_max_age_seconds=-1, after_deploy=True)
    assert negative.value.field == "retention.preview_max_age_seconds"
    assert anchor.project(PROJECT).retention == RetentionPolicy(10, 30 * 24 * 3600, False)
    report = anchor.prune(PROJECT, dry_run=True)
    assert (report.dry_run, report.pruned, report.kept) == (True, (), ())
