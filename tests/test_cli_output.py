"""What the CLI's tables look like: on a terminal of any usual width (every column readable, ids
copyable), piped (tab-separated lines), and to a reader that has gone (`| head`)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from passport_hub.cli import main
from passport_hub.config import Settings
from passport_hub.loader import load_plugins

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
RECORD_COLUMNS = {"id", "source", "kind", "title", "issuer", "holder", "issued", "status", "verified"}
JORDANS_CERTIFICATE = "rec_8199d6e0bbd387eadd1b60411dc250c5"  # the Red Cross lookup's, as in the other tests


def sample_paths(plugin: str) -> list[str]:
    return [str(p) for p in load_plugins(Settings.from_env()).sources[plugin].sample_documents()]


@pytest.fixture
def offline_issuers(monkeypatch):
    """The Red Cross lookup at a closed port: verification stays on this machine."""
    monkeypatch.setenv("PASSPORT_HUB_RED_CROSS_LOOKUP_URL", "http://127.0.0.1:9/lookup")
    monkeypatch.setenv("PASSPORT_HUB_ALLOW_PRIVATE_HOSTS", "1")
    monkeypatch.setenv("PASSPORT_HUB_HTTP_RETRIES", "0")


def on_terminal(monkeypatch, columns: int) -> None:
    """Output as to a terminal ``columns`` wide (rich reads these)."""
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", str(columns))


def read_table(text: str):
    """``(heading words, rows)`` of the table in a terminal's text: each row a list of its columns'
    text, a cell's lines joined by spaces (a row begins with a record id in the first column)."""
    lines = ANSI.sub("", text).splitlines()
    rule = next(n for n, line in enumerate(lines) if "┼" in line)
    heading_lines = [line.split("│") for line in lines[:rule] if "│" in line]
    headings = [" ".join(parts).split() for parts in zip(*heading_lines, strict=True)]
    rows: list[list[list[str]]] = []
    for line in lines[rule + 1:]:
        if "│" not in line:
            break
        cells = [cell.strip() for cell in line.split("│")]
        if cells[0].startswith("rec_"):
            rows.append([[cell] for cell in cells])
        else:
            for column, cell in zip(rows[-1], cells, strict=True):
                column.append(cell)
    return headings, [[" ".join(part for part in column if part) for column in row] for row in rows]


def table_lines(text: str) -> list[str]:
    return [line for line in ANSI.sub("", text).splitlines() if "│" in line or "┼" in line]


def squeezed(text: str) -> str:
    """Text without its whitespace: a word folded over two lines of a cell reads the same."""
    return "".join(text.split())


def check_records_table(text: str, width: int, holder: str | None, columns=RECORD_COLUMNS):
    """Every heading whole, no line wider than the terminal, and each row's id a beginning that
    `show` takes for the record whose title the row shows. The rows' titles."""
    headings, rows = read_table(text)
    assert {word for words in headings for word in words} == columns
    assert all(len(line) <= width for line in table_lines(text))
    titles = []
    for row in rows:
        short = row[0].split()[0]
        assert len(short) == 12, row
        where = ["--holder", holder] if holder else ["--holder", row[0].split()[1]]  # folded: id, holder_id
        shown = CliRunner().invoke(main, ["show", short, *where])
        assert shown.exit_code == 0, shown.output
        record = json.loads(shown.stdout)
        assert record["id"].startswith(short)
        title_column = next(n for n, words in enumerate(headings) if "title" in words)
        assert squeezed(row[title_column]) == squeezed(record["achievement"]["title"])
        titles.append(record["achievement"]["title"])
    return titles


@pytest.mark.parametrize("width", [80, 100, 120, 200])
def test_records_on_a_terminal_show_every_column_and_copyable_ids(hub_env, monkeypatch, width):
    """`COLUMNS=80 passport-hub records --holder jordan` showed the whole 36-character id and
    squeezed every other text column to nothing."""
    runner = CliRunner()
    assert runner.invoke(main, ["import", "--holder", "jordan", *sample_paths("red_cross")]).exit_code == 0
    on_terminal(monkeypatch, width)
    listing = runner.invoke(main, ["records", "--holder", "jordan"])
    assert listing.exit_code == 0, listing.output
    titles = check_records_table(listing.stdout, width, "jordan")
    assert titles.count("Adult and Pediatric First Aid/CPR/AED") == 3 and "Lifeguarding" in titles
    assert JORDANS_CERTIFICATE[:12] in ANSI.sub("", listing.stdout)


def test_records_of_every_holder_on_a_narrow_terminal_say_whose(hub_env, monkeypatch):
    runner = CliRunner()
    lookup = next(p for p in sample_paths("red_cross") if p.endswith("lookup_certnumber_single_valid.html"))
    for holder in ("jordan", "bob"):
        assert runner.invoke(main, ["import", "--holder", holder, lookup]).exit_code == 0
    on_terminal(monkeypatch, 80)
    listing = runner.invoke(main, ["records"])
    titles = check_records_table(listing.stdout, 80, None, RECORD_COLUMNS | {"holder_id"})
    assert titles == ["Adult and Pediatric First Aid/CPR/AED"] * 2
    _headings, rows = read_table(listing.stdout)
    assert sorted(row[0] for row in rows) == [f"{JORDANS_CERTIFICATE[:12]} {who}" for who in ("bob", "jordan")]


def test_demo_on_a_narrow_terminal_shows_ids_show_takes(hub_env, monkeypatch):
    """At 80 columns the demo cut ids to `r…`."""
    on_terminal(monkeypatch, 80)
    demo = CliRunner().invoke(main, ["demo"])
    assert demo.exit_code == 0, demo.output
    titles = check_records_table(demo.stdout, 80, "local")
    assert {"BASIC COMBAT TRAINING", "Lifeguarding", "Electrician"} <= set(titles)


