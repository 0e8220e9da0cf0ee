"""The shared date helpers, on the date and time forms the samples' issuers write."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from plugin_samples import plugin_sample

from passport_hub.dates import as_utc, parse_date, parse_datetime


def test_xs_date_with_a_zone_as_the_edexchange_transcript_writes_it():
    data = json.loads(plugin_sample(
        "etranscript", "pesc-edexchange-json_sacramento-city-college_unprefixed-root.json").read_bytes())
    written = data["CollegeTranscript"]["Student"]["Person"]["Birth"]["BirthDate"]
    assert written == "1995-01-01Z"
    assert parse_date(written) == date(1995, 1, 1)
    assert parse_date("1995-01-01-05:00") == date(1995, 1, 1)
    with pytest.raises(ValueError, match="impossible date"):
        parse_date("1995-02-30Z")


def test_timestamps_are_always_aware():
    data = json.loads(plugin_sample("open_badges", "ob3/ob30-simple.json").read_bytes())
    assert parse_datetime(data["validFrom"]) == datetime(2010, 1, 1, tzinfo=UTC)
    # a 7-digit fraction without a zone (EdExchange) is taken as UTC
    assert parse_datetime("2019-05-20T10:15:30.1234567") == datetime(2019, 5, 20, 10, 15, 30, 123456, tzinfo=UTC)
    east = timezone(timedelta(hours=5))
    in_east = parse_datetime("2024-05-31T10:00:00+05:00")
    assert in_east == datetime(2024, 5, 31, 10, tzinfo=east) and in_east.utcoffset() == timedelta(hours=5)
    assert as_utc(datetime(2024, 5, 31, 10)).tzinfo is UTC
    # an aware time in another zone is the same instant in UTC (PostgreSQL answers in its session's zone)
    converted = as_utc(in_east)
    assert (converted.tzinfo, converted.hour) == (UTC, 5)
    with pytest.raises(ValueError):
        parse_datetime("31 May")
