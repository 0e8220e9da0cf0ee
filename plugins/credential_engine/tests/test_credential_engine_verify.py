"""credential_engine verifier: `registry_listed` passed / failed / not_checked against a catalog."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import passport_hub_credential_engine
import pytest
from passport_hub_credential_engine.source import CredentialEngineSource
from passport_hub_credential_engine.verifier import CredentialEngineVerifier

from passport_hub.contract import Document, VerifyContext
from passport_hub.matching import catalog_match_key
from passport_hub.model import Achievement, CatalogEntry, CredentialRecord, Identifier, Issuer, Source

SAMPLES = Path(passport_hub_credential_engine.__file__).parent / "samples"
MBA = "ce-6977cef9-298a-4f1e-bdac-d66509887ebf"
CAPELLA = "ce-53bc7e5d-d39c-4687-ac89-0474f691055d"
CAPELLA_ORG = "ce-8ddbf031-bad6-4b19-b726-066d5f71ad01"


class MemoryCatalog:
    """A tiny CatalogLookup over parsed entries, keyed as the core's store keys them."""

    def __init__(self, entries: list[CatalogEntry]):
        self.ctids = {e.achievement.ctid: e for e in entries}
        self.titles = {catalog_match_key(e.issuer.name, e.achievement.title): e for e in entries}
        self.lookups: list[tuple] = []

    def is_empty(self) -> bool:
        return not self.ctids

    def by_ctid(self, ctid: str) -> CatalogEntry | None:
        self.lookups.append(("ctid", ctid))
        return self.ctids.get(ctid.strip().lower())

    def by_issuer_title(self, issuer: str, title: str) -> CatalogEntry | None:
        self.lookups.append(("title", issuer, title))
        return self.titles.get(catalog_match_key(issuer, title))


class BrokenCatalog(MemoryCatalog):
    def by_ctid(self, ctid):
        raise OSError("database is locked")


def parse_data(data, name="x.json") -> list[CatalogEntry]:
    return list(CredentialEngineSource().parse(Document(data=json.dumps(data).encode(), name=name)))


def sample_entries() -> list[CatalogEntry]:
    source = CredentialEngineSource()
    entries = []
    for path in sorted(SAMPLES.glob("*.json")):
        if path.name.startswith("capella"):
            continue
        entries.extend(source.parse(Document(data=path.read_bytes(), name=path.name)))
    # Capella with its owner organization in the graph, so the entry carries the owner's name
    graph = json.loads((SAMPLES / "capella_mba_selfdesigned_masterdegree.graph.json").read_text())
    graph["@graph"].append({
        "@id": f"https://credentialengineregistry.org/resources/{CAPELLA_ORG}",
        "@type": "ceterms:CredentialOrganization",
        "ceterms:ctid": CAPELLA_ORG,
        "ceterms:name": {"en": "Capella University"},
    })
    entries.extend(parse_data(graph))
    return entries


def with_status(ctid: str, *, status_term: str | None = None, lifecycle: str | None = None,
                sandbox: bool = False) -> list[CatalogEntry]:
    node = json.loads((SAMPLES / "wgu_mba_masterdegree.resource.json").read_text())
    assert node["ceterms:ctid"] == ctid
    node.pop("ceterms:credentialStatusType")
    if status_term:
        node["ceterms:credentialStatusType"] = {"@type": "ceterms:CredentialAlignmentObject",
                                                "ceterms:targetNode": status_term}
    if lifecycle:
        node["ceterms:lifeCycleStatusType"] = {"@type": "ceterms:CredentialAlignmentObject",
                                               "ceterms:targetNode": lifecycle}
    if sandbox:
        node["@id"] = node["@id"].replace("//credentialengineregistry", "//sandbox.credentialengineregistry")
    return parse_data(node)


def record(title: str, issuer: str, ctid: str | None = None, ctid_identifier: str | None = None) -> CredentialRecord:
    identifiers = [Identifier(scheme="ctid", value=ctid_identifier)] if ctid_identifier else []
    return CredentialRecord(
        id="rec_test",
        issuer=Issuer(name=issuer),
        achievement=Achievement(kind="degree", title=title, ctid=ctid, identifiers=identifiers),
        source=Source(plugin="test", plugin_version="0", format="test", document_sha256="0" * 64),
    )


def verify(rec: CredentialRecord, catalog) -> tuple[str, str]:
    context = VerifyContext(http=None, catalog=catalog, now=datetime(2025, 6, 1, tzinfo=UTC))
    checks = asyncio.run(CredentialEngineVerifier().verify(rec, context))
    assert [c.name for c in checks] == ["registry_listed"]
    return checks[0].status, checks[0].detail


@pytest.fixture(scope="module")
def catalog() -> MemoryCatalog:
    entries = sample_entries()
    assert len(entries) == 8
    return MemoryCatalog(entries)


def test_listed_by_ctid_passes_with_the_matched_ctid(catalog):
    # a holder's record carrying the CTID in upper case
    status, detail = verify(record("MBA", "Western Governors University", ctid=MBA.upper()), catalog)
    assert status == "passed"
    assert MBA in detail and "Master of Business Administration (MBA_201404)" in detail and "by CTID" in detail
    assert ("ctid", MBA) in catalog.lookups


