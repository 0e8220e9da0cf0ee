"""The hook contract between passport-hub and its plugins (API 1.x).

A plugin is a module registered in the ``passport_hub`` entry-point group. It
declares the contract range it supports and implements one or more hooks::

    from passport_hub import hookimpl

    PASSPORT_HUB_API = ">=1.0,<2"

    @hookimpl
    def passport_hub_register_sources(register):
        register(MyTranscriptSource)

A module without ``PASSPORT_HUB_API`` is assumed to support ``>=1.0,<2``; one whose
range excludes :data:`passport_hub.contract.API_VERSION` is marked ``incompatible``
and not registered. A module that defines a ``passport_hub_*`` function that is not
a hook below is marked ``failed`` (misspelt hooks fail loudly).

Hooks evolve only by adding hooks, or optional attributes on the objects passed in;
an existing hook's signature never changes.
"""

from __future__ import annotations

from collections.abc import Callable

import pluggy

PROJECT_NAME = "passport_hub"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


@hookspec
def passport_hub_register_sources(register: Callable[[type], None]) -> None:
    """Register the credential sources this plugin provides.

    Called once, when the plugin is loaded at startup (CLI command or service),
    before any document is read.

    :param register:
        Call ``register(SourceClass)`` once per source; ``SourceClass`` subclasses
        :class:`passport_hub.contract.CredentialSource`. The core checks the class,
        rejects a name another plugin already registered, and attributes the source
        to the plugin's distribution and version.

    The return value is ignored. Every plugin's implementation is called
    (collect-all); an implementation that raises marks its plugin ``failed``.

    .. versionadded:: 1.0
    """


@hookspec
def passport_hub_register_verifiers(register: Callable[[type], None]) -> None:
    """Register the verifiers this plugin provides.

    Called once, when the plugin is loaded at startup, after
    :func:`passport_hub_register_sources`.

    :param register:
        Call ``register(VerifierClass)`` once per verifier; ``VerifierClass``
        subclasses :class:`passport_hub.contract.Verifier`. For each record the core
        runs every registered verifier whose ``supports(record)`` is true and folds
        all their checks into one verification status.

    The return value is ignored. Every plugin's implementation is called
    (collect-all); an implementation that raises marks its plugin ``failed``.

    .. versionadded:: 1.0
    """
