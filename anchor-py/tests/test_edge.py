"""The local edge from Python: the real build served while it is deployed
and rolled back (each change shows at the next request), through the async
API and the sync facade, and typed errors for bad options."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from anchor_deploy import Anchor, EdgeWorker, InvalidInputError, LocalEdge, NotFoundError, sync

PROJECT = "web"


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200
        return response.read().decode()


def _greeting(url: str) -> str:
    found = re.search(r"Hello from Anchor v\d+", _get(url))
    assert found, f"no greeting at {url}"
    return found.group(0)


def test_async_serve_follows_deploys_and_rollbacks(tmp_path: Path, build_v1: Path, build_v2: Path) -> None:
    async def flow() -> None:
        anchor = await Anchor.local(tmp_path / "state")
        await anchor.create_project(PROJECT, build_dir=build_v1)
        await anchor.deploy(PROJECT, build_v1)
        async with await anchor.serve(PROJECT, workers_per_function=1) as edge:
            assert isinstance(edge, LocalEdge)
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", edge.url)
            fetch = lambda path="": asyncio.to_thread(_greeting, edge.url + path)  # noqa: E731
            assert await fetch() == "Hello from Anchor v1"
            await anchor.deploy(PROJECT, build_v2)
            assert await fetch() == "Hello from Anchor v2"
            await anchor.rollback(PROJECT, reason="python edge test")
            assert await fetch() == "Hello from Anchor v1"
            api = json.loads(await asyncio.to_thread(_get, edge.url + "api/hello"))
            assert api == {"message": "hello", "version": "v1"}
            port = edge.url.rsplit(":", 1)[1].rstrip("/")
            assert edge.deployment_url(2) == f"http://v2.localhost:{port}/"
            workers = edge.workers()
            assert workers and all(isinstance(w, EdgeWorker) and w.pid > 0 for w in workers)
            assert {w.function for w in workers} == {"web-server"}
        with pytest.raises(urllib.error.URLError):
            _get(edge.url)
        await edge.close()  # closing again does nothing

    asyncio.run(flow())


def test_sync_serve(tmp_path: Path, build_v1: Path) -> None:
    anchor = sync.Anchor.local(tmp_path / "state")
    anchor.create_project(PROJECT, build_dir=build_v1)
    anchor.deploy(PROJECT, build_v1)
    with anchor.serve(PROJECT) as edge:
        assert _greeting(edge.url) == "Hello from Anchor v1"
        assert _get(edge.url + "robots.txt")


def test_serve_refuses_bad_options_with_typed_errors(tmp_path: Path) -> None:
    anchor = sync.Anchor.local(tmp_path / "state")
    anchor.create_project(PROJECT)
    with pytest.raises(InvalidInputError) as missing:
        anchor.serve(PROJECT, node="/nonexistent/node")
    assert missing.value.field == "node"
    assert "was not found" in str(missing.value)
    for options, field in [
        ({"port": 70000}, "port"),
        ({"host": "not-an-ip"}, "host"),
        ({"workers_per_function": 0}, "workers_per_function"),
        ({"workers_per_function": -1}, "workers_per_function"),
        # The core's bound, the same as Node's.
        ({"workers_per_function": 1025}, "workers_per_function"),
        ({"request_timeout_seconds": 86_401.0}, "request_timeout_seconds"),
        ({"request_timeout_seconds": -1.0}, "request_timeout_seconds"),
        ({"request_timeout_seconds": 0.0}, "request_timeout_seconds"),
    ]:
        with pytest.raises(InvalidInputError) as bad:
            anchor.serve(PROJECT, **options)  # type: ignore[arg-type]
        assert bad.value.field == field
    with pytest.raises(NotFoundError):
        anchor.serve("nope")
