"""Shared helpers for the etranscript tests (imported by the test modules; not a test file)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from passport_hub_etranscript.source import EtranscriptSource

from passport_hub.contract import Document

# the samples ship with the package (passport-hub demo, conformance); provenance in their PROVENANCE.md
DATA = Path(__file__).parent.parent / "passport_hub_etranscript" / "samples"


def load(name: str) -> Document:
    return Document((DATA / name).read_bytes(), name=name)


def parse(name: str) -> list:
    return list(EtranscriptSource().parse(load(name)))


def results(record) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for item in record.results:
        out[item.name].append(item.value)
    return out


def course(records, code: str, term: str | None = None):
    found = [r for r in records if r.achievement.kind == "course"
             and any(i.scheme == "course_code" and i.value == code for i in r.achievement.identifiers)
             and (term is None or results(r).get("term") == [term])]
    assert len(found) == 1, f"{code} {term}: {len(found)} matches"
    return found[0]


def courses(records) -> list:
    return [r for r in records if r.achievement.kind == "course"]


def awards(records) -> list:
    return [r for r in records if r.achievement.kind != "course"]
