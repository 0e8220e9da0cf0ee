"""Credit for prior learning (CPL): articulation rules and matching a holder's records to them.

See docs/cpl.md. ``import_articulations`` reads MAP's template or the hub format into the
store; ``cpl_for_holder`` gives the eligible college courses, near-misses, and ACE credit
not yet articulated at that college.
"""

from __future__ import annotations

import csv

from .matching import NOT_ARTICULATED, CplReport, cpl_for_holder, evaluate
from .repo import ArticulationRepo, ImportResult, NothingImportedError
from .rules import ArticulationSpec, Rule, parse_ace_id, read_hub, read_map_csv, sniff_format

FORMATS = ("map", "hub")


def import_articulations(store, data: bytes, *, college: str | None, format: str | None = None,
                         name: str = "articulations") -> ImportResult:
    """Read a MAP template or hub-format file and store its rules for ``college`` (one transaction).

    Rows that do not validate are skipped and listed in ``ImportResult.rejected`` (row, reason).
    A file from which no rule is stored (every row rejected, or no rows) raises
    :class:`NothingImportedError` (``malformed``, with ``rejected``) and writes nothing.
    A hub JSON file may name its college; ``college`` given here wins.
    """
    from ..errors import MalformedError

    try:
        fmt = format or sniff_format(data)
        if fmt == "map":
            parsed, named = read_map_csv(data, name), None
        elif fmt == "hub":
            parsed, named = read_hub(data, name)
        else:
            raise MalformedError(f"unknown articulation format {fmt!r} (use one of {', '.join(FORMATS)})")
    except csv.Error as exc:  # a field over the size limit, a bare carriage return in a field...
        raise MalformedError(f"{name}: not readable as CSV ({exc})") from None
    target = college or named
    if not target or not target.strip():
        raise MalformedError(f"{name}: name the college (--college NAME)")
    ArticulationRepo._college_key(target)  # a name that is no name is the first problem, rows or no rows
    if not parsed.rules:
        raise NothingImportedError(name, " ".join(target.split()), parsed.rejected)
    return ArticulationRepo(store).save(target, parsed.rules, format=fmt, rejected=parsed.rejected)


__all__ = [
    "FORMATS", "NOT_ARTICULATED", "ArticulationRepo", "ArticulationSpec", "CplReport", "ImportResult",
    "NothingImportedError", "Rule",
    "cpl_for_holder", "evaluate", "import_articulations", "parse_ace_id", "read_hub", "read_map_csv",
    "sniff_format",
]
