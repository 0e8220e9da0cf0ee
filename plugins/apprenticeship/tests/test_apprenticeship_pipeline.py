"""End to end through the core: loader, pipeline, store and CLI with the installed plugin."""

from __future__ import annotations

import json

import pytest
from apprenticeship_testdata import CERT_PDF, ROSTER_CSV, ROSTER_JSON, csv_bytes, doc
from click.testing import CliRunner
from sqlalchemy import func, select

from passport_hub.cli import main
from passport_hub.config import Settings
from passport_hub.contract import Document
from passport_hub.loader import load_plugins
from passport_hub.pipeline import Pipeline
from passport_hub.store.tables import DocumentRow, RecordRow

REJECTED_ROW_9 = {"row": 9, "reason": "missing_required:completion_date"}


@pytest.fixture
def registry():
    return load_plugins(Settings(load_plugins=["apprenticeship"], strict_plugins=True))


@pytest.fixture
def pipeline(registry, hub_store):
    return Pipeline(registry, Settings(load_plugins=["apprenticeship"]), hub_store)


def count(store, table):
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_plugin_registers_through_its_entry_point(registry):
    [info] = [p for p in registry.plugins if p.name == "apprenticeship"]
    assert (info.status, info.distribution) == ("loaded", "passport-hub-apprenticeship")
    assert "apprenticeship" in registry.sources and "apprenticeship" in registry.verifiers


def test_roster_with_a_bad_row_imports_the_good_rows_and_reports_the_bad_one(pipeline, hub_store):
    outcome = pipeline.ingest(doc(ROSTER_CSV))
    assert outcome.ok and outcome.source == "apprenticeship"
    assert (outcome.new, outcome.existing) == (8, 0)
    assert outcome.rejected == [{**REJECTED_ROW_9, "line": 10, "document": "completion_roster.csv"}]
    names = sorted(r.holder.name for r in hub_store.records())
    assert len(names) == 8 and "Quinn Placeholder" not in names and "Alex Sample" in names


def test_json_export_and_certificate_land_on_the_stored_records(pipeline, hub_store):
    pipeline.ingest(doc(ROSTER_CSV))
    again = pipeline.ingest(doc(ROSTER_JSON))
    assert (again.new, again.existing) == (0, 8)  # same completions, same ids
    assert again.rejected == [{**REJECTED_ROW_9, "index": 8, "document": "completion_roster_export.json"}]
    certificate = pipeline.ingest(doc(CERT_PDF))
    assert (certificate.new, certificate.existing, certificate.updated, certificate.rejected) == (0, 0, 1, [])
    assert count(hub_store, RecordRow) == 8
    assert count(hub_store, DocumentRow) == 3
    # the certificate updates the roster's record: what it states wins, what it leaves out stays
    [electrician] = [r for r in hub_store.records() if r.id == certificate.items[0].id]
    assert electrician.achievement.description == "Certificate of Completion of Apprenticeship"
    assert [(c.amount, c.subject) for c in electrician.achievement.credit] == [
        (8000.0, "on-the-job learning"), (1080.0, "related technical instruction")]
    assert {o.framework: o.code for o in electrician.achievement.occupations} == {
        "onet_soc": "47-2111.00", "soc": "47-2111", "rapids": "9006CB"}
    results = {r.name: r.value for r in electrician.results}
    assert results["document_title"] == "Certificate of Completion of Apprenticeship"
    assert results["ojl_hours"] == "8000" and results["sponsor_name"] == "Example Valley Electrical JATC"
    assert electrician.warnings == ["document_marked_not_a_real_certificate"]
    assert electrician.source.document_sha256 == doc(CERT_PDF).sha256
    # the same certificate again changes nothing
    again = pipeline.ingest(doc(CERT_PDF))
    assert (again.new, again.existing, again.updated) == (0, 1, 0)


def test_failure_mid_document_stores_nothing_of_it(pipeline, hub_store):
    data = csv_bytes().replace(b"Sample Fabrication Inc", b'"Sample" Fabrication Inc')  # line 5 of 10
    outcome = pipeline.ingest(Document(data=data, name="broken.csv"))
    assert outcome.error is not None and outcome.error.kind == "malformed"
    assert "line 5" in outcome.error.user_message
    assert (outcome.items, outcome.rejected) == ([], [])
    assert count(hub_store, RecordRow) == 0 and count(hub_store, DocumentRow) == 0


@pytest.fixture
def cli_env(hub_env, monkeypatch):
    monkeypatch.setenv("PASSPORT_HUB_LOAD_PLUGINS", "apprenticeship")


def test_cli_json_reports_the_rejected_row(cli_env):
    result = CliRunner().invoke(main, ["import", "--json", str(ROSTER_CSV)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    records = [line for line in lines if "rejected" not in line]
    assert len(records) == 8 and {r["achievement"]["kind"] for r in records} == {"apprenticeship"}
    assert [line["rejected"] for line in lines if "rejected" in line] == [
        {**REJECTED_ROW_9, "line": 10, "document": str(ROSTER_CSV)}]


def test_cli_summary_shows_row_and_reason(cli_env, monkeypatch):
    monkeypatch.setenv("COLUMNS", "240")  # a wide table: the problem cell on one line
    result = CliRunner().invoke(main, ["import", str(ROSTER_CSV)])
    assert result.exit_code == 0
    text = " ".join(result.stderr.split())
    assert "row 9: missing_required:completion_date" in text
    assert "8 new item(s)" in text and "1 row(s) rejected" in text
