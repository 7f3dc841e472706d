"""The exception tree of Anchor, rooted at :class:`AnchorError`.

One class per code of the core's ``anchor_core::Error`` (the core's
``Error::CODES`` is the only list of codes). Each class names the code it
stands for in ``CODE`` and annotates the variant's fields; nothing else maps
codes to classes. The native module asks :func:`error_class` for the class,
builds it as ``cls(message, code=..., **fields)`` with the variant's fields
in snake_case, and chains the Rust error's source as ``__cause__``. The
tests hold every core code to a class here, and each class's annotated
fields to the core's.

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
    "QuotaExceededError",
    "IoError",
    "InternalError",
    "error_class",
]


class AnchorError(Exception):
    """Every failure Anchor reports.

    ``code`` is the core's stable code such as ``ANCHOR_CONFLICT``; codes the
    package does not know (``ANCHOR_FORKED`` for use after ``fork()``) arrive
    as this base class.
    """

    #: The code this class stands for; the base class takes any code.
    CODE: ClassVar[str] = "ANCHOR_INTERNAL"
    #: The variant's fields, exposed as attributes (``None`` when absent):
    #: the names each subclass annotates.
    FIELDS: ClassVar[Tuple[str, ...]] = ()

    code: str
    message: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The fields are the names the class itself annotates, so a class
        # states each field once.
        own = cls.__dict__.get("__annotations__")
        if own is None:  # Python 3.14 makes class annotations lazy
            own = getattr(cls, "__annotations__", {})
        cls.FIELDS = tuple(n for n in own if n not in ("CODE", "FIELDS"))

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
    field: str
    reason: str


class InvalidBuildError(AnchorError, ValueError):
    """The OpenNext build folder is missing something or is malformed."""

    CODE = "ANCHOR_INVALID_BUILD"
    path: str
    reason: str


class NotFoundError(AnchorError, LookupError):
    """A record or cloud resource does not exist."""

    CODE = "ANCHOR_NOT_FOUND"
    kind: str
    id: str


class AlreadyExistsError(AnchorError):
    """A create found the resource already there."""

    CODE = "ANCHOR_ALREADY_EXISTS"
    kind: str
    id: str


class ConflictError(AnchorError):
    """Another operation changed the resource first; this one changed nothing.

    Retrying after re-reading is safe.
    """

    CODE = "ANCHOR_CONFLICT"
    kind: str
    id: str
    reason: str


class PreconditionFailedError(AnchorError):
    """A conditional write saw a stale revision or ETag."""

    CODE = "ANCHOR_PRECONDITION_FAILED"
    kind: str
    id: str
    reason: str


class DomainTakenError(AnchorError):
    """The domain is already attached to another project."""

    CODE = "ANCHOR_DOMAIN_TAKEN"
    domain: str
    project: str


class InvalidStateError(AnchorError):
    """The resource's state forbids the operation (say, a failed deployment)."""

    CODE = "ANCHOR_INVALID_STATE"
    kind: str
    id: str
    state: str
    reason: str


class NotManagedError(AnchorError):
    """A certificate lacks Anchor's managed-by tag, so Anchor will not touch it."""

    CODE = "ANCHOR_NOT_MANAGED"
    certificate: str


class ServiceError(AnchorError):
    """An external service call failed; ``retryable`` says if retrying may help."""

    CODE = "ANCHOR_SERVICE"
    backend: str
    service: str
    operation: str
    retryable: bool


class QuotaExceededError(AnchorError):
    """An AWS quota, or the limit Anchor was told the account has, would be
    passed; nothing changed. Raise ``quota`` in Service Quotas, then the
    Anchor setting ``setting`` to match (such as
    ``domain_limits.tenants_per_account``), or free room first. ``limit``
    is the limit reached, as text (``"10000"``), as every field arrives."""

    CODE = "ANCHOR_QUOTA_EXCEEDED"
    quota: str
    limit: str
    setting: str
    reason: str


class IoError(AnchorError, OSError):
    """A local file operation failed at ``path``."""

    CODE = "ANCHOR_IO"
    path: str


class InternalError(AnchorError):
    """A bug in Anchor (an invariant of its own code did not hold, or a
    caught panic): nothing the caller can fix; worth a report."""

    CODE = "ANCHOR_INTERNAL"
    invariant: Optional[str]


def _by_code() -> Dict[str, Type[AnchorError]]:
    table: Dict[str, Type[AnchorError]] = {}
    pending = list(AnchorError.__subclasses__())
    while pending:
        cls = pending.pop()
        # A user's subclass of a class here keeps its parent's code; the
        # class defined in this module wins.
        if cls.__module__ == __name__:
            table[cls.CODE] = cls
        pending.extend(cls.__subclasses__())
    return table


_BY_CODE: Dict[str, Type[AnchorError]] = _by_code()


def error_class(code: str) -> Type[AnchorError]:
    """The class that stands for ``code``; :class:`AnchorError` if unknown."""
    return _BY_CODE.get(code, AnchorError)
