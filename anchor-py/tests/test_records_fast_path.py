"""Records are built by filling ``__dict__`` (see ``_Record.from_dict``),
which is only what the dataclass ``__init__`` would do for classes without
defaults, ``__slots__`` or ``__post_init__``: this keeps it that way, and
checks the result behaves like a record made by the constructor."""

import dataclasses
import pickle
from datetime import datetime, timezone

import anchor_deploy.types as types
from anchor_deploy._record import _Record, _parse_time


def _record_classes():
    return [
        c
        for c in vars(types).values()
        if isinstance(c, type) and issubclass(c, _Record) and dataclasses.is_dataclass(c)
    ]


def test_every_record_class_can_be_filled_directly():
    classes = _record_classes()
    assert len(classes) > 10
    for c in classes:
        assert not hasattr(c, "__post_init__"), c
        assert "__slots__" not in c.__dict__, c
        for f in dataclasses.fields(c):
            assert f.default is dataclasses.MISSING, (c, f.name)
            assert f.default_factory is dataclasses.MISSING, (c, f.name)


def test_a_filled_record_equals_a_constructed_one():
    data = {"function": "f", "version": "3", "arn": "arn:f:3", "code_sha256": "x", "memory_mb": 1024}
    # The core's timeout_seconds is the record's timeout_seconds.
    filled = types.FunctionVersion.from_dict({**data, "timeout_seconds": 20, "architecture": None, "runtime": None})
    built = types.FunctionVersion(**data, timeout_seconds=20, architecture=None, runtime=None)
    assert filled.to_dict()["timeout_seconds"] == 20
    assert filled == built and hash(filled) == hash(built)
    assert pickle.loads(pickle.dumps(filled)) == built
    assert dataclasses.replace(filled, version="4").version == "4"
    try:
        filled.version = "5"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("records must stay frozen")


def test_times_parse_the_same_on_every_path():
    expected = datetime(2026, 11, 26, 19, 25, 46, 123456, tzinfo=timezone.utc)
    for text in ["2026-11-26T19:25:46.123456789Z", "2026-11-26T19:25:46.123456Z", "2026-11-26T19:25:46.123456+00:00"]:
        assert _parse_time(text) == expected, text
    assert _parse_time("2026-11-26T19:25:46Z") == expected.replace(microsecond=0)
    assert _parse_time(None) is None
