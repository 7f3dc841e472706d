"""Another Python thread keeps running while a deploy runs, through the async
API and the sync facade: the GIL is released while Rust works."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Callable, Tuple

from anchor_deploy import Anchor, sync


class Counter:
    """A thread that counts as fast as the GIL lets it."""

    def __init__(self) -> None:
        self.value = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.value += 1

    def __enter__(self) -> "Counter":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def measure(work: Callable[[], object]) -> Tuple[float, float]:
    """The counter's rate (counts per second) while the main thread sleeps,
    and while it runs ``work``."""
    with Counter() as counter:
        start, t0 = counter.value, time.perf_counter()
        time.sleep(0.3)  # sleeping releases the GIL: the baseline rate
        baseline = (counter.value - start) / (time.perf_counter() - t0)
        start, t0 = counter.value, time.perf_counter()
        work()
        during = (counter.value - start) / (time.perf_counter() - t0)
    return baseline, during


def assert_ran(baseline: float, during: float) -> None:
    # A held GIL would stop the counter almost completely; the Rust work
    # competes for the shared cores, so only a fraction of the baseline is
    # required.
    assert during > 0.05 * baseline, f"counter ran at {during:.0f}/s during the deploy, {baseline:.0f}/s before"


def test_async_deploy_releases_the_gil(tmp_path: Path, build_v1: Path) -> None:
    async def flow() -> Tuple[float, float]:
        anchor = await Anchor.local(tmp_path / "state")
        await anchor.create_project("shop")
        with Counter() as counter:
            start, t0 = counter.value, time.perf_counter()
            await asyncio.sleep(0.3)  # an idle loop releases the GIL: the baseline
            baseline = (counter.value - start) / (time.perf_counter() - t0)
            start, t0 = counter.value, time.perf_counter()
            await anchor.deploy("shop", build_v1)
            during = (counter.value - start) / (time.perf_counter() - t0)
        return baseline, during

    assert_ran(*asyncio.run(flow()))


def test_sync_deploy_releases_the_gil(tmp_path: Path, build_v1: Path) -> None:
    anchor = sync.Anchor.local(str(tmp_path / "state"))
    anchor.create_project("shop")
    assert_ran(*measure(lambda: anchor.deploy("shop", build_v1)))
