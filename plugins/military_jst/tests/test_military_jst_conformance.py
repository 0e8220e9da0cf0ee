"""The core's plugin conformance suite, run against the military_jst source."""

from __future__ import annotations

from pathlib import Path

from passport_hub_military_jst.source import JointServicesTranscript

from passport_hub.testing.conformance import SourceConformance

DATA = Path(__file__).parent / "data"


class TestMilitaryJstConformance(SourceConformance):
    source = JointServicesTranscript
    plugin = "military_jst"
    samples = sorted(DATA.glob("*.pdf"))
