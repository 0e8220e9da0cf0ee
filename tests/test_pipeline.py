"""Ingest mechanics: per-document transactions, idempotency, one error per bad document."""

from __future__ import annotations

import json
import os
import random

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from toy_plugins import toy_plugin

from passport_hub.cli import main
from passport_hub.config import Settings
from passport_hub.contract import Document
from passport_hub.loader import load_plugins
from passport_hub.pipeline import Pipeline
from passport_hub.store.tables import DocumentRow, RecordRow


@pytest.fixture
def toy_pipeline(hub_store):
    settings = Settings(load_plugins=["toy"])
    registry = load_plugins(settings, extra=[("toy", toy_plugin)])
    return Pipeline(registry, settings, hub_store)


def toy_doc(*titles, explode_at=None, name="toy.json"):
    items = [{"title": t} for t in titles]
    if explode_at is not None:
        items.insert(explode_at, {"explode": True})
    return Document(data=json.dumps({"toy": items}).encode(), name=name)


def count(store, table):
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(table))


def test_same_document_twice_stores_nothing_new(toy_pipeline, hub_store):
    first = toy_pipeline.ingest(toy_doc("CPR", "Forklift"))
    assert (first.new, first.existing, first.error) == (2, 0, None)
    second = toy_pipeline.ingest(toy_doc("CPR", "Forklift"))
    assert (second.new, second.existing) == (0, 2)
    assert count(hub_store, RecordRow) == 2
    assert count(hub_store, DocumentRow) == 1


def test_failure_mid_parse_leaves_nothing_of_that_document(toy_pipeline, hub_store):
    good = toy_pipeline.ingest(toy_doc("Welding"))
    bad = toy_pipeline.ingest(toy_doc("CPR", "Forklift", explode_at=2, name="bad.json"))
    assert bad.error is not None and bad.error.kind == "malformed"
    assert "item 2 cannot be read" in bad.error.user_message
    assert bad.items == []
    assert good.ok
    assert [r.achievement.title for r in hub_store.records()] == ["Welding"]
    assert count(hub_store, DocumentRow) == 1
    assert not hub_store.document_exists(toy_doc("CPR", "Forklift", explode_at=2).sha256)


def test_dry_run_stores_nothing(toy_pipeline, hub_store):
    outcome = toy_pipeline.ingest(toy_doc("CPR"), dry_run=True)
    assert [i.achievement.title for i in outcome.items] == ["CPR"]
    assert count(hub_store, RecordRow) == 0


def test_holders_own_their_records(toy_pipeline, hub_store):
    toy_pipeline.ingest(toy_doc("CPR"), holder_id="alice")
    toy_pipeline.ingest(toy_doc("CPR"), holder_id="bob")
    assert hub_store.record_count("alice") == 1 and hub_store.record_count("bob") == 1
    [record] = hub_store.records("alice")
    assert hub_store.delete_records("alice", [record.id]) == 1
    # bob still owns the document, so it is kept
    assert hub_store.document_exists(toy_doc("CPR").sha256)
    assert hub_store.delete_records("bob", [record.id]) == 1
    assert not hub_store.document_exists(toy_doc("CPR").sha256)


