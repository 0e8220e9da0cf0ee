"""The etranscript verifier: honest checks only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from etranscript_helpers import load, parse
from passport_hub_etranscript.verifier import EtranscriptVerifier

from passport_hub.contract import VerifyContext

VENTURA = "ccctc-ventura-college_moxy-json_ColTrn-v1.6.0_cccude.json"
EDEX = "pesc-edexchange-json_sacramento-city-college_unprefixed-root.json"


def _verify(record, document: bytes | None):
    context = VerifyContext(http=None, catalog=None, now=datetime(2025, 1, 1, tzinfo=UTC), document=document)
    return {c.name: c for c in asyncio.run(EtranscriptVerifier().verify(record, context))}


def test_ventura_record_passes_what_can_be_checked():
    record = parse(VENTURA)[0]
    verifier = EtranscriptVerifier()
    assert verifier.supports(record)
    checks = _verify(record, load(VENTURA).data)
    assert checks["identifiers_well_formed"].status == "passed"
    assert "fice 001334" in checks["identifiers_well_formed"].detail
    assert checks["document_unchanged"].status == "passed"
    assert checks["issuer_confirms"].status == "not_checked"
    assert "no public" in checks["issuer_confirms"].detail


def test_changed_or_missing_document():
    record = parse(VENTURA)[0]
    changed = load(VENTURA).data.replace(b"Janet", b"Jenny")
    assert _verify(record, changed)["document_unchanged"].status == "failed"
    missing = _verify(record, None)["document_unchanged"]
    assert missing.status == "not_checked" and "not kept" in missing.detail


def test_issuer_without_checkable_ids_is_not_checked():
    records = parse(EDEX)
    # the course records are issued by Sacramento City College (FICE 001233): well formed
    assert _verify(records[0], None)["identifiers_well_formed"].status == "passed"
    # the JSON-LD draft's source is known only by a URI: nothing to check, which is not a failure
    ld = parse("pesc-jsonld-transcript_minimal.json")[0]
    assert _verify(ld, None)["identifiers_well_formed"].status == "not_checked"


def test_bad_identifier_shapes_are_reported():
    from passport_hub.model import Identifier, Issuer

    record = parse(EDEX)[0]
    bad = record.model_copy(update={"issuer": Issuer(name="zz Test Integration College", identifiers=[
        Identifier(scheme="atp", value="TSINTC"), Identifier(scheme="fice", value="000000"),
        Identifier(scheme="mutually_defined", value="21943790")])})
    check = _verify(bad, None)["identifiers_well_formed"]
    assert check.status == "failed"
    assert "atp 'TSINTC' is not 6 digits" in check.detail and "fice '000000' is a placeholder" in check.detail


def test_supports_only_its_own_records():
    record = parse(VENTURA)[0]
    other = record.model_copy(update={"source": record.source.model_copy(update={"plugin": "open_badges"})})
    assert not EtranscriptVerifier().supports(other)
