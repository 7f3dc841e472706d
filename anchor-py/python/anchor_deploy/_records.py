"""Projects, deployments and domains."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable, ClassVar, Dict, Generic, Mapping, Optional, Tuple, Type, TypeVar
from ._record import _R, _T, _Record, _encode, _many, _opt, _parse_time, _time  # noqa: F401
from ._enums import CdnStatus, CertificateStatus, DeploymentStatus, DomainMode, Phase, PlannedAction  # noqa: F401
from ._prune import PruneRecord, RetentionPolicy
from ._rollouts import Rollout, SkewPolicy


@dataclasses.dataclass(frozen=True, repr=False)
class RouterBinding(_Record):
    """Where a project's edge router reads its routing."""

    #: The key-value store its distribution's function reads.
    store: str
    #: The host public-file requests are sent to.
    bucket_host: str


@dataclasses.dataclass(frozen=True, repr=False)
class Infrastructure(_Record):
    """The cloud resources provisioned once for a project."""

    server_function: str
    image_function: str
    alias: str
    asset_prefix: str
    distribution_id: str
    distribution_domain: str
    #: The object store the assets live in (``s3://<bucket>``, or
    #: ``local:<id>``); ``None`` in records written before Anchor kept it.
    asset_location: Optional[str]
    #: The edge router that picks the deployment serving each request;
    #: ``None`` where the distribution routes by behaviours to the ``live``
    #: aliases.
    router: Optional[RouterBinding]
    #: How custom domains are put on the distribution: one tenant each
    #: (``tenants``), or alternate names of the distribution itself
    #: (``aliases``, the mode of records written before tenants existed).
    domains: DomainMode

    _shown = ("server_function", "alias", "distribution_domain")
    _convert = {"router": _opt(RouterBinding.from_dict), "domains": DomainMode}


@dataclasses.dataclass(frozen=True, repr=False)
class LastSwitch(_Record):
    """The last promote or rollback, kept for recovery; it stays after the
    switch completes, until the next switch replaces it."""

    from_: Optional[str]
    to: str
    kind: str
    reason: Optional[str]
    started_at: datetime

    _keys = {"from_": "from"}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "LastSwitch":
        # The core's SwitchKind is tagged: {"kind": "rollback", "reason": ...}.
        kind = data.get("kind") or {}
        return cls(
            from_=data.get("from"),
            to=data["to"],
            kind=kind.get("kind", ""),
            reason=kind.get("reason"),
            started_at=_time(data.get("started_at")),
        )

    def to_dict(self) -> Dict[str, Any]:
        kind: Dict[str, Any] = {"kind": self.kind}
        if self.reason is not None:
            kind["reason"] = self.reason
        return {"from": self.from_, "to": self.to, "kind": kind, "started_at": _encode(self.started_at)}


@dataclasses.dataclass(frozen=True, repr=False)
class Project(_Record):
    """A project: its infrastructure and which deployment is live."""

    name: str
    infrastructure: Infrastructure
    created_at: datetime
    active_deployment: Optional[str]
    last_switch: Optional[LastSwitch]
    #: The rollout running, or the last one; ``None`` before the first.
    rollout: Optional[Rollout]
    #: The skew protection policy; ``None`` for the defaults (7 days, 10).
    skew_policy: Optional[SkewPolicy]
    #: The retention policy ``prune`` applies; ``None`` for the defaults
    #: (the 10 newest promoted deployments, previews of up to 30 days).
    retention: Optional[RetentionPolicy]
    revision: int

    _convert = {
        "infrastructure": Infrastructure.from_dict,
        "created_at": _time,
        "last_switch": _opt(LastSwitch.from_dict),
        "rollout": _opt(Rollout.from_dict),
        "skew_policy": _opt(SkewPolicy.from_dict),
        "retention": _opt(RetentionPolicy.from_dict),
    }
    _shown = ("name", "active_deployment", "revision")


