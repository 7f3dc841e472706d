"""Shared fixtures: the real OpenNext builds of examples/nextjs-app.

scripts/test-python.sh builds them and sets ANCHOR_NEXTJS_BUILD (v1) and
ANCHOR_NEXTJS_BUILD_V2 (v2); without them the tests that deploy are skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _build(var: str) -> Path:
    value = os.environ.get(var)
    if not value:
        pytest.skip(f"{var} is not set (scripts/test-python.sh sets it)")
    path = Path(value)
    if not (path / "open-next.output.json").exists() and not path.is_dir():
        pytest.fail(f"{var}={value} is not an OpenNext build folder")
    return path


@pytest.fixture(scope="session")
def build_v1() -> Path:
    """The real OpenNext build of the example app, version 1."""
    return _build("ANCHOR_NEXTJS_BUILD")


@pytest.fixture(scope="session")
def build_v2() -> Path:
    """The same app changed, version 2."""
    return _build("ANCHOR_NEXTJS_BUILD_V2")


@pytest.fixture(scope="session")
def fixture_build() -> Path:
    """The tiny committed OpenNext build (anchor-core/tests/fixtures/open-next-min)."""
    path = Path(__file__).resolve().parents[2] / "anchor-core" / "tests" / "fixtures" / "open-next-min"
    if not (path / "open-next.output.json").exists():
        pytest.fail(f"the committed fixture is missing: {path}")
    return path
