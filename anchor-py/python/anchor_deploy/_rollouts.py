"""Gradual rollouts: the plan's stages, the record of a rollout and its
decisions, and what a health gate is asked."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Optional, Tuple

from ._enums import RolloutEventKind, RolloutState
from ._record import _many, _Record, _time


@dataclasses.dataclass(frozen=True, repr=False)
class RolloutStage(_Record):
    """One stage of a rollout plan: ``percent`` of the visitors (within
    (0, 100], two decimals at most) get the new deployment for at least
    ``hold_seconds`` before the gate is asked; the last stage is 100."""

    percent: float
    hold_seconds: int


@dataclasses.dataclass(frozen=True, repr=False)
class RolloutEvent(_Record):
    """One decision of a rollout."""

    kind: RolloutEventKind
    #: The stage reached (an index into the plan).
    stage: int
    #: That stage's share in percent; 0 after an abort.
    percent: float
    #: ``start``, ``manual``, or the health gate's name.
    decided_by: str
    #: A failing gate's reason, or the caller's reason for an abort.
    reason: Optional[str]
    at: datetime

    _convert = {"kind": RolloutEventKind, "at": _time}


@dataclasses.dataclass(frozen=True, repr=False)
class Rollout(_Record):
    """A gradual rollout of ``candidate`` over ``baseline``, which stays
    the project's active deployment until the rollout completes."""

    candidate: str
    candidate_version: int
    baseline: str
    baseline_version: int
    plan: Tuple[RolloutStage, ...]
    stage: int
    stage_started_at: datetime
    started_at: datetime
    state: RolloutState
    #: Hashed with each visitor's ``anchor-visitor`` cookie by the router.
    salt: str
    #: Every decision, oldest first.
    events: Tuple[RolloutEvent, ...]

    _convert = {
        "plan": _many(RolloutStage.from_dict),
        "stage_started_at": _time,
        "started_at": _time,
        "state": RolloutState,
        "events": _many(RolloutEvent.from_dict),
    }
    _shown = ("candidate_version", "baseline_version", "stage", "state")


@dataclasses.dataclass(frozen=True, repr=False)
class AlarmGate:
    """The built-in gate on named CloudWatch alarms (an ``Anchor`` opened
    with :meth:`Anchor.aws` only): unhealthy while any is in ``ALARM``;
    ``INSUFFICIENT_DATA`` counts as healthy, an unknown name as an error."""

    alarms: Tuple[str, ...]


@dataclasses.dataclass(frozen=True, repr=False)
class PreviewAddress(_Record):
    """How to reach one deployment, promoted or not, through the router."""

    version: int
    deployment: str
    #: ``https://<distribution>/?__anchor_preview=v<N>``.
    url: str
    #: ``v<N>.<suffix>`` on a project with a wildcard domain, else ``None``.
    host: Optional[str]
    #: ``x-anchor-preview``, for tools and CI.
    header_name: str
    #: ``v<N>``.
    header_value: str

    _shown = ("version", "url", "host")


@dataclasses.dataclass(frozen=True, repr=False)
class SkewPolicy(_Record):
    """How long pages of a deployment that left live keep being served by
    it, and how many deployments keep such a window at once."""

    max_age_seconds: int
    max_pinned: int


@dataclasses.dataclass(frozen=True, repr=False)
class GateCheck(_Record):
    """What a health gate is asked: the candidate at the stage that has
    held its time. A probe reaches the candidate alone with the header
    ``x-anchor-preview: v<candidate_version>``."""

    project: str
    candidate: str
    candidate_version: int
    baseline: str
    stage: int
    percent: float


@dataclasses.dataclass(frozen=True, repr=False)
class ProbeGate:
    """The built-in gate on a probe URL: ``requests`` GETs of ``url``, sent
    to the candidate alone; unhealthy above ``max_error_rate`` (a fraction)
    of 5xx answers and timeouts."""

    url: str
    requests: int = 20
    max_error_rate: float = 0.05
