"""The passport-hub conformance suite, run against the open_badges source."""

from passport_hub_open_badges.source import OpenBadgesSource

from passport_hub.testing import SourceConformance


class TestOpenBadgesConformance(SourceConformance):
    source = OpenBadgesSource
    plugin = "open_badges"
