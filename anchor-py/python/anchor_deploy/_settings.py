"""The shape of ``function_settings``: what ``deploy`` and ``create_project``
take. Every key is optional; a missing one takes SST's default (the server
1024 MB and 20 s, the image optimiser 1536 MB and 25 s, ``nodejs24.x``,
the architecture the build's native code needs, else arm64). The checks
are the core's: a bad value raises :class:`InvalidInputError` whose
``field`` is the key as written, such as
``function_settings.server.memory_mb``."""

from __future__ import annotations

from typing import Literal, TypedDict

__all__ = ["FunctionSettings", "SiteFunctionSettings"]


class FunctionSettings(TypedDict, total=False):
    """The settings of one function."""

    #: Memory in MB, 128 to 10240; Lambda gives CPU in proportion.
    memory_mb: int
    #: How long one invocation may run, 1 to 900 seconds.
    timeout_seconds: int
    #: ``"arm64"`` or ``"x86_64"``; one the build's native code (such as
    #: ``sharp``) cannot run on is refused before anything is published.
    architecture: Literal["arm64", "x86_64"]
    #: Lambda's runtime: ``nodejs18.x``, ``nodejs20.x``, ``nodejs22.x`` or
    #: ``nodejs24.x``.
    runtime: str


class SiteFunctionSettings(TypedDict, total=False):
    """The settings of a project's two functions."""

    #: The server function (pages, API routes, Server Actions).
    server: FunctionSettings
    #: The image optimiser (``/_next/image``).
    image: FunctionSettings
