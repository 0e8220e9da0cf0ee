"""The main job end to end through the CLI, on every installed plugin's real samples."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from passport_hub.cli import main
from passport_hub.config import Settings
from passport_hub.loader import load_plugins

EXPECTED_PLUGINS = {"etranscript", "credential_engine", "military_jst", "red_cross", "apprenticeship", "open_badges"}


@pytest.fixture
def samples(hub_env):
    """Each installed plugin's bundled sample documents."""
    registry = load_plugins(Settings.from_env())
    missing = EXPECTED_PLUGINS - set(registry.sources)
    assert not missing, f"install every plugin in the repo (make install-test); missing: {missing}"
    return {name: [str(p) for p in cls.sample_documents()] for name, cls in registry.sources.items()}


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_importing_all_samples_twice_changes_nothing(hub_env, samples):
    runner = CliRunner()
    documents = [path for paths in samples.values() for path in paths]
    first = runner.invoke(main, ["import", *documents, "--json"])
    assert first.exit_code == 0, first.output
    lines = jsonl(first.stdout)
    assert not [line for line in lines if "error" in line]
    records = runner.invoke(main, ["records", "--json"])
    stored = jsonl(records.stdout)
    ids = {r["id"] for r in stored}

    again = runner.invoke(main, ["import", *documents])
    assert again.exit_code == 0
    assert "0 new item(s)" in again.stderr and "updated" not in again.stderr
    assert {r["id"] for r in jsonl(runner.invoke(main, ["records", "--json"]).stdout)} == ids

    holders = {r["holder"]["name"] for r in stored if r.get("holder")}
    # real values from the samples of each plugin
    assert {"SAMPLE, ALEX J", "Alex Sample"} <= holders
    titles = {r["achievement"]["title"] for r in stored}
    assert "Adult and Pediatric First Aid/CPR/AED" in titles or any("First Aid" in t for t in titles)
    catalog = [line for line in lines if line.get("schema") == "passport-hub/catalog-entry@1"]
    assert "ce-b75970c9-d352-46a0-b67d-3256c9cdbb31" in {c["achievement"]["ctid"] for c in catalog}
    rejected = [line["rejected"] for line in lines if "rejected" in line]
    assert {(r["row"], r["reason"]) for r in rejected} == {(9, "missing_required:completion_date")}

    one = stored[0]["id"]
    shown = json.loads(runner.invoke(main, ["show", one]).stdout)
    assert shown["id"] == one and shown["schema"] == "passport-hub/record@1"


def test_dry_run_prints_records_and_stores_nothing(hub_env, samples):
    runner = CliRunner()
    result = runner.invoke(main, ["import", *samples["etranscript"], "--dry-run", "--json"])
    assert result.exit_code == 0
    assert any(line["source"]["plugin"] == "etranscript" for line in jsonl(result.stdout))
    assert jsonl(runner.invoke(main, ["records", "--json"]).stdout) == []


