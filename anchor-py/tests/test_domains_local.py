"""Custom domains at scale through the Python API on the embedded default:
tenant mode by default (each domain its own certificate and tenant, so a
pending name holds up no other), the domain limits as options (the
account's tenant quota, a certificate's names in alias mode) with the
core's typed errors, and an apex's ALIAS routing record."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from anchor_deploy import (
    Anchor,
    CdnStatus,
    CertificateStatus,
    DomainLimits,
    DomainMode,
    InvalidInputError,
    QuotaExceededError,
    sync,
)

PROJECT = "shop"
NAMES = ("www.example.com", "shop.example.org", "docs.example.net")


def test_tenant_mode_is_the_default_and_a_pending_domain_holds_up_no_other(tmp_path: Path) -> None:
    async def flow() -> None:
        anchor = await Anchor.local(tmp_path / "state")
        project = await anchor.create_project(PROJECT)
        assert project.infrastructure.domains is DomainMode.TENANTS
        domains = anchor.domains(PROJECT)
        pending, _, active = [await domains.add(name) for name in NAMES]
        # Each certificate names its domain alone.
        assert pending.certificate_names == (pending.name,)
        assert pending.tenant_id is None and pending.cdn_status is CdnStatus.PENDING

        assert active.certificate_id is not None
        await anchor.validate_local_certificate(active.certificate_id)
        active = await domains.refresh(active.name)
        assert active.certificate_status is CertificateStatus.ISSUED
        assert active.cdn_status is CdnStatus.ACTIVE
        assert active.tenant_id

        # The pending name is still pending, untouched by the other's attach.
        pending = await domains.refresh(pending.name)
        assert pending.certificate_status is CertificateStatus.PENDING_VALIDATION
        assert (pending.cdn_status, pending.tenant_id) == (CdnStatus.PENDING, None)
        listed = {d.name: d for d in await domains.list()}
        assert sorted(listed) == sorted(NAMES)
        assert listed[active.name].tenant_id == active.tenant_id

        # Removing the active one touches no other domain.
        await domains.remove(active.name)
        assert sorted(d.name for d in await domains.list()) == sorted(NAMES[:2])

    asyncio.run(flow())


def test_the_tenant_quota_refuses_the_third_tenant_and_changes_nothing(tmp_path: Path) -> None:
    async def flow() -> None:
        anchor = await Anchor.local(tmp_path / "state", domain_limits=DomainLimits(tenants_per_account=2))
        await anchor.create_project(PROJECT)
        domains = anchor.domains(PROJECT)
        # Adding takes no tenant: all three names are claimed.
        added = [await domains.add(name) for name in NAMES]
        for domain in added:
            assert domain.certificate_id is not None
            await anchor.validate_local_certificate(domain.certificate_id)
        for name in NAMES[:2]:
            assert (await domains.refresh(name)).cdn_status is CdnStatus.ACTIVE

        with pytest.raises(QuotaExceededError) as info:
            await domains.refresh(NAMES[2])
        err = info.value
        assert err.code == "ANCHOR_QUOTA_EXCEEDED"
        assert err.setting == "domain_limits.tenants_per_account"
        assert err.quota == "Distribution tenants per account (CloudFront)"
        assert err.limit == "2"
        third = {d.name: d for d in await domains.list()}[NAMES[2]]
        assert (third.cdn_status, third.tenant_id) == (CdnStatus.PENDING, None)

        # Freeing a tenant makes room.
        await domains.remove(NAMES[0])
        assert (await domains.refresh(NAMES[2])).cdn_status is CdnStatus.ACTIVE

    asyncio.run(flow())


def test_alias_mode_holds_a_project_to_the_names_one_certificate_takes(tmp_path: Path) -> None:
    # The sync API, a plain dict and the enum member are accepted alike.
    anchor = sync.Anchor.local(
        tmp_path / "state", domain_mode=DomainMode.ALIASES, domain_limits={"names_per_certificate": 2}
    )
    project = anchor.create_project(PROJECT)
    assert project.infrastructure.domains is DomainMode.ALIASES
    domains = anchor.domains(PROJECT)
    first, second = domains.add(NAMES[0]), domains.add(NAMES[1])
    assert (first.tenant_id, second.tenant_id) == (None, None)
    # In alias mode a new certificate names the project's other domains too.
    assert set(second.certificate_names) == {NAMES[0], NAMES[1]}
    with pytest.raises(QuotaExceededError) as info:
        domains.add(NAMES[2])
    assert info.value.setting == "domain_limits.names_per_certificate"
    assert info.value.quota == "Domain names per ACM certificate (ACM)"
    assert info.value.limit == "2"
    assert [d.name for d in domains.list()] == list(NAMES[:2])


@pytest.mark.parametrize(
    "options, field",
    [
        ({"domain_limits": {"tenants_per_account": 0}}, "domain_limits.tenants_per_account"),
        ({"domain_limits": {"names_per_certificate": 0}}, "domain_limits.names_per_certificate"),
        ({"domain_limits": {"names_per_certificate": 101}}, "domain_limits.names_per_certificate"),
        ({"domain_limits": {"aliases_per_distribution": 0}}, "domain_limits.aliases_per_distribution"),
        ({"domain_limits": {"tenants_per_account": -1}}, "domain_limits.tenants_per_account"),
        ({"domain_limits": {"tenants_per_account": "2"}}, "domain_limits.tenants_per_account"),
        ({"domain_limits": {"tenants_per_account": True}}, "domain_limits.tenants_per_account"),
        ({"domain_limits": {"tenants": 2}}, "domain_limits.tenants"),
        ({"domain_limits": 5}, "domain_limits"),
        ({"domain_mode": "cnames"}, "domain_mode"),
        ({"domain_mode": 1}, "domain_mode"),
    ],
)
def test_a_bad_limit_or_mode_is_refused_naming_it_before_anything_is_opened(
    tmp_path: Path, options: Any, field: str
) -> None:
    state = tmp_path / "state"
    with pytest.raises(InvalidInputError) as info:
        sync.Anchor.local(state, **options)
    assert info.value.field == field
    assert not state.exists()

    async def flow() -> None:
        with pytest.raises(InvalidInputError) as again:
            await Anchor.local(state, **options)
        assert again.value.field == field

    asyncio.run(flow())


def test_every_key_of_domain_limits_is_a_limit_the_core_checks(tmp_path: Path) -> None:
    # The TypedDict, the binding and the core name the same limits: each
    # key at 0 is refused by the core's check, naming that key.
    keys = sorted(DomainLimits.__annotations__)
    assert keys == ["aliases_per_distribution", "names_per_certificate", "tenants_per_account"]
    for key in keys:
        with pytest.raises(InvalidInputError) as info:
            sync.Anchor.local(tmp_path / key, domain_limits={key: 0})  # type: ignore[arg-type]
        assert (info.value.field, info.value.reason) == (f"domain_limits.{key}", "must be at least 1")


def test_aws_refuses_a_bad_limit_before_connecting() -> None:
    # Nothing listens on port 9: a limit checked only after connecting
    # would fail differently.
    options = {"region": "us-east-1", "endpoint_url": "http://127.0.0.1:9", "max_attempts": 1}
    with pytest.raises(InvalidInputError) as info:
        sync.Anchor.aws("bucket", **options, domain_limits={"names_per_certificate": 101})  # type: ignore[arg-type]
    assert info.value.field == "domain_limits.names_per_certificate"

    async def flow() -> None:
        with pytest.raises(InvalidInputError) as again:
            await Anchor.aws("bucket", **options, domain_limits=DomainLimits(tenants_per_account=0))  # type: ignore[arg-type]
        assert again.value.field == "domain_limits.tenants_per_account"

    asyncio.run(flow())


def test_an_apex_gets_an_alias_record_and_a_subdomain_a_cname(tmp_path: Path) -> None:
    anchor = sync.Anchor.local(tmp_path / "state")
    project = anchor.create_project(PROJECT)
    target = f"{project.infrastructure.distribution_domain}."
    apex = anchor.domains(PROJECT).add("example.com")
    assert (apex.routing_record.name, apex.routing_record.record_type) == ("example.com.", "ALIAS")
    assert apex.routing_record.value == target
    sub = anchor.domains(PROJECT).add("www.example.com")
    assert (sub.routing_record.record_type, sub.routing_record.value) == ("CNAME", target)
