"""Times rollbacks through the Python package ``anchor_deploy`` on an
embedded state the benchmark harness seeded, and prints
``{"samples_ms": [...]}``.

Each rollback goes to whichever of ``--first`` and ``--second`` is not
live, with ``invalidate=False``, through the async API on one event loop.
The ``--warmup`` rollbacks before the timed ones are not reported: the first
reads the records, later ones start from the process's record cache.
"""

import argparse
import asyncio
import json
import time

import anchor_deploy


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--state", required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--first", required=True)
    parser.add_argument("--second", required=True)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--iterations", type=int, required=True)
    args = parser.parse_args()

    anchor = await anchor_deploy.Anchor.local(args.state)
    active = await anchor.active_deployment(args.project)
    targets = (args.first, args.second)
    live = 1 if active is not None and active.id == args.second else 0
    samples = []
    for i in range(args.warmup + args.iterations):
        target = targets[1 - live]
        started = time.perf_counter_ns()
        await anchor.rollback(args.project, to=target, invalidate=False)
        elapsed = time.perf_counter_ns() - started
        live = 1 - live
        if i >= args.warmup:
            samples.append(elapsed / 1e6)
    print(json.dumps({"samples_ms": samples}))


asyncio.run(main())
