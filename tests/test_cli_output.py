"""What the CLI's tables look like: on a terminal of any usual width (every column readable, ids
copyable), piped (tab-separated lines), and to a reader that has gone (`| head`)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from passport_hub import cli
from passport_hub.cli import main
from passport_hub.config import Settings
from passport_hub.loader import load_plugins

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SGR = re.compile(r"\x1b\[([0-9;]*)m")
JORDANS_CERTIFICATE = "rec_8199d6e0bbd387eadd1b60411dc250c5"  # the Red Cross lookup's, as in the other tests
#: words up to this long are never broken on these terminals (longer ones, DIDs and URLs, may be)
LONG_WORD = 20
WIDTHS = [40, 60, 80, 120]
DOCS = Path(__file__).parent.parent / "docs" / "cpl.md"
COLLEGE = "Fictional Valley Community College"


def sample_paths(plugin: str) -> list[str]:
    return [str(p) for p in load_plugins(Settings.from_env()).sources[plugin].sample_documents()]


def navy_jst() -> str:
    return next(p for p in sample_paths("military_jst") if p.endswith("jst_navy_unofficial.pdf"))


@pytest.fixture
def offline_issuers(monkeypatch):
    """The Red Cross lookup at a closed port: verification stays on this machine."""
    monkeypatch.setenv("PASSPORT_HUB_RED_CROSS_LOOKUP_URL", "http://127.0.0.1:9/lookup")
    monkeypatch.setenv("PASSPORT_HUB_ALLOW_PRIVATE_HOSTS", "1")
    monkeypatch.setenv("PASSPORT_HUB_HTTP_RETRIES", "0")


def terminal(columns: int) -> dict[str, str]:
    """The environment of a terminal ``columns`` wide (rich reads these)."""
    return {"TTY_COMPATIBLE": "1", "COLUMNS": str(columns)}


def on_terminal(monkeypatch, columns: int) -> None:
    for key, value in terminal(columns).items():
        monkeypatch.setenv(key, value)


def run(args, env=None):
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def cells_of(line: str) -> list[tuple[str, bool]]:
    """A table line's cells: each one's text and whether it is dim."""
    return [(ANSI.sub("", raw).strip(), any("2" in codes.split(";") for codes in SGR.findall(raw)))
            for raw in line.split("│")]


def fields_of(lines: list[tuple[str, bool]]) -> list[list[str]]:
    """A cell's lines (text, dim) as the fields of the columns folded into it: every other one is
    dim, so a field is a run of lines alike (empty lines left out)."""
    fields: list[list[str]] = []
    last = None
    for text, dim in lines:
        if text:
            if fields and dim == last:
                fields[-1].append(text)
            else:
                fields.append([text])
            last = dim
    return fields


def read_tables(text: str):
    """The tables in a terminal's text: ``(column widths, headings, body lines)`` each, a heading the
    names of the columns folded into that column, a body line its cells (text, dim)."""
    lines = text.splitlines()
    tables = []
    for n, line in enumerate(lines):
        if "┼" not in (rule := ANSI.sub("", line)):
            continue
        parts = rule.split("┼")
        widths = [len(part) - (part is not parts[0]) - (part is not parts[-1]) for part in parts]
        top = n
        while top and "│" in lines[top - 1]:
            top -= 1
        body = []
        for below in lines[n + 1:]:
            if "│" not in below:
                break
            body.append(cells_of(below))
        headings = [[" ".join(field) for field in fields_of(list(column))]
                    for column in zip(*map(cells_of, lines[top:n]), strict=True)]
        tables.append((widths, headings, body))
    return tables


def piped_tables(text: str) -> list[list[dict[str, str]]]:
    """The tables of a command's piped output (tab-separated lines after a header line)."""
    tables: list[list[list[str]]] = []
    inside = False
    for line in text.splitlines():
        if "\t" in line and not inside:
            tables.append([])
        inside = "\t" in line
        if inside:
            tables[-1].append(line.split("\t"))
    return [[dict(zip(header, row, strict=True)) for row in rows] for header, *rows in tables]


def squeezed(text: str) -> str:
    """Text without its whitespace: a word folded over two lines of a cell reads the same."""
    return "".join(text.split())


def broken_words(lines: list[str], value: str) -> list[str]:
    """The words of ``value`` that ``lines``, its text wrapped, break over two lines."""
    assert squeezed(" ".join(lines)) == squeezed(value), (lines, value)
    parts, broken = " ".join(lines).split(), []
    for word in value.split():
        part = parts.pop(0)
        if part != word:
            broken.append(word)
            while part != word:
                part += parts.pop(0)
    return broken


