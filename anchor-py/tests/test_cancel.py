"""Cancelling the asyncio task that runs a deploy ends it promptly, and
``recover()`` leaves the project consistent: the live deployment unchanged."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from anchor_deploy import Anchor, DeploymentStatus, ProgressEvent


def test_cancel_deploy(tmp_path: Path, build_v1: Path, build_v2: Path) -> None:
    async def flow() -> None:
        anchor = await Anchor.local(tmp_path / "state")
        await anchor.create_project("shop")
        d1 = await anchor.deploy("shop", build_v1)

        started = asyncio.Event()

        def on_progress(event: ProgressEvent) -> None:
            started.set()

        task = asyncio.ensure_future(anchor.deploy("shop", build_v2, on_progress=on_progress))
        await asyncio.wait_for(started.wait(), timeout=30)
        assert not task.done(), "the deploy finished before it could be cancelled"
        task.cancel()
        t0 = time.perf_counter()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.perf_counter() - t0 < 2.0, "cancellation was not prompt"

        report = await anchor.recover("shop")
        assert report.resolved_switch_to in (None, d1.id)
        project = await anchor.project("shop")
        assert project.active_deployment == d1.id and project.last_switch is None
        assert (await anchor.active_deployment("shop")).id == d1.id
        for d in (await anchor.history("shop")).items:
            assert d.status is not DeploymentStatus.LIVE or d.id == d1.id

        # The project still deploys after the cancelled attempt.
        d2 = await anchor.deploy("shop", build_v2)
        assert d2.status is DeploymentStatus.LIVE
        assert (await anchor.active_deployment("shop")).id == d2.id

    asyncio.run(flow())
