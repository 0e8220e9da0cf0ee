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


# -- the same credential from another document: which copy is kept ----------------------------

def _ingest(pipeline, plugin, name):
    from plugin_samples import plugin_sample

    path = plugin_sample(plugin, name)
    return pipeline.ingest(Document(path.read_bytes(), name=path.name), holder_id="jordan")


@pytest.fixture
def pipeline(hub_store):
    from passport_hub.config import Settings
    from passport_hub.loader import load_plugins
    from passport_hub.pipeline import Pipeline

    settings = Settings.from_env({})
    return Pipeline(load_plugins(settings), settings, hub_store)


@pytest.mark.parametrize("order", ["pdf_then_lookup", "lookup_then_pdf"])
def test_the_issuer_lookup_and_the_certificate_pdf_make_one_record_with_what_both_say(pipeline, hub_store, order):
    pdf, lookup = "certificate_full_0SYN0A1.pdf", "lookup_certnumber_single_valid.html"
    first, second = (pdf, lookup) if order == "pdf_then_lookup" else (lookup, pdf)
    assert _ingest(pipeline, "red_cross", first).new == 1
    later = _ingest(pipeline, "red_cross", second)
    assert (later.new, later.existing, later.updated) == (0, 0, 1)
    [record] = hub_store.records("jordan")
    # the lookup's "active" is kept whichever came first: the PDF's "unknown" says nothing
    assert record.status == "active" and record.expires_on.isoformat() == "2028-05-12"
    results = {r.name: r.value for r in record.results}
    assert results["aas_number"] == "AAS-SYN-0001" and results["instructor"] == "Pat Trainer"
    assert results["certificate_format"] == ("lookup" if second == lookup else "full")  # the later one's
    assert results["verify_url_as_printed"].endswith("certnumber=0SYN0A1")  # printed on the PDF only


def test_importing_both_documents_again_changes_nothing(pipeline, hub_store):
    """The PDF and the lookup, imported again (a folder re-imported): each was merged when it
    was new, so the record stays as the later of them made it instead of flipping between them."""
    pdf, lookup = "certificate_full_0SYN0A1.pdf", "lookup_certnumber_single_valid.html"
    assert _ingest(pipeline, "red_cross", pdf).new == 1
    assert _ingest(pipeline, "red_cross", lookup).updated == 1
    [merged] = hub_store.records("jordan")
    for name in (pdf, lookup, pdf):
        again = _ingest(pipeline, "red_cross", name)
        assert (again.new, again.existing, again.updated) == (0, 1, 0)
    [record] = hub_store.records("jordan")
    assert record == merged and record.source.locator == merged.source.locator
    assert {r.name: r.value for r in record.results}["certificate_format"] == "lookup"
    # deleted, the record comes back from the lookup; the PDF, imported long before this new
    # record existed, still adds what it prints (and then, imported again, nothing)
    assert hub_store.delete_records("jordan", [record.id]) == 1
    assert _ingest(pipeline, "red_cross", lookup).new == 1
    assert _ingest(pipeline, "red_cross", pdf).updated == 1
    assert _ingest(pipeline, "red_cross", pdf).updated == _ingest(pipeline, "red_cross", lookup).updated == 0
    [again] = hub_store.records("jordan")
    assert {r.name: r.value for r in again.results}["verify_url_as_printed"].endswith("certnumber=0SYN0A1")


def test_a_copy_that_adds_an_expiry_updates_the_record_and_the_same_copy_again_does_not(pipeline, hub_store):
    assert _ingest(pipeline, "open_badges", "ob3/ob30-simple.json").new == 1
    [before] = hub_store.records("jordan")
    assert before.expires_on is None
    expired = _ingest(pipeline, "open_badges", "ob3/ob30-simple-err-expired.json")
    assert (expired.new, expired.updated) == (0, 1)
    [after] = hub_store.records("jordan")
    assert after.id == before.id and after.expires_on.isoformat() == "2010-01-01"
    assert after.source.document_sha256 == expired.sha256
    assert _ingest(pipeline, "open_badges", "ob3/ob30-simple-err-expired.json").updated == 0
    # the same credential from another rendering adds nothing: not an update
    assert (_ingest(pipeline, "open_badges", "ob3/ob30-simple.json").existing,
            hub_store.records("jordan")[0].expires_on.isoformat()) == (1, "2010-01-01")


