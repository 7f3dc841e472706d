"""What operations return: rollbacks, plans, recovery, progress, pages."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable, ClassVar, Dict, Generic, Mapping, Optional, Tuple, Type, TypeVar
from ._record import _R, _T, _Record, _encode, _many, _opt, _parse_time, _time  # noqa: F401
from ._enums import CdnStatus, CertificateStatus, DeploymentStatus, Phase, PlannedAction  # noqa: F401
from ._records import Deployment, FunctionVersion  # noqa: F401
from ._settings import SiteFunctionSettings


@dataclasses.dataclass(frozen=True, repr=False)
class RollbackEvent(_Record):
    """A rollback kept in the project's history."""

    project: str
    sequence: int
    from_: Optional[str]
    from_version: Optional[int]
    to: str
    to_version: int
    reason: str
    at: datetime
    duration_ms: float

    _keys = {"from_": "from"}
    _convert = {"at": _time}
    _shown = ("project", "from_version", "to_version", "reason", "duration_ms")


@dataclasses.dataclass(frozen=True, repr=False)
class RollbackOutcome(_Record):
    """What a rollback did."""

    event: RollbackEvent
    from_: Optional[Deployment]
    to: Deployment
    elapsed_ms: float
    invalidation_id: Optional[str]
    invalidation_error: Optional[str]

    _keys = {"from_": "from"}
    _convert = {
        "event": RollbackEvent.from_dict,
        "from_": _opt(Deployment.from_dict),
        "to": Deployment.from_dict,
    }
    _shown = ("event", "elapsed_ms", "invalidation_id")


@dataclasses.dataclass(frozen=True, repr=False)
class PlannedAsset(_Record):
    """One asset of a deploy plan and what the deploy will do with it."""

    path: str
    key: str
    action: PlannedAction
    copy_from: Optional[str]
    size: int
    sha256: str
    content_type: str
    cache_control: str
    is_html: bool
    is_hashed: bool
    shared: bool

    _shown = ("path", "action", "size")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "PlannedAsset":
        # The core's action is tagged: {"action": "copy", "from": key}.
        action = data.get("action") or {}
        return cls(
            path=data["path"],
            key=data["key"],
            action=PlannedAction(action["action"]),
            copy_from=action.get("from"),
            size=data["size"],
            sha256=data["sha256"],
            content_type=data["content_type"],
            cache_control=data["cache_control"],
            is_html=data["is_html"],
            is_hashed=data["is_hashed"],
            shared=data["shared"],
        )

    def to_dict(self) -> Dict[str, Any]:
        out = super().to_dict()
        action: Dict[str, Any] = {"action": self.action.value}
        if self.copy_from is not None:
            action["from"] = self.copy_from
        out["action"] = action
        del out["copy_from"]
        return out


def _site_settings(data: Mapping[str, Any]) -> SiteFunctionSettings:
    """The core's settings JSON, keyed like the ``function_settings``
    argument (the core writes the same names)."""
    return {function: dict(settings) for function, settings in data.items()}  # type: ignore[return-value]


@dataclasses.dataclass(frozen=True, repr=False)
class DeployPlan(_Record):
    """Everything a deploy would do, computed without writing anything."""

    project: str
    deployment_id: str
    build_id: str
    assets: Tuple[PlannedAsset, ...]
    upload_files: int
    upload_bytes: int
    copy_files: int
    skip_files: int
    server_code_sha256: str
    image_code_sha256: str
    server_unchanged: bool
    image_unchanged: bool
    #: The architecture the server's native code needs (``"arm64"`` or
    #: ``"x86_64"``); ``None`` for plain JavaScript.
    server_architecture: Optional[str]
    #: The architecture the image function's native code (``sharp``) needs.
    image_architecture: Optional[str]
    #: Whether the server answers with response streaming.
    server_streaming: bool
    #: The build's Next.js ``deploymentId``, which skew protection pins this
    #: deployment's pages by; ``None`` when the build set none (then they
    #: are not pinned).
    next_deployment_id: Optional[str]
    #: The settings the deploy gives the functions, keyed like the
    #: ``function_settings`` argument; ``None`` keeps what they have.
    function_settings: Optional[SiteFunctionSettings]
    base_deployment: Optional[str]

    _convert = {"assets": _many(PlannedAsset.from_dict), "function_settings": _opt(_site_settings)}
    _shown = (
        "project",
        "build_id",
        "upload_files",
        "copy_files",
        "skip_files",
        "server_unchanged",
        "image_unchanged",
    )


@dataclasses.dataclass(frozen=True, repr=False)
class RecoveryReport(_Record):
    """What ``recover`` changed."""

    resolved_switch_to: Optional[str]
    rolled_forward: bool
    #: Whether the rollout's last decision had to be finished: the router's
    #: pointer written to match the record, or a completion recorded.
    rollout_repaired: bool
    failed_deployments: Tuple[str, ...]
    finished_domain_removals: Tuple[str, ...]
    resumed_domain_additions: Tuple[str, ...]
    #: Deployments whose pruning stopped halfway, now finished.
    finished_prunes: Tuple[str, ...]

    _convert = {
        "failed_deployments": _many(str),
        "finished_domain_removals": _many(str),
        "resumed_domain_additions": _many(str),
        "finished_prunes": _many(str),
    }


@dataclasses.dataclass(frozen=True, repr=False)
class ProgressEvent(_Record):
    """One progress report: the phase and how much of it is done."""

    phase: Phase
    done: int
    total: int
    bytes_done: int
    bytes_total: int
    #: Something to know about this step, in words (such as a build without
    #: a Next.js deploymentId, deployed without skew protection); ``None``
    #: on most events.
    note: Optional[str]

    _convert = {"phase": Phase}

    @property
    def finished(self) -> bool:
        """Whether every item of this phase is done."""
        return self.total > 0 and self.done >= self.total


@dataclasses.dataclass(frozen=True, repr=False)
class Page(_Record, Generic[_T]):
    """One page of a listing; pass ``next_cursor`` back for the next one."""

    items: Tuple[_T, ...]
    next_cursor: Optional[str]

    @classmethod
    def parse(cls, data: Mapping[str, Any], item: Callable[[Any], _T]) -> "Page[_T]":
        """Builds a page whose items are converted by ``item``."""
        return cls(items=tuple(item(x) for x in data.get("items") or ()), next_cursor=data.get("next_cursor"))

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"Page(items={len(self.items)}, next_cursor={self.next_cursor!r})"
