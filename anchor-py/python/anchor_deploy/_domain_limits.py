"""The shape of ``domain_limits``: what :meth:`Anchor.local` and
:meth:`Anchor.aws` take. The quotas custom domains are held to; every key
is optional, and a missing one takes AWS's default quota. Raise a key only
after raising the quota it names in Service Quotas (AWS enforces its own
whatever Anchor counts); lower it for tests or to keep projects small.

The checks are the core's: a value below 1 (or more than 100 names per
certificate) raises :class:`InvalidInputError` whose ``field`` is the key
as written, such as ``domain_limits.tenants_per_account``. Past a limit,
the call that would pass it raises :class:`QuotaExceededError` naming the
quota and the key (its ``setting``), and changes nothing."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["DomainLimits"]


class DomainLimits(TypedDict, total=False):
    """The quotas custom domains are held to; ``DomainLimits(...)`` or a
    plain dict with these keys."""

    #: Distribution tenants the account may hold ("Distribution tenants per
    #: account", CloudFront): 10000 by default. In tenant mode each custom
    #: domain is one tenant, created when its certificate is issued.
    tenants_per_account: int
    #: Names on one certificate ("Domain names per ACM certificate", ACM):
    #: 10 by default, at most 100. In alias mode a project's newest
    #: certificate names all of its domains, so this bounds them.
    names_per_certificate: int
    #: Alternate domain names on one distribution ("Alternate domain names
    #: (CNAMEs) per distribution", CloudFront): 100 by default. Bounds a
    #: project's domains in alias mode.
    aliases_per_distribution: int
