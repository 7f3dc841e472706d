"""Every field of every record the core returns arrives in Python.

The core keeps one filled sample of each record and result
(``anchor_core::calls::sample_json``); each is parsed here with the class
the API returns it as, and the class's ``to_dict()`` must hold the same
keys, all filled, at every depth. A field added in core and not here, or
dropped from a class, fails this test."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List

from anchor_deploy import _anchor
from anchor_deploy.types import (
    DeployPlan,
    Deployment,
    Domain,
    EdgeWorker,
    Page,
    PreviewAddress,
    ProgressEvent,
    Project,
    PruneReport,
    RecoveryReport,
    RollbackEvent,
    RollbackOutcome,
)

#: How the API turns the core's JSON of each type into a Python object.
PARSERS: Dict[str, Callable[[Any], Any]] = {
    "Project": Project.from_dict,
    "Deployment": Deployment.from_dict,
    "Domain": Domain.from_dict,
    "RollbackEvent": RollbackEvent.from_dict,
    "DeploymentPage": lambda d: Page.parse(d, Deployment.from_dict),
    "RollbackEventPage": lambda d: Page.parse(d, RollbackEvent.from_dict),
    "RollbackOutcome": RollbackOutcome.from_dict,
    "DeployPlan": DeployPlan.from_dict,
    "RecoveryReport": RecoveryReport.from_dict,
    "ProgressEvent": ProgressEvent.from_dict,
    "EdgeWorker": EdgeWorker.from_dict,
    "PreviewAddress": PreviewAddress.from_dict,
    "PruneReport": PruneReport.from_dict,
}

#: Names Python spells differently from the core, in every record and
#: argument: none (``timeout_secs`` was one until the core took
#: ``timeout_seconds``).
SAME_NAME: Dict[str, str] = {}


def _differences(core: Any, ours: Any, path: str) -> List[str]:
    """Where ``ours`` lacks a key of ``core``, has one it lacks, or is
    empty where the core is filled."""
    if core is not None and ours is None:
        return [f"{path} is None"]
    if isinstance(core, dict):
        if not isinstance(ours, dict):
            return [f"{path} is {type(ours).__name__}, not an object"]
        theirs = {SAME_NAME.get(k, k): v for k, v in core.items()}
        mine = {SAME_NAME.get(k, k): v for k, v in ours.items()}
        out = [f"{path}.{k} is missing" for k in sorted(set(theirs) - set(mine))]
        out += [f"{path}.{k} is not in the core" for k in sorted(set(mine) - set(theirs))]
        for key in sorted(set(theirs) & set(mine)):
            out += _differences(theirs[key], mine[key], f"{path}.{key}")
        return out
    if isinstance(core, list):
        if not isinstance(ours, list) or len(ours) != len(core):
            return [f"{path} has {ours!r}, the core {len(core)} items"]
        return [d for i, (c, o) in enumerate(zip(core, ours)) for d in _differences(c, o, f"{path}[{i}]")]
    return []


def test_every_type_the_core_samples_has_a_python_class() -> None:
    assert set(_anchor._samples()) == set(PARSERS)


def test_every_field_of_every_sample_arrives() -> None:
    problems = []
    for name, text in sorted(_anchor._samples().items()):
        core = json.loads(text)
        record = PARSERS[name](core)
        problems += _differences(core, record.to_dict(), name)
    assert problems == []


def test_values_arrive_typed() -> None:
    samples = {name: json.loads(text) for name, text in _anchor._samples().items()}
    outcome = RollbackOutcome.from_dict(samples["RollbackOutcome"])
    assert outcome.elapsed_ms == 41.5
    assert outcome.from_ is not None and outcome.from_.server_version is not None
    assert outcome.from_.server_version.timeout_seconds == 20
    plan = DeployPlan.from_dict(samples["DeployPlan"])
    assert plan.function_settings is not None
    assert plan.function_settings["server"]["timeout_seconds"] == 20
    assert (plan.server_architecture, plan.server_streaming) == ("arm64", True)
