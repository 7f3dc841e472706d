"""Each parameter has one name across Rust, Python and Node; the old
Python keywords still work for one release, with a DeprecationWarning."""

from __future__ import annotations

from pathlib import Path

import pytest

from anchor_deploy import AnchorError, InvalidInputError, sync


def test_old_rollback_keywords_warn_and_still_mean_the_same(tmp_path: Path) -> None:
    anchor = sync.Anchor.local(tmp_path / "state")
    anchor.create_project("shop")
    # No deployment yet: the call fails in the core, after the keyword was
    # taken as its new name.
    with pytest.warns(DeprecationWarning, match="to_version="):
        with pytest.raises(AnchorError) as by_version:
            anchor.rollback("shop", version=1)
    with pytest.raises(AnchorError) as by_new_name:
        anchor.rollback("shop", to_version=1)
    assert by_version.value.code == by_new_name.value.code
    with pytest.warns(DeprecationWarning, match="to_deployment="):
        with pytest.raises(AnchorError):
            anchor.rollback("shop", to="dpl_01hzzzzzzzzzzzzzzzzzzzzzzz")


def test_an_old_and_a_new_keyword_together_are_refused(tmp_path: Path) -> None:
    anchor = sync.Anchor.local(tmp_path / "state")
    with pytest.raises(InvalidInputError) as both:
        anchor.rollback("shop", version=1, to_version=2)
    assert both.value.field == "to_version"


def test_serve_timeout_is_seconds_under_one_name(tmp_path: Path) -> None:
    anchor = sync.Anchor.local(tmp_path / "state")
    anchor.create_project("shop")
    with pytest.raises(InvalidInputError) as zero:
        anchor.serve("shop", request_timeout_seconds=0.0)
    assert zero.value.field == "request_timeout_seconds"
    with pytest.warns(DeprecationWarning, match="request_timeout_seconds="):
        with pytest.raises(InvalidInputError) as old:
            anchor.serve("shop", request_timeout=0.0)
    assert old.value.field == "request_timeout_seconds"


def test_the_local_certificate_method_has_one_name() -> None:
    from anchor_deploy import Anchor, _anchor

    assert hasattr(Anchor, "validate_local_certificate")
    assert hasattr(_anchor.Anchor, "validate_local_certificate")
    assert not hasattr(_anchor.Anchor, "local_validate_certificate")


def test_aws_takes_create_tables_and_hides_serialize_state_writes() -> None:
    import inspect

    from anchor_deploy import Anchor, _anchor

    for aws in (Anchor.aws, sync.Anchor.aws, _anchor.Anchor.aws):
        parameters = inspect.signature(aws).parameters
        assert "create_tables" in parameters, aws
        assert parameters["create_tables"].default is True
        assert "serialize_state_writes" not in parameters, aws