def check_tables(shown: str, piped: str, width: int, holder=None):
    """The tables of a command's output on a terminal ``width`` wide against its output piped (the
    same tables as tab-separated lines): no line wider than the terminal; every column's heading,
    whole (it may wrap); in each cell the fields of the columns folded into it, told apart (every
    other one is dim), each the piped text with its words up to LONG_WORD characters whole; every
    id (on one line) a beginning that `show` takes (``holder``, else the row's holder_id). Returns
    the tables: ``(headings, rows)``, a row its columns' text."""
    assert all(len(ANSI.sub("", line)) <= width for line in shown.splitlines() if "│" in line or "┼" in line)
    tables = []
    for (widths, headings, body), rows in zip(read_tables(shown), piped_tables(piped), strict=True):
        assert sorted(name for heading in headings for name in heading) == sorted(rows[0]), headings
        first = headings[0][0]
        shown_rows: list[list[list[tuple[str, bool]]]] = []
        for line in body:
            text, expected = line[0][0], rows[len(shown_rows)][first] if len(shown_rows) < len(rows) else None
            if expected is not None and (text == expected or (len(text) >= 12 and expected.startswith(text))):
                shown_rows.append([[] for _cell in line])
            for column, cell in zip(shown_rows[-1], line, strict=True):
                column.append(cell)
        assert len(shown_rows) == len(rows)
        table = []
        for cells, row in zip(shown_rows, rows, strict=True):
            seen = {}
            for heading, column_width, cell in zip(headings, widths, cells, strict=True):
                # an empty field is "-" where columns are folded (to tell the next one apart)
                named = [(name, row[name] or ("-" if len(heading) > 1 else "")) for name in heading]
                named = [(name, value) for name, value in named if value]
                fields = fields_of(cell)
                assert len(fields) == len(named), (heading, fields, named)
                for (name, value), lines in zip(named, fields, strict=True):
                    assert max(map(len, lines)) <= column_width
                    if name == "id":
                        [short] = lines
                        assert len(short) >= 12 and value.startswith(short)
                        seen[name] = short
                    else:
                        assert [word for word in broken_words(lines, value) if len(word) <= LONG_WORD] == []
                        seen[name] = " ".join(lines)
            if "id" in seen:
                shown_record = CliRunner().invoke(main, ["show", seen["id"], "--holder", holder or row["holder_id"]])
                assert shown_record.exit_code == 0, shown_record.output
                assert json.loads(shown_record.stdout)["id"] == row["id"]
            table.append(seen)
        tables.append((headings, table))
    return tables


@pytest.mark.parametrize("width", [*WIDTHS, 200])
def test_records_on_a_terminal_show_every_column_and_copyable_ids(hub_env, width):
    """`COLUMNS=80 passport-hub records --holder jordan` showed the whole 36-character id and
    squeezed every other text column to nothing."""
    run(["import", "--holder", "jordan", *sample_paths("red_cross"), navy_jst()])
    listing = run(["records", "--holder", "jordan"], terminal(width))
    [(_headings, table)] = check_tables(listing, run(["records", "--holder", "jordan"]), width, "jordan")
    titles = [row["title"] for row in table]
    assert titles.count("Adult and Pediatric First Aid/CPR/AED") == 3 and "Lifeguarding" in titles
    assert "HOSPITAL CORPSMAN BASIC" in titles
    assert JORDANS_CERTIFICATE[:12] in ANSI.sub("", listing)


@pytest.mark.parametrize("width", WIDTHS)
def test_records_of_every_holder_on_a_terminal_say_whose(hub_env, width):
    """Across holders at 80 columns `military_jst` was cut to `military_j` / `st` while the title
    column had room; at 40 the id itself was cut over two lines."""
    lookup = next(p for p in sample_paths("red_cross") if p.endswith("lookup_certnumber_single_valid.html"))
    for holder in ("jordan", "bob"):
        run(["import", "--holder", holder, lookup])
    run(["import", "--holder", "jordan", navy_jst()])
    [(_headings, table)] = check_tables(run(["records"], terminal(width)), run(["records"]), width)
    assert sorted((row["id"], row["holder_id"]) for row in table if row["source"] == "red_cross") == [
        (JORDANS_CERTIFICATE[:12], who) for who in ("bob", "jordan")]
    assert {row["source"] for row in table} == {"red_cross", "military_jst"}


def test_demo_on_a_terminal_shows_ids_show_takes_and_tells_folded_columns_apart(hub_env):
    """At 80 columns the demo cut ids to `r…`, and showed an issuer and its holder as one text
    ("Mount Saint / Vincent / University / Bradley James / White")."""
    for width in WIDTHS:
        [(headings, table)] = check_tables(run(["demo"], terminal(width)), run(["demo"]), width, "local")
        assert {"BASIC COMBAT TRAINING", "Lifeguarding", "Electrician"} <= {row["title"] for row in table}
        if width <= 80:
            assert any(heading[-2:] == ["issuer", "holder"] for heading in headings)
        msvu = next(row for row in table if row["holder"] == "Bradley James White")
        assert msvu["issuer"] == "Mount Saint Vincent University"


