"""Date parsing shared by every plugin: the formats issuers actually print.

``parse_date`` returns a ``date`` or raises ``ValueError`` with a readable message;
``impossible dates`` such as February 30 are errors, never silently moved.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTHS.update({"sept": 9, "june": 6, "july": 7})
_LONG = {
    "january": 1, "february": 2, "march": 3, "april": 4, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
}
_MONTHS.update(_LONG)

# also xs:date with a zone (``1995-01-01Z``, ``1995-01-01-05:00``) and xs:dateTime
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*|[Zz]|[+-]\d{2}:\d{2})?$")
_US = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$")
_DMY_NAMED = re.compile(r"^(\d{1,2})[- ]([A-Za-z]{3,9})[- ,]+(\d{2}|\d{4})$")
_MDY_NAMED = re.compile(r"^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$")
_YM = re.compile(r"^(\d{4})-(\d{2})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class ParsedDate:
    """A parsed date and whether its year was written with two digits (worth a warning)."""

    __slots__ = ("value", "two_digit_year")

    def __init__(self, value: date, two_digit_year: bool = False):
        self.value = value
        self.two_digit_year = two_digit_year


def _year(text: str, pivot: int | None) -> tuple[int, bool]:
    if len(text) == 4:
        return int(text), False
    year = int(text)
    if pivot is None:  # asked only here: date.today() costs as much as the rest of a parse
        pivot = date.today().year % 100
    # two-digit years: at or below the pivot are 20xx, above are 19xx
    return (2000 + year if year <= pivot else 1900 + year), True


def _month(name: str) -> int:
    month = _MONTHS.get(name.lower().rstrip("."))
    if month is None:
        raise ValueError(f"unknown month name {name!r}")
    return month


def parse_date_ex(text: str, *, pivot: int | None = None) -> ParsedDate:
    """Parse ``text`` in any supported format; see :func:`parse_date`."""
    raw = " ".join(str(text).replace("\u00a0", " ").split())
    if not raw:
        raise ValueError("empty date")
    try:
        if m := _ISO.match(raw):
            return ParsedDate(date(int(m[1]), int(m[2]), int(m[3])))
        if m := _COMPACT.match(raw):
            return ParsedDate(date(int(m[1]), int(m[2]), int(m[3])))
        if m := _US.match(raw):
            year, short = _year(m[3], pivot)
            return ParsedDate(date(year, int(m[1]), int(m[2])), short)
        if m := _DMY_NAMED.match(raw):
            year, short = _year(m[3], pivot)
            return ParsedDate(date(year, _month(m[2]), int(m[1])), short)
        if m := _MDY_NAMED.match(raw):
            return ParsedDate(date(int(m[3]), _month(m[1]), int(m[2])))
        if m := _YM.match(raw):
            return ParsedDate(date(int(m[1]), int(m[2]), 1))
    except ValueError as exc:
        raise ValueError(f"impossible date {raw!r}: {exc}") from None
    raise ValueError(f"unrecognized date {raw!r}")


def parse_date(text: str, *, pivot: int | None = None) -> date:
    """Parse a date written as ISO ``2024-05-31`` (optionally with a time or a zone),
    ``20240531``, US ``05/31/2024`` or ``5/31/24``, ``31-MAY-2024`` / ``31-May-24``,
    ``May 31, 2024``, or ``2024-05`` (first of the month).

    Two-digit years pivot on ``pivot`` (default: the current year's last two digits).

    :raises ValueError: unrecognized text or an impossible date (``02/30/2024``).
    """
    return parse_date_ex(text, pivot=pivot).value


def parse_date_or_none(text: str | None) -> date | None:
    """``parse_date`` that returns ``None`` for empty or unreadable text."""
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        return None


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 / xsd:dateTime timestamp, always timezone-aware: ``Z`` or an offset as given,
    no zone taken as UTC.

    :raises ValueError: not such a timestamp.
    """
    text = text.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # the offset kept: dates read from it


def as_utc(value: datetime) -> datetime:
    """The datetime in UTC: a naive one taken as UTC (what SQLite hands back for
    timezone-aware columns written in UTC), an aware one converted."""
    return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
