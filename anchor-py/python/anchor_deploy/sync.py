"""The synchronous API: the same methods as the async :class:`anchor_deploy.Anchor`,
for scripts that do not run an event loop.

Every call runs its coroutine on one background event-loop thread (the idea of
lancedb's ``background_loop.py``) and waits on a ``concurrent.futures.Future``,
which blocks without holding the GIL, so other Python threads keep running.
Progress callbacks run on that background thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import threading
from typing import Any, Coroutine, List, Optional, Sequence, TypeVar

from . import _client
from ._client import DomainModeLike, PathLike, ProgressCallback
from ._deprecated import renamed
from ._rollouts import PreviewAddress
from ._rollouts_client import Gate, StageLike
from .types import (
    DeployPlan,
    Deployment,
    Domain,
    DomainLimits,
    EdgeWorker,
    Page,
    Project,
    PruneReport,
    RecoveryReport,
    RollbackEvent,
    RollbackOutcome,
    Rollout,
    SiteFunctionSettings,
)

__all__ = ["Anchor", "Domains", "LocalEdge", "Rollouts"]

_T = TypeVar("_T")


class _BackgroundLoop:
    """One event loop running forever on a daemon thread, started lazily."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="anchor-sync-loop", daemon=True)
                thread.start()
                self._loop = loop
            return self._loop

    def run(self, coro: Coroutine[Any, Any, _T]) -> _T:
        future = asyncio.run_coroutine_threadsafe(coro, self._ensure())
        try:
            return future.result()
        except BaseException:
            # KeyboardInterrupt while waiting: cancel the task, whose native
            # future is then dropped, instead of leaving it running.
            future.cancel()
            raise
        finally:
            del future

    def _forget_after_fork(self) -> None:
        # The loop's thread does not exist in a forked child; a fresh lock and
        # loop are made on first use, so a call fails clearly (the native
        # module raises ANCHOR_FORKED) rather than waiting forever.
        self._lock = threading.Lock()
        self._loop = None


_LOOP = _BackgroundLoop()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_LOOP._forget_after_fork)


def _run(coro: Coroutine[Any, Any, _T]) -> _T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _LOOP.run(coro)
    coro.close()
    raise RuntimeError(
        "anchor_deploy.sync blocks its thread; inside an event loop use the async anchor_deploy.Anchor"
    )


class Domains:
    """The custom domains of one project (blocking)."""

    def __init__(self, inner: _client.Domains) -> None:
        self._inner = inner
        self.project = inner.project

    def add(self, name: str) -> Domain:
        """Attaches ``name`` and returns the DNS records to create."""
        return _run(self._inner.add(name))

    def refresh(self, name: str) -> Domain:
        """Re-reads the certificate and attaches the domain once issued."""
        return _run(self._inner.refresh(name))

    def remove(self, name: str) -> None:
        """Detaches ``name`` and deletes its managed certificate."""
        _run(self._inner.remove(name))

    def list(self) -> List[Domain]:
        """Every domain of the project."""
        return _run(self._inner.list())

    def __repr__(self) -> str:
        return f"sync.Domains(project={self.project!r})"


class Rollouts:
    """The gradual rollouts of one project (blocking); see
    :class:`anchor_deploy.Rollouts`."""

    def __init__(self, inner: _client.Rollouts) -> None:
        self._inner = inner
        self.project = inner.project

    def start(self, deployment_id: str, stages: Sequence[StageLike]) -> Rollout:
        """Starts rolling ``deployment_id`` out over the live deployment."""
        return _run(self._inner.start(deployment_id, stages))

    def status(self) -> Optional[Rollout]:
        """The rollout running, or the last one; ``None`` before the first."""
        return _run(self._inner.status())

    def check(self, gate: Gate) -> Rollout:
        """One look: asks ``gate`` once the stage has held its time."""
        return _run(self._inner.check(gate))

    def run(self, gate: Gate) -> Rollout:
        """Drives the rollout to its end; returns it completed or aborted."""
        return _run(self._inner.run(gate))

    def advance(self) -> Rollout:
        """Moves to the next stage now, without the hold or the gate."""
        return _run(self._inner.advance())

    def complete(self) -> Rollout:
        """Gives every visitor the candidate now; it goes live."""
        return _run(self._inner.complete())

    def abort(self, reason: str) -> Rollout:
        """Sends every visitor back to the baseline and records ``reason``."""
        return _run(self._inner.abort(reason))

    def __repr__(self) -> str:
        return f"sync.Rollouts(project={self.project!r})"