def test_ctid_among_identifiers_counts(catalog):
    status, detail = verify(record("Cybersecurity", "Example University",
                                   ctid_identifier="ce-8669d5c6-566b-4409-9fff-f09753605d13"), catalog)
    assert status == "passed"
    assert "ce-8669d5c6-566b-4409-9fff-f09753605d13" in detail


def test_listed_by_issuer_and_title_normalized(catalog):
    rec = record("master of business administration (MBA) — self designed", "  CAPELLA  university ")
    status, detail = verify(rec, catalog)
    assert status == "passed"
    assert CAPELLA in detail and "by issuer and title" in detail


def test_absent_credential_fails(catalog):
    status, detail = verify(record("Bachelor of Arts, Underwater Basket Weaving", "Nowhere College"), catalog)
    assert status == "failed"
    assert "Underwater Basket Weaving" in detail and "Nowhere College" in detail
    missing = "ce-11111111-2222-3333-4444-555555555555"
    status, detail = verify(record("Unknown", "Nowhere College", ctid=missing), catalog)
    assert status == "failed"
    assert missing in detail


def test_unknown_ctid_falls_back_to_issuer_and_title(catalog):
    # a significantly changed credential gets a new CTID; issuer + title still find the listed one
    rec = record("Master of Business Administration (MBA) - self-designed", "Capella University",
                 ctid="ce-11111111-2222-3333-4444-555555555555")
    status, detail = verify(rec, catalog)
    assert status == "passed"
    assert CAPELLA in detail and "ce-11111111-2222-3333-4444-555555555555 is not in the catalog" in detail


@pytest.mark.parametrize(
    ("status_term", "lifecycle", "expected", "words"),
    [
        ("credentialStat:Deprecated", None, "failed", "deprecated"),
        ("credentialStat:Superseded", None, "failed", "deprecated"),
        ("credentialStat:Suspended", None, "failed", "suspended"),
        (None, "lifeCycle:Ceased", "failed", "ceased"),
        (None, "lifeCycle:Developing", "failed", "development"),
        ("credentialStat:Active", "lifecycle:Suspended", "failed", "suspended"),
        ("credentialStat:Probationary", None, "passed", "probationary"),
        (None, "lifeCycle:Active", "passed", "active"),
        (None, None, "not_checked", "no status"),
    ],
)
def test_registry_status_decides(status_term, lifecycle, expected, words):
    entries = with_status(MBA, status_term=status_term, lifecycle=lifecycle)
    status, detail = verify(record("MBA", "WGU", ctid=MBA), MemoryCatalog(entries))
    assert status == expected
    assert words in detail and MBA in detail


def test_sandbox_entry_never_marks_a_credential_listed():
    entries = with_status(MBA, status_term="credentialStat:Active", sandbox=True)
    status, detail = verify(record("MBA", "WGU", ctid=MBA), MemoryCatalog(entries))
    assert status == "failed"
    assert "sandbox" in detail


def test_empty_missing_or_broken_catalog_is_not_checked(catalog):
    rec = record("MBA", "WGU", ctid=MBA)
    assert verify(rec, MemoryCatalog([]))[0] == "not_checked"
    assert verify(rec, None)[0] == "not_checked"
    status, detail = verify(rec, BrokenCatalog(sample_entries()))
    assert status == "not_checked"
    assert "could not be read" in detail


def test_supports_every_record():
    assert CredentialEngineVerifier().supports(record("Anything", "Anyone"))


def test_with_the_core_store_catalog(hub_store):
    """The real CatalogLookup: entries stored by the core's pipeline, looked up by the verifier."""
    from passport_hub.config import Settings
    from passport_hub.loader import load_plugins
    from passport_hub.pipeline import Pipeline

    settings = Settings(load_plugins=["credential_engine"])
    pipeline = Pipeline(load_plugins(settings), settings, hub_store)
    catalog = hub_store.catalog()
    assert verify(record("MBA", "WGU", ctid=MBA), catalog)[0] == "not_checked"  # nothing imported yet
    outcomes = pipeline.ingest_paths(sorted(SAMPLES.glob("*.json")))
    assert [o.error for o in outcomes] == [None] * 8
    assert sum(o.new for o in outcomes) == 8
    again = pipeline.ingest_paths(sorted(SAMPLES.glob("*.json")))  # re-import changes nothing
    assert sum(o.new for o in again) == 0
    status, detail = verify(record("MBA", "WGU", ctid=MBA.upper()), catalog)
    assert status == "passed" and MBA in detail
    assert verify(record("MBA", "WGU", ctid="ce-11111111-2222-3333-4444-555555555555"), catalog)[0] == "failed"
    # issuer + title through the store's own normalization (the issuer is the owner's registry URI here)
    rec = record("triple certification (A+/N+ MCTS & CCNA)",
                 "https://credentialengineregistry.org/resources/ce-b024f8c0-964c-4113-8094-0e6b82b623b5")
    status, detail = verify(rec, catalog)
    assert status == "passed" and "ce-f4ddd65d-f565-4537-a105-04523357f54d" in detail
