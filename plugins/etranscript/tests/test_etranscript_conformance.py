"""The passport-hub conformance suite, run against the etranscript source."""

from passport_hub_etranscript.source import EtranscriptSource

from passport_hub.testing import SourceConformance


class TestEtranscriptConformance(SourceConformance):
    source = EtranscriptSource
    plugin = "etranscript"
