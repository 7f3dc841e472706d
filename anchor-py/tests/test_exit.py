"""Python exits cleanly while the native runtime's threads are busy.

A runtime thread that entered the interpreter while Python finalized used to
be killed by CPython mid-call, and the process aborted ("Fatal Python error:
PyGILState_Release") or segfaulted, about once in 25 short scripts under
load. The module now registers an ``atexit`` hook that stops runtime threads
from entering and waits for those inside to leave.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

# A runtime thread is inside the interpreter, taking and releasing the GIL
# (short sleeps), when the main thread returns. Without the exit hook
# (`atexit.unregister(_anchor._close)`) this script aborted every time with
# "Fatal Python error: PyGILState_Release": the thread woke up in a
# finalizing interpreter.
_INSIDE_AT_EXIT = """
import sys, threading, time
from anchor_deploy import _anchor

entered = threading.Event()

def slow() -> None:
    entered.set()
    for _ in range(1000):
        time.sleep(0.0002)
    with open(sys.argv[1], "w") as f:
        f.write("finished")

_anchor._call_from_runtime(slow)
if not entered.wait(10):
    sys.exit("the runtime thread never ran the callable")
"""

# Many awaited rollbacks, then an immediate exit: the pattern that crashed.
_ROLLBACKS_THEN_EXIT = """
import asyncio, sys
import anchor_deploy

async def main() -> None:
    anchor = await anchor_deploy.Anchor.local(sys.argv[1])
    first, second = sys.argv[2], sys.argv[3]
    for i in range(20):
        await anchor.rollback("shop", to_deployment=(first, second)[i % 2], invalidate=False)

asyncio.run(main())
"""


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_exit_waits_for_a_runtime_thread_inside_the_interpreter(tmp_path: Path) -> None:
    for attempt in range(3):
        marker = tmp_path / f"finished-{attempt}"
        done = _run(_INSIDE_AT_EXIT, str(marker))
        assert done.returncode == 0, f"exit code {done.returncode}: {done.stderr}"
        assert "Fatal Python error" not in done.stderr
        # The hook let the thread finish its call before Python finalized.
        assert marker.read_text() == "finished"


def test_a_runtime_thread_is_refused_after_the_exit_hook(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = f"""
    import time
    from anchor_deploy import _anchor
    _anchor._close()
    _anchor._call_from_runtime(lambda: open({str(marker)!r}, "w").write("ran"))
    time.sleep(0.3)
    """
    done = _run(script)
    assert done.returncode == 0, done.stderr
    assert not marker.exists(), "a runtime thread entered after the gate closed"


def test_scripts_that_exit_right_after_their_last_await_end_cleanly(
    tmp_path: Path, fixture_build: Path
) -> None:
    from anchor_deploy import sync

    state = tmp_path / "state"
    anchor = sync.Anchor.local(state)
    anchor.create_project("shop")
    first = anchor.deploy("shop", fixture_build).id
    second = anchor.deploy("shop", fixture_build).id
    del anchor
    for _ in range(20):
        done = _run(_ROLLBACKS_THEN_EXIT, str(state), first, second)
        assert done.returncode == 0, f"exit code {done.returncode}: {done.stderr}"
