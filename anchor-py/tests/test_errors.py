"""Every core error code maps to its own class, with its fields; real
failures arrive as those classes."""

from __future__ import annotations

import asyncio
import pickle
from pathlib import Path

import pytest

import anchor_deploy
from anchor_deploy import AnchorError, InvalidInputError, NotFoundError, _anchor
from anchor_deploy.exceptions import error_class

# The core's table: every code and the fields of its sample. Nothing in
# these tests or in the package repeats it.
FIELDS = _anchor.ERROR_FIELDS


def test_every_code_has_a_class_with_the_cores_fields() -> None:
    assert sorted(FIELDS) == sorted(_anchor.ERROR_CODES)
    for code in _anchor.ERROR_CODES:
        cls = error_class(code)
        assert cls is not AnchorError, f"{code} has no class in anchor_deploy.exceptions"
        assert cls.CODE == code
        assert cls.FIELDS == FIELDS[code], f"{cls.__name__} fields differ from the core's"


def test_a_code_without_a_class_would_be_caught() -> None:
    # What the test above relies on: a code the module has no class for
    # comes back as the base class.
    assert error_class("ANCHOR_SOMETHING_NEW") is AnchorError


@pytest.mark.parametrize("code", sorted(FIELDS))
def test_each_code_raises_its_own_class(code: str) -> None:
    with pytest.raises(AnchorError) as info:
        _anchor._raise_core_error(code)
    err = info.value
    cls = error_class(code)
    assert cls is not AnchorError and type(err) is cls
    assert err.code == code == cls.CODE
    assert str(err)
    for name in FIELDS[code]:
        assert getattr(err, name) is not None, f"{code} lacks {name}"
    assert set(err.fields) >= set(FIELDS[code])
    assert cls.__name__ in anchor_deploy.__all__
    # Exceptions survive pickling (multiprocessing).
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is cls and again.fields == err.fields and again.code == code


def test_classes_are_distinct() -> None:
    classes = [error_class(c) for c in _anchor.ERROR_CODES]
    assert len(set(classes)) == len(classes)
    assert all(issubclass(c, AnchorError) for c in classes)


def test_unknown_code_is_the_base_class() -> None:
    assert error_class("ANCHOR_FORKED") is AnchorError
    err = AnchorError("boom", code="ANCHOR_FORKED")
    assert err.code == "ANCHOR_FORKED" and err.fields == {}


def test_bad_project_name(tmp_path: Path) -> None:
    async def flow() -> None:
        anchor = await anchor_deploy.Anchor.local(tmp_path)
        with pytest.raises(InvalidInputError) as info:
            await anchor.create_project("Not A Name")
        assert info.value.field == "project" and info.value.code == "ANCHOR_INVALID_INPUT"
        assert isinstance(info.value, ValueError)

    asyncio.run(flow())


def test_unknown_deployment(tmp_path: Path) -> None:
    async def flow() -> None:
        anchor = await anchor_deploy.Anchor.local(tmp_path)
        await anchor.create_project("shop")
        with pytest.raises(NotFoundError) as info:
            await anchor.deployment("shop", "dpl_01hzzzzzzzzzzzzzzzzzzzzzzz")
        assert info.value.kind == "deployment"
        assert info.value.id == "dpl_01hzzzzzzzzzzzzzzzzzzzzzzz"
        with pytest.raises(NotFoundError) as project:
            await anchor.project("nobody")
        assert project.value.kind == "project"

    asyncio.run(flow())


def test_cause_is_kept(tmp_path: Path) -> None:
    # A file where the state folder should be: the I/O error's source is
    # chained as __cause__ when the native side has one.
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(AnchorError) as info:
        anchor_deploy.sync.Anchor.local(str(blocker / "state"))
    err = info.value
    assert err.code in ("ANCHOR_IO", "ANCHOR_SERVICE")
    assert err.__cause__ is not None
    assert str(err.__cause__)


@pytest.mark.parametrize("code", ["ANCHOR_SERVICE", "ANCHOR_IO"])
def test_cause_of_raised_variants(code: str) -> None:
    # Variants with a Rust source carry it as __cause__ when present;
    # when present it must be an exception, never a bare string.
    with pytest.raises(AnchorError) as info:
        _anchor._raise_core_error(code)
    cause = info.value.__cause__
    assert cause is None or isinstance(cause, BaseException)


def test_panic_is_an_anchor_error() -> None:
    # A panic in Rust must not cross as pyo3's PanicException (a BaseException).
    async def flow() -> None:
        await _anchor._panic_in_future()

    with pytest.raises(AnchorError) as info:
        asyncio.run(flow())
    assert type(info.value) is anchor_deploy.InternalError and info.value.code == "ANCHOR_INTERNAL"
