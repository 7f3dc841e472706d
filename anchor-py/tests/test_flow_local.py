"""The whole flow on the embedded default with the real build, through the
async API and through the sync facade."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import anchor_deploy
from anchor_deploy import (
    Anchor,
    CdnStatus,
    CertificateStatus,
    Deployment,
    DeploymentStatus,
    DeployPlan,
    Phase,
    ProgressEvent,
    RollbackOutcome,
    sync,
)

PROJECT = "shop"
DOMAIN = "www.example.com"


def test_async_flow(tmp_path: Path, build_v1: Path, build_v2: Path) -> None:
    async def flow() -> None:
        anchor = await Anchor.local(tmp_path / "state")
        project = await anchor.create_project(PROJECT)
        assert project.name == PROJECT and project.active_deployment is None
        assert project.infrastructure.distribution_domain
        # The store the project lives in: the state folder's local cloud.
        # The embedded default names its store by an id kept in its folder.
        assert re.fullmatch(r"local:[0-9a-z]{26}", project.infrastructure.asset_location or "")
        assert project.infrastructure.router is not None
        assert project.infrastructure.router.store == "anchor-router"

        events: list = []
        d1 = await anchor.deploy(PROJECT, build_v1, on_progress=events.append)
        assert d1.version == 1 and d1.status is DeploymentStatus.LIVE
        assert d1.assets.files > 0 and d1.assets.uploaded_files > 0
        # Progress arrives on this loop, all of it before the await returns.
        assert events and all(isinstance(e, ProgressEvent) for e in events)
        phases = {e.phase for e in events}
        assert {Phase.SCANNING, Phase.UPLOADING, Phase.PUBLISHING, Phase.DONE} <= phases
        assert events[-1].phase is Phase.DONE

        plan = await anchor.plan(PROJECT, build_v2)
        assert isinstance(plan, DeployPlan)
        assert plan.base_deployment == d1.id and plan.assets
        assert plan.upload_files + plan.copy_files + plan.skip_files == len(plan.assets)
        assert DeployPlan.from_dict(plan.to_dict()) == plan
        assert (await anchor.active_deployment(PROJECT)).id == d1.id  # a plan writes nothing

        d2 = await anchor.deploy(PROJECT, build_v2)
        assert d2.version == 2 and d2.status is DeploymentStatus.LIVE
        # With a deploymentId, Next 16 gives every build the same BUILD_ID;
        # the deploymentId (the plan's next_deployment_id) tells them apart.
        assert plan.next_deployment_id is not None
        assert plan.next_deployment_id != (await anchor.plan(PROJECT, build_v1)).next_deployment_id
        assert (await anchor.deployment(PROJECT, d1.id)).status is DeploymentStatus.SUPERSEDED

        preview = await anchor.preview(PROJECT, build_v1)
        assert preview.status is DeploymentStatus.READY
        assert (await anchor.active_deployment(PROJECT)).id == d2.id
        promoted = await anchor.promote(PROJECT, preview.id)
        assert promoted.id == preview.id and promoted.status is DeploymentStatus.LIVE

        back = await anchor.rollback(PROJECT, reason="bad release")
        assert isinstance(back, RollbackOutcome)
        assert back.to.id == d2.id and back.from_ is not None and back.from_.id == preview.id
        assert back.event.reason == "bad release" and back.elapsed_ms >= 0
        by_version = await anchor.rollback(PROJECT, to_version=1)
        assert by_version.to.id == d1.id
        by_id = await anchor.rollback(PROJECT, to_deployment=preview.id, invalidate=False)
        assert by_id.to.id == preview.id
        assert (await anchor.active_deployment(PROJECT)).id == preview.id

        first = await anchor.history(PROJECT, limit=2)
        assert [d.version for d in first.items] == [3, 2] and first.next_cursor
        rest = await anchor.history(PROJECT, limit=2, cursor=first.next_cursor)
        assert [d.version for d in rest.items] == [1] and rest.next_cursor is None
        assert all(isinstance(d, Deployment) for d in rest)

        rollbacks = await anchor.rollback_history(PROJECT)
        assert [e.to_version for e in rollbacks.items] == [3, 1, 2]
        assert rollbacks.items[-1].from_version == 3 and rollbacks.items[-1].reason == "bad release"

        domains = anchor.domains(PROJECT)
        domain = await domains.add(DOMAIN)
        assert domain.name == DOMAIN and domain.certificate_status is CertificateStatus.PENDING_VALIDATION
        assert domain.validation_records and domain.routing_record.record_type == "CNAME"
        assert domain.certificate_id is not None
        await anchor.validate_local_certificate(domain.certificate_id)
        domain = await domains.refresh(DOMAIN)
        assert domain.certificate_status is CertificateStatus.ISSUED
        assert domain.cdn_status is CdnStatus.ACTIVE
        assert [d.name for d in await domains.list()] == [DOMAIN]
        assert (await anchor.active_deployment(PROJECT)).id == preview.id
        await domains.remove(DOMAIN)
        assert await domains.list() == []

        # Records read back the same as they were returned.
        again = await anchor.project(PROJECT)
        assert again.active_deployment == preview.id
        assert type(again).from_dict(again.to_dict()) == again
        assert "Deployment(id=" in repr(d1) and "status='live'" in repr(promoted)

    asyncio.run(flow())


def test_sync_flow(tmp_path: Path, build_v1: Path, build_v2: Path) -> None:
    anchor = sync.Anchor.local(str(tmp_path / "state"))
    anchor.create_project(PROJECT)
    events: list = []
    d1 = anchor.deploy(PROJECT, build_v1, on_progress=events.append)
    assert d1.status is DeploymentStatus.LIVE and events[-1].phase is Phase.DONE
    plan = anchor.plan(PROJECT, build_v2)
    assert plan.base_deployment == d1.id
    preview = anchor.preview(PROJECT, build_v2)
    assert preview.status is DeploymentStatus.READY
    d2 = anchor.promote(PROJECT, preview.id)
    assert d2.status is DeploymentStatus.LIVE and d2.version == 2
    back = anchor.rollback(PROJECT)
    assert back.to.id == d1.id and back.event.from_version == 2
    page = anchor.history(PROJECT, limit=1)
    assert [d.version for d in page] == [2] and page.next_cursor
    assert [d.version for d in anchor.history(PROJECT, limit=1, cursor=page.next_cursor)] == [1]
    assert [e.to_version for e in anchor.rollback_history(PROJECT).items] == [1]
    report = anchor.recover(PROJECT)
    assert report.failed_deployments == ()
    assert report.finished_domain_removals == () and report.resumed_domain_additions == ()

    domains = anchor.domains(PROJECT)
    domain = domains.add(DOMAIN)
    assert domain.certificate_id is not None
    anchor.validate_local_certificate(domain.certificate_id)
    assert domains.refresh(DOMAIN).cdn_status is CdnStatus.ACTIVE
    assert anchor.active_deployment(PROJECT).id == d1.id
    domains.remove(DOMAIN)
    assert domains.list() == []
    assert anchor.project(PROJECT).active_deployment == d1.id


def test_sync_refuses_inside_a_running_loop(tmp_path: Path) -> None:
    async def inside() -> None:
        try:
            sync.Anchor.local(str(tmp_path))
        except RuntimeError as e:
            assert "async" in str(e)
        else:
            raise AssertionError("sync call inside a loop did not fail")

    asyncio.run(inside())


def test_public_names() -> None:
    for name in anchor_deploy.__all__:
        assert hasattr(anchor_deploy, name), name
