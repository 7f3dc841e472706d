"""Keyword arguments renamed so that each parameter has one name in Rust,
Python and Node; the old keyword is accepted, with a ``DeprecationWarning``,
for one release."""

from __future__ import annotations

import warnings
from typing import Optional, TypeVar

from .exceptions import InvalidInputError

T = TypeVar("T")


def renamed(old: str, old_value: Optional[T], new: str, new_value: Optional[T], *, stacklevel: int = 3) -> Optional[T]:
    """The value of ``new``, taken from the deprecated ``old`` when only that
    was given (warning once per call site). Giving both is refused as
    :class:`InvalidInputError` naming ``new``."""
    if old_value is None:
        return new_value
    if new_value is not None:
        raise InvalidInputError(
            f"invalid {new}: give {new}= only ({old}= is its deprecated name)",
            code="ANCHOR_INVALID_INPUT",
            field=new,
            reason=f"give {new}= only ({old}= is its deprecated name)",
        )
    warnings.warn(
        f"{old}= is deprecated and will be removed in the next release; use {new}=",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
    return old_value
