"""The Python API (passport_hub.Hub) on the plugins' real samples: the same results as the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from plugin_samples import plugin_sample

from passport_hub import Hub
from passport_hub.cli import main
from passport_hub.config import Settings
from passport_hub.errors import AmbiguousError, ConfigError, NotFoundError, PassportHubError
from passport_hub.store import Store
from passport_hub.testing import LoopbackIssuer, Reply

#: John Doe's seven Sacramento City College courses
TRANSCRIPT = plugin_sample("etranscript", "pesc-edexchange-json_sacramento-city-college_unprefixed-root.json")
LOOKUP = plugin_sample("red_cross", "lookup_certnumber_single_valid.html")


@pytest.fixture
def hub(hub_env):
    with Hub() as hub:  # the defaults, as for the CLI: hub_env's database and home
        yield hub


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def algebra(records):
    return next(r for r in records if r.achievement.title == "Intermediate Algebra")


def test_import_stores_the_record_ids_the_cli_stores(hub):
    printed = cli("import", str(TRANSCRIPT), "--holder", "cli", "--json")
    assert printed.exit_code == 0, printed.output
    cli_ids = [line["id"] for line in jsonl(printed.stdout)]

    [outcome] = hub.import_paths(TRANSCRIPT, holder="api")
    assert outcome.ok and outcome.source == "etranscript" and outcome.document == str(TRANSCRIPT)
    assert [item.id for item in outcome.items] == cli_ids
    assert (outcome.new, outcome.existing, outcome.updated) == (7, 0, 0)
    stored_by_cli = [r["id"] for r in jsonl(cli("records", "--holder", "cli", "--json").stdout)]
    assert [r.id for r in hub.records("api")] == stored_by_cli == cli_ids


def test_importing_again_stores_nothing_new(hub):
    [first] = hub.import_paths([TRANSCRIPT])
    ids = [r.id for r in hub.records("local")]
    [again] = hub.import_paths([TRANSCRIPT])
    from_bytes = hub.import_document(TRANSCRIPT.read_bytes(), TRANSCRIPT.name)
    assert first.new == 7
    for outcome in (again, from_bytes):
        assert outcome.ok and (outcome.new, outcome.existing, outcome.updated) == (0, 7, 0)
    assert [r.id for r in hub.records("local")] == ids and len(ids) == 7
    assert from_bytes.document == TRANSCRIPT.name and from_bytes.sha256 == first.sha256


def test_a_bad_document_is_an_outcome_with_its_error_kind_as_the_cli_reports_it(hub, tmp_path):
    data = TRANSCRIPT.read_bytes()
    cut = hub.import_document(data[: len(data) // 2], "cut.json")
    assert not cut.ok and cut.error.kind == "malformed" and cut.error.user_message.startswith("cut.json:")
    assert (cut.items, cut.new) == ([], 0)
    assert hub.import_document(b"Shopping list: eggs, flour.", "notes.txt").error.kind == "unrecognized"

    # a folder, walked as the CLI walks it: the note and the hidden file are skipped
    folder = tmp_path / "wallet"
    (folder / ".cache").mkdir(parents=True)
    (folder / ".cache" / "old.json").write_bytes(data)
    (folder / "README.md").write_text("my credentials")
    (folder / "a-cut.json").write_bytes(data[: len(data) // 2])
    (folder / "b-transcript.json").write_bytes(data)
    outcomes = hub.import_paths(folder, holder="wallet")
    assert [(o.document, o.error and str(o.error.kind)) for o in outcomes] == [
        (str(folder / "a-cut.json"), "malformed"), (str(folder / "b-transcript.json"), None)]
    printed = cli("import", str(folder), "--holder", "wallet", "--json")
    assert printed.exit_code == 1
    assert [outcomes[0].error_json()] == [line for line in jsonl(printed.stdout) if "error" in line]
    assert len(hub.records("wallet")) == 7  # the good document's records, the cut one's none


def test_a_missing_path_raises_before_anything_is_imported_and_an_empty_folder_gives_no_outcomes(hub, tmp_path):
    missing = tmp_path / "transcipt.json"
    with pytest.raises(FileNotFoundError) as raised:
        hub.import_paths([TRANSCRIPT, missing])
    assert (raised.value.errno, raised.value.filename) == (2, str(missing))
    assert hub.records() == []  # the transcript before it was not imported either
    assert cli("import", str(missing)).exit_code == 2  # the CLI's usage error

    # nothing to import is no error: the hidden file and the note are skipped, as by the CLI
    empty = tmp_path / "downloads"
    (empty / ".cache").mkdir(parents=True)
    (empty / ".cache" / "badge.json").write_bytes(TRANSCRIPT.read_bytes())
    (empty / "README.md").write_text("notes")
    assert hub.import_paths(empty) == [] and hub.records() == []
    assert "no documents found under" in cli("import", str(empty)).stderr  # a person is told


def test_records_and_record_give_the_transcripts_values(hub):
    hub.import_paths(TRANSCRIPT, holder="john")
    records = hub.records("john")
    assert len(records) == 7
    assert {(r.holder.name, r.issuer.name) for r in records} == {("John Doe", "Sacramento City College")}
    course = algebra(records)
    assert {result.name: result.value for result in course.results}["grade"] == "B"
    [credit] = course.achievement.credit
    assert (credit.amount, str(credit.unit), credit.subject) == (5.0, "semester_hours", "MATH")

    assert hub.record(course.id[:12]) == course  # a unique beginning, as tables show ids
    assert hub.record(course.id, holder="john") == course
    with pytest.raises(NotFoundError, match="no record 'rec_0000'"):
        hub.record("rec_0000")
    with pytest.raises(AmbiguousError, match=r"begins several record ids \(rec_\w+(, rec_\w+){6}\); give more"):
        hub.record("rec_")  # all seven named
    with pytest.raises(NotFoundError):
        hub.record(course.id[:12].upper())  # ids are compared as written, on SQLite too
    hub.import_paths(TRANSCRIPT, holder="jane")
    with pytest.raises(AmbiguousError, match=r"held by several holders \(john, jane\); pass holder="):
        hub.record(course.id)
    assert hub.record(course.id, holder="jane").holder.name == "John Doe"
    assert len(hub.records()) == 14  # every holder's
    hub.import_paths(plugin_sample("etranscript", "canpesc-ontario-college_ColTrn-v1.3.0_ns0.xml"), holder="ont")
    with pytest.raises(AmbiguousError, match=r"begins several record ids \(rec_\w+(, rec_\w+){9}, \.\.\.\); give"):
        hub.record("rec_", holder="ont")  # ten of them named, and that there are more
    with pytest.raises(NotFoundError, match="no holder 'nobody'"):
        hub.records("nobody")


def test_verify_stores_each_result_as_the_records_newest(hub):
    hub.import_paths(TRANSCRIPT, holder="john")
    course = algebra(hub.records("john"))
    results = hub.verify(holder="john")
    assert set(results) == {r.id for r in hub.records("john")}
    checks = {c.name: str(c.status) for c in results[course.id].checks}
    # a transcript file carries no signature: its document is unchanged, the issuer cannot confirm it
    assert checks["document_unchanged"] == "passed" and checks["issuer_confirms"] == "not_checked"
    assert str(results[course.id].status) == "unverifiable"
    assert hub.record(course.id).verification == results[course.id]
    shown = json.loads(cli("show", course.id).stdout)
    assert shown["verification"] == results[course.id].model_dump(mode="json", exclude_none=True)

    assert list(hub.verify(course.id[:12])) == [course.id]  # one id, shortened, as for `verify ID`
    assert hub.verify([]) == {}


def test_a_holder_the_hub_does_not_have_is_not_found_and_one_without_records_has_none(hub, hub_db_url):
    with pytest.raises(NotFoundError, match="^no holder 'nobody'$"):
        hub.verify(holder="nobody")  # as for records, not {}
    with pytest.raises(NotFoundError, match="^no holder 'nobody'$"):
        hub.records("nobody")
    store = Store(hub_db_url)
    store.ensure_holder("fresh")  # as the service's POST /holders makes one: it has imported nothing
    store.close()
    assert hub.records("fresh") == [] and hub.verify(holder="fresh") == {}


def test_export_is_the_document_the_cli_prints(hub):
    hub.import_paths(TRANSCRIPT, holder="john")
    course = algebra(hub.records("john"))
    [credential] = hub.export("john", "ob3", [course.id])
    assert "AchievementCredential" in credential["type"]
    assert credential["credentialSubject"]["achievement"]["name"] == "Intermediate Algebra"
    assert credential["issuer"]["name"] == "Sacramento City College"
    printed = cli("export", "--holder", "john", "--format", "ob3", "--record", course.id)
    assert printed.exit_code == 0, printed.output
    assert [credential] == json.loads(printed.stdout)

    assert len(hub.export("john", "ob3")) == 7
    clr = hub.export("john", "clr", link="https://hub.example/s/abc")
    assert "ClrCredential" in clr["type"] and len(clr["credentialSubject"]["verifiableCredential"]) == 7
    with pytest.raises(NotFoundError, match="no records for holder 'nobody'"):
        hub.export("nobody", "ob3")
    with pytest.raises(NotFoundError, match="no records for holder 'john' with those ids"):
        hub.export("john", "ob3", [])


def test_export_resolves_record_ids_as_record_does(hub):
    hub.import_paths(TRANSCRIPT, holder="alex")
    records = hub.records("alex")
    course = algebra(records)
    with pytest.raises(NotFoundError, match="^no record 'rec_bogus' for holder 'alex'$"):
        hub.export("alex", "ob3", ["rec_bogus", course.id])  # not the valid one alone
    with pytest.raises(AmbiguousError, match="'rec_' begins several record ids"):
        hub.export("alex", "ob3", "rec_")
    [credential] = hub.export("alex", "ob3", course.id[:12])  # shortened, as tables show ids
    assert credential["credentialSubject"]["achievement"]["name"] == "Intermediate Algebra"
    # in the order named (the last imported first), each once
    named = hub.export("alex", "ob3", [records[-1].id, course.id[:12], course.id])
    assert [c["credentialSubject"]["achievement"]["name"] for c in named] == [
        "Client-side Web Scripting", "Intermediate Algebra"]


def test_plugins_are_the_rows_the_cli_lists(hub):
    rows = json.loads(json.dumps(hub.plugins()))
    assert rows == json.loads(cli("plugins", "--json").stdout)
    assert {row["name"] for row in rows if row["status"] == "loaded"} >= {"etranscript", "red_cross"}


def test_fetch_imports_what_the_issuer_returns_as_the_cli_does(hub_env, monkeypatch):
    monkeypatch.setenv("PASSPORT_HUB_ALLOW_PRIVATE_HOSTS", "1")
    monkeypatch.setenv("PASSPORT_HUB_HTTP_RETRIES", "0")
    found = Reply(200, body=LOOKUP.read_bytes(), content_type="text/html")
    with LoopbackIssuer([found, found, Reply(403, body=b"Access Denied")]) as issuer:
        monkeypatch.setenv("PASSPORT_HUB_RED_CROSS_LOOKUP_URL", issuer.url("/lookup"))
        printed = cli("fetch", "red_cross", "certificate_id=0SYN0A1", "--holder", "cli", "--json")
        with Hub() as hub:
            [outcome] = hub.fetch("red_cross", holder="api", certificate_id="0SYN0A1")
            configs_built = []  # the fetch and the import of what it fetched share one config
            built = Settings.component_config
            monkeypatch.setattr(Settings, "component_config",
                                lambda self, name, model: configs_built.append(name) or built(self, name, model))
            [denied] = hub.fetch("red_cross", holder="api", certificate_id="0SYN0A1")
            assert configs_built == ["red_cross"]
            with pytest.raises(NotFoundError, match="no source named 'nosuch'"):
                hub.fetch("nosuch", a="b")
            [files_only] = hub.fetch("etranscript", student_id="0")
            records = hub.records("api")
    assert printed.exit_code == 0, printed.output
    assert [item.id for item in outcome.items] == [line["id"] for line in jsonl(printed.stdout)]
    assert outcome.ok and outcome.new == 1 and [r.holder.name for r in records] == ["Jordan Example"]
    assert "certnumber=0SYN0A1" in issuer.requests[1].query
    assert denied.error_json()["error"]["document"] == "red_cross certificate_id=0SYN0A1"
    assert denied.error.kind == "unavailable"
    assert files_only.error.kind == "config" and "reads files only" in files_only.error.user_message


def test_a_fetch_from_a_source_whose_config_is_invalid_is_its_outcome_as_the_docs_say(hub_env, monkeypatch):
    monkeypatch.setenv("PASSPORT_HUB_RED_CROSS_LOOKUP_URL", "https://user:S3CRET@www.redcross.org/lookup")
    with Hub() as hub:
        [outcome] = hub.fetch("red_cross", holder="api", certificate_id="0SYN0A1")
        assert hub.records() == []
        with pytest.raises(NotFoundError, match="no source named 'nosuch'"):
            hub.fetch("nosuch", a="b")  # still the caller's mistake, raised
    assert (outcome.ok, outcome.source, outcome.error.kind) == (False, "red_cross", "config")
    assert outcome.error_json() == jsonl(cli("fetch", "red_cross", "certificate_id=0SYN0A1", "--json").stdout)[0]
    assert str(outcome.error) == ("invalid config for 'red_cross': lookup_url: Value error, lookup_url must not "
                                  "carry credentials")


def test_dry_run_reads_and_does_not_open_the_database(hub_env, tmp_path):
    database = tmp_path / "dry.db"
    with Hub(f"sqlite:///{database}") as hub:
        [outcome] = hub.import_paths(TRANSCRIPT, dry_run=True)
    assert outcome.new == 7 and algebra(outcome.items).holder.name == "John Doe"
    assert not database.exists()


def test_a_holder_id_no_url_could_address_is_refused(hub):
    for attempt in (lambda: hub.import_paths(TRANSCRIPT, holder="bad id/../x"),
                    lambda: hub.import_document(b"{}", "x.json", holder=""),
                    lambda: hub.fetch("red_cross", holder="a" * 65, certificate_id="0SYN0A1")):
        with pytest.raises(ValueError, match="letters, digits"):
            attempt()
    assert hub.records() == []
    # looking up a holder such an id names finds none, as for any holder the hub does not have
    for lookup in (lambda: hub.records("bad id/../x"), lambda: hub.record("rec_", holder="bad id/../x"),
                   lambda: hub.verify(holder="bad id/../x"), lambda: hub.export("bad id/../x", "ob3")):
        with pytest.raises(NotFoundError, match="holder 'bad id/../x'"):
            lookup()


def test_a_database_that_cannot_be_opened_is_a_config_error(hub_env, tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("a file where the database's folder would be")
    typo = tmp_path / "typo"  # a mistyped folder is not made: the database would be a new, empty one
    for url, problem in ((f"sqlite:///{taken / 'hub.db'}", f"its folder {taken} is not a folder"),
                         (f"sqlite:///{typo / 'hub.db'}", f"its folder {typo} does not exist"),
                         (f"sqlite:///{tmp_path}", "OperationalError: ")):  # a folder, not a database
        with Hub(url) as hub, pytest.raises(ConfigError) as raised:
            hub.records()
        assert raised.value.kind == "config"
        assert str(raised.value).startswith(f"cannot open the database {url}: {problem}")
    assert not typo.exists()
    # the hub's home, where the default database lives, is made on first use
    home = tmp_path / "new" / "home"
    with Hub(settings=Settings.from_env({"PASSPORT_HUB_HOME": str(home)})) as hub:
        assert hub.records() == [] and (home / "hub.db").is_file()


def test_an_export_that_fails_its_schema_is_a_system_error_and_the_cli_says_what_fails(hub, monkeypatch):
    """Not a document's fault nor an issuer's: the hub's own output is wrong (here made so)."""
    from passport_hub import exports

    hub.import_paths(TRANSCRIPT, holder="john")
    real = exports.export_records

    def without_type(*args, **kwargs):
        document = real(*args, **kwargs)
        del document["type"]
        return document

    monkeypatch.setattr(exports, "export_records", without_type)
    with pytest.raises(PassportHubError) as raised:
        hub.export("john", "clr")
    assert raised.value.kind == "system"
    assert str(raised.value) == "the clr export does not match its schema: (root): 'type' is a required property"
    printed = cli("export", "--holder", "john", "--format", "clr")
    assert (printed.exit_code, printed.stdout, printed.stderr) == (1, "", f"Error: {raised.value}\n")
    assert "type" not in hub.export("john", "clr", validate=False)


def test_a_database_url_overrides_the_settings_without_changing_them(hub_env, hub_db_url, tmp_path):
    settings = Settings.from_env()
    with Hub(f"sqlite:///{tmp_path / 'other.db'}", settings=settings) as hub:
        hub.import_paths(TRANSCRIPT)
        assert len(hub.records()) == 7
    assert settings.database_url == hub_db_url
    assert jsonl(cli("records", "--json").stdout) == []  # nothing in the environment's database


def test_importing_the_package_loads_no_database_web_framework_or_plugin():
    code = ("import sys, passport_hub; heavy = ('sqlalchemy', 'fastapi', 'passport_hub.store', 'passport_hub.hub', "
            "'passport_hub_etranscript'); print([m for m in heavy if m in sys.modules]); "
            "print(passport_hub.Hub.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["[]", "passport_hub.hub"]
