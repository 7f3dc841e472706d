"""The async API: a thin layer over the native module that turns its JSON
into typed records and its progress JSON into :class:`ProgressEvent`.

Every method is a coroutine; the Rust work runs on the native runtime with the
GIL released, so other Python threads and tasks keep running.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any, Callable, List, Literal, Optional, Sequence, Union

from . import _anchor
from ._deprecated import renamed
from ._rollouts import PreviewAddress
from ._rollouts_client import Rollouts, StageLike, stages_json
from .types import (
    DeployPlan,
    Deployment,
    Domain,
    DomainLimits,
    DomainMode,
    EdgeWorker,
    Page,
    ProgressEvent,
    Project,
    PruneReport,
    RecoveryReport,
    RollbackEvent,
    RollbackOutcome,
    SiteFunctionSettings,
)

__all__ = ["Anchor", "Domains", "LocalEdge", "ProgressCallback", "Rollouts"]

#: A progress callback; it receives one :class:`ProgressEvent` per report.
ProgressCallback = Callable[[ProgressEvent], Any]

PathLike = Union[str, "os.PathLike[str]"]

#: A domain mode: a :class:`DomainMode` or its value.
DomainModeLike = Union[DomainMode, Literal["aliases", "tenants"]]


def _progress_bridge(on_progress: Optional[ProgressCallback]) -> Optional[Callable[[str], None]]:
    """Delivers the native progress reports on the caller's event loop.

    The native module calls back from a runtime thread; hopping onto the loop
    keeps the user's callback on the thread that awaits the deploy, and since
    the deploy's result is delivered the same way, every event arrives before
    the ``await`` returns.
    """
    if on_progress is None:
        return None
    loop = asyncio.get_running_loop()

    def deliver(raw: str) -> None:
        event = ProgressEvent.from_json(raw)
        try:
            loop.call_soon_threadsafe(on_progress, event)
        except RuntimeError:
            # The loop closed (the deploy was cancelled and the loop ended):
            # nobody is left to tell.
            pass

    return deliver


class Domains:
    """The custom domains of one project. Get it from :meth:`Anchor.domains`."""

    def __init__(self, native: _anchor.Anchor, project: str) -> None:
        self._native = native
        self.project = project

    async def add(self, name: str) -> Domain:
        """Attaches ``name``, requests its certificate and returns the DNS
        records to create."""
        return Domain.from_json(await self._native.domain_add(self.project, name))

    async def refresh(self, name: str) -> Domain:
        """Re-reads the certificate and, once it is issued, attaches the
        domain to the CDN."""
        return Domain.from_json(await self._native.domain_refresh(self.project, name))

    async def remove(self, name: str) -> None:
        """Detaches ``name`` and deletes its managed certificate."""
        await self._native.domain_remove(self.project, name)

    async def list(self) -> List[Domain]:
        """Every domain of the project."""
        raw = json.loads(await self._native.domain_list(self.project))
        items = raw["items"] if isinstance(raw, dict) else raw
        return [Domain.from_dict(d) for d in items]

    def __repr__(self) -> str:
        return f"Domains(project={self.project!r})"


class LocalEdge:
    """A running local edge (see :meth:`Anchor.serve`). Close it with
    ``await edge.close()``, or use it as an async context manager."""

    def __init__(self, native: _anchor.LocalEdge) -> None:
        self._native = native

    @property
    def url(self) -> str:
        """The live site, such as ``http://127.0.0.1:41234/``."""
        return self._native.url

    def deployment_url(self, version: int) -> str:
        """Where deployment ``version`` is served, live or not (a preview
        too): ``http://v<version>.localhost:<port>/``."""
        return self._native.deployment_url(version)

    def workers(self) -> List[EdgeWorker]:
        """The ``node`` worker processes running now."""
        return [EdgeWorker.from_dict(w) for w in json.loads(self._native.workers())]

    async def close(self) -> None:
        """Stops listening, lets open requests finish and stops the workers.
        Closing again does nothing."""
        await self._native.close()

    async def __aenter__(self) -> "LocalEdge":
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"LocalEdge({self.url!r})"


