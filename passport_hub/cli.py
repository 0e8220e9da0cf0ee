"""The ``passport-hub`` command line.

Imports stay inside commands so ``passport-hub plugins`` starts fast.
"""

from __future__ import annotations

import json
import os
import re
import sys
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path

import click

from . import __version__
from .errors import AmbiguousError, ConfigError, NotFoundError, PassportHubError


class HubGroup(click.Group):
    """Renders PassportHubError as one line and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PassportHubError as exc:
            click.echo(f"error ({exc.kind}): {exc.user_message}", err=True)
            sys.exit(1)
        except BrokenPipeError:
            # a write to stdout other than the CLI's own (those go through _out and the console,
            # which let the command run to its end): the command stopped part-way, so not status 0
            _reader_gone()
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            # never a traceback for users; PASSPORT_HUB_DEBUG=1 shows it for developers
            from .config import debugging

            if debugging():  # never raises: a value it cannot read is off here
                raise
            click.echo(
                f"error (system): passport-hub failed unexpectedly ({type(exc).__name__}: {exc}); "
                "set PASSPORT_HUB_DEBUG=1 to see the traceback",
                err=True,
            )
            sys.exit(1)
        finally:
            _flush()


def _settings():
    from .config import Settings

    return Settings.from_env()


def _registry(settings):
    from .loader import load_plugins

    return load_plugins(settings)


def _store(settings):
    from .store import open_store

    return open_store(settings)


@contextmanager
def _lookup_errors():
    """Records the user named that are not there (or not only one) are shown as click's "Error: ..."
    like the other mistakes in a command line, not as an error kind."""
    try:
        yield
    except (NotFoundError, AmbiguousError) as exc:
        raise click.ClickException(exc.user_message) from None


def _reader_gone() -> None:
    """The reader of stdout stopped (`| head`): write the rest nowhere, quietly (also what is
    still buffered, when the process ends)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a file (a test's captured output)
        pass
    finally:
        os.close(devnull)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until the process ends


def _out(text: str = "") -> None:
    """One line of results on stdout (buffered: :func:`_flush` at the end of the command); a reader
    that stopped (`| head`) is no error: the command goes on (an import still stores everything)
    and ends with its own exit status."""
    try:
        sys.stdout.write(text + "\n")
    except BrokenPipeError:
        _reader_gone()


def _flush() -> None:
    """What is left of stdout's buffer, at the end of a command (a reader that stopped is no error)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _reader_gone()


def _print_jsonl(obj) -> None:
    _out(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


def _console(stderr: bool = False):
    """A rich console; piped output gets a wide fixed width instead of 80 columns. A reader that
    stopped (`| head`) ends its output, not the command (rich would exit with status 1)."""
    from rich.console import Console

    class HubConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            if not self.stderr:
                _reader_gone()

    console = HubConsole(stderr=stderr)
    return console if console.is_terminal else HubConsole(stderr=stderr, width=240)


@click.group(cls=HubGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="passport-hub")
def main() -> None:
    """passport-hub: gather credentials from many issuers into one verified record.

    \b
    Quick tour:
      passport-hub demo                      import the bundled samples, show the records
      passport-hub plugins                   which issuer plugins are installed
      passport-hub import transcript.xml     read documents into your wallet
      passport-hub records                   list what is stored
      passport-hub verify                    re-check records with their issuers

    Data lives in hub.db (SQLite) in the folder PASSPORT_HUB_HOME names (default
    ~/.passport-hub), unless PASSPORT_HUB_DATABASE_URL names another database
    (e.g. postgresql+psycopg://host/db).
    """


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON (same data as GET /plugins).")
def plugins(as_json: bool) -> None:
    """List installed plugins: distribution, version, status, capabilities, errors.

    Status is one of loaded, failed (import or registration error), blocked
    (PASSPORT_HUB_LOAD_PLUGINS / PASSPORT_HUB_DISABLE_PLUGINS) or incompatible
    (the plugin supports another contract version). A loaded plugin whose config is
    invalid says so in its error ("config: ..."; `import` fails its documents and
    `serve` refuses to start). Set PASSPORT_HUB_STRICT_PLUGINS=1 to make any failure an error.
    """
    settings = _settings()
    registry = _registry(settings)
    if as_json:
        _out(json.dumps([p.as_dict(registry) for p in registry.plugins], indent=2))
        return
    if not registry.plugins:
        _out("No plugins installed. Install one, e.g. pip install -e plugins/etranscript")
        return
    rows = [("NAME", "DISTRIBUTION", "VERSION", "STATUS", "PROVIDES", "ERROR")]
    for p in registry.plugins:
        provides = ", ".join(p.sources + [f"{v} (verifier)" for v in p.verifiers if v not in p.sources])
        if p.verifiers and set(p.verifiers) <= set(p.sources):
            provides += " (+verifier)"
        rows.append((p.name, p.distribution or "-", p.version or "-", p.status, provides or "-", p.error or ""))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        _out("  ".join(cell.ljust(w) for cell, w in zip(row[:5], widths, strict=True)) + "  " + row[5])


@main.command()
@click.argument("which", type=click.Choice(["record", "catalog-entry"]), default="record")
def schema(which: str) -> None:
    """Print the JSON Schema of a normalized record (passport-hub/record@1) or catalog entry."""
    from .model import CatalogEntry, CredentialRecord

    model = CredentialRecord if which == "record" else CatalogEntry
    _out(json.dumps(model.model_json_schema(by_alias=True), indent=2))


def _run_ingest(outcomes_iter, total: int | None, as_json: bool, label: str, keep_items: bool = False):
    """Drive an ingest, showing a progress bar on a terminal; returns outcomes (their records
    only with ``keep_items``: a large import must not hold every record in memory)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = _console(stderr=True)
    outcomes = []
    show_bar = console.is_terminal and not as_json
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, disable=not show_bar, transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)

        def on_outcome(outcome):
            outcomes.append(outcome)
            progress.advance(task)
            if as_json:
                if outcome.error:
                    _print_jsonl(outcome.error_json())
                for item in outcome.items:
                    _print_jsonl(item.to_json_dict())
                for rejected in outcome.rejected:
                    _print_jsonl({"rejected": rejected})
            if not keep_items:
                outcome.items = []

        outcomes_iter(on_outcome)
    return outcomes


def _without_document(message: str, document: str) -> str:
    """An error's message without the document it begins with: the row's first column names it."""
    for prefix in (f"{document}: ", f"{Path(document).name}: "):
        message = message.removeprefix(prefix)
    return message


def _summary(outcomes, dry_run: bool, command: str = "import") -> None:
    from rich.table import Table

    console = _console(stderr=True)
    # a dry run has no store to compare with: it counts what was read, not what would be new
    table = Table(title="dry run: nothing stored" if dry_run else f"{command} summary", title_justify="left")
    updated = sum(o.updated for o in outcomes)
    columns = ["document", "source", "read"] if dry_run else ["document", "source", "new", "already stored"]
    for column in [*columns, *(["updated"] if updated else []), "problem"]:
        table.add_column(column)
    for o in outcomes:
        problem = f"[red]{o.error.kind}[/]: {_without_document(o.error.user_message, o.document)}" if o.error else ""
        if o.rejected:
            problem += "; ".join(f"row {r.get('row')}: {r.get('reason')}" for r in o.rejected)
        cells = [Path(o.document).name, o.source or "-", str(o.new), *([] if dry_run else [str(o.existing)])]
        table.add_row(*cells, *([str(o.updated)] if updated else []), problem)
    console.print(table)
    failed = sum(1 for o in outcomes if o.error)
    rejected = sum(len(o.rejected) for o in outcomes)
    items = (f"{sum(o.new for o in outcomes)} item(s) read, nothing stored" if dry_run else
             f"{sum(o.new for o in outcomes)} new item(s), {sum(o.existing for o in outcomes)} already stored")
    console.print(
        f"{len(outcomes)} document(s): {len(outcomes) - failed} read, {failed} failed; {items}"
        + (f", {updated} updated from a later document" if updated else "")
        + (f"; {rejected} row(s) rejected" if rejected else "")
    )


def _holder_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .hub import holder_id_problem

    if value is not None and (problem := holder_id_problem(value)):
        raise click.BadParameter(problem)
    return value


holder_option = click.option(
    "--holder", default=None, metavar="ID", callback=_holder_id,
    help="Wallet holder the records belong to (default: 'local').",
)
holder_filter_option = click.option(
    "--holder", default=None, metavar="ID", callback=_holder_id,
    help="Only this holder's records (default: every holder's).",
)
dry_run_option = click.option(
    "--dry-run", is_flag=True,
    help="Read the documents, store nothing: the summary (on stderr) counts what was read; "
         "with --json, the records are printed (on stdout).",
)
json_option = click.option(
    "--json", "as_json", is_flag=True,
    help="One JSON object per line: each record / catalog entry, and {\"error\": ...} per failed document.",
)


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@holder_option
@dry_run_option
@json_option
def import_(paths: tuple[Path, ...], holder: str | None, dry_run: bool, as_json: bool) -> None:
    """Import documents (files or folders, walked recursively) into the wallet.

    Each document is read by the one source that recognizes it (see `passport-hub
    plugins`) and stored in one transaction: all of its records or none. Importing
    the same document again changes nothing.

    \b
    Examples:
      passport-hub import transcript.xml
      passport-hub import ~/Downloads/credentials --holder alice --json

    Exit status: 0 every document imported, 1 some failed (the others are stored),
    2 usage error (e.g. no documents under the paths).
    """
    from .pipeline import Pipeline, iter_paths
    from .store import DEFAULT_HOLDER

    files = list(iter_paths(paths))
    if not files:
        raise click.UsageError(f"no documents found under {', '.join(map(str, paths))} "
                               "(hidden files and notes such as README or *.md are skipped)")
    settings = _settings()
    registry = _registry(settings)
    store = None if dry_run else _store(settings)
    pipeline = Pipeline(registry, settings, store)
    outcomes = _run_ingest(
        lambda cb: pipeline.ingest_paths(files, holder_id=holder or DEFAULT_HOLDER, dry_run=dry_run, on_outcome=cb),
        len(files), as_json, "importing",
    )
    if not as_json:
        _summary(outcomes, dry_run)
    sys.exit(1 if any(o.error for o in outcomes) else 0)


@main.command()
@click.argument("source")
@click.argument("query", nargs=-1, required=True)
@holder_option
@dry_run_option
@json_option
def fetch(source: str, query: tuple[str, ...], holder: str | None, dry_run: bool, as_json: bool) -> None:
    """Ask a source to fetch documents from its issuer, then import them.

    \b
    Examples:
      passport-hub fetch red_cross certificate_id=02AK63B
      passport-hub fetch credential_engine ctid=ce-...

    Output and exit status as for `import`.
    """
    from .pipeline import Pipeline
    from .store import DEFAULT_HOLDER

    pairs = {}
    for item in query:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.UsageError(f"query terms are KEY=VALUE, got {item!r}")
        pairs[key] = value
    settings = _settings()
    registry = _registry(settings)
    try:
        registry.fetching_source(source)
    except (NotFoundError, ConfigError) as exc:  # the command line's mistake: usage (exit 2), like a bad KEY=VALUE
        raise click.UsageError(exc.user_message) from None
    store = None if dry_run else _store(settings)
    pipeline = Pipeline(registry, settings, store)
    outcomes = _run_ingest(
        lambda cb: pipeline.fetch(source, pairs, holder_id=holder or DEFAULT_HOLDER, dry_run=dry_run, on_outcome=cb),
        None, as_json, "fetching",
    )
    if not as_json:
        _summary(outcomes, dry_run, "fetch")
    sys.exit(1 if any(o.error for o in outcomes) else 0)


def _require_holder(store, holder: str | None) -> None:
    try:
        store.require_holder(holder)
    except NotFoundError as exc:
        raise click.ClickException(f"{exc.user_message} (records are imported for a holder with --holder ID)") from None


@main.command()
@holder_filter_option
@click.option("--json", "as_json", is_flag=True, help="One record per line as JSON.")
def records(holder: str | None, as_json: bool) -> None:
    """List stored records (all holders unless --holder; across holders, a holder_id column says whose).

    On a terminal an id shows as its first 12 characters, which `show`, `verify` and `export`
    take in its place; piped, one tab-separated line per record, ids whole.
    """
    store = _store(_settings())
    _require_holder(store, holder)
    rows = store.record_rows(holder)
    if as_json:
        for _pk, record in rows:
            _print_jsonl(record.to_json_dict())
        return
    holder_ids = None
    if holder is None:
        holder_of = store.record_holders(pk for pk, _r in rows)
        holder_ids = [holder_of.get(pk, "-") for pk, _r in rows]  # "-": deleted since it was read
    _records_table([r for _pk, r in rows], holder_ids=holder_ids)


def _record_cells(r) -> tuple[str, ...]:
    return (r.id, r.source.plugin, str(r.achievement.kind), r.achievement.title, r.issuer.name,
            r.holder.name if r.holder else "-", str(r.issued_on or "-"), str(r.status),
            str(r.verification.status) if r.verification else "-")


#: on a terminal an id is shown by its beginning, at least this long (``rec_`` and 8 hex digits),
#: which every command takes in its place
SHORT_ID = 12


def _short_id_length(ids) -> int:
    """How much of each id a table shows: ``SHORT_ID`` characters, more where two of ``ids``
    begin alike, so that every shown beginning names one of them."""
    ordered = sorted(set(ids))
    alike = max((len(os.path.commonprefix(pair)) for pair in pairwise(ordered)), default=0)
    return max(SHORT_ID, alike + 1)


def _tsv(columns, rows, title: str | None = None) -> None:
    """A table for a program (stdout is not a terminal): one tab-separated line per row,
    after a header line (and ``title``'s line, when there is one)."""
    if title:
        _out(title)
    for cells in [columns, *rows]:
        _out("\t".join(" ".join(str(cell).replace("\t", " ").split("\n")) for cell in cells))


#: on a narrow terminal, columns fold into one (a cell holds one line per column), in this order,
#: until the table fits
_RECORD_FOLDS = (("status", "verified"), ("source", "kind"), ("id", "holder_id"), ("issuer", "holder"),
                 ("issued", "status", "verified"), ("id", "issued"), ("title", "issuer"), ("source", "title"))
#: the columns that wrap, and the narrowest each may be made (the others keep the width of their widest cell)
_RECORD_WRAP = {"source": 8, "kind": 8, "title": 16, "issuer": 10, "holder": 10, "holder_id": 8}
_VERIFY_FOLDS = (("id", "status"), ("title", "checks"))
_VERIFY_WRAP = {"title": 16, "checks": 16}
#: a word up to this long is not broken while the terminal has room for it (a longer one, such as
#: a DID or a URL, folds)
LONG_WORD = 20


def _column_widths(columns, rows, width: int, folds, wrap: dict[str, int]):
    """``(groups of column indices, width of each group)`` for a table at most ``width`` wide, with
    a divider (3 characters) between columns. A column that does not wrap is as wide as its widest
    cell; one that wraps is no narrower than its minimum in ``wrap`` and its heading's longest word
    (a heading wraps too) and, while the terminal has room, its words (up to ``LONG_WORD``). The
    first of ``folds``, one after another, put columns together until that fits; the room left
    goes to the wrapping columns, shared evenly, none wider than its widest cell."""
    lines = [[line for cells in rows for line in str(cells[i]).splitlines()] for i in range(len(columns))]
    heading = [max(map(len, name.split())) for name in columns]
    widest = [max([heading[i], *map(len, lines[i])]) for i in range(len(columns))]
    narrowest = [min(widest[i], max(wrap[name], heading[i])) if name in wrap else widest[i]
                 for i, name in enumerate(columns)]
    whole_words = [max([narrowest[i], *(len(word) for line in lines[i] for word in line.split()
                                        if len(word) <= LONG_WORD)]) for i in range(len(columns))]

    def needed(groups, least) -> int:
        return sum(max(least[i] for i in group) for group in groups) + 3 * (len(groups) - 1)

    groups = [[i] for i in range(len(columns))]
    for fold in folds:
        if needed(groups, whole_words) <= width:
            break
        members = [group for group in groups if any(columns[i] in fold for i in group)]
        groups = [sum(members, []) if group is members[0] else group for group in groups if group not in members[1:]]
    least = whole_words if needed(groups, whole_words) <= width else narrowest  # else words are cut
    widths = [max(least[i] for i in group) for group in groups]
    room = width - needed(groups, least)
    more = {n: max(widest[i] for i in group) - widths[n] for n, group in enumerate(groups)
            if any(columns[i] in wrap for i in group)}
    for count, n in enumerate(sorted(more, key=more.get)):  # who wants least first, the rest to the others
        grow = max(0, min(more[n], room // (len(more) - count)))
        widths[n] += grow
        room -= grow
    return groups, widths


def _folded(texts):
    """A cell of columns folded into one: a line each ("-" for an empty one), every other one dim
    so that where one ends shows when they wrap."""
    from rich.text import Text

    texts = list(texts)
    if len(texts) > 1:
        texts = [text or "-" for text in texts]
    return Text("\n").join(Text(text, style="dim" if n % 2 else "") for n, text in enumerate(texts))


def _rich_table(console, columns, rows, *, title=None, folds=(), wrap: dict[str, int] | None = None):
    """A table for a person (stdout is a terminal) as wide as the terminal at most: the columns
    ``wrap`` names wrap, the others keep their width, and ``folds`` fold columns together when
    the terminal is narrow (see :func:`_column_widths`)."""
    from rich import box
    from rich.table import Table

    wrap = wrap or {}
    # the widths are rich's to use, not to find: when a table is too wide, rich narrows its widest
    # columns first whatever their min_width, then widens them back, past the terminal's edge
    groups, widths = _column_widths(columns, rows, console.width, folds, wrap)
    table = Table(title=title, title_justify="left", box=box.SQUARE, show_edge=False, pad_edge=False,
                  header_style="bold")
    for group, width in zip(groups, widths, strict=True):
        table.add_column(_folded(columns[i] for i in group), width=width, overflow="fold",
                         no_wrap=not any(columns[i] in wrap for i in group))
    for cells in rows:
        table.add_row(*(_folded(str(cells[i]) for i in group) for group in groups))
    return table


def _records_table(items, title: str | None = None, per_source: int | None = None,
                   holder_ids: list[str] | None = None, scope_ids=None) -> None:
    """Records as a table; with ``per_source``, only the first few of each source (the demo);
    with ``holder_ids`` (one per record), a last column says whose each is. Ids are shortened
    to a beginning no other id of ``scope_ids`` (default: the records') shares. Piped, one
    tab-separated line per record (ids whole, for `show`)."""
    console = _console()
    columns = ("id", "source", "kind", "title", "issuer", "holder", "issued", "status", "verified")
    shown: dict[str, int] = {}
    rows = []
    for n, r in enumerate(items):
        count = shown[r.source.plugin] = shown.get(r.source.plugin, 0) + 1
        if not per_source or count <= per_source:
            rows.append(_record_cells(r) + ((holder_ids[n],) if holder_ids is not None else ()))
    if holder_ids is not None:
        columns += ("holder_id",)
    if not console.is_terminal:
        _tsv(columns, rows, title)
    else:
        length = _short_id_length(scope_ids if scope_ids is not None else (r.id for r in items))
        rows = [(cells[0][:length], *cells[1:]) for cells in rows]
        console.print(_rich_table(console, columns, rows, title=title, folds=_RECORD_FOLDS, wrap=_RECORD_WRAP))
    hidden = {name: n - per_source for name, n in shown.items() if per_source and n > per_source}
    if hidden:
        more = ", ".join(f"{n} more from {name}" for name, n in hidden.items())
        console.print(f"({more}; `passport-hub records` lists all)")


@main.command()
@click.argument("record_id")
@holder_filter_option
def show(record_id: str, holder: str | None) -> None:
    """Print one record as JSON (with its latest verification).

    RECORD_ID may be shortened to any unique beginning (as tables show it).
    """
    from .hub import selected_rows

    with _lookup_errors():
        [(_pk, record)] = selected_rows(_store(_settings()), [record_id], holder, several_holders_hint="add --holder")
    _out(json.dumps(record.to_json_dict(), indent=2, ensure_ascii=False))


@main.command()
@click.argument("record_ids", nargs=-1)
@holder_filter_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per record: its id, title and verification.")
def verify(record_ids: tuple[str, ...], holder: str | None, as_json: bool) -> None:
    """Verify stored records with their issuers, proofs and the registry.

    Every installed verifier that supports a record runs (concurrently, with retries and
    per-issuer limits); their checks fold into one status: verified, failed, revoked,
    expired, unverifiable (could not check: never the same as invalid) or error (a
    verifier broke). Each result is stored; `show` prints the newest.

    \b
    Examples:
      passport-hub verify                         every stored record (all holders)
      passport-hub verify --holder alice --json
      passport-hub verify rec_1f2e...             one record

    A RECORD_ID may be shortened as for `show`; one that several holders hold needs --holder.
    Piped, the table is tab-separated lines (as for `records`).

    Exit status: 0 when every record was verified (whatever its status), 1 when a
    verifier broke on some record (status error) or a record id is unknown.
    """
    import asyncio

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .hub import selected_rows
    from .verify import verify_stored

    settings = _settings()
    registry = _registry(settings)
    store = _store(settings)
    _require_holder(store, holder)
    with _lookup_errors():  # each id names one holder's record, as for `show`
        rows = selected_rows(store, record_ids or None, holder, several_holders_hint="add --holder")
    if not rows:
        click.echo("No records to verify; import some first (passport-hub import PATH).", err=True)
        return
    console = _console(stderr=True)
    with Progress(
        TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, disable=not console.is_terminal or as_json, transient=True,
    ) as bar:
        task = bar.add_task("verifying", total=len({r.id for _pk, r in rows}))
        def progress(done: int, _total: int) -> None:
            bar.update(task, completed=done)

        results = asyncio.run(verify_stored(registry, settings, store, rows, progress=progress))
    records = {r.id: r for _pk, r in rows}
    if as_json:
        for record_id, verification in results.items():
            _print_jsonl({"record_id": record_id, "title": records[record_id].achievement.title,
                          "verification": verification.model_dump(mode="json", exclude_none=True)})
    else:
        columns = ("id", "title", "status", "checks")
        lines = [(record_id, records[record_id].achievement.title, str(verification.status),
                 ", ".join(f"{c.name}: {c.status}" for c in verification.checks))
                for record_id, verification in results.items()]
        out = _console()
        if not out.is_terminal:
            _tsv(columns, lines)
        else:
            scope = set(records)  # the ids shown name one record each among the holder's (or everyone's)
            if record_ids:
                scope |= {rid for r in records for rid, _who in store.record_owners(r[:SHORT_ID], holder)}
            length = _short_id_length(scope)
            lines = [(line[0][:length], *line[1:]) for line in lines]
            out.print(_rich_table(out, columns, lines, title="verification", folds=_VERIFY_FOLDS,
                                  wrap=_VERIFY_WRAP))
        counts: dict[str, int] = {}
        for _pk, record in rows:  # a credential several holders imported counts for each
            status = str(results[record.id].status) if record.id in results else "not verified"
            counts[status] = counts.get(status, 0) + 1
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        console.print(f"{len(rows)} record(s): {summary}")
    sys.exit(1 if any(str(v.status) == "error" for v in results.values()) else 0)


@main.command()
@holder_option
def demo(holder: str | None) -> None:
    """Import every installed plugin's bundled sample documents and show the records.

    Stores into the hub's database (see `passport-hub --help`). Running it twice
    stores nothing new.
    """
    from .pipeline import Pipeline
    from .store import DEFAULT_HOLDER

    settings = _settings()
    registry = _registry(settings)
    store = _store(settings)
    pipeline = Pipeline(registry, settings, store)
    files = [path for cls in registry.sources.values() for path in cls.sample_documents()]
    if not files:
        raise click.ClickException("no installed plugin bundles sample documents; see `passport-hub plugins`")
    outcomes = _run_ingest(
        lambda cb: pipeline.ingest_paths(files, holder_id=holder or DEFAULT_HOLDER, on_outcome=cb),
        len(files), False, "importing samples", keep_items=True,
    )
    items = [i for o in outcomes for i in o.items]
    from .model import CredentialRecord

    # as stored: a credential read from two documents (a certificate and its lookup) is one
    # record, holding what both say
    read = {i.id for i in items if isinstance(i, CredentialRecord)}
    held = store.records(holder or DEFAULT_HOLDER)
    creds = [r for r in held if r.id in read]
    _records_table(creds, title=f"{len(creds)} credential record(s) from {len(files)} sample document(s)",
                   per_source=4, scope_ids=[r.id for r in held])  # the ids shown name one of the holder's
    catalog = [i for i in items if not isinstance(i, CredentialRecord)]
    if catalog:
        _out(f"\n{len(catalog)} catalog entr{'y' if len(catalog) == 1 else 'ies'} from the registry samples:")
        for entry in catalog:
            _out(f"  {entry.achievement.ctid or entry.id}  {entry.achievement.title}  ({entry.status})")
    _summary(outcomes, False)
    if any(o.existing for o in outcomes):
        _out("(already stored: from an earlier demo, or the same credential in two samples, such as a "
             "certificate and its lookup)")
    from sqlalchemy.engine import make_url

    where = make_url(settings.effective_database_url).render_as_string(hide_password=True)
    _out(f"\nStored in {where}. Try: passport-hub records")
    sys.exit(1 if any(o.error for o in outcomes) else 0)


def _plugin_name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from .scaffold import name_problem

    if problem := name_problem(value):
        raise click.BadParameter(problem)
    return value


@main.command("new-plugin")
@click.argument("name", callback=_plugin_name)
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder to create the plugin in.")
@click.option("--title", default=None, help="One line saying what the plugin reads.")
def new_plugin(name: str, directory: Path, title: str | None) -> None:
    """Generate a complete plugin distribution (source, verifier, sample, conformance tests).

    NAME is lower_snake_case (e.g. acme_certs) and not an installed plugin's name.

    \b
    Example:
      passport-hub new-plugin acme_certs --dir plugins
      python -m pip install -e plugins/acme_certs && python -m pytest plugins/acme_certs

    (python: the one passport-hub runs on, such as .venv/bin/python; the command prints its
    path. pytest comes with `make install-test` in a passport-hub checkout, or python -m pip
    install pytest.)
    """
    import shlex

    from .errors import ConfigError
    from .scaffold import new_plugin as scaffold

    try:
        target = scaffold(name, directory, title)
    except ConfigError as exc:  # the folder is there already: the arguments need changing
        raise click.UsageError(exc.user_message) from None
    python, where = shlex.quote(sys.executable), shlex.quote(str(target))
    _out(f"created {target}\n"
         f"next: {python} -m pip install -e {where} && {python} -m pytest {where}\n"
         f"      (pytest comes with `make install-test` in a passport-hub checkout, "
         f"or: {python} -m pip install pytest)")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve(host: str, port: int, log_level: str) -> None:
    """Run the hub service (HTTP API, share pages; OpenAPI at /docs and /openapi.json).

    At startup it loads the plugins and checks every enabled plugin's config, reporting
    all problems at once. Needs the service extra: pip install 'passport-hub[service]'.
    """
    try:
        import uvicorn

        from .service import create_app
        from .service.auth import NO_ADMIN_KEY
    except ImportError as exc:
        hint = f"the service needs its extra: pip install 'passport-hub[service]' ({exc.name})"
        raise click.ClickException(hint) from None
    settings = _settings()
    app = create_app(settings)
    if not settings.admin_api_key:
        click.echo(f"warning: {NO_ADMIN_KEY}", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=log_level == "debug")


@main.command()
@click.option("--holder", required=True, metavar="ID", callback=_holder_id, help="Whose records to export.")
@click.option("--format", "fmt", required=True, type=click.Choice(["ob3", "clr", "ler-rs", "json-resume"]))
@click.option("--record", "record_ids", multiple=True, metavar="ID",
              help="Only these records (repeatable; an ID may be shortened as for `show`).")
@click.option("--link", default=None, help="A verification link (e.g. a share link) to put in the export.")
@click.option("--base-url", default="", help="The hub's public URL (issuer id of CLR / LER-RS, extension context).")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="Check the export against the format's published JSON Schema.")
def export(holder: str, fmt: str, record_ids: tuple[str, ...], link: str | None, base_url: str,
           validate: bool) -> None:
    """Export a holder's records as Open Badges 3.0, CLR 2.0, HR Open LER-RS or JSON Resume (JSON on stdout).

    Exports are unsigned (pair them with a share link for verification) unless a signing key
    is configured (PASSPORT_HUB_SIGNING_KEY_FILE): then ob3 prints a JSON array of VC-JWTs
    and clr one VC-JWT, issued and signed by the hub.

    A --record ID that names none of the holder's records, or begins several, is an error
    (exit status 1, as for `verify`).
    """
    from .exports import export_records
    from .exports.signing import Signer
    from .hub import export_items, schema_mismatch

    settings = _settings()
    signer = Signer.from_settings(settings)
    with _lookup_errors():
        items = export_items(_store(settings), holder, list(record_ids) or None)
    # a CLR, an LER-RS or a resume is one person's: say so rather than mix people silently.
    # Names are told apart by their words, so "SAMPLE, ALEX J" and "Alex Sample" are one name.
    names: dict[frozenset[str], str] = {}
    for r in items:
        if r.holder:
            words = frozenset(w for w in re.findall(r"\w+", r.holder.name.casefold()) if len(w) > 1)
            names.setdefault(words, " ".join(r.holder.name.split()))
    if len(names) > 1 and fmt != "ob3":
        people = sorted(names.values())
        shown = "; ".join(people[:5]) + ("; ..." if len(people) > 5 else "")
        click.echo(f"note: the records carry {len(people)} different holder names ({shown}); the {fmt} export "
                   "presents them all as one person's. If they are different people, export each one's records "
                   "(by record id, or a holder per person).", err=True)
    document = export_records(items, fmt, link=link, issuer_url=base_url.rstrip("/"), signer=signer)
    if validate and (problem := schema_mismatch(document, fmt)):
        raise click.ClickException(problem)
    _out(document if isinstance(document, str) else json.dumps(document, indent=2, ensure_ascii=False))


# -- credit for prior learning (docs/cpl.md) -----------------------------------------------------


@main.group()
def articulations() -> None:
    """A college's articulation rules: which of its courses a credential earns (credit for prior learning)."""


@articulations.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--college", required=True, metavar="NAME", help="The college the rules belong to.")
@click.option("--format", "fmt", type=click.Choice(["map", "hub"]), default=None,
              help="map: MAP's 'existing articulations' CSV template; hub: our CSV/JSON (docs/cpl.md). "
                   "Default: detected from the header.")
@click.option("--json", "as_json", is_flag=True, help="Print the import result as JSON.")
def articulations_import(file: Path, college: str, fmt: str | None, as_json: bool) -> None:
    """Import articulation rules for a college (re-importing the same rules updates them).

    \b
    Examples:
      passport-hub articulations import ExistingArticulations.csv --college "Norco College"
      passport-hub articulations import rules.json --college "Norco College" --format hub

    Rows that do not validate are reported and skipped; exit status 1 if any were.
    """
    from .cpl import import_articulations

    settings = _settings()
    result = import_articulations(_store(settings), file.read_bytes(), college=college, format=fmt, name=file.name)
    if as_json:
        _out(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        _out(f"{file.name} ({result.format}) → {result.college}: {result.rules_new} new rule(s), "
             f"{result.rules_updated} updated, {result.rules_unchanged} unchanged, "
             f"{result.courses_new} new course(s)")
        for rejected in result.rejected:
            click.echo(f"  row {rejected['row']} rejected: {rejected['reason']}", err=True)
    sys.exit(1 if result.rejected else 0)


@articulations.command("list")
@click.option("--college", default=None, metavar="NAME", help="Show this college's rules (default: list colleges).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def articulations_list(college: str | None, as_json: bool) -> None:
    """List colleges with articulations, or one college's rules."""
    from .cpl import ArticulationRepo

    repo = ArticulationRepo(_store(_settings()))
    if college is None:
        for row in repo.colleges():
            _print_jsonl(row) if as_json else _out(f"{row['name']}  ({row['articulations']} rule(s))")
        return
    _name, rules = repo.rules(college)
    for rule in rules:
        if as_json:
            _print_jsonl({"id": rule.id, "course": rule.course_code, "title": rule.title, "units": rule.units,
                          "credential": rule.credential_label(), "kind": rule.kind, "status": rule.status,
                          "min_pay_grade": rule.min_pay_grade, "min_skill_level": rule.min_skill_level,
                          "recency_years": rule.recency_years})
        else:
            _out(f"{rule.id:>5}  {rule.course_code:<12} ← {rule.credential_label()}  [{rule.status}]")


@main.command()
@click.option("--holder", required=True, metavar="ID", callback=_holder_id, help="The wallet holder.")
@click.option("--college", required=True, metavar="NAME", help="The college whose articulations apply.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (same as GET /holders/{id}/cpl).")
def cpl(holder: str, college: str, as_json: bool) -> None:
    """Credit for prior learning: the college courses a holder's credentials earn.

    Shows each eligible course once (with every credential that articulates to it),
    near-misses with what is missing (e.g. pay grade too low), and ACE credit
    recommendations the college has not articulated yet.

    \b
    Example:
      passport-hub cpl --holder alice --college "Norco College"
    """
    from .cpl import ArticulationRepo, cpl_for_holder
    from .errors import NotFoundError

    store = _store(_settings())
    repo = ArticulationRepo(store)
    try:
        repo.college(college)
    except NotFoundError as exc:  # here the list of colleges may be shown: the CLI is the admin's
        known = ", ".join(c["name"] for c in repo.colleges()) or "none yet"
        raise NotFoundError(f"{exc.user_message} (colleges: {known}); "
                            "import them with `passport-hub articulations import FILE --college NAME`") from None
    report = cpl_for_holder(store, holder, college)
    if as_json:
        _out(report.model_dump_json(indent=2))
        return
    _cpl_print(report)


def _table_out(console, columns, rows, *, title: str | None = None, wrap=None, folds=()) -> None:
    """A table on stdout: for a person on a terminal (see :func:`_rich_table`), for a program
    (piped) tab-separated lines, after the title's line."""
    if console.is_terminal:
        console.print(_rich_table(console, columns, rows, title=title, wrap=wrap, folds=folds))
    else:
        _tsv(columns, rows, title)


def _cpl_print(report) -> None:
    console = _console()
    _table_out(
        console, ("course", "title", "units", "earned by", "why", "issuer check", "also articulated by"),
        [(e.course.code, e.course.title or "-", "?" if e.units is None else f"{e.units:g}",
          f"{e.earned_by.record_title} ({e.earned_by.credential}), read from: {e.earned_by.evidence}",
          e.earned_by.reason, e.earned_by.verification or "never checked",
          "\n".join(f"{m.record_title} ({m.credential}): not counted again" for m in e.also_articulated_by))
         for e in report.eligible],
        title=f"{report.college}: courses {report.holder} is eligible for",
        wrap={"title": 10, "earned by": 12, "why": 10, "issuer check": 8, "also articulated by": 12},
        folds=(("course", "units"), ("why", "issuer check"), ("earned by", "also articulated by"), ("course", "title"),
               ("earned by", "why")),
    )
    unknown = f" (+{report.courses_with_unknown_units} course(s) with units not given)" \
        if report.courses_with_unknown_units else ""
    console.print(f"{len(report.eligible)} course(s), {report.total_units:g} unit(s){unknown}", markup=False)
    if report.near_misses:
        console.print()
        _table_out(console, ("course", "credential", "missing"),
                   [(n.course.code, f"{n.record_title} ({n.credential})", "; ".join(n.missing))
                    for n in report.near_misses],
                   title="near-misses", wrap={"credential": 12, "missing": 12}, folds=(("credential", "missing"),))
    if report.recommendations:
        rows = []
        for r in report.recommendations:
            credit = "; ".join(f"{c.subject or '-'} {c.amount:g} {'SH' if c.unit == 'semester_hours' else c.unit}"
                               f" {c.level or ''}".rstrip() for c in r.credit)
            ace = r.ace_id if not r.version or r.ace_id.endswith(r.version) else f"{r.ace_id} {r.version}"
            rows.append((ace, r.record_title, credit, r.note or ""))
        console.print()
        _table_out(console, ("ACE id", "title", "recommendation", "note"), rows,
                   title="ACE credit recommendations not yet articulated here",
                   wrap={"title": 12, "recommendation": 12, "note": 8},
                   folds=(("recommendation", "note"), ("title", "recommendation")))
