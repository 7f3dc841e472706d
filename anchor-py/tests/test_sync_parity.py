"""``anchor_deploy.sync`` has the async API's methods, with the same
parameters: names, kinds, defaults and annotations. A method or parameter
added to one and not the other fails here."""

from __future__ import annotations

import inspect
from typing import Any, Dict, List, Tuple

import pytest

from anchor_deploy import _client, sync

#: The classes of each API, paired.
PAIRS = [
    (sync.Anchor, _client.Anchor),
    (sync.Domains, _client.Domains),
    (sync.LocalEdge, _client.LocalEdge),
    (sync.Rollouts, _client.Rollouts),
]

#: What only the sync API has, and why: `aio` hands out the async API.
SYNC_ONLY = {"Anchor": {"aio"}}


def _public(cls: type) -> Dict[str, Any]:
    return {name: inspect.getattr_static(cls, name) for name in dir(cls) if not name.startswith("_")}


def _parameters(cls: type, name: str) -> List[Tuple[str, Any, Any, Any]]:
    member = inspect.getattr_static(cls, name)
    if isinstance(member, property):
        return [("<property>", None, None, None)]
    signature = inspect.signature(getattr(cls, name))
    return [(p.name, p.kind, p.default, p.annotation) for p in signature.parameters.values()]


@pytest.mark.parametrize("sync_cls, async_cls", PAIRS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_the_same_methods(sync_cls: type, async_cls: type) -> None:
    extra = SYNC_ONLY.get(sync_cls.__name__, set())
    assert set(_public(sync_cls)) - extra == set(_public(async_cls))


@pytest.mark.parametrize("sync_cls, async_cls", PAIRS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_the_same_parameters(sync_cls: type, async_cls: type) -> None:
    for name in sorted(set(_public(sync_cls)) & set(_public(async_cls))):
        assert _parameters(sync_cls, name) == _parameters(async_cls, name), name


def test_every_async_method_is_a_coroutine_and_no_sync_one_is() -> None:
    for sync_cls, async_cls in PAIRS:
        for name in set(_public(async_cls)) - {"domains", "rollouts", "url", "deployment_url", "workers"}:
            assert inspect.iscoroutinefunction(getattr(async_cls, name)), f"{async_cls.__name__}.{name}"
            assert not inspect.iscoroutinefunction(getattr(sync_cls, name)), f"{sync_cls.__name__}.{name}"