def test_verify_stores_a_folded_status_per_record(hub_env, samples, monkeypatch):
    # issuer lookups (Red Cross) must not leave this machine: point them at a closed port
    monkeypatch.setenv("PASSPORT_HUB_RED_CROSS_LOOKUP_URL", "http://127.0.0.1:9/lookup")
    monkeypatch.setenv("PASSPORT_HUB_ALLOW_PRIVATE_HOSTS", "1")
    monkeypatch.setenv("PASSPORT_HUB_HTTP_RETRIES", "0")
    runner = CliRunner()
    # the CLR last: its copy of "Teamwork" then supersedes the standalone OB 3.0 copies that share
    # its id (the later document's copy is kept)
    badges = sorted(samples["open_badges"], key=lambda path: "clr" in str(path))
    documents = [*badges, *samples["red_cross"], *samples["etranscript"][:2], *samples["credential_engine"]]
    assert runner.invoke(main, ["import", *documents]).exit_code == 0
    result = runner.invoke(main, ["verify", "--json"])
    assert result.exit_code == 0, result.output
    by_title = {}
    for line in jsonl(result.stdout):
        by_title.setdefault(line["title"], []).append(line["verification"])
    # "Teamwork" twice: inside the signed CLR 2.0, and as a selective-disclosure derived OB 3.0
    teamwork = {("clr" if any(c["name"] == "clr_container" for c in v["checks"]) else "sd"): v
                for v in by_title["Teamwork"]}
    checks = {c["name"]: c["status"] for c in teamwork["clr"]["checks"]}
    # 1EdTech's sample: a valid signature, by a key written into the https issuer's address, which
    # nothing binds to the issuer: not verified (under the binding policy 'off', as verifier-core, it is)
    assert teamwork["clr"]["status"] == "unverifiable" and checks["signature"] == "passed"
    assert checks["issuer_key_binding"] == "not_checked"
    monkeypatch.setenv("PASSPORT_HUB_OPEN_BADGES_ISSUER_KEY_BINDING", "off")
    unbound = [line for line in jsonl(runner.invoke(main, ["verify", "--json"]).stdout) if line["title"] == "Teamwork"
               and any(c["name"] == "clr_container" for c in line["verification"]["checks"])]
    assert [line["verification"]["status"] for line in unbound] == ["verified"]
    # the registry does not list this badge: shown as failed, but an unlisted credential is not invalid
    assert checks["registry_listed"] == "failed"
    # ecdsa-sd-2023 is not supported: not checked, so unverifiable, never "invalid"
    sd_signature = next(c for c in teamwork["sd"]["checks"] if c["name"] == "signature")
    assert sd_signature["status"] == "not_checked" and teamwork["sd"]["status"] == "unverifiable"
    assert not [v for verifications in by_title.values() for v in verifications if v["status"] == "error"]
    # the Red Cross lookup is unreachable: could not check is never "invalid"
    for verification in by_title["Lifeguarding"]:
        red_cross = {c["name"]: c["status"] for c in verification["checks"]}
        assert red_cross["issuer_confirms"] == "not_checked"
        assert verification["status"] in ("unverifiable", "expired")
    # transcript courses are not registry credentials: no registry check, nothing failed
    everything = [v for verifications in by_title.values() for v in verifications]
    course = next(v for v in everything if any(c["name"] == "document_unchanged" for c in v["checks"]))
    assert course["status"] == "unverifiable"
    assert not [c for c in course["checks"] if c["status"] == "failed"]
    # the newest verification is part of the stored record
    stored = jsonl(runner.invoke(main, ["records", "--json"]).stdout)
    assert all("verification" in r for r in stored)


def test_a_reader_that_stops_early_does_not_cut_the_import_short(hub_env, samples):
    import subprocess
    import sys

    documents = samples["etranscript"]
    pipeline = subprocess.run(
        f"{sys.executable} -m passport_hub import {' '.join(documents)} --json | head -1",
        shell=True, capture_output=True, text=True, timeout=300,
    )
    assert len(pipeline.stdout.splitlines()) == 1
    assert "BrokenPipe" not in pipeline.stderr and "error" not in pipeline.stderr
    listing = subprocess.run([sys.executable, "-m", "passport_hub", "records"], capture_output=True, text=True)
    lines = listing.stdout.splitlines()
    # piped, the listing is tab-separated with whole ids, and (across holders) whose each record is
    header, *rows = [line.split("\t") for line in lines]
    assert header[:3] == ["id", "source", "kind"] and header[-1] == "holder_id"
    full = jsonl(CliRunner().invoke(main, ["records", "--json"]).stdout)
    assert len(rows) == len(full) > 200
    assert {(row[0], row[-1]) for row in rows} == {(r["id"], "local") for r in full}


def test_a_resume_of_several_peoples_records_says_so(hub_env, samples):
    """One person's export (JSON Resume, LER-RS, CLR) of records that name different people."""
    runner = CliRunner()
    imported = runner.invoke(main, ["import", "--holder", "mixed", *samples["red_cross"], *samples["military_jst"]])
    assert imported.exit_code == 0, imported.output
    resume = runner.invoke(main, ["export", "--holder", "mixed", "--format", "json-resume"])
    assert resume.exit_code == 0, resume.output
    # "SAMPLE, ALEX J" on the transcript is "Alex Sample" on the certificate: two names, not four
    assert "note: the records carry 2 different holder names (Alex Sample; Jordan Example)" in resume.stderr
    json.loads(resume.stdout)  # the export itself is still printed, whole
    assert runner.invoke(main, ["import", "--holder", "one", samples["red_cross"][0]]).exit_code == 0
    one_person = runner.invoke(main, ["export", "--holder", "one", "--format", "ler-rs"])
    assert one_person.exit_code == 0 and "note:" not in one_person.stderr, one_person.output


