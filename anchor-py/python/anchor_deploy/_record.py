"""The base of every record: conversion to and from the core's JSON."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable, ClassVar, Dict, Generic, Mapping, Optional, Tuple, Type, TypeVar


_R = TypeVar("_R", bound="_Record")
_T = TypeVar("_T")


def _parse_time(value: Optional[str]) -> Optional[datetime]:
    """Parses chrono's RFC 3339 output. Python 3.11's ``fromisoformat``
    reads it as it is (``Z``, nanoseconds truncated to microseconds), in C;
    3.9 and 3.10 refuse both, and the text is rewritten first."""
    if value is None:
        return None
    if _FROMISOFORMAT_READS_RFC3339:
        return datetime.fromisoformat(value)
    text = value.replace("Z", "+00:00").replace("z", "+00:00")
    text = re.sub(r"\.(\d{6})\d+", r".\1", text)
    text = re.sub(r"\.(\d{1,5})(?=[+-])", lambda m: "." + m.group(1).ljust(6, "0"), text)
    return datetime.fromisoformat(text)


#: Whether ``datetime.fromisoformat`` takes chrono's output unchanged.
_FROMISOFORMAT_READS_RFC3339 = sys.version_info >= (3, 11)


def _time(value: Any) -> datetime:
    parsed = _parse_time(value)
    if parsed is None:
        raise ValueError("a timestamp is required")
    return parsed


def _encode(value: Any) -> Any:
    if isinstance(value, _Record):
        return value.to_dict()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _opt(conv: Callable[[Any], _T]) -> Callable[[Any], Optional[_T]]:
    return lambda v: None if v is None else conv(v)


def _many(conv: Callable[[Any], _T]) -> Callable[[Any], Tuple[_T, ...]]:
    return lambda v: tuple(conv(x) for x in (v or ()))


class _Record:
    """Shared ``from_dict``/``to_dict``/``repr`` of the records."""

    #: Field name -> converter from its JSON value.
    _convert: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}
    #: Field name -> JSON key, where they differ (``from_`` -> ``from``).
    _keys: ClassVar[Mapping[str, str]] = {}
    #: Fields shown by ``repr``; all of them if empty.
    _shown: ClassVar[Tuple[str, ...]] = ()

    @classmethod
    def _plan(cls) -> Tuple[Tuple[str, str, Optional[Callable[[Any], Any]]], ...]:
        """Each field's name, JSON key and converter, worked out once per class
        (``dataclasses.fields`` is too slow to call for every record)."""
        plan = cls.__dict__.get("_plan_cache")
        if plan is None:
            plan = tuple(
                (f.name, cls._keys.get(f.name, f.name), cls._convert.get(f.name))
                for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            )
            setattr(cls, "_plan_cache", plan)
        return plan

    @classmethod
    def from_dict(cls: Type[_R], data: Mapping[str, Any]) -> _R:
        """Builds the record from the core's JSON object; extra keys are ignored."""
        fields = {}
        for name, key, conv in cls._plan():
            raw = data.get(key)
            fields[name] = conv(raw) if conv is not None else raw
        # What the generated __init__ of a frozen dataclass without defaults,
        # slots or __post_init__ does, without its object.__setattr__ per field.
        record = object.__new__(cls)
        record.__dict__.update(fields)
        return record

    @classmethod
    def from_json(cls: Type[_R], text: str) -> _R:
        """Builds the record from the core's JSON text."""
        return cls.from_dict(json.loads(text))

    def to_dict(self) -> Dict[str, Any]:
        """The record as a JSON-compatible dict, keyed like the core's JSON."""
        return {
            self._keys.get(f.name, f.name): _encode(getattr(self, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        }

    def __repr__(self) -> str:
        names = self._shown or tuple(f.name for f in dataclasses.fields(self))  # type: ignore[arg-type]
        shown = []
        for name in names:
            value = getattr(self, name)
            if isinstance(value, Enum):
                value = value.value
            elif isinstance(value, datetime):
                value = _encode(value)
            shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"
