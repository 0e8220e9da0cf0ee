"""passport-hub plugin: Registered Apprenticeship completions.

Sponsor completion rosters (CSV, JSON export) and the California DAS "Certificate of
Completion of Apprenticeship" PDF become ``kind: apprenticeship`` records; a verifier
makes the consistency checks that can honestly be made without a completion registry.
"""

from __future__ import annotations

from functools import cache

DISTRIBUTION = "passport-hub-apprenticeship"


@cache
def dist_version() -> str:
    """This distribution's version (looked up on first use: keeps plugin loading light)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.1.0"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return dist_version()
    raise AttributeError(name)