class LocalEdge:
    """A running local edge with blocking methods; see
    :class:`anchor_deploy.LocalEdge`. Also a context manager."""

    def __init__(self, inner: _client.LocalEdge) -> None:
        self._inner = inner

    @property
    def url(self) -> str:
        """The live site, such as ``http://127.0.0.1:41234/``."""
        return self._inner.url

    def deployment_url(self, version: int) -> str:
        """Where deployment ``version`` is served, live or not."""
        return self._inner.deployment_url(version)

    def workers(self) -> List[EdgeWorker]:
        """The ``node`` worker processes running now."""
        return self._inner.workers()

    def close(self) -> None:
        """Stops listening, lets open requests finish and stops the workers."""
        _run(self._inner.close())

    def __enter__(self) -> "LocalEdge":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"sync.{self._inner!r}"


class Anchor:
    """Anchor with blocking methods; see :class:`anchor_deploy.Anchor`."""

    def __init__(self, inner: _client.Anchor) -> None:
        self._inner = inner

    @property
    def aio(self) -> _client.Anchor:
        """The async client this one wraps."""
        return self._inner

    @classmethod
    def local(
        cls,
        path: PathLike,
        *,
        domain_limits: Optional[DomainLimits] = None,
        domain_mode: Optional[DomainModeLike] = None,
    ) -> "Anchor":
        """Opens (or creates) the embedded default in the folder ``path``;
        see :meth:`anchor_deploy.Anchor.local` for ``domain_limits`` and
        ``domain_mode``."""
        return cls(_run(_client.Anchor.local(path, domain_limits=domain_limits, domain_mode=domain_mode)))

    @classmethod
    def aws(
        cls,
        bucket: str,
        region: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        profile: Optional[str] = None,
        execution_role_arn: Optional[str] = None,
        table_prefix: str = "anchor",
        max_attempts: int = 5,
        create_tables: bool = True,
        edge_router: bool = True,
        *,
        domain_limits: Optional[DomainLimits] = None,
    ) -> "Anchor":
        """Opens the AWS backend; see :meth:`anchor_deploy.Anchor.aws`."""
        return cls(
            _run(
                _client.Anchor.aws(
                    bucket,
                    region=region,
                    endpoint_url=endpoint_url,
                    profile=profile,
                    execution_role_arn=execution_role_arn,
                    table_prefix=table_prefix,
                    max_attempts=max_attempts,
                    create_tables=create_tables,
                    edge_router=edge_router,
                    domain_limits=domain_limits,
                )
            )
        )

    def create_project(
        self,
        name: str,
        build_dir: Optional[PathLike] = None,
        *,
        function_settings: Optional[SiteFunctionSettings] = None,
    ) -> Project:
        """Creates a project and provisions its infrastructure; new functions
        get ``function_settings`` (see :meth:`anchor_deploy.Anchor.create_project`)."""
        return _run(self._inner.create_project(name, build_dir, function_settings=function_settings))

    def project(self, name: str) -> Project:
        """Reads a project."""
        return _run(self._inner.project(name))

    def deploy(
        self,
        project: str,
        build_dir: PathLike,
        *,
        promote: bool = True,
        on_progress: Optional[ProgressCallback] = None,
        function_settings: Optional[SiteFunctionSettings] = None,
        rollout: Optional[Sequence[StageLike]] = None,
    ) -> Deployment:
        """Deploys an OpenNext build and, unless ``promote=False``, makes it
        live; ``function_settings`` sets the functions' memory, timeout,
        architecture and runtime, and ``rollout`` rolls it out gradually
        instead (see :meth:`anchor_deploy.Anchor.deploy`)."""
        return _run(
            self._inner.deploy(
                project,
                build_dir,
                promote=promote,
                on_progress=on_progress,
                function_settings=function_settings,
                rollout=rollout,
            )
        )

    def preview(
        self,
        project: str,
        build_dir: PathLike,
        *,
        on_progress: Optional[ProgressCallback] = None,
        function_settings: Optional[SiteFunctionSettings] = None,
    ) -> Deployment:
        """Deploys without promoting."""
        return _run(
            self._inner.preview(project, build_dir, on_progress=on_progress, function_settings=function_settings)
        )

    def plan(self, project: str, build_dir: PathLike) -> DeployPlan:
        """What a deploy of ``build_dir`` would do; writes nothing."""
        return _run(self._inner.plan(project, build_dir))

    def promote(self, project: str, deployment_id: str) -> Deployment:
        """Makes a ready deployment live."""
        return _run(self._inner.promote(project, deployment_id))

    def rollback(
        self,
        project: str,
        *,
        to_deployment: Optional[str] = None,
        to_version: Optional[int] = None,
        reason: str = "rollback",
        invalidate: bool = True,
        to: Optional[str] = None,
        version: Optional[int] = None,
    ) -> RollbackOutcome:
        """Rolls back to the deployment the live one replaced, or to
        ``to_deployment`` or ``to_version`` (not both); see
        :meth:`anchor_deploy.Anchor.rollback` (``to=``/``version=`` are
        deprecated)."""
        to_deployment = renamed("to", to, "to_deployment", to_deployment)
        to_version = renamed("version", version, "to_version", to_version)
        return _run(
            self._inner.rollback(
                project, to_deployment=to_deployment, to_version=to_version, reason=reason, invalidate=invalidate
            )
        )

    def active_deployment(self, project: str) -> Optional[Deployment]:
        """The live deployment, if any."""
        return _run(self._inner.active_deployment(project))

    def deployment(self, project: str, deployment_id: str) -> Deployment:
        """Reads one deployment."""
        return _run(self._inner.deployment(project, deployment_id))

    def history(self, project: str, *, limit: int = 20, cursor: Optional[str] = None) -> "Page[Deployment]":
        """Deployments, newest first, one page at a time."""
        return _run(self._inner.history(project, limit=limit, cursor=cursor))

    def rollback_history(
        self, project: str, *, limit: int = 20, cursor: Optional[str] = None
    ) -> "Page[RollbackEvent]":
        """Rollback events, newest first, one page at a time."""
        return _run(self._inner.rollback_history(project, limit=limit, cursor=cursor))

    def recover(self, project: str) -> RecoveryReport:
        """Settles an interrupted switch, fails deployments stuck in
        progress and finishes prunings left halfway."""
        return _run(self._inner.recover(project))

    def preview_address(self, project: str, version: int) -> PreviewAddress:
        """Where deployment ``version`` is reachable (see
        :meth:`anchor_deploy.Anchor.preview_address`)."""
        return _run(self._inner.preview_address(project, version))

    def set_skew_policy(self, project: str, *, max_age_seconds: int = 604800, max_pinned: int = 10) -> Project:
        """Sets the project's skew protection policy (see
        :meth:`anchor_deploy.Anchor.set_skew_policy`)."""
        return _run(self._inner.set_skew_policy(project, max_age_seconds=max_age_seconds, max_pinned=max_pinned))

    def set_retention_policy(
        self,
        project: str,
        *,
        keep_promoted: int = 10,
        preview_max_age_seconds: int = 2592000,
        after_deploy: bool = False,
    ) -> Project:
        """Sets which deployments :meth:`prune` keeps (see
        :meth:`anchor_deploy.Anchor.set_retention_policy`)."""
        return _run(
            self._inner.set_retention_policy(
                project,
                keep_promoted=keep_promoted,
                preview_max_age_seconds=preview_max_age_seconds,
                after_deploy=after_deploy,
            )
        )

    def prune(self, project: str, *, dry_run: bool = False) -> PruneReport:
        """Prunes ``project`` under its retention policy, or with
        ``dry_run=True`` only reports (see :meth:`anchor_deploy.Anchor.prune`)."""
        return _run(self._inner.prune(project, dry_run=dry_run))

    def rollouts(self, project: str) -> Rollouts:
        """The gradual rollouts of ``project``."""
        return Rollouts(self._inner.rollouts(project))

    def domains(self, project: str) -> Domains:
        """The custom domains of ``project``."""
        return Domains(self._inner.domains(project))

    def validate_local_certificate(self, certificate_id: str) -> None:
        """Embedded default only: has the local CA issue a pending certificate."""
        _run(self._inner.validate_local_certificate(certificate_id))

    def serve(
        self,
        project: str,
        *,
        host: Optional[str] = None,
        port: int = 0,
        node: Optional[str] = None,
        workers_per_function: Optional[int] = None,
        request_timeout_seconds: Optional[float] = None,
        request_timeout: Optional[float] = None,
    ) -> LocalEdge:
        """Embedded default only: serves ``project`` over HTTP on the local
        edge; see :meth:`anchor_deploy.Anchor.serve` (``request_timeout=``
        is deprecated)."""
        request_timeout_seconds = renamed(
            "request_timeout", request_timeout, "request_timeout_seconds", request_timeout_seconds
        )
        edge = self._inner.serve(
            project,
            host=host,
            port=port,
            node=node,
            workers_per_function=workers_per_function,
            request_timeout_seconds=request_timeout_seconds,
        )
        return LocalEdge(_run(edge))

    def __repr__(self) -> str:
        return f"sync.{self._inner!r}"
