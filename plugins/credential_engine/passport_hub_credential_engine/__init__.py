"""passport-hub plugin: the Credential Engine Registry (CTDL JSON-LD) as the approved-credentials catalog."""

from __future__ import annotations

__version__ = "0.1.0"
