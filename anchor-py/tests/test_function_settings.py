"""Function settings on the embedded default with the real build: a deploy
with settings publishes versions that run with them, as the deployment's
record shows; a bad value raises the core's typed error naming the key as
the caller wrote it, and leaves the project's history as it was."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import List

import pytest

from anchor_deploy import Anchor, InvalidInputError, NotFoundError, SiteFunctionSettings, sync

PROJECT = "shop"


def _needed_by_image(build: Path) -> str:
    """The architecture the build's image optimiser needs (its ``sharp``)."""
    img = build / "image-optimization-function" / "node_modules" / "@img"
    return "x86_64" if (img / "sharp-linux-x64").is_dir() else "arm64"


def _other(architecture: str) -> str:
    return "arm64" if architecture == "x86_64" else "x86_64"


def test_deploy_with_settings_runs_the_versions_with_them(tmp_path: Path, build_v1: Path) -> None:
    needed = _needed_by_image(build_v1)
    settings: SiteFunctionSettings = {
        "server": {"memory_mb": 2048, "timeout_seconds": 30, "architecture": "arm64", "runtime": "nodejs22.x"},
        "image": {"memory_mb": 3008, "architecture": needed},
    }

    async def flow() -> None:
        anchor = await Anchor.local(tmp_path / "state")
        await anchor.create_project(PROJECT)
        deployed = await anchor.deploy(PROJECT, build_v1, function_settings=settings)
        # Read back from the store, not just the deploy's answer.
        record = await anchor.deployment(PROJECT, deployed.id)
        server, image = record.server_version, record.image_version
        assert server is not None and image is not None
        assert (server.memory_mb, server.timeout_seconds) == (2048, 30)
        assert (server.architecture, server.runtime) == ("arm64", "nodejs22.x")
        # Keys left out take SST's defaults: the image's 25 s and nodejs24.x.
        assert (image.memory_mb, image.timeout_seconds) == (3008, 25)
        assert (image.architecture, image.runtime) == (needed, "nodejs24.x")
        assert record.server_version == deployed.server_version

        # Without settings the next deploy keeps what the functions have.
        again = await anchor.deploy(PROJECT, build_v1)
        assert again.server_version is not None
        assert (again.server_version.memory_mb, again.server_version.timeout_seconds) == (2048, 30)

    asyncio.run(flow())


async def _history_ids(anchor: Anchor) -> List[str]:
    return [d.id for d in (await anchor.history(PROJECT)).items]


@pytest.mark.parametrize(
    "settings, field",
    [
        ({"server": {"memory_mb": 64}}, "function_settings.server.memory_mb"),
        ({"image": {"timeout_seconds": 901}}, "function_settings.image.timeout_seconds"),
        ({"server": {"runtime": "python3.12"}}, "function_settings.server.runtime"),
        ({"server": {"architecture": "sparc"}}, "function_settings.server.architecture"),
        ({"server": {"memory_mb": -1}}, "function_settings.server.memory_mb"),
        ({"server": {"memory_mb": "2048"}}, "function_settings.server.memory_mb"),
        ({"server": {"memory": 2048}}, "function_settings.server.memory"),
        ({"edge": {}}, "function_settings.edge"),
        ({"server": 2048}, "function_settings.server"),
    ],
)
def test_a_bad_value_is_refused_naming_the_key_and_changes_nothing(
    tmp_path: Path, build_v1: Path, settings: dict, field: str
) -> None:
    async def flow() -> None:
        anchor = await Anchor.local(tmp_path / "state")
        await anchor.create_project(PROJECT)
        live = await anchor.deploy(PROJECT, build_v1)
        before = await _history_ids(anchor)
        with pytest.raises(InvalidInputError) as info:
            await anchor.deploy(PROJECT, build_v1, function_settings=settings)  # type: ignore[arg-type]
        assert info.value.code == "ANCHOR_INVALID_INPUT"
        assert info.value.field == field
        assert await _history_ids(anchor) == before
        active = await anchor.active_deployment(PROJECT)
        assert active is not None and active.id == live.id

    asyncio.run(flow())


def test_an_architecture_the_build_cannot_run_on_is_refused_before_anything_is_recorded(
    tmp_path: Path, build_v1: Path
) -> None:
    wrong = _other(_needed_by_image(build_v1))

    async def flow() -> None:
        anchor = await Anchor.local(tmp_path / "state")
        await anchor.create_project(PROJECT)
        with pytest.raises(InvalidInputError) as info:
            await anchor.deploy(PROJECT, build_v1, function_settings={"image": {"architecture": wrong}})  # type: ignore[typeddict-item]
        assert info.value.field == "function_settings.image.architecture"
        assert await _history_ids(anchor) == []

    asyncio.run(flow())


def test_sync_create_project_and_deploy_take_settings(tmp_path: Path, build_v1: Path) -> None:
    anchor = sync.Anchor.local(str(tmp_path / "state"))
    with pytest.raises(InvalidInputError) as info:
        anchor.create_project(PROJECT, function_settings={"server": {"memory_mb": 10_241}})
    assert info.value.field == "function_settings.server.memory_mb"
    with pytest.raises(NotFoundError):
        anchor.project(PROJECT)

    # New functions are created with the project's settings.
    anchor.create_project(PROJECT, function_settings={"server": {"memory_mb": 512, "timeout_seconds": 10}})
    first = anchor.deploy(PROJECT, build_v1)
    assert first.server_version is not None
    assert (first.server_version.memory_mb, first.server_version.timeout_seconds) == (512, 10)

    preview = anchor.preview(PROJECT, build_v1, function_settings={"server": {"timeout_seconds": 60}})
    assert preview.server_version is not None
    # The other keys take SST's defaults, not what the function had.
    assert (preview.server_version.memory_mb, preview.server_version.timeout_seconds) == (1024, 60)
    with pytest.raises(InvalidInputError) as info:
        anchor.deploy(PROJECT, build_v1, function_settings={"server": {"timeout_seconds": 0}})
    assert info.value.field == "function_settings.server.timeout_seconds"
    assert [d.id for d in anchor.history(PROJECT).items] == [preview.id, first.id]
