"""The passport-hub conformance suite, run against the apprenticeship source."""

from passport_hub_apprenticeship.source import ApprenticeshipSource

from passport_hub.testing import SourceConformance


class TestApprenticeshipConformance(SourceConformance):
    source = ApprenticeshipSource
    plugin = "apprenticeship"
