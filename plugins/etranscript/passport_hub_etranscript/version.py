"""The distribution version, stamped into every record's provenance."""

from __future__ import annotations

from importlib import metadata

try:
    VERSION = metadata.version("passport-hub-etranscript")
except metadata.PackageNotFoundError:  # running from a source tree
    VERSION = "0.1.0"
