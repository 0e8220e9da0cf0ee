"""passport-hub plugin: the Credential Engine Registry (CTDL JSON-LD) as the approved-credentials catalog."""

from __future__ import annotations
