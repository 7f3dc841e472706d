"""The exception tree of Anchor, rooted at :class:`AnchorError`.

One class per variant of the core's ``anchor_core::Error``. The native module
raises these classes by name (the mapping lives in one Rust function), built
as ``cls(message, code=..., **fields)`` with the variant's fields in
snake_case, and chains the Rust error's source as ``__cause__``.

Branch on the class or on ``.code``; never on the message text.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, Optional, Tuple, Type

__all__ = [
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
    "error_class",
]


class AnchorError(Exception):
    """Every failure Anchor reports.

    ``code`` is the core's stable code such as ``ANCHOR_CONFLICT``; codes the
    package does not know (``ANCHOR_INTERNAL`` for a caught panic,
    ``ANCHOR_FORKED`` for use after ``fork()``) arrive as this base class.
    """

    #: The code this class stands for; the base class takes any code.
    CODE: ClassVar[str] = "ANCHOR_INTERNAL"
    #: The variant's fields, exposed as attributes (``None`` when absent).
    FIELDS: ClassVar[Tuple[str, ...]] = ()

    code: str
    message: str

    def __init__(self, message: str, *, code: Optional[str] = None, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else self.CODE
        for name in self.FIELDS:
            setattr(self, name, fields.pop(name, None))
        # Fields a newer core may add are kept rather than refused.
        for name, value in fields.items():
            setattr(self, name, value)
        self._extra = tuple(fields)

    @property
    def fields(self) -> Dict[str, Any]:
        """The variant's structured fields as a dict."""
        return {n: getattr(self, n) for n in self.FIELDS + self._extra}

    def __reduce__(self) -> Any:
        # Keyword-only fields need a custom reduce to survive pickling
        # (multiprocessing, concurrent.futures.ProcessPoolExecutor).
        return (_rebuild, (type(self), self.message, self.code, self.fields))

    def __repr__(self) -> str:
        parts = [repr(self.message), f"code={self.code!r}"]
        parts += [f"{k}={v!r}" for k, v in self.fields.items()]
        return f"{type(self).__name__}({', '.join(parts)})"


def _rebuild(cls: Type[AnchorError], message: str, code: str, fields: Dict[str, Any]) -> AnchorError:
    return cls(message, code=code, **fields)


class InvalidInputError(AnchorError, ValueError):
    """A caller-supplied value is invalid; ``field`` names it."""

    CODE = "ANCHOR_INVALID_INPUT"
    FIELDS = ("field", "reason")
    field: str
    reason: str


class InvalidBuildError(AnchorError, ValueError):
    """The OpenNext build folder is missing something or is malformed."""

    CODE = "ANCHOR_INVALID_BUILD"
    FIELDS = ("path", "reason")
    path: str
    reason: str


class NotFoundError(AnchorError, LookupError):
    """A record or cloud resource does not exist."""

    CODE = "ANCHOR_NOT_FOUND"
    FIELDS = ("kind", "id")
    kind: str
    id: str


class AlreadyExistsError(AnchorError):
    """A create found the resource already there."""

    CODE = "ANCHOR_ALREADY_EXISTS"
    FIELDS = ("kind", "id")
    kind: str
    id: str


class ConflictError(AnchorError):
    """Another operation changed the resource first; this one changed nothing.

    Retrying after re-reading is safe.
    """

    CODE = "ANCHOR_CONFLICT"
    FIELDS = ("kind", "id", "reason")
    kind: str
    id: str
    reason: str


class PreconditionFailedError(AnchorError):
    """A conditional write saw a stale revision or ETag."""

    CODE = "ANCHOR_PRECONDITION_FAILED"
    FIELDS = ("kind", "id", "reason")
    kind: str
    id: str
    reason: str


class DomainTakenError(AnchorError):
    """The domain is already attached to another project."""

    CODE = "ANCHOR_DOMAIN_TAKEN"
    FIELDS = ("domain", "project")
    domain: str
    project: str


class InvalidStateError(AnchorError):
    """The resource's state forbids the operation (say, a failed deployment)."""

    CODE = "ANCHOR_INVALID_STATE"
    FIELDS = ("kind", "id", "state", "reason")
    kind: str
    id: str
    state: str
    reason: str


class NotManagedError(AnchorError):
    """A certificate lacks Anchor's managed-by tag, so Anchor will not touch it."""

    CODE = "ANCHOR_NOT_MANAGED"
    FIELDS = ("certificate",)
    certificate: str


class ServiceError(AnchorError):
    """An external service call failed; ``retryable`` says if retrying may help."""

    CODE = "ANCHOR_SERVICE"
    FIELDS = ("backend", "service", "operation", "retryable")
    backend: str
    service: str
    operation: str
    retryable: bool


class IoError(AnchorError, OSError):
    """A local file operation failed at ``path``."""

    CODE = "ANCHOR_IO"
    FIELDS = ("path",)
    path: str


_BY_CODE: Dict[str, Type[AnchorError]] = {
    cls.CODE: cls
    for cls in (
        InvalidInputError,
        InvalidBuildError,
        NotFoundError,
        AlreadyExistsError,
        ConflictError,
        PreconditionFailedError,
        DomainTakenError,
        InvalidStateError,
        NotManagedError,
        ServiceError,
        IoError,
    )
}


def error_class(code: str) -> Type[AnchorError]:
    """The class that stands for ``code``; :class:`AnchorError` if unknown."""
    return _BY_CODE.get(code, AnchorError)
