"""Shared helpers for the apprenticeship plugin's tests (a uniquely named module, not a conftest)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from passport_hub.contract import Document

DATA = Path(__file__).parent / "data"
SAMPLES = Path(__file__).parent.parent / "passport_hub_apprenticeship" / "samples"
ROSTER_CSV = SAMPLES / "completion_roster.csv"
ROSTER_JSON = SAMPLES / "completion_roster_export.json"
CERT_PDF = SAMPLES / "das_certificate_of_completion_morgan_demo.pdf"


def load_expected(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def doc(path: Path, data: bytes | None = None, name: str | None = None) -> Document:
    return Document(data=path.read_bytes() if data is None else data, name=name or path.name)


def csv_bytes() -> bytes:
    return ROSTER_CSV.read_bytes()


def with_bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def with_crlf(data: bytes) -> bytes:
    assert b"\r\n" not in data
    return data.replace(b"\n", b"\r\n")


def redelimit(data: bytes, delimiter: str, quoting: int = csv.QUOTE_MINIMAL) -> bytes:
    """The same rows written again with another delimiter / quoting (values unchanged)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def csv_text_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def write_rows(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")