@pytest.fixture
def bad_inputs(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    rng = random.Random(7)
    (folder / "random.bin").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (folder / "empty.xml").write_bytes(b"")
    (folder / "blank.json").write_bytes(b"  \n")
    (folder / "notes.txt").write_text("Shopping list: eggs, flour, a Red Cross first aid kit.\n")
    (folder / "deep.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    huge = folder / "huge.pdf"
    with open(huge, "wb") as fh:  # sparse: 200 MB on the size check, no disk or memory used
        fh.truncate(200 * 1024 * 1024)
    return folder


def test_bad_input_gets_one_clear_error_per_document(hub_env, bad_inputs):
    result = CliRunner().invoke(main, ["import", str(bad_inputs), "--json"])
    assert result.exit_code == 1
    errors = {os.path.basename(line["error"]["document"]): line["error"] for line in map(json.loads,
              result.stdout.splitlines())}
    assert set(errors) == {"random.bin", "empty.xml", "blank.json", "notes.txt", "huge.pdf", "deep.json"}
    assert errors["deep.json"]["kind"] == "malformed" and "nested too deeply" in errors["deep.json"]["message"]
    assert errors["huge.pdf"]["kind"] == "too_large"
    assert "20,971,520" in errors["huge.pdf"]["message"]
    assert errors["empty.xml"]["kind"] == "unrecognized" and "empty" in errors["empty.xml"]["message"]
    assert errors["random.bin"]["kind"] == "unrecognized"
    assert errors["notes.txt"]["kind"] == "unrecognized"
    # each message names the document as the user gave it (here: a path inside the folder)
    assert all(error["message"].startswith(error["document"] + ":") for error in errors.values()), errors
    assert "Traceback" not in result.output
    # the summary table names each document once, in its first column, not again in the problem's
    table = CliRunner().invoke(main, ["import", str(bad_inputs)], env={"COLUMNS": "300"}).stderr
    [row] = [line for line in table.splitlines() if "notes.txt" in line]
    assert row.count("notes.txt") == 1 and "│ unrecognized: no source recognizes this document (sources: " in row


def test_size_limit_is_configurable(hub_env, tmp_path, monkeypatch):
    monkeypatch.setenv("PASSPORT_HUB_MAX_DOCUMENT_BYTES", "10")
    doc = tmp_path / "t.json"
    doc.write_text('{"toy": []}')
    result = CliRunner().invoke(main, ["import", str(doc), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["kind"] == "too_large"


def test_usage_errors_exit_2(hub_env):
    assert CliRunner().invoke(main, ["import"]).exit_code == 2
    assert CliRunner().invoke(main, ["import", "/no/such/file"]).exit_code == 2
    assert CliRunner().invoke(main, ["fetch", "red_cross", "no-equals-sign"]).exit_code == 2


def test_schema_command_prints_the_public_field_names(hub_env):
    result = CliRunner().invoke(main, ["schema"])
    schema = json.loads(result.stdout)
    assert set(schema["properties"]) >= {
        "id", "holder", "issuer", "achievement", "issued_on", "expires_on", "status", "results", "source",
        "verification",
    }
    catalog = json.loads(CliRunner().invoke(main, ["schema", "catalog-entry"]).stdout)
    assert "holder" not in catalog["properties"] and "achievement" in catalog["properties"]


def test_unexpected_failures_reach_users_as_one_line_not_a_traceback(hub_env, monkeypatch):
    from passport_hub.store import Store

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(Store, "record_rows", broken)
    result = CliRunner().invoke(main, ["records"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error (system): passport-hub failed unexpectedly (RuntimeError: disk on fire)")
    assert "Traceback" not in result.output


def test_a_plugin_that_fails_unexpectedly_is_one_line_per_document_not_a_traceback(hub_env, monkeypatch, caplog):
    from passport_hub_etranscript.source import EtranscriptSource
    from plugin_samples import plugin_sample

    def broken(self, document):
        raise TypeError("'int' object is not subscriptable")
        yield

    monkeypatch.setattr(EtranscriptSource, "parse", broken)
    transcript = str(plugin_sample("etranscript", "canpesc-novascotia-msvu_no-namespace_bom.xml"))
    result = CliRunner().invoke(main, ["import", transcript])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "plugin 'etranscript' failed unexpectedly (TypeError)" in result.output
    # the log line a user sees on stderr (logging's last-resort handler) carries no traceback
    [logged] = [r for r in caplog.records if r.name == "passport_hub.pipeline"]
    assert logged.getMessage() == f"unexpected error reading {transcript}: TypeError: 'int' object is not subscriptable"
    assert logged.exc_info is None
    caplog.clear()
    monkeypatch.setenv("PASSPORT_HUB_DEBUG", "1")  # developers see where it broke
    CliRunner().invoke(main, ["import", transcript])
    [logged] = [r for r in caplog.records if r.name == "passport_hub.pipeline"]
    assert logged.exc_info is not None and logged.exc_info[0] is TypeError


def test_a_database_that_cannot_be_opened_is_a_config_error_without_the_password(hub_env, monkeypatch):
    monkeypatch.setenv("PASSPORT_HUB_DATABASE_URL", "postgresql+psycopg://hub:Sup3rSecret@127.0.0.1:9/hub")
    result = CliRunner().invoke(main, ["records"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error (config): cannot open the database postgresql+psycopg://hub:***@127.0.0.1:9")
    assert "Sup3rSecret" not in result.output
    monkeypatch.setenv("PASSPORT_HUB_DATABASE_URL", "postgres://hub:Sup3rSecret@127.0.0.1:9/hub")
    result = CliRunner().invoke(main, ["records"])
    assert result.stderr.startswith("error (config): cannot open the database postgres://hub:***@127.0.0.1:9/hub: "
                                    "NoSuchModuleError: ")
    assert result.stderr.rstrip().endswith("(write postgresql+psycopg://..., as SQLAlchemy names PostgreSQL and its "
                                           "driver)")
    assert "Sup3rSecret" not in result.output


def test_truncated_json_and_pdf_are_malformed_not_unknown(hub_env, tmp_path):
    from plugin_samples import plugin_sample

    badge = plugin_sample("open_badges", "ob3/ob30-simple.json").read_bytes()
    jst = plugin_sample("military_jst", "jst_army_official.pdf").read_bytes()
    (tmp_path / "cut.json").write_bytes(badge[: len(badge) // 2])
    (tmp_path / "cut.pdf").write_bytes(jst[: len(jst) // 3])
    result = CliRunner().invoke(main, ["import", str(tmp_path / "cut.json"), str(tmp_path / "cut.pdf"), "--json"])
    errors = [json.loads(line)["error"] for line in result.stdout.splitlines()]
    kinds = {os.path.basename(e["document"]): e["kind"] for e in errors}
    assert kinds == {"cut.json": "malformed", "cut.pdf": "malformed"}
    pdf_error = next(e["message"] for e in errors if e["document"].endswith("cut.pdf"))
    assert pdf_error.endswith(
        "cut.pdf: unreadable PDF: the file is cut short (no end-of-file marker); download or export it again")


def test_folder_walks_skip_notes_but_named_files_are_read(hub_env, tmp_path):
    folder = tmp_path / "wallet"
    folder.mkdir()
    (folder / "README.md").write_text("# my credentials")
    (folder / "toy.json").write_text('{"hello": 1}')
    result = CliRunner().invoke(main, ["import", str(folder), "--json"])
    assert [os.path.basename(json.loads(line)["error"]["document"]) for line in result.stdout.splitlines()] == [
        "toy.json"]
    named = CliRunner().invoke(main, ["import", str(folder / "README.md"), "--json"])
    assert json.loads(named.stdout)["error"]["kind"] == "unrecognized"
