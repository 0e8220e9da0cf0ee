"""The core's plugin conformance suite, run against the military_jst source."""

from __future__ import annotations

from passport_hub_military_jst.source import JointServicesTranscript

from passport_hub.testing import SourceConformance


class TestMilitaryJstConformance(SourceConformance):
    source = JointServicesTranscript
    plugin = "military_jst"
