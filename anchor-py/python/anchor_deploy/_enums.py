"""The string enums of Anchor's records."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable, ClassVar, Dict, Generic, Mapping, Optional, Tuple, Type, TypeVar


class DeploymentStatus(str, Enum):
    """Where a deployment is in its life."""

    QUEUED = "queued"
    UPLOADING = "uploading"
    PUBLISHING = "publishing"
    READY = "ready"
    LIVE = "live"
    SUPERSEDED = "superseded"
    FAILED = "failed"
    PRUNED = "pruned"

    def __str__(self) -> str:
        return self.value


class CertificateStatus(str, Enum):
    """The state of a domain's TLS certificate."""

    REQUESTING = "requesting"
    PENDING_VALIDATION = "pending_validation"
    ISSUED = "issued"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


class CdnStatus(str, Enum):
    """Whether the CDN serves a domain yet."""

    PENDING = "pending"
    ACTIVE = "active"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value


class DomainMode(str, Enum):
    """How a project's custom domains are put on its distribution."""

    #: Alternate names of the distribution, under one certificate that
    #: names them all; the mode of projects made before tenants existed,
    #: and of new projects on AWS.
    ALIASES = "aliases"
    #: One distribution tenant each, with a certificate for that name
    #: alone; the mode of new projects on the embedded default.
    TENANTS = "tenants"

    def __str__(self) -> str:
        return self.value


class Phase(str, Enum):
    """A phase of a deployment, as reported to progress callbacks."""

    SCANNING = "scanning"
    UPLOADING = "uploading"
    PACKAGING = "packaging"
    PUBLISHING = "publishing"
    PROMOTING = "promoting"
    INVALIDATING = "invalidating"
    ROLLING_OUT = "rolling_out"
    PRUNING = "pruning"
    DONE = "done"

    def __str__(self) -> str:
        return self.value


class PlannedAction(str, Enum):
    """What a deploy does with one asset."""

    UPLOAD = "upload"
    COPY = "copy"
    SKIP = "skip"

    def __str__(self) -> str:
        return self.value


class RolloutState(str, Enum):
    """Where a gradual rollout stands."""

    RUNNING = "running"
    COMPLETED = "completed"
    ABORTED = "aborted"

    def __str__(self) -> str:
        return self.value


class RolloutEventKind(str, Enum):
    """What one decision of a rollout did."""

    STARTED = "started"
    ADVANCED = "advanced"
    COMPLETED = "completed"
    ABORTED = "aborted"

    def __str__(self) -> str:
        return self.value


class KeepReason(str, Enum):
    """Why ``prune`` kept a deployment."""

    LIVE = "live"
    ROLLOUT = "rollout"
    SKEW_WINDOW = "skew_window"
    ROLLBACK_TARGET = "rollback_target"
    LIVE_ALIAS = "live_alias"
    IN_PROGRESS = "in_progress"
    RETAINED_PROMOTED = "retained_promoted"
    RECENT_PREVIEW = "recent_preview"

    def __str__(self) -> str:
        return self.value
