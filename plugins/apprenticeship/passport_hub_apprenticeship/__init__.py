"""passport-hub plugin: Registered Apprenticeship completions.

Sponsor completion rosters (CSV, JSON export) and the California DAS "Certificate of
Completion of Apprenticeship" PDF become ``kind: apprenticeship`` records; a verifier
makes the consistency checks that can honestly be made without a completion registry.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("passport-hub-apprenticeship")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.1.0"
