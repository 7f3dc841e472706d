"""Pruning under a retention policy: the policy, the record pruning leaves
on a deployment, and what ``prune`` reports."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Optional, Tuple

from ._enums import DeploymentStatus, KeepReason
from ._record import _many, _parse_time, _Record, _time


@dataclasses.dataclass(frozen=True, repr=False)
class RetentionPolicy(_Record):
    """Which deployments ``prune`` keeps: the ``keep_promoted`` newest
    deployments that were ever promoted, and every deployment never
    promoted younger than ``preview_max_age_seconds``; with
    ``after_deploy``, every deploy prunes once it is done."""

    keep_promoted: int
    preview_max_age_seconds: int
    after_deploy: bool


@dataclasses.dataclass(frozen=True, repr=False)
class Freed(_Record):
    """What pruning freed, or would free."""

    #: Published function versions deleted.
    function_versions: int
    #: Their code, in bytes, out of Lambda's 75 GB per region.
    lambda_code_bytes: int
    #: Objects deleted from the asset store.
    s3_objects: int
    #: Their size in bytes.
    s3_bytes: int


@dataclasses.dataclass(frozen=True, repr=False)
class PruneRecord(_Record):
    """How a deployment was pruned; the deployment's record is kept. No
    ``finished_at`` means a pruning that stopped halfway, which ``prune``
    or ``recover`` finishes."""

    started_at: datetime
    #: When its last resource was deleted; ``None`` while under way.
    finished_at: Optional[datetime]
    #: Why it was pruned, such as "older than the 10 promoted deployments kept".
    reason: str
    #: What pruning it freed, counted when it started.
    freed: Freed
    #: The status it had before.
    previous_status: DeploymentStatus

    _convert = {
        "started_at": _time,
        "finished_at": _parse_time,
        "freed": Freed.from_dict,
        "previous_status": DeploymentStatus,
    }
    _shown = ("reason", "finished_at", "previous_status")


@dataclasses.dataclass(frozen=True, repr=False)
class PrunedDeployment(_Record):
    """A deployment ``prune`` pruned (or, in a dry run, would prune)."""

    deployment: str
    version: int
    #: Why the policy let it go.
    reason: str
    #: Its function versions and objects no deployment left uses.
    freed: Freed

    _convert = {"freed": Freed.from_dict}
    _shown = ("version", "reason")


@dataclasses.dataclass(frozen=True, repr=False)
class KeptDeployment(_Record):
    """A deployment ``prune`` kept, and the first reason it had to."""

    deployment: str
    version: int
    reason: KeepReason

    _convert = {"reason": KeepReason}
    _shown = ("version", "reason")


@dataclasses.dataclass(frozen=True, repr=False)
class PruneReport(_Record):
    """What ``prune`` did, or in a dry run would do."""

    #: Whether this was a dry run, which changed nothing.
    dry_run: bool
    #: The deployments pruned, oldest first.
    pruned: Tuple[PrunedDeployment, ...]
    #: The deployments kept, newest first, each with its reason.
    kept: Tuple[KeptDeployment, ...]
    #: Deployments whose pruning an earlier run left halfway, finished now.
    finished: Tuple[str, ...]
    #: The sum of what the pruned deployments freed.
    freed: Freed

    _convert = {
        "pruned": _many(PrunedDeployment.from_dict),
        "kept": _many(KeptDeployment.from_dict),
        "finished": _many(str),
        "freed": Freed.from_dict,
    }
    _shown = ("dry_run", "pruned", "kept", "freed")
