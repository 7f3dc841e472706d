"""Gradual rollouts of one project (see :meth:`Anchor.rollouts`)."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Sequence, Tuple, Union

from . import _anchor
from ._rollouts import AlarmGate, GateCheck, ProbeGate, Rollout, RolloutStage

#: What a gate function returns: ``True`` (healthy), ``False``, a
#: ``(healthy, reason)`` pair, or ``{"healthy": bool, "reason": str}``.
GateVerdict = Union[bool, Tuple[bool, str], Mapping[str, Any]]
#: A health gate: a plain function of the check, or a built-in gate.
Gate = Union[Callable[[GateCheck], GateVerdict], ProbeGate, AlarmGate]
#: One stage: a :class:`RolloutStage`, ``{"percent": .., "hold_seconds": ..}``
#: or a ``(percent, hold_seconds)`` pair.
StageLike = Union[RolloutStage, Mapping[str, Any], Tuple[float, int]]


def stages_json(stages: Iterable[StageLike]) -> str:
    """The core's JSON of a plan; the core checks every rule and names the
    stage at fault (``rollout.stages[1].percent``)."""
    out = []
    for stage in stages:
        if isinstance(stage, RolloutStage):
            out.append(stage.to_dict())
        elif isinstance(stage, Mapping):
            out.append(dict(stage))
        elif isinstance(stage, (tuple, list)) and len(stage) == 2:
            out.append({"percent": stage[0], "hold_seconds": stage[1]})
        else:
            out.append(stage)  # refused by the core, by index
    return json.dumps(out)


def _verdict_json(verdict: Any) -> str:
    if isinstance(verdict, tuple) and len(verdict) == 2:
        verdict = {"healthy": verdict[0], "reason": verdict[1]}
    elif isinstance(verdict, Mapping):
        verdict = dict(verdict)
    return json.dumps(verdict, default=repr)


def gate_arguments(gate: Gate) -> Dict[str, Any]:
    """The native call's arguments for ``gate``."""
    if isinstance(gate, AlarmGate):
        return {"alarms": list(gate.alarms)}
    if isinstance(gate, ProbeGate):
        probe = {"url": gate.url, "requests": gate.requests, "max_error_rate": gate.max_error_rate}
        return {"probe": json.dumps(probe)}
    if not callable(gate):
        return {}  # the core refuses a call without a gate, naming `gate`

    def call(check_json: str) -> str:
        return _verdict_json(gate(GateCheck.from_json(check_json)))

    return {"gate": call, "gate_name": getattr(gate, "__name__", "function")}


class Rollouts:
    """The gradual rollouts of one project. Get it from :meth:`Anchor.rollouts`.

    A gate function is called on a runtime thread (not the event loop), so
    it may block, for example on a metrics query. An exception it raises
    means it could not decide: the rollout stays at its stage."""

    def __init__(self, native: _anchor.Anchor, project: str) -> None:
        self._native = native
        self.project = project

    async def start(self, deployment_id: str, stages: Sequence[StageLike]) -> Rollout:
        """Starts rolling ``deployment_id`` out over the live deployment,
        such as ``[(5, 600), (25, 1800), (100, 0)]``: 5 % for 10 minutes,
        25 % for 30, then everyone. Raises :class:`InvalidStateError` while
        another rollout runs, and :class:`InvalidInputError` naming the
        stage for a bad plan."""
        raw = await self._native.rollout_start(self.project, deployment_id, stages_json(stages))
        return Rollout.from_json(raw)

    async def status(self) -> Optional[Rollout]:
        """The rollout running, or the last one; ``None`` before the first."""
        raw = await self._native.rollout_status(self.project)
        return None if raw is None else Rollout.from_json(raw)

    async def check(self, gate: Gate) -> Rollout:
        """One look: once the stage has held its time, asks ``gate`` and
        advances the rollout (completing it from the last but one stage) or
        aborts it with the gate's reason."""
        raw = await self._native.rollout_check(self.project, **gate_arguments(gate))
        return Rollout.from_json(raw)

    async def run(self, gate: Gate) -> Rollout:
        """Drives the rollout to its end, checking each time a stage's hold
        has passed; returns it completed or aborted."""
        raw = await self._native.rollout_check(self.project, run=True, **gate_arguments(gate))
        return Rollout.from_json(raw)

    async def advance(self) -> Rollout:
        """Moves to the next stage now, without the hold or the gate."""
        return Rollout.from_json(await self._native.rollout_advance(self.project))

    async def complete(self) -> Rollout:
        """Gives every visitor the candidate now; it goes live."""
        return Rollout.from_json(await self._native.rollout_complete(self.project))

    async def abort(self, reason: str) -> Rollout:
        """Sends every visitor back to the baseline and records ``reason``."""
        return Rollout.from_json(await self._native.rollout_abort(self.project, reason))

    def __repr__(self) -> str:
        return f"Rollouts(project={self.project!r})"
