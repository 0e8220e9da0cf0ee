"""The CPL commands: `articulations import`, `articulations list`, `cpl`."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from passport_hub.cli import main

DATA = Path(__file__).parent / "data" / "cpl"
COLLEGE = "Fictional Valley Community College"


def test_import_and_cpl_commands(hub_env):
    runner = CliRunner()
    from passport_hub.config import Settings
    from passport_hub.loader import load_plugins

    registry = load_plugins(Settings.from_env(hub_env))
    samples = registry.sources["military_jst"].sample_documents()
    [jst] = [p for p in samples if Path(p).name == "jst_navy_unofficial.pdf"]
    r = runner.invoke(main, ["import", str(jst), "--holder", "navy"], env=hub_env)
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["articulations", "import", str(DATA / "map_existing_articulations_sample.csv"),
                             "--college", COLLEGE], env=hub_env)
    assert r.exit_code == 0, r.output
    assert "(map) → Fictional Valley Community College: 4 new rule(s), 0 updated, 0 unchanged, 2 new course(s)" \
        in r.output
    again = runner.invoke(main, ["articulations", "import", str(DATA / "map_existing_articulations_sample.csv"),
                                 "--college", COLLEGE], env=hub_env)
    assert "0 new rule(s), 0 updated, 4 unchanged, 0 new course(s)" in again.output
    r = runner.invoke(main, ["articulations", "list"], env=hub_env)
    assert r.output.strip() == f"{COLLEGE}  (4 rule(s))"
    r = runner.invoke(main, ["cpl", "--holder", "navy", "--college", COLLEGE, "--json"], env=hub_env)
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert [e["course"]["code"] for e in report["eligible"]] == ["BIO 45"]
    assert report["eligible"][0]["earned_by"]["verification"] is None  # the JST was never verified
    r = runner.invoke(main, ["cpl", "--holder", "navy", "--college", COLLEGE], env=hub_env)
    assert r.exit_code == 0, r.output
    assert "BIO 45" in r.output and "not yet articulated here" in r.output and "NV-1406-0180 V01" in r.output
    assert "issuer check" in r.output and "never checked" in r.output
    r = runner.invoke(main, ["cpl", "--holder", "navy", "--college", "Nowhere"], env=hub_env)
    assert r.exit_code == 1 and f"no articulations for college 'Nowhere' (colleges: {COLLEGE}); import them" in r.output


def test_rejected_rows_exit_1(hub_env, tmp_path):
    rules = tmp_path / "rules.csv"
    rules.write_text("course,units,ace_id\nBUS 1,3,AR-2201-0399\nBUS 2,3,not-an-id\n")
    r = CliRunner().invoke(main, ["articulations", "import", str(rules), "--college", COLLEGE, "--format", "hub"],
                           env=hub_env)
    assert r.exit_code == 1
    assert "1 new rule(s)" in r.output and "row 3 rejected: ace_id 'not-an-id' is not an ACE" in r.output


def test_an_import_that_stores_no_rule_leaves_no_new_college(hub_env, tmp_path):
    rejected, good = tmp_path / "rejected.csv", tmp_path / "good.csv"
    rejected.write_text("course,ace_id\nBUS 1,not-an-id\n")
    good.write_text("course,ace_id\nBUS 1,AR-2201-0399\n")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["articulations", *args], env=hub_env)

    r = run("import", str(rejected), "--college", "CSV College", "--format", "hub")
    assert r.exit_code == 1 and r.output == (
        "error (malformed): rejected.csv: nothing imported for CSV College: every row was rejected (1 row(s))\n"
        "  row 2 rejected: ace_id 'not-an-id' is not an ACE course or occupation id\n")
    assert run("list").output == ""
    assert run("import", str(good), "--college", "CSV College").exit_code == 0
    assert run("import", str(rejected), "--college", "CSV College").exit_code == 1
    assert run("list").output.strip() == "CSV College  (1 rule(s))"
    # a college name with no letters or digits in it is refused, rows or no rows
    r = run("import", str(rejected), "--college", "***")
    assert r.exit_code == 1 and "a college name is needed" in r.output


def test_a_version_that_is_not_one_is_rejected_not_widened_to_every_version(hub_env, tmp_path):
    """The new user's file: `VO2` (letter O) or `latest` was dropped, the rule stored as covering every
    version (`X 1 ← ACE NV-0702-0014 [active]`), and `cpl` listed X 1 as eligible."""
    from passport_hub.config import Settings
    from passport_hub.loader import load_plugins

    runner = CliRunner()
    [jst] = [p for p in load_plugins(Settings.from_env(hub_env)).sources["military_jst"].sample_documents()
             if Path(p).name == "jst_navy_unofficial.pdf"]
    assert runner.invoke(main, ["import", str(jst), "--holder", "navy"], env=hub_env).exit_code == 0
    for version in ("VO2", "latest"):
        rules = tmp_path / "v.json"
        rules.write_text(json.dumps([{"course": "X 1", "units": 1, "ace_id": "NV-0702-0014", "ace_version": version}]))
        r = runner.invoke(main, ["articulations", "import", str(rules), "--college", "Version College"], env=hub_env)
        assert r.exit_code == 1
        assert r.output == (
            "error (malformed): v.json: nothing imported for Version College: every row was rejected (1 row(s))\n"
            f"  row 1 rejected: ace_version '{version}' is not an ACE course version (V01, V02, ...)\n")
        assert runner.invoke(main, ["articulations", "list"], env=hub_env).output == ""
    r = runner.invoke(main, ["cpl", "--holder", "navy", "--college", "Version College"], env=hub_env)
    assert r.exit_code == 1 and "no articulations for college 'Version College'" in r.output
    # the version written as it should be: the holder's V02 earns X 1, and the reason says which part is the version
    rules.write_text(json.dumps([{"course": "X 1", "units": 1, "ace_id": "NV-0702-0014", "ace_version": "V02"}]))
    assert runner.invoke(main, ["articulations", "import", str(rules), "--college", "Version College"],
                         env=hub_env).exit_code == 0
    r = runner.invoke(main, ["cpl", "--holder", "navy", "--college", "Version College", "--json"], env=hub_env)
    [x1] = json.loads(r.output)["eligible"]
    assert (x1["course"]["code"], x1["earned_by"]["reason"]) == ("X 1", "ACE id NV-0702-0014, version V02, match")


def test_a_header_only_file_exits_1(hub_env, tmp_path):
    """It answered `0 new rule(s)` with exit status 0."""
    header = tmp_path / "rules.csv"
    header.write_text("course,title,units,ace_id,ace_version\n")
    r = CliRunner().invoke(main, ["articulations", "import", str(header), "--college", COLLEGE], env=hub_env)
    assert r.exit_code == 1
    assert r.output == (
        f"error (malformed): rules.csv: nothing imported for {COLLEGE}: the file has no articulation rows\n")