@dataclasses.dataclass(frozen=True, repr=False)
class FunctionVersion(_Record):
    """A published function version, with the configuration it runs with
    as the host reports it (``None`` where the host has no record of it,
    such as a version published before Anchor kept it)."""

    function: str
    version: str
    arn: str
    code_sha256: str
    #: Memory in MB.
    memory_mb: Optional[int]
    #: How long one invocation may run, in seconds.
    timeout_seconds: Optional[int]
    #: ``"arm64"`` or ``"x86_64"``; ``None`` on the embedded default for
    #: plain JavaScript published with no preference.
    architecture: Optional[str]
    #: Lambda's runtime, such as ``"nodejs24.x"``.
    runtime: Optional[str]

    _shown = ("function", "version", "memory_mb", "timeout_seconds", "architecture")


@dataclasses.dataclass(frozen=True, repr=False)
class AssetSummary(_Record):
    """What a deployment did with its static assets."""

    files: int
    bytes: int
    uploaded_files: int
    uploaded_bytes: int
    copied_files: int
    skipped_files: int


@dataclasses.dataclass(frozen=True, repr=False)
class Deployment(_Record):
    """One deployment of a build."""

    id: str
    project: str
    version: int
    build_id: str
    status: DeploymentStatus
    server_version: Optional[FunctionVersion]
    image_version: Optional[FunctionVersion]
    assets_path: str
    invalidation_id: Optional[str]
    invalidation_error: Optional[str]
    created_at: datetime
    updated_at: datetime
    deployed_at: Optional[datetime]
    promoted_at: Optional[datetime]
    replaced: Optional[str]
    #: The gradual rollout it was the candidate of, once that ended.
    rollout: Optional[Rollout]
    #: How it was pruned, once pruning started (its status is then
    #: ``pruned``): why, when, and what it freed.
    pruned: Optional[PruneRecord]
    assets: AssetSummary
    error: Optional[str]
    revision: int

    _convert = {
        "status": DeploymentStatus,
        "server_version": _opt(FunctionVersion.from_dict),
        "image_version": _opt(FunctionVersion.from_dict),
        "created_at": _time,
        "updated_at": _time,
        "deployed_at": _parse_time,
        "promoted_at": _parse_time,
        "rollout": _opt(Rollout.from_dict),
        "pruned": _opt(PruneRecord.from_dict),
        "assets": AssetSummary.from_dict,
    }
    _shown = ("id", "project", "version", "status", "build_id")


@dataclasses.dataclass(frozen=True, repr=False)
class DnsRecord(_Record):
    """A DNS record to create at the DNS provider."""

    name: str
    #: ``CNAME`` for validation and for subdomains; ``ALIAS`` for an
    #: apex's routing record (an A/AAAA alias, a flattened CNAME or an
    #: ALIAS/ANAME, whichever the DNS provider offers).
    record_type: str
    value: str


@dataclasses.dataclass(frozen=True, repr=False)
class Domain(_Record):
    """A custom domain, its certificate and its CDN state."""

    name: str
    project: str
    certificate_id: Optional[str]
    certificate_status: CertificateStatus
    certificate_names: Tuple[str, ...]
    validation_records: Tuple[DnsRecord, ...]
    #: The record that routes the name to the distribution: a ``CNAME``,
    #: or ``ALIAS`` for an apex such as ``example.com``.
    routing_record: DnsRecord
    #: The distribution tenant that serves the domain, once it is attached
    #: in tenant mode; ``None`` in alias mode.
    tenant_id: Optional[str]
    cdn_status: CdnStatus
    failure_reason: Optional[str]
    removing: bool
    created_at: datetime
    updated_at: datetime
    activated_at: Optional[datetime]
    revision: int

    _convert = {
        "certificate_status": CertificateStatus,
        "certificate_names": _many(str),
        "validation_records": _many(DnsRecord.from_dict),
        "routing_record": DnsRecord.from_dict,
        "cdn_status": CdnStatus,
        "created_at": _time,
        "updated_at": _time,
        "activated_at": _parse_time,
    }
    _shown = ("name", "project", "certificate_status", "cdn_status")


@dataclasses.dataclass(frozen=True, repr=False)
class EdgeWorker(_Record):
    """One ``node`` worker process of the local edge."""

    function: str
    version: str
    pid: int

    _shown = ("function", "version", "pid")