def test_verify_on_a_narrow_terminal_shows_ids_show_takes(hub_env, monkeypatch, offline_issuers):
    runner = CliRunner()
    assert runner.invoke(main, ["import", "--holder", "jordan", *sample_paths("red_cross")]).exit_code == 0
    on_terminal(monkeypatch, 80)
    verified = runner.invoke(main, ["verify", "--holder", "jordan"])
    assert verified.exit_code == 0, verified.output
    headings, rows = read_table(verified.stdout)
    assert headings == [["id"], ["title"], ["status"], ["checks"]]
    assert all(len(line) <= 80 for line in table_lines(verified.stdout))
    stored = {r["id"]: r for r in map(json.loads, runner.invoke(main, ["records", "--json"]).stdout.splitlines())}
    for short, title, status, checks in rows:
        [record] = [r for record_id, r in stored.items() if record_id.startswith(short)]
        assert len(short) == 12 and squeezed(title) == squeezed(record["achievement"]["title"])
        assert status == record["verification"]["status"]
        assert squeezed(checks) == squeezed(", ".join(f"{c['name']}: {c['status']}"
                                                      for c in record["verification"]["checks"]))
    assert "issuer_confirms:" in rows[0][3]


def test_verify_piped_prints_tab_separated_lines_as_records_does(hub_env, offline_issuers):
    """To a file or a pipe, `verify` printed a 240-column box table."""
    runner = CliRunner()
    assert runner.invoke(main, ["import", "--holder", "jordan", *sample_paths("red_cross")]).exit_code == 0
    verified = runner.invoke(main, ["verify", "--holder", "jordan"])
    assert verified.exit_code == 0, verified.output
    header, *rows = [line.split("\t") for line in verified.stdout.splitlines()]
    assert header == ["id", "title", "status", "checks"]
    stored = [json.loads(line) for line in runner.invoke(main, ["records", "--json"]).stdout.splitlines()]
    assert sorted(rows) == sorted(
        [r["id"], r["achievement"]["title"], r["verification"]["status"],
         ", ".join(f"{c['name']}: {c['status']}" for c in r["verification"]["checks"])] for r in stored)
    assert [JORDANS_CERTIFICATE, "Adult and Pediatric First Aid/CPR/AED"] in [row[:2] for row in rows]
    assert "5 record(s):" in verified.stderr  # the summary stays on stderr


def test_demo_and_cpl_piped_print_tab_separated_lines(hub_env):
    runner = CliRunner()
    demo = runner.invoke(main, ["demo"])
    assert demo.exit_code == 0, demo.output
    lines = demo.stdout.splitlines()
    assert re.fullmatch(r"\d+ credential record\(s\) from \d+ sample document\(s\)", lines[0])
    assert lines[1].split("\t") == ["id", "source", "kind", "title", "issuer", "holder", "issued", "status",
                                    "verified"]
    assert any(line.split("\t")[1:4] == ["military_jst", "military_course", "BASIC COMBAT TRAINING"]
               for line in lines)
    assert "┃" not in demo.stdout and "│" not in demo.stdout

    jst = next(p for p in sample_paths("military_jst") if p.endswith("jst_navy_unofficial.pdf"))
    assert runner.invoke(main, ["import", jst, "--holder", "navy"]).exit_code == 0
    rules = Path(__file__).parent / "data" / "cpl" / "map_existing_articulations_sample.csv"
    college = "Fictional Valley Community College"
    assert runner.invoke(main, ["articulations", "import", str(rules), "--college", college]).exit_code == 0
    report = runner.invoke(main, ["cpl", "--holder", "navy", "--college", college])
    assert report.exit_code == 0, report.output
    rows = [line.split("\t") for line in report.stdout.splitlines()]
    assert ["course", "title", "units", "earned by", "why", "issuer check", "also articulated by"] in rows
    [bio] = [row for row in rows if row[0] == "BIO 45"]
    assert bio[3].startswith("HOSPITAL CORPSMAN BASIC (ACE NV-0702-0014 V02)") and bio[5] == "never checked"
    assert ["ACE id", "title", "recommendation", "note"] in rows
    assert ["NV-1406-0180 V01", "PETTY OFFICER SELECTEE LEADERSHIP COURSE",
            "Leadership 1 SH lower_division; Principles of Management 1 SH upper_division", ""] in rows
    assert "│" not in report.stdout


CLOSED_PIPE_COMMANDS = {
    "records": ["records"],
    "records --json": ["records", "--json"],
    "records on a terminal": ["records"],  # rich's own handling exits with status 1
    "verify": ["verify"],
    "verify --json": ["verify", "--json"],
    "show": ["show", JORDANS_CERTIFICATE[:12]],
    "plugins": ["plugins"],
    "schema": ["schema"],
    "demo": ["demo"],
}


@pytest.mark.parametrize("name", list(CLOSED_PIPE_COMMANDS))
def test_a_reader_that_has_gone_ends_every_command_quietly(hub_env, offline_issuers, monkeypatch, name):
    """`passport-hub records | head -1` exited 1 where `import --json | head -1` exits 0: the pipe
    is closed here before the command writes a byte; each command ends with its own status."""
    assert CliRunner().invoke(main, ["import", *sample_paths("red_cross")]).exit_code == 0
    if name.endswith("on a terminal"):
        on_terminal(monkeypatch, 100)
    child = subprocess.Popen([sys.executable, "-m", "passport_hub", *CLOSED_PIPE_COMMANDS[name]],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    child.stdout.close()
    stderr = child.stderr.read()
    assert child.wait(timeout=300) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "Exception ignored" not in stderr
    assert "error" not in stderr.lower().replace("error (", "")  # no error line of passport-hub's
