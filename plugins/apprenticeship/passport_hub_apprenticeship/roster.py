"""Reading completion rosters: CSV (BOM or not, comma or semicolon, CRLF or LF) and the JSON export.

Both readers return every row's :class:`RowOutcome` (duplicates already marked), or raise a
:mod:`passport_hub.errors` error when the document as a whole cannot be read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from passport_hub.contract import Document
from passport_hub.errors import MalformedError

from .normalize import COLUMNS, REQUIRED, RowOutcome, header_key, mark_duplicates, normalize_row

#: columns whose presence marks a roster (sniff)
_SIGNATURE = ("apprentice_name", "completion_date")


def _may_name_completion_date(text: str) -> bool:
    """False when no header in ``text`` can map to ``completion_date``: every spelling of it
    holds "complet", and :func:`header_key` only ever splits text apart (camelCase, punctuation),
    except where it drops a BOM or csv drops a quote. Keeps sniff cheap on foreign documents."""
    return "complet" in text.replace("\ufeff", "").replace('"', "").casefold()


# --- CSV -------------------------------------------------------------------------------------


def _decode(document: Document) -> str:
    try:
        return document.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedError(
            f"{document.name}: the roster is not UTF-8 text (byte {exc.start}); export it as CSV UTF-8"
        ) from None


def _first_line(text: str) -> str:
    return text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")


def _header_columns(line: str, delimiter: str) -> list[str]:
    try:
        return [header_key(h) for h in next(csv.reader([line], delimiter=delimiter))]
    except (csv.Error, StopIteration):
        return []


def _pick_delimiter(header_line: str) -> tuple[str, list[str]]:
    """The delimiter (``,`` or ``;``) under which the header names the most roster columns."""
    best = (",", _header_columns(header_line, ","))
    semi = _header_columns(header_line, ";")
    if sum(c in COLUMNS for c in semi) > sum(c in COLUMNS for c in best[1]):
        best = (";", semi)
    return best


def sniff_csv(document: Document) -> bool:
    if document.looks_like_json() or document.looks_like_pdf():
        return False
    try:
        head = document.head(8192).decode("utf-8-sig", errors="ignore")
    except Exception:  # pragma: no cover - decode with errors="ignore" does not raise
        return False
    line = _first_line(head)
    if not _may_name_completion_date(line):
        return False
    _, columns = _pick_delimiter(line)
    return all(c in columns for c in _SIGNATURE)


def read_csv(document: Document) -> list[RowOutcome]:
    text = _decode(document)
    delimiter, columns = _pick_delimiter(_first_line(text))
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise MalformedError(
            f"{document.name}: the roster header lacks the required column(s) {', '.join(missing)}"
        )
    dupes = sorted({c for c in columns if c and columns.count(c) > 1})
    if dupes:
        raise MalformedError(f"{document.name}: the roster header repeats the column(s) {', '.join(dupes)}")

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    outcomes: list[RowOutcome] = []
    memo: dict = {}
    try:
        next(reader)  # header
        row_number = 0
        last_line = reader.line_num
        for fields in reader:
            line = last_line + 1
            last_line = reader.line_num
            if not fields or all(not f.strip() for f in fields):
                continue  # blank line or spreadsheet padding: not a data row
            row_number += 1
            if len(fields) != len(columns):
                out = RowOutcome(row=row_number)
                out.reject("malformed_row:field_count")
            else:
                out = normalize_row(dict(zip(columns, fields, strict=True)), row_number, memo)
            out.line = line
            outcomes.append(out)
    except csv.Error as exc:
        raise MalformedError(
            f"{document.name}: line {reader.line_num}: the roster is not valid CSV ({exc})"
        ) from None
    if not outcomes:
        raise MalformedError(f"{document.name}: the roster has a header but no data rows")
    mark_duplicates(outcomes)
    return outcomes


# --- JSON export -------------------------------------------------------------------------------


def _records_of(doc: Any) -> list[Any] | None:
    if isinstance(doc, dict) and isinstance(doc.get("records"), list):
        return doc["records"]
    if isinstance(doc, list):
        return doc
    return None


def sniff_json(document: Document) -> bool:
    doc = document.try_json()
    records = _records_of(doc)
    if records is None:
        return False
    if isinstance(doc, dict) and doc.get("exportType") == "apprenticeship_completions":
        return True
    first = next((r for r in records if isinstance(r, dict)), None)
    if first is None or not any(_may_name_completion_date(k) for k in first):
        return False
    keys = {header_key(k) for k in first}
    return all(c in keys for c in _SIGNATURE)


class _BadValue(ValueError):
    pass


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        raise _BadValue
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    raise _BadValue


def read_json(document: Document) -> list[RowOutcome]:
    doc = document.json()
    records = _records_of(doc)
    if records is None:
        raise MalformedError(f"{document.name}: not a completion roster export (no 'records' array)")
    if isinstance(doc, dict) and "recordCount" in doc:
        count = doc["recordCount"]
        if not isinstance(count, int) or isinstance(count, bool) or count != len(records):
            raise MalformedError(
                f"{document.name}: recordCount says {count!r} but the export holds {len(records)} "
                "records (truncated or edited export)"
            )
    outcomes: list[RowOutcome] = []
    memo: dict = {}
    # the export's entries share their keys: each key is mapped to its column once
    key_columns: dict[str, str] = {}
    for index, item in enumerate(records):
        row = index + 1
        if not isinstance(item, Mapping):
            out = RowOutcome(row=row)
            out.reject("malformed_row:not_an_object")
        else:
            values: dict[str, str | None] = {}
            bad: list[str] = []
            for key, value in item.items():
                column = key_columns.get(key)
                if column is None:
                    column = key_columns[key] = header_key(str(key))
                if type(value) is str:  # the common case, without _as_text's checks
                    values[column] = value
                    continue
                try:
                    values[column] = _as_text(value)
                except _BadValue:
                    bad.append(f"malformed_row:{column}")
            if bad:
                out = RowOutcome(row=row)
                out.reject(*bad)
            else:
                out = normalize_row(values, row, memo)
        out.index = index
        outcomes.append(out)
    if not outcomes:
        raise MalformedError(f"{document.name}: the roster export holds no records")
    mark_duplicates(outcomes)
    return outcomes