def test_an_update_takes_the_later_documents_provenance_whole_so_the_record_still_verifies(hub_env):
    """A badge first read inside a CLR, then from its own file: the record points at the later
    file, with that file's locator (none), not at the CLR's path inside the new file."""
    from plugin_samples import plugin_sample

    from passport_hub import Hub

    clr, badge = plugin_sample("open_badges", "clr/clr20-simple.json"), plugin_sample(
        "open_badges", "ob3/ob30-simple-err-expired.json")
    with Hub() as hub:
        [alone] = hub.import_paths(badge, holder="alone")
        alone_verdict = hub.verify(holder="alone")
        [first] = hub.import_paths(clr, holder="jordan")
        [later] = hub.import_paths(badge, holder="jordan")
        assert (first.new, later.updated) == (1, 1)
        [record] = hub.records("jordan")
        assert record.source.locator is None and record.source.document_sha256 == later.sha256
        assert record.source == hub.records("alone")[0].source
        assert [v.status for v in hub.verify(holder="jordan").values()] == [
            v.status for v in alone_verdict.values()] == ["expired"]


# -- a hub's own export, imported back -------------------------------------------------------

@pytest.mark.parametrize("signed", [False, True])
def test_a_holders_own_export_imported_back_adds_nothing_and_keeps_the_originals(pipeline, hub_store, signed):
    """The export names each record it was made from (``passportHub.recordId``): the holder who
    still has those records keeps them, with their own provenance; another holder gets copies."""
    import json

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from passport_hub.exports import export_records
    from passport_hub.exports.signing import Signer

    for plugin, name in (("etranscript", "pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml"),
                         ("red_cross", "certificate_full_0SYN0A1.pdf")):
        assert _ingest(pipeline, plugin, name).new > 0
    originals = hub_store.records("jordan")
    assert len(originals) == 26
    signer = None
    if signed:
        pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        signer = Signer.from_pem(pem, None)
    wallet = json.dumps(export_records(originals, "ob3", signer=signer)).encode()

    back = pipeline.ingest(Document(wallet, name="wallet.ob3.json"), holder_id="jordan")
    assert back.error is None and back.source == "open_badges", back.error
    assert (back.new, back.existing, back.updated) == (0, 26, 0)
    # what the import reports are the records the holder has, not copies that were not stored
    assert [r.id for r in back.items] == [r.id for r in originals]
    kept = hub_store.records("jordan")
    assert [(r.id, r.source.plugin, r.source.document_sha256) for r in kept] == [
        (r.id, r.source.plugin, r.source.document_sha256) for r in originals]

    elsewhere = pipeline.ingest(Document(wallet, name="wallet.ob3.json"), holder_id="sam")
    assert elsewhere.new == 26
    copies = hub_store.records("sam")
    assert {r.source.plugin for r in copies} == {"open_badges"}
    assert sorted(r.source.copy_of for r in copies) == sorted(r.id for r in originals)
    # the same records packed as a CLR are the same records: nothing new, nothing updated
    clr = export_records(originals, "clr", signer=signer)
    clr_doc = (clr if isinstance(clr, str) else json.dumps(clr)).encode()
    packed = pipeline.ingest(Document(clr_doc, name="wallet.clr.json"), holder_id="sam")
    assert packed.error is None and (packed.new, packed.existing, packed.updated) == (0, 26, 0), packed.error
    assert hub_store.records("sam") == copies
