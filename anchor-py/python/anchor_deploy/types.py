"""Typed records returned by Anchor: frozen dataclasses built from the core's JSON.

Every record has ``from_dict`` (keys the record does not know are ignored, so
a newer core does not break an older package), ``to_dict`` (JSON-compatible:
timestamps as RFC 3339 strings, enums as their names) and a short ``repr``
that names the fields worth reading. The Rust field ``from`` is ``from_``.
"""

from __future__ import annotations

from ._enums import CdnStatus, CertificateStatus, DeploymentStatus, Phase, PlannedAction  # noqa: F401
from ._records import (
    AssetSummary,
    Deployment,
    DnsRecord,
    Domain,
    EdgeWorker,
    FunctionVersion,
    Infrastructure,
    LastSwitch,
    Project,
    RouterBinding,
)
from ._settings import FunctionSettings, SiteFunctionSettings
from ._domain_limits import DomainLimits
from ._enums import DomainMode, KeepReason, RolloutEventKind, RolloutState
from ._prune import Freed, KeptDeployment, PrunedDeployment, PruneRecord, PruneReport, RetentionPolicy
from ._rollouts import AlarmGate, GateCheck, PreviewAddress, ProbeGate, Rollout, RolloutEvent, RolloutStage, SkewPolicy
from ._results import (
    DeployPlan,
    Page,
    PlannedAsset,
    ProgressEvent,
    RecoveryReport,
    RollbackEvent,
    RollbackOutcome,
)

__all__ = [
    "EdgeWorker",
    "DeploymentStatus",
    "CertificateStatus",
    "CdnStatus",
    "Phase",
    "PlannedAction",
    "Infrastructure",
    "RouterBinding",
    "LastSwitch",
    "Project",
    "FunctionVersion",
    "FunctionSettings",
    "SiteFunctionSettings",
    "AssetSummary",
    "Deployment",
    "DnsRecord",
    "Domain",
    "DomainLimits",
    "DomainMode",
    "RollbackEvent",
    "RollbackOutcome",
    "PlannedAsset",
    "DeployPlan",
    "RecoveryReport",
    "ProgressEvent",
    "Page",
    "GateCheck",
    "ProbeGate",
    "Rollout",
    "RolloutEvent",
    "RolloutEventKind",
    "RolloutStage",
    "RolloutState",
    "SkewPolicy",
    "PreviewAddress",
    "AlarmGate",
    "RetentionPolicy",
    "PruneRecord",
    "Freed",
    "PruneReport",
    "PrunedDeployment",
    "KeptDeployment",
    "KeepReason",
]