@pytest.mark.parametrize("command", [["records"], ["export", "--holder", "local", "--format", "ob3"]])
def test_output_to_a_reader_that_has_gone_is_not_an_error(hub_env, samples, command):
    """`passport-hub records | head`: the pipe closes before the output is written. The command
    ends quietly with exit status 0, as `import --json | head` does (tests/test_cli_output.py
    has the other commands)."""
    import subprocess
    import sys

    assert CliRunner().invoke(main, ["import", *samples["red_cross"]]).exit_code == 0
    child = subprocess.Popen([sys.executable, "-m", "passport_hub", *command],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    child.stdout.close()  # gone before the child writes a byte
    stderr = child.stderr.read()
    assert child.wait(timeout=120) == 0
    assert stderr == ""


def test_unknown_fetch_source_is_a_usage_error(hub_env):
    result = CliRunner().invoke(main, ["fetch", "nosuch", "a=b"])
    assert result.exit_code == 2 and "no source named 'nosuch'" in result.output


def test_fetch_from_a_source_that_reads_files_only_is_a_usage_error(hub_env):
    """As for an unknown source: the command line is wrong, not a document (exit 2, no summary table)."""
    result = CliRunner().invoke(main, ["fetch", "etranscript", "student_id=0", "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert ("source 'etranscript' reads files only and cannot fetch (sources that fetch: credential_engine, "
            "red_cross)") in result.output


def test_fetch_from_a_source_whose_config_is_invalid_fails_as_a_fetch_does(hub_env, monkeypatch):
    """Checked before anything is asked of the issuer: a JSON error line of kind config and the
    summary's problem, as for a fetch its issuer fails, exit status 1; the setting's secret is not shown."""
    monkeypatch.setenv("PASSPORT_HUB_RED_CROSS_LOOKUP_URL", "https://user:S3CRET@www.redcross.org/lookup")
    message = "invalid config for 'red_cross': lookup_url: Value error, lookup_url must not carry credentials"
    runner = CliRunner()
    printed = runner.invoke(main, ["fetch", "red_cross", "certificate_id=0SYN0A1", "--json"])
    assert printed.exit_code == 1 and printed.stderr == ""
    assert jsonl(printed.stdout) == [
        {"error": {"document": "red_cross certificate_id=0SYN0A1", "kind": "config", "message": message}}]
    summary = runner.invoke(main, ["fetch", "red_cross", "certificate_id=0SYN0A1"])
    assert summary.exit_code == 1 and summary.stdout == ""
    assert f"config: {message}" in summary.stderr and "1 document(s): 0 read, 1 failed;" in summary.stderr
    assert "S3CRET" not in printed.output + summary.output


def test_new_plugin_refuses_the_name_of_an_installed_plugin(hub_env, tmp_path):
    result = CliRunner().invoke(main, ["new-plugin", "etranscript", "--dir", str(tmp_path)])
    assert result.exit_code == 2  # a usage error: the argument needs changing
    assert "Invalid value for 'NAME': plugin name 'etranscript' is taken: the distribution passport-hub-etranscript" \
        in result.output
    assert not (tmp_path / "etranscript").exists()


def test_a_holder_id_the_api_could_not_address_is_refused(hub_env, samples):
    result = CliRunner().invoke(main, ["import", "--holder", "bad id/../x", str(samples["red_cross"][0])])
    assert result.exit_code == 2 and "Invalid value for '--holder'" in result.output
    accepted = CliRunner().invoke(main, ["records", "--holder", "jordan.p-2"])
    assert "Invalid value" not in accepted.output and "no holder 'jordan.p-2'" in accepted.output


def test_show_takes_a_shortened_id_and_asks_which_holder_when_two_hold_it(hub_env, samples):
    lookup = next(p for p in samples["red_cross"] if p.endswith("lookup_certnumber_single_valid.html"))
    runner = CliRunner()
    for holder in ("local", "bob"):
        assert runner.invoke(main, ["import", "--holder", holder, lookup]).exit_code == 0
    shown = runner.invoke(main, ["show", "rec_8199d6", "--holder", "bob"])
    assert shown.exit_code == 0 and json.loads(shown.output)["id"] == "rec_8199d6e0bbd387eadd1b60411dc250c5"
    both = runner.invoke(main, ["show", "rec_8199d6"])
    assert both.exit_code == 1 and "held by several holders (local, bob); add --holder" in both.output
    assert "no record 'rec_0000'" in runner.invoke(main, ["show", "rec_0000"]).output
    nobody = runner.invoke(main, ["records", "--holder", "nobody"])
    assert nobody.exit_code == 1 and "no holder 'nobody'" in nobody.output


def test_plugins_lists_a_config_error_of_a_loaded_plugin_without_its_value(hub_env, tmp_path, monkeypatch):
    config = tmp_path / "hub.toml"
    config.write_text('[plugins.red_cross]\nbogus = 1\nlookup_url = "https://user:S3CRET@www.redcross.org/lookup"\n')
    monkeypatch.setenv("PASSPORT_HUB_CONFIG", str(config))
    runner = CliRunner()
    rows = {row["name"]: row for row in json.loads(runner.invoke(main, ["plugins", "--json"]).stdout)}
    problem = ("config: invalid config for 'red_cross': lookup_url: Value error, lookup_url must not carry "
               "credentials; bogus: Extra inputs are not permitted")
    assert rows["red_cross"]["status"] == "loaded" and rows["red_cross"]["error"] == problem
    assert rows["etranscript"]["status"] == "loaded" and rows["etranscript"]["error"] is None
    table = runner.invoke(main, ["plugins"]).stdout
    red_cross = next(line for line in table.splitlines() if line.startswith("red_cross "))
    assert red_cross.split()[3] == "loaded" and red_cross.endswith(problem)
    assert "S3CRET" not in table


def test_a_misconfigured_plugin_stops_only_documents_no_other_plugin_reads(hub_env, tmp_path, monkeypatch):
    from plugin_samples import plugin_sample

    config = tmp_path / "hub.toml"
    config.write_text('[plugins.red_cross]\nbogus = 1\n')
    monkeypatch.setenv("PASSPORT_HUB_CONFIG", str(config))
    runner = CliRunner()
    transcript = plugin_sample("etranscript", "pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml")
    done = runner.invoke(main, ["import", str(transcript), "--json"])
    assert done.exit_code == 0, done.output
    assert len([line for line in done.stdout.splitlines() if '"schema":"passport-hub/record@1"' in line]) == 25
    lookup = plugin_sample("red_cross", "lookup_certnumber_single_valid.html")
    failed = runner.invoke(main, ["import", str(lookup), "--json"])
    [error] = [json.loads(line)["error"] for line in failed.stdout.splitlines()]
    assert failed.exit_code == 1 and error["kind"] == "config"
    assert error["message"] == (f"{lookup}: no other source recognizes this document, and invalid config for "
                                "'red_cross': bogus: Extra inputs are not permitted")


def test_a_plugin_whose_config_validator_breaks_fails_only_documents_no_other_plugin_reads(hub_env, tmp_path,
                                                                                          monkeypatch):
    """Its validator raises FileNotFoundError, not a config error: a config problem naming the plugin,
    as `plugins` lists it (no traceback), found once per import rather than again for every document."""
    from plugin_samples import plugin_sample
    from test_loader import keyed_plugin

    from passport_hub import cli

    keyed = keyed_plugin()
    monkeypatch.setattr(cli, "_registry", lambda settings: load_plugins(settings, extra=[("keyed", keyed)]))
    monkeypatch.setenv("PASSPORT_HUB_KEYED_KEY_FILE", "/nonexistent/key.pem")
    transcript = plugin_sample("etranscript", "pesc-sample-utaustin_ColTrn-v1.4.0_utf16be.xml")
    lookup = plugin_sample("red_cross", "lookup_certnumber_single_valid.html")
    keyeds = tmp_path / "forklift.json"  # a document only the keyed plugin reads
    keyeds.write_text('{"toy": [{"title": "Forklift operator"}]}')
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(lookup)]).exit_code == 0
    checks_for_one = len(keyed.opened)
    done = runner.invoke(main, ["import", str(transcript), str(lookup), str(keyeds), "--json"])
    assert len(keyed.opened) == 2 * checks_for_one  # as many checks for three documents as for one

    lines = jsonl(done.stdout)
    [error] = [line["error"] for line in lines if "error" in line]
    assert done.exit_code == 1 and "Traceback" not in done.output
    assert len([line for line in lines if line.get("schema") == "passport-hub/record@1"]) == 25 + 1
    listed = {row["name"]: row["error"] for row in json.loads(runner.invoke(main, ["plugins", "--json"]).stdout)}
    assert listed["keyed"] == "config: checking the config of 'keyed' failed (FileNotFoundError)"
    assert error == {"document": str(keyeds), "kind": "config", "message": (
        f"{keyeds}: no other source recognizes this document, and checking the config of 'keyed' failed "
        "(FileNotFoundError)")}


def test_help_says_the_database_lives_in_the_home_folder(hub_env):
    text = " ".join(CliRunner().invoke(main, ["--help"]).stdout.split())
    assert "hub.db (SQLite) in the folder PASSPORT_HUB_HOME names (default ~/.passport-hub)" in text
    assert "Data lives in ~/.passport-hub/hub.db" not in text


def test_importing_a_folder_without_documents_is_a_usage_error(hub_env, tmp_path):
    empty = tmp_path / "downloads"
    (empty / ".cache").mkdir(parents=True)
    (empty / ".cache" / "badge.json").write_text("{}")  # hidden: skipped
    (empty / "README.md").write_text("notes")
    result = CliRunner().invoke(main, ["import", str(empty)])
    assert result.exit_code == 2
    assert f"no documents found under {empty} (hidden files and notes" in result.stderr


def test_records_of_two_holders_say_whose_and_verify_asks_which_holder(hub_env, samples, monkeypatch):
    # the issuer lookup must not leave this machine: a closed port
    monkeypatch.setenv("PASSPORT_HUB_RED_CROSS_LOOKUP_URL", "http://127.0.0.1:9/lookup")
    monkeypatch.setenv("PASSPORT_HUB_ALLOW_PRIVATE_HOSTS", "1")
    monkeypatch.setenv("PASSPORT_HUB_HTTP_RETRIES", "0")
    lookup = next(p for p in samples["red_cross"] if p.endswith("lookup_certnumber_single_valid.html"))
    record_id = "rec_8199d6e0bbd387eadd1b60411dc250c5"
    runner = CliRunner()
    for holder in ("local", "bob"):
        assert runner.invoke(main, ["import", "--holder", holder, lookup]).exit_code == 0
    header, *rows = [line.split("\t") for line in runner.invoke(main, ["records"]).stdout.splitlines()]
    assert header[-1] == "holder_id"
    assert [(row[0], row[5], row[-1]) for row in rows] == [
        (record_id, "Jordan Example", "local"), (record_id, "Jordan Example", "bob")]
    bobs = runner.invoke(main, ["records", "--holder", "bob"]).stdout
    header, *rows = [line.split("\t") for line in bobs.splitlines()]
    assert "holder_id" not in header and [row[0] for row in rows] == [record_id]

    both = runner.invoke(main, ["verify", record_id])
    assert both.exit_code == 1 and "held by several holders (local, bob); add --holder" in both.output
    one = runner.invoke(main, ["verify", "rec_8199d6", "--holder", "bob", "--json"])
    assert one.exit_code == 0, one.output
    assert [line["record_id"] for line in jsonl(one.stdout)] == [record_id]
    # only bob's copy was verified
    assert "verification" in jsonl(runner.invoke(main, ["records", "--holder", "bob", "--json"]).stdout)[0]
    assert "verification" not in jsonl(runner.invoke(main, ["records", "--holder", "local", "--json"]).stdout)[0]


def test_demo_imports_every_plugins_samples_and_a_second_run_adds_nothing(hub_env, samples):
    """The README's main job: `passport-hub demo` on an empty hub, then again."""
    runner = CliRunner()
    documents = sum(len(paths) for paths in samples.values())
    first = runner.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert f"credential record(s) from {documents} sample document(s)" in first.output
    assert "BASIC COMBAT TRAINING" in first.output and "Lifeguarding" in first.output
    # a first run has "already stored" too: two samples carry the same credential
    assert "(already stored: from an earlier demo, or the same credential in two samples" in first.output
    stored = jsonl(runner.invoke(main, ["records", "--holder", "local", "--json"]).stdout)
    assert {r["source"]["plugin"] for r in stored} == EXPECTED_PLUGINS - {"credential_engine"}  # a catalog
    again = runner.invoke(main, ["demo"])
    assert again.exit_code == 0, again.output
    assert "0 new item(s)" in again.output and "updated from a later document" not in again.output
    assert "(already stored: from an earlier demo" in again.output
    assert len(jsonl(runner.invoke(main, ["records", "--holder", "local", "--json"]).stdout)) == len(stored)


def test_export_resolves_record_ids_as_verify_does(hub_env, samples):
    """Every --record names one of the holder's records: a bogus id is an error naming it (not
    dropped), and an id shortened as tables show it works, as for `show` and `verify`."""
    transcript = next(p for p in samples["etranscript"] if p.endswith("sacramento-city-college_unprefixed-root.json"))
    runner = CliRunner()
    assert runner.invoke(main, ["import", "--holder", "maria", transcript]).exit_code == 0
    stored = jsonl(runner.invoke(main, ["records", "--holder", "maria", "--json"]).stdout)
    algebra = next(r["id"] for r in stored if r["achievement"]["title"] == "Intermediate Algebra")
    export = ["export", "--holder", "maria", "--format", "json-resume"]

    bogus = runner.invoke(main, [*export, "--record", algebra, "--record", "rec_bogus"])
    unknown_to_verify = runner.invoke(main, ["verify", "rec_bogus", "--holder", "maria"])
    assert bogus.exit_code == unknown_to_verify.exit_code == 1
    assert bogus.stderr == "Error: no record 'rec_bogus' for holder 'maria'\n" and bogus.stdout == ""

    short = runner.invoke(main, [*export, "--record", algebra[:12]])
    assert short.exit_code == 0, short.output
    [course] = json.loads(short.stdout)["education"]
    assert (course["x-passport-credentialId"], course["institution"], course["score"]) == (
        algebra, "Sacramento City College", "B")

    several = runner.invoke(main, [*export, "--record", "rec_"])
    assert several.exit_code == 1 and "Error: 'rec_' begins several record ids (" in several.stderr
    empty = runner.invoke(main, ["show", "", "--holder", "maria"])  # as a prefix, "" would begin every id
    assert empty.exit_code == 1 and "no record ''" in empty.stderr
    nobody = runner.invoke(main, ["verify", "--holder", "nobody"])
    assert nobody.exit_code == 1 and "no holder 'nobody'" in nobody.stderr


def test_dry_run_help_says_where_the_summary_and_the_records_go(hub_env, samples):
    transcript = next(p for p in samples["etranscript"] if p.endswith("sacramento-city-college_unprefixed-root.json"))
    runner = CliRunner()
    summary = runner.invoke(main, ["import", transcript, "--dry-run"])
    assert summary.exit_code == 0 and summary.stdout == ""
    assert "dry run: nothing stored" in summary.stderr
    # read, not "new": a dry run does not compare with the store
    assert "1 document(s): 1 read, 0 failed; 7 item(s) read, nothing stored" in summary.stderr
    assert "new" not in summary.stderr and "already stored" not in summary.stderr
    printed = runner.invoke(main, ["import", transcript, "--dry-run", "--json"])
    assert {line["holder"]["name"] for line in jsonl(printed.stdout)} == {"John Doe"} and printed.stderr == ""

    text = " ".join(runner.invoke(main, ["import", "--help"]).stdout.split())
    assert ("--dry-run Read the documents, store nothing: the summary (on stderr) counts what was read; "
            "with --json, the records are printed (on stdout).") in text


def test_the_readme_summary_names_every_command_and_every_option_its_help_shows():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    summary = readme.split("## The command line", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [line.split("#", 1)[0] for line in summary.replace("\\\n", " ").strip().splitlines()]
    shown = {}
    for line in lines:
        words = line.split()
        command = main.commands[words[1]]
        if isinstance(command, click.Group):
            command = command.commands[words[2]]
            shown[f"{words[1]} {words[2]}"] = line
        else:
            shown[words[1]] = line
        options = [param.opts + param.secondary_opts for param in command.params if isinstance(param, click.Option)]
        assert [names for names in options if not any(name in line for name in names)] == [], line
    commands = {f"{name} {sub}" if isinstance(cmd, click.Group) else name
                for name, cmd in main.commands.items() for sub in getattr(cmd, "commands", {None: None})}
    assert sorted(commands - set(shown)) == []
    assert "--base-url URL" in shown["export"] and "--no-validate" in shown["export"]
