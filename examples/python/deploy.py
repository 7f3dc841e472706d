"""The quick start in Python: deploy the real OpenNext build of
examples/nextjs-app to the embedded default, deploy the changed app, roll
back, add a custom domain, validate it, and print the history.

Usage: python examples/python/deploy.py [--v1 BUILD] [--v2 BUILD] [--state DIR]

Without ``--v1``/``--v2`` it builds both versions with
``examples/build-nextjs.sh`` (which needs Node). Shows a tqdm progress bar when tqdm
is installed and stdout is a terminal, plain lines otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from anchor_deploy import Anchor, Deployment, Phase, ProgressEvent

PROJECT = "nextjs-app"
DOMAIN = "www.example.com"
REPO = Path(__file__).resolve().parents[2]

try:
    from tqdm import tqdm  # type: ignore[import-untyped, unused-ignore]
except ImportError:  # plain lines instead
    tqdm = None


def build_app(version: str, out: Path) -> Path:
    """Builds examples/nextjs-app with OpenNext into ``out`` as ``version``."""
    print(f"==> building examples/nextjs-app ({version}) with next and @opennextjs/aws")
    env = dict(os.environ, ANCHOR_APP_VERSION=version)
    subprocess.run([str(REPO / "examples/build-nextjs.sh"), str(out)], env=env, check=True)
    return out


def progress_printer(label: str) -> Callable[[ProgressEvent], None]:
    """A progress callback: a tqdm bar for the upload, one line per phase."""
    bars: Dict[str, Any] = {}
    use_bar = tqdm is not None and sys.stdout.isatty()

    def show(e: ProgressEvent) -> None:
        if e.phase is not Phase.UPLOADING:
            if e.done == 0:
                print(f"    {label} {e.phase}...")
            return
        if use_bar and e.total > 0:
            bar = bars.get("upload")
            if bar is None:
                bar = bars["upload"] = tqdm(total=e.total, desc=f"    {label} uploading", unit="file", leave=True)
            bar.update(e.done - bar.n)
            if e.finished:
                bar.close()
        elif e.finished:
            print(f"    {label} uploaded {e.done}/{e.total} files, {e.bytes_done // 1024} KiB")

    return show


def summary(d: Deployment) -> None:
    a = d.assets
    server = d.server_version.arn if d.server_version else "-"
    image = d.image_version.arn if d.image_version else "-"
    print(f"    deployment {d.id} v{d.version} is {d.status} (build {d.build_id})")
    print(
        f"    assets: {a.files} files, {a.uploaded_files} uploaded ({a.uploaded_bytes // 1024} KiB), "
        f"{a.copied_files} copied server-side, {a.skipped_files} skipped"
    )
    print(f"    server {server}  image {image}")
    print(f"    invalidation: {d.invalidation_id or 'none needed'}")


async def main(v1: Path, v2: Path, state: Path) -> None:
    if state.exists():
        shutil.rmtree(state)

    print(f"==> opening the embedded default in {state}")
    anchor = await Anchor.local(state)
    # The build gives the project its CDN routes (public files are served).
    project = await anchor.create_project(PROJECT, v1)
    print(f"    project {project.name} -> distribution {project.infrastructure.distribution_domain}")

    print("==> deploying v1")
    summary(await anchor.deploy(PROJECT, v1, on_progress=progress_printer("v1")))

    print("==> deploying v2 (the app changed)")
    plan = await anchor.plan(PROJECT, v2)
    print(
        f"    plan: {plan.upload_files} to upload ({plan.upload_bytes // 1024} KiB), "
        f"{plan.copy_files} to copy, {plan.skip_files} unchanged; "
        f"server code {'unchanged' if plan.server_unchanged else 'changed'}, "
        f"image code {'unchanged' if plan.image_unchanged else 'changed'}"
    )
    summary(await anchor.deploy(PROJECT, v2, on_progress=progress_printer("v2")))

    print("==> rolling back to v1")
    started = time.perf_counter()
    rb = await anchor.rollback(PROJECT, reason="quick start: back to v1")
    print(
        f"    rolled back from v{rb.event.from_version or 0} to v{rb.event.to_version} in "
        f"{rb.elapsed_ms:.2f} ms (switch) / {(time.perf_counter() - started) * 1000:.2f} ms (total), "
        "nothing re-uploaded"
    )

    print(f"==> adding the domain {DOMAIN}")
    domains = anchor.domains(PROJECT)
    domain = await domains.add(DOMAIN)
    print("    add these DNS records at your DNS provider:")
    for r in (*domain.validation_records, domain.routing_record):
        print(f"      {r.name:<60} {r.record_type} {r.value}")
    print(f"    certificate {domain.certificate_id or '-'}: {domain.certificate_status}, cdn: {domain.cdn_status}")

    print("==> validating (the local CA stands in for DNS validation)")
    if domain.certificate_id:
        await anchor.validate_local_certificate(domain.certificate_id)
    domain = await domains.refresh(DOMAIN)
    print(f"    {domain.name}: certificate {domain.certificate_status}, cdn {domain.cdn_status}")

    print("==> history (newest first)")
    for d in (await anchor.history(PROJECT, limit=20)).items:
        print(f"    v{d.version:<3} {d.status.value:<11} {d.id} build {d.build_id} created {d.created_at:%H:%M:%S.%f}")
    for e in (await anchor.rollback_history(PROJECT, limit=20)).items:
        print(
            f"    rollback v{e.from_version or 0} -> v{e.to_version} at {e.at:%H:%M:%S.%f} "
            f"({e.duration_ms:.2f} ms): {e.reason}"
        )
    live: Optional[Deployment] = await anchor.active_deployment(PROJECT)
    if live is None:
        raise SystemExit("nothing live")
    print(f"==> done: v{live.version} ({live.id}) is live; state kept in {state}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--v1", type=Path, help="OpenNext build of the app, version 1")
    parser.add_argument("--v2", type=Path, help="OpenNext build of the changed app")
    parser.add_argument("--state", type=Path, help="state folder (deleted and recreated)")
    args = parser.parse_args()
    work = REPO / "target/anchor-quickstart"
    v1 = args.v1 or build_app("v1", work / "build-v1")
    v2 = args.v2 or build_app("v2", work / "build-v2")
    asyncio.run(main(v1, v2, args.state or work / "py-state"))
