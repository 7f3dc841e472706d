"""After Anchor has been used, a forked child that calls a method gets a clear
AnchorError (code ANCHOR_FORKED) instead of hanging on a runtime whose threads
did not survive the fork."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
import warnings
from pathlib import Path

import pytest

from anchor_deploy import AnchorError, sync

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")


def _child(anchor: sync.Anchor, write_fd: int) -> None:
    codes = []
    try:
        anchor.project("shop")
        codes.append("no error (sync)")
    except AnchorError as e:
        codes.append(e.code)
    except BaseException as e:  # noqa: BLE001 - reported to the parent
        codes.append(f"{type(e).__name__}: {e}")

    async def use_async() -> None:
        await anchor.aio.project("shop")

    try:
        asyncio.run(use_async())
        codes.append("no error (async)")
    except AnchorError as e:
        codes.append(e.code)
    except BaseException as e:  # noqa: BLE001
        codes.append(f"{type(e).__name__}: {e}")
    os.write(write_fd, ",".join(codes).encode())


def test_fork_fails_clearly(tmp_path: Path) -> None:
    anchor = sync.Anchor.local(str(tmp_path / "state"))
    anchor.create_project("shop")
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12 warns that forking a threaded process may deadlock;
        # showing that it does not is the point of this test.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        try:
            _child(anchor, write_fd)
        finally:
            sys.stdout.flush()
            os._exit(0)
    os.close(write_fd)
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung calling Anchor")
    with os.fdopen(read_fd, "rb") as pipe:
        result = pipe.read().decode()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"child status {status}"
    assert result == "ANCHOR_FORKED,ANCHOR_FORKED", result
    # The parent is unaffected.
    assert anchor.project("shop").name == "shop"
