"""Gradual rollouts through the Python API on the embedded default: a gate
that is a plain function, its verdicts and reasons in the record, the
probe gate's settings, the sync facade, and the refusals that change
nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import List

import pytest

from anchor_deploy import (
    AlarmGate,
    Anchor,
    GateCheck,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
    PreviewAddress,
    ProbeGate,
    RolloutEventKind,
    RolloutStage,
    RolloutState,
    ServiceError,
    SkewPolicy,
    sync,
)

PROJECT = "canary"
#: Stages that hold for no time, so each check is due at once.
STAGES = [(5, 0), RolloutStage(25, 0), {"percent": 100, "hold_seconds": 0}]


def test_a_gate_function_advances_then_aborts_with_its_reason(tmp_path: Path, fixture_build: Path) -> None:
    async def flow() -> None:
        anchor = await Anchor.local(tmp_path / "state")
        await anchor.create_project(PROJECT)
        events: list = []
        v1 = await anchor.deploy(PROJECT, fixture_build, on_progress=events.append)
        # The fixture has no Next.js deploymentId, and the progress says so.
        assert any(e.note and "deploymentId" in e.note for e in events)
        v2 = await anchor.deploy(PROJECT, fixture_build, rollout=STAGES)
        rollouts = anchor.rollouts(PROJECT)
        started = await rollouts.status()
        assert started is not None and started.state is RolloutState.RUNNING
        assert (started.candidate, started.baseline, started.stage) == (v2.id, v1.id, 0)
        assert started.plan[0] == RolloutStage(5.0, 0)

        asked: List[GateCheck] = []

        def error_rate(check: GateCheck):  # a plain function
            asked.append(check)
            return True if len(asked) == 1 else (False, "error rate 12 %")

        assert (await rollouts.check(error_rate)).stage == 1
        aborted = await rollouts.check(error_rate)
        assert aborted.state is RolloutState.ABORTED
        last = aborted.events[-1]
        assert (last.kind, last.decided_by, last.reason) == (RolloutEventKind.ABORTED, "error_rate", "error rate 12 %")
        assert [c.percent for c in asked] == [5.0, 25.0]
        assert asked[0].candidate_version == v2.version
        assert (await anchor.active_deployment(PROJECT)).id == v1.id
        project = await anchor.project(PROJECT)
        assert project.rollout == aborted

    asyncio.run(flow())


def test_gates_that_cannot_decide_or_answer_nonsense_change_nothing(tmp_path: Path, fixture_build: Path) -> None:
    async def flow() -> None:
        anchor = await Anchor.local(tmp_path / "state")
        await anchor.create_project(PROJECT)
        await anchor.deploy(PROJECT, fixture_build)
        await anchor.deploy(PROJECT, fixture_build, rollout=STAGES)
        rollouts = anchor.rollouts(PROJECT)
        before = await rollouts.status()

        def broken(_check: GateCheck) -> bool:
            raise RuntimeError("metrics are down")

        with pytest.raises(ServiceError, match="metrics are down"):
            await rollouts.check(broken)
        with pytest.raises(InvalidInputError) as bad:
            await rollouts.check(lambda _check: 42)  # type: ignore[arg-type, return-value]
        assert bad.value.field == "gate"
        with pytest.raises(InvalidInputError) as bad_probe:
            await rollouts.check(ProbeGate("ftp://example.com/"))
        assert bad_probe.value.field == "probe.url"
        # The alarm gate reads CloudWatch: only an Anchor opened on AWS has it.
        with pytest.raises(InvalidInputError) as not_aws:
            await rollouts.check(AlarmGate(("shop-5xx",)))
        assert not_aws.value.field == "alarms"
        with pytest.raises(InvalidStateError):
            await rollouts.start((await anchor.active_deployment(PROJECT)).id, STAGES)
        with pytest.raises(InvalidInputError) as bad_plan:
            await anchor.deploy(PROJECT, fixture_build, promote=False, rollout=[(50, 0)])
        assert bad_plan.value.field == "rollout.stages[0].percent"
        assert await rollouts.status() == before

    asyncio.run(flow())


def test_the_sync_facade_runs_a_rollout_to_completion(tmp_path: Path, fixture_build: Path) -> None:
    anchor = sync.Anchor.local(tmp_path / "state")
    anchor.create_project(PROJECT)
    anchor.deploy(PROJECT, fixture_build)
    candidate = anchor.preview(PROJECT, fixture_build)
    rollouts = anchor.rollouts(PROJECT)
    rollouts.start(candidate.id, STAGES)
    done = rollouts.run(lambda check: {"healthy": True})
    assert done.state is RolloutState.COMPLETED
    assert [e.kind for e in done.events] == [
        RolloutEventKind.STARTED,
        RolloutEventKind.ADVANCED,
        RolloutEventKind.COMPLETED,
    ]
    assert anchor.active_deployment(PROJECT).id == candidate.id
    with pytest.raises(InvalidStateError):
        rollouts.abort("too late")


def test_a_skew_policy_is_recorded_and_a_negative_window_refused(tmp_path: Path) -> None:
    anchor = sync.Anchor.local(tmp_path / "state")
    anchor.create_project(PROJECT)
    assert anchor.project(PROJECT).skew_policy is None
    project = anchor.set_skew_policy(PROJECT, max_age_seconds=60, max_pinned=2)
    assert project.skew_policy == SkewPolicy(60, 2)
    with pytest.raises(InvalidInputError) as negative:
        anchor.set_skew_policy(PROJECT, max_age_seconds=-1)
    assert negative.value.field == "skew.max_age_seconds"
    assert anchor.project(PROJECT).skew_policy == SkewPolicy(60, 2)


def test_a_preview_address_and_an_unknown_version(tmp_path: Path, fixture_build: Path) -> None:
    anchor = sync.Anchor.local(tmp_path / "state")
    anchor.create_project(PROJECT)
    anchor.deploy(PROJECT, fixture_build)
    preview = anchor.preview(PROJECT, fixture_build)
    address = anchor.preview_address(PROJECT, preview.version)
    assert isinstance(address, PreviewAddress)
    assert (address.deployment, address.host) == (preview.id, f"v{preview.version}.localhost")
    assert (address.header_name, address.header_value) == ("x-anchor-preview", f"v{preview.version}")
    assert address.url.endswith(f"/?__anchor_preview=v{preview.version}")
    with pytest.raises(NotFoundError):
        anchor.preview_address(PROJECT, 99)
    with pytest.raises(InvalidInputError) as negative:
        anchor.preview_address(PROJECT, -1)
    assert negative.value.field == "version"
