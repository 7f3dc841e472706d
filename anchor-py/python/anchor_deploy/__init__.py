"""Anchor: deploy OpenNext builds to AWS or to the embedded local backend.

``anchor_deploy.Anchor`` is async (``await Anchor.local(path)``);
``anchor_deploy.sync.Anchor`` has the same methods, blocking. Failures raise
subclasses of :class:`AnchorError` (see :mod:`anchor_deploy.exceptions`).
"""

from . import sync
from ._client import Anchor, Domains, ProgressCallback
from .exceptions import (
    AlreadyExistsError,
    AnchorError,
    ConflictError,
    DomainTakenError,
    InvalidBuildError,
    InvalidInputError,
    InvalidStateError,
    IoError,
    NotFoundError,
    NotManagedError,
    PreconditionFailedError,
    ServiceError,
)
from .types import (
    AssetSummary,
    CdnStatus,
    CertificateStatus,
    Deployment,
    DeploymentStatus,
    DeployPlan,
    DnsRecord,
    Domain,
    FunctionVersion,
    Infrastructure,
    Page,
    PendingSwitch,
    Phase,
    PlannedAction,
    PlannedAsset,
    ProgressEvent,
    Project,
    RecoveryReport,
    RollbackEvent,
    RollbackOutcome,
)

__all__ = [
    "Anchor",
    "Domains",
    "ProgressCallback",
    "sync",
    "AnchorError",
    "InvalidInputError",
    "InvalidBuildError",
    "NotFoundError",
    "AlreadyExistsError",
    "ConflictError",
    "PreconditionFailedError",
    "DomainTakenError",
    "InvalidStateError",
    "NotManagedError",
    "ServiceError",
    "IoError",
    "AssetSummary",
    "CdnStatus",
    "CertificateStatus",
    "Deployment",
    "DeploymentStatus",
    "DeployPlan",
    "DnsRecord",
    "Domain",
    "FunctionVersion",
    "Infrastructure",
    "Page",
    "PendingSwitch",
    "Phase",
    "PlannedAction",
    "PlannedAsset",
    "ProgressEvent",
    "Project",
    "RecoveryReport",
    "RollbackEvent",
    "RollbackOutcome",
]