class Anchor:
    """Anchor, opened on the embedded default or on AWS.

    Open it with ``await Anchor.local(path)`` or ``await Anchor.aws(...)``.
    """

    def __init__(self, native: _anchor.Anchor, description: str) -> None:
        self._native = native
        self._description = description

    @classmethod
    async def local(
        cls,
        path: PathLike,
        *,
        domain_limits: Optional[DomainLimits] = None,
        domain_mode: Optional[DomainModeLike] = None,
    ) -> "Anchor":
        """Opens (or creates) the embedded default in the folder ``path``.

        ``domain_limits`` (see :class:`DomainLimits`) are the quotas custom
        domains are held to, as AWS holds an account to its own: AWS's
        defaults for what is left out. ``domain_mode`` is how new projects'
        domains reach their distribution: ``"tenants"`` (the default), one
        distribution tenant each with a certificate for that name alone,
        or ``"aliases"``, alternate names under one certificate, as the AWS
        backend provisions. A bad value raises :class:`InvalidInputError`
        naming the key, such as ``domain_limits.tenants_per_account``."""
        path = os.fspath(path)
        native = await _anchor.Anchor.local(path, domain_limits=domain_limits, domain_mode=domain_mode)
        return cls(native, f"local {path!r}")

    @classmethod
    async def aws(
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
        """Opens the AWS backend; credentials come from ``profile`` or the
        default chain, the region from ``region`` or the environment. The
        record tables (named from ``table_prefix``) are created if missing
        unless ``create_tables`` is false. New projects route through the account's shared edge router unless
        ``edge_router`` is false (for emulators without CloudFront
        Functions, such as moto). ``domain_limits`` are the account's
        domain quotas (see :class:`DomainLimits`): AWS's defaults unless
        raised in Service Quotas; a bad value raises
        :class:`InvalidInputError` naming the key before anything is
        opened."""
        native = await _anchor.Anchor.aws(
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
        return cls(native, f"aws bucket={bucket!r}")

    async def create_project(
        self,
        name: str,
        build_dir: Optional[PathLike] = None,
        *,
        function_settings: Optional[SiteFunctionSettings] = None,
    ) -> Project:
        """Creates a project and provisions its infrastructure.

        ``build_dir`` (the ``.open-next`` folder of an OpenNext build)
        supplies only the CDN routes: the cache behaviours of its manifest,
        so that the app's public files (``/favicon.ico``, ``/robots.txt``)
        are served from the asset store. Nothing of it is uploaded; that is
        :meth:`deploy`'s job. Without it the project gets OpenNext's default
        routes, which leave public files at the root unrouted.
        ``function_settings`` gives the functions it
        creates their memory, timeout, architecture and runtime (see
        :class:`SiteFunctionSettings`; SST's defaults otherwise); functions
        that already exist are left as they are, for ``deploy`` to change.
        A bad value raises :class:`InvalidInputError` naming the key, such
        as ``function_settings.server.memory_mb``, and creates nothing."""
        build = None if build_dir is None else os.fspath(build_dir)
        raw = await self._native.create_project(name, build, function_settings=function_settings)
        return Project.from_json(raw)

    async def project(self, name: str) -> Project:
        """Reads a project."""
        return Project.from_json(await self._native.project(name))

    async def deploy(
        self,
        project: str,
        build_dir: PathLike,
        *,
        promote: bool = True,
        on_progress: Optional[ProgressCallback] = None,
        function_settings: Optional[SiteFunctionSettings] = None,
        rollout: Optional[Sequence[StageLike]] = None,
    ) -> Deployment:
        """Deploys the OpenNext build in ``build_dir`` (the ``.open-next``
        folder, which holds ``open-next.output.json``): checks it, uploads
        the assets the store lacks, publishes new function versions and
        records the deployment; then, unless ``promote=False``, switches the
        ``live`` aliases to it. Nothing live changes unless every step
        before the switch succeeded.

        ``on_progress`` is called on this event loop with each
        :class:`ProgressEvent`.

        ``function_settings`` sets the memory, timeout, architecture and
        runtime of the functions, such as ``{"server": {"memory_mb": 2048,
        "timeout_seconds": 30}}``; a key left out takes SST's default (see
        :class:`SiteFunctionSettings`). Without it each function keeps what
        it has. The new versions run with them: see the deployment's
        ``server_version`` and ``image_version``. A bad value, or an
        architecture the build's native code cannot run on, raises
        :class:`InvalidInputError` naming the key (such as
        ``function_settings.server.memory_mb``) before anything is
        recorded.

        ``rollout``, such as ``[(5, 600), (25, 1800), (100, 0)]``, rolls the
        deployment out gradually instead of promoting it: the router gives
        each stage's share of visitors to it, sticky per visitor; drive it
        with :meth:`rollouts`. The project's first deployment is promoted
        at once."""
        raw = await self._native.deploy(
            project,
            os.fspath(build_dir),
            promote=promote,
            on_progress=_progress_bridge(on_progress),
            function_settings=function_settings,
            rollout=None if rollout is None else stages_json(rollout),
        )
        return Deployment.from_json(raw)

    async def preview(
        self,
        project: str,
        build_dir: PathLike,
        *,
        on_progress: Optional[ProgressCallback] = None,
        function_settings: Optional[SiteFunctionSettings] = None,
    ) -> Deployment:
        """Deploys without promoting: the deployment is ready but not live.
        ``function_settings`` as for :meth:`deploy`."""
        return await self.deploy(
            project, build_dir, promote=False, on_progress=on_progress, function_settings=function_settings
        )

    async def plan(self, project: str, build_dir: PathLike) -> DeployPlan:
        """What a deploy of ``build_dir`` would do; writes nothing."""
        return DeployPlan.from_json(await self._native.plan(project, os.fspath(build_dir)))

    async def promote(self, project: str, deployment_id: str) -> Deployment:
        """Makes a ready deployment live."""
        return Deployment.from_json(await self._native.promote(project, deployment_id))

    async def rollback(
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
        """Rolls back to the deployment the live one replaced, or to the
        deployment id ``to_deployment`` or the version ``to_version`` (not
        both). Nothing is re-uploaded.

        ``to=`` and ``version=`` are the deprecated names of
        ``to_deployment=`` and ``to_version=``: accepted with a
        ``DeprecationWarning`` until the next release."""
        to_deployment = renamed("to", to, "to_deployment", to_deployment)
        to_version = renamed("version", version, "to_version", to_version)
        raw = await self._native.rollback(
            project, to_deployment=to_deployment, to_version=to_version, reason=reason, invalidate=invalidate
        )
        return RollbackOutcome.from_json(raw)

    async def active_deployment(self, project: str) -> Optional[Deployment]:
        """The live deployment, if any."""
        raw = await self._native.active_deployment(project)
        return None if raw is None else Deployment.from_json(raw)

    async def deployment(self, project: str, deployment_id: str) -> Deployment:
        """Reads one deployment."""
        return Deployment.from_json(await self._native.deployment(project, deployment_id))

    async def history(
        self, project: str, *, limit: int = 20, cursor: Optional[str] = None
    ) -> "Page[Deployment]":
        """Deployments, newest first, one page at a time."""
        raw = json.loads(await self._native.history(project, limit=limit, cursor=cursor))
        return Page.parse(raw, Deployment.from_dict)

    async def rollback_history(
        self, project: str, *, limit: int = 20, cursor: Optional[str] = None
    ) -> "Page[RollbackEvent]":
        """Rollback events, newest first, one page at a time."""
        raw = json.loads(await self._native.rollback_history(project, limit=limit, cursor=cursor))
        return Page.parse(raw, RollbackEvent.from_dict)

    async def recover(self, project: str) -> RecoveryReport:
        """Settles an interrupted switch, fails deployments stuck in
        progress and finishes prunings left halfway."""
        return RecoveryReport.from_json(await self._native.recover(project))

    async def preview_address(self, project: str, version: int) -> PreviewAddress:
        """Where deployment ``version`` is reachable, promoted or not: a URL
        on the distribution's host, its own host on a wildcard domain, and
        the header for tools. Raises :class:`NotFoundError` for a version
        the project never had."""
        return PreviewAddress.from_json(await self._native.preview_address(project, version))

    async def set_skew_policy(
        self, project: str, *, max_age_seconds: int = 604800, max_pinned: int = 10
    ) -> Project:
        """Sets how long pages of a deployment that left live keep being
        served by it (``max_age_seconds``, 7 days by default, at most 60
        days) and how many deployments keep such a window at once
        (``max_pinned``); 0 for either turns skew protection off. Applies
        from the next switch. A negative value raises
        :class:`InvalidInputError` naming ``skew.max_age_seconds`` or
        ``skew.max_pinned``."""
        raw = await self._native.set_skew_policy(project, max_age_seconds, max_pinned)
        return Project.from_json(raw)

    async def set_retention_policy(
        self,
        project: str,
        *,
        keep_promoted: int = 10,
        preview_max_age_seconds: int = 2592000,
        after_deploy: bool = False,
    ) -> Project:
        """Sets which deployments :meth:`prune` keeps: the
        ``keep_promoted`` newest deployments that were ever promoted (10 by
        default, at most 10000), and every deployment never promoted
        younger than ``preview_max_age_seconds`` (30 days by default, at
        most 10 years); with ``after_deploy``, every deploy prunes once it
        is done. A value out of range raises :class:`InvalidInputError`
        naming ``retention.keep_promoted`` or
        ``retention.preview_max_age_seconds``, and changes nothing."""
        raw = await self._native.set_retention_policy(project, keep_promoted, preview_max_age_seconds, after_deploy)
        return Project.from_json(raw)

    async def prune(self, project: str, *, dry_run: bool = False) -> PruneReport:
        """Prunes ``project`` under its retention policy: deletes what the
        deployments it no longer keeps alone hold (function versions, their
        aliases and URLs, objects, routing entries) and marks each
        ``pruned``, keeping its record. Never touches the live deployment,
        a running rollout, an open skew window, the next rollback's target,
        a version a ``live`` alias points at, or a deploy under way. With
        ``dry_run=True`` it only reports, changing nothing. A pruning left
        halfway is finished first (``finished``)."""
        return PruneReport.from_json(await self._native.prune(project, dry_run=dry_run))

    def rollouts(self, project: str) -> Rollouts:
        """The gradual rollouts of ``project``."""
        return Rollouts(self._native, project)

    def domains(self, project: str) -> Domains:
        """The custom domains of ``project``."""
        return Domains(self._native, project)

    async def validate_local_certificate(self, certificate_id: str) -> None:
        """Embedded default only: has the local CA issue a pending certificate,
        standing in for DNS validation."""
        await self._native.validate_local_certificate(certificate_id)

    async def serve(
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
        edge, routed like its CloudFront distribution. Functions run in
        ``node`` worker processes (``node`` or ``$ANCHOR_NODE``); the ``live``
        aliases are read per request, so a deploy or rollback shows at the
        next request. ``port=0`` picks a free port;
        ``request_timeout_seconds`` (default 30) is how long a function may
        take for one request before a 504. Raises :class:`InvalidInputError`
        naming ``node`` if Node.js cannot run the functions.

        ``request_timeout=`` is the deprecated name of
        ``request_timeout_seconds=`` (same unit), accepted with a
        ``DeprecationWarning`` until the next release."""
        request_timeout_seconds = renamed(
            "request_timeout", request_timeout, "request_timeout_seconds", request_timeout_seconds
        )
        native = await self._native.serve(
            project,
            host=host,
            port=port,
            node=node,
            workers_per_function=workers_per_function,
            request_timeout_seconds=request_timeout_seconds,
        )
        return LocalEdge(native)

    def __repr__(self) -> str:
        return f"Anchor({self._description})"
