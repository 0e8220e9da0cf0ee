"""Test support for passport-hub and for plugin authors.

``SourceConformance`` is the conformance suite; ``LoopbackIssuer`` and ``Reply``
script a real HTTP issuer on 127.0.0.1. The pytest plugin (fixtures ``hub_db_url``,
``hub_store``) is registered through the ``pytest11`` entry point.
"""

from .conformance import FetchingSourceConformance, SourceConformance
from .loopback import LoopbackIssuer, Reply

__all__ = ["FetchingSourceConformance", "LoopbackIssuer", "Reply", "SourceConformance"]