def test_cpl_on_a_terminal_shows_every_column_readable(hub_env, tmp_path):
    """At 80 columns `why` was 6 wide ("versio/n"), at 60 squeezed to nothing and the table wider
    than the terminal: a wrapping column was kept as wide as its heading."""
    rules = tmp_path / "rules.json"
    rules.write_text(re.search(r"```json\n(.*?)```", DOCS.read_text(), re.S).group(1))
    run(["import", navy_jst(), "--holder", "navy"])
    run(["articulations", "import", str(rules), "--college", COLLEGE])
    report = ["cpl", "--holder", "navy", "--college", COLLEGE]
    for width in WIDTHS:
        (_headings, eligible), *_others = check_tables(run(report, terminal(width)), run(report), width)
        bio = next(row for row in eligible if row["course"] == "BIO 45")
        assert bio["title"] == "Human Anatomy" and bio["issuer check"] == "never checked"
        assert "NV-0702-0014" in bio["why"]


def test_verify_on_a_terminal_shows_ids_show_takes(hub_env, offline_issuers):
    run(["import", "--holder", "jordan", *sample_paths("red_cross")])
    verify = ["verify", "--holder", "jordan"]
    for width in WIDTHS:
        [(headings, table)] = check_tables(run(verify, terminal(width)), run(verify), width, "jordan")
        if width == 80:
            assert headings == [["id"], ["title"], ["status"], ["checks"]]
        assert {row["status"] for row in table} <= {"unverifiable", "expired"}
        assert all(row["checks"].startswith("registry_listed:") for row in table)


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


#: a command, and the exit status it ends with when its reader has gone
CLOSED_PIPE_COMMANDS = {
    "records": (["records"], 0),
    "records --json": (["records", "--json"], 0),
    "records on a terminal": (["records"], 0),  # rich's own handling exits with status 1
    "verify": (["verify"], 0),
    "verify --json": (["verify", "--json"], 0),
    "show": (["show", JORDANS_CERTIFICATE[:12]], 0),
    "plugins": (["plugins"], 0),
    "schema": (["schema"], 0),
    "demo": (["demo"], 0),
    # its own status: a document failed, the others are stored
    "import --json, a document unread": (["import", "--json", "{unread}", "{certificate}"], 1),
}


@pytest.mark.parametrize("name", list(CLOSED_PIPE_COMMANDS))
def test_a_reader_that_has_gone_ends_every_command_quietly(hub_env, offline_issuers, monkeypatch, tmp_path, name):
    """`passport-hub records | head -1` exited 1 where `import --json | head -1` exits 0: the pipe
    is closed here before the command writes a byte; each command ends with its own status."""
    assert CliRunner().invoke(main, ["import", *sample_paths("red_cross")]).exit_code == 0
    if name.endswith("on a terminal"):
        on_terminal(monkeypatch, 100)
    unread = tmp_path / "unread.xml"
    unread.write_text("<nothing-any-plugin-reads/>")
    args, status = CLOSED_PIPE_COMMANDS[name]
    args = [arg.format(unread=unread, certificate=sample_paths("red_cross")[0]) for arg in args]
    child = subprocess.Popen([sys.executable, "-m", "passport_hub", *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    child.stdout.close()
    stderr = child.stderr.read()
    assert child.wait(timeout=300) == status, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "Exception ignored" not in stderr
    assert "error" not in stderr.lower().replace("error (", "")  # no error line of passport-hub's


def test_a_reader_gone_where_the_cli_does_not_write_itself_ends_the_command_with_status_1(hub_env, monkeypatch):
    """The CLI's own output lets a command whose reader has gone run to its end; a closed pipe met
    elsewhere stopped the command part-way, which ended with status 0 as if it had done its work."""
    def gone(text: str = "") -> None:
        raise BrokenPipeError

    monkeypatch.setattr(cli, "_out", gone)
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 1 and result.stderr == ""


def test_results_are_written_at_once_not_a_line_at_a_time(hub_env, monkeypatch):
    """`records --json` flushed stdout after every line: a system call per record."""
    run(["import", *sample_paths("red_cross")])

    class Stdout(io.StringIO):
        flushes = 0

        def flush(self) -> None:
            self.flushes += 1
            super().flush()

    stdout = Stdout()
    monkeypatch.setattr(sys, "stdout", stdout)
    main.main(["records", "--json"], standalone_mode=False)
    assert len(stdout.getvalue().splitlines()) == 5 and stdout.flushes == 1


@pytest.mark.parametrize(("value", "traceback"), [("1", True), ("yes", True), ("ON", True), ("0", False),
                                                   ("off", False), ("", False), ("maybe", False)])
def test_debug_shows_a_traceback_for_any_yes_word_and_not_for_a_bad_value(hub_env, monkeypatch, value, traceback):
    """PASSPORT_HUB_DEBUG takes the words every flag takes (only "1" showed a traceback); a value it
    cannot read does not break the report of the failure."""
    def broken(text: str = "") -> None:
        raise RuntimeError("it broke")

    monkeypatch.setattr(cli, "_out", broken)
    monkeypatch.setenv("PASSPORT_HUB_DEBUG", value)
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 1
    if traceback:
        assert isinstance(result.exception, RuntimeError) and result.stderr == ""
    else:
        assert result.stderr.startswith("error (system): passport-hub failed unexpectedly (RuntimeError: it broke)")
