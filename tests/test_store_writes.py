"""Writing a document's records: duplicates across batches dedupe, re-import stores nothing,
each holder gets its own copy; the same with the generic (ask-then-insert) path other
databases use."""

from __future__ import annotations

import pytest

from passport_hub import store as store_module
from passport_hub.contract import Document
from passport_hub.model import CredentialRecord


def _record(n: int, sha: str) -> CredentialRecord:
    return CredentialRecord.model_validate({
        "id": f"rec_{n:04d}",
        "issuer": {"name": "Issuer"},
        "achievement": {"kind": "course", "title": f"Course {n}"},
        "source": {"plugin": "toy", "plugin_version": "1", "format": "toy", "document_sha256": sha},
    })


def _write(store, document, holder, ids):
    with store.write_document(document, holder_id=holder, plugin="toy") as writer:
        for n in ids:
            writer.add(_record(n, document.sha256))
    return writer.result


@pytest.fixture(params=["on_conflict", "ask_then_insert"])
def write_path(request, monkeypatch):
    if request.param == "ask_then_insert":
        monkeypatch.setattr(store_module, "_insert_ignore", store_module._insert_missing)
    return request.param


def test_dedupes_across_batches_and_reimport_stores_nothing(hub_store, monkeypatch, write_path):
    monkeypatch.setattr(store_module, "BATCH_SIZE", 3)
    document = Document(b"toy document", name="toy.txt")
    ids = [1, 2, 3, 1, 4, 5, 2, 6]  # repeats land in later batches
    first = _write(hub_store, document, "fresh-holder", ids)
    assert (first.records_new, first.records_existing) == (6, 2)
    assert hub_store.record_count("fresh-holder") == 6
    again = _write(hub_store, document, "fresh-holder", ids)
    assert (again.records_new, again.records_existing) == (0, 8)
    assert hub_store.record_count("fresh-holder") == 6
    # another holder gets its own copy of the same ids
    other = _write(hub_store, document, "second-holder", ids[:3])
    assert other.records_new == 3 and hub_store.record_count() == 9
