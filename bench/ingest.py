"""Ingest throughput on the real samples, as ratios against floors measured in the same run.

The XML and JSON sample documents every installed plugin bundles are replicated to
``--documents`` distinct documents (a unique run of trailing whitespace, in the
document's own encoding, so every copy has its own SHA-256 and is really stored).

Figures:
  ingest_vs_parse_floor      sniff + parse + normalize (records built and validated)
                             against a bare lxml / json parse of the same bytes,
                             each side the best of --passes runs over the corpus.  target <= 3
  validate_only_vs_parse_floor
                             pydantic's validation alone of the finished records, rebuilt
                             from their dumps (no parse, sniff or mapping), against the same
                             floor: how much of the ingest the record model's validation
                             accounts for (a mapper that reuses validated parts spends less)
  both also per source (each document timed on its own; each source's best pass)
  store_vs_core_executemany  the store's per-document transactions for those records
                             against raw SQLAlchemy Core executemany of the same rows,
                             one transaction per document, on the same database.   target <= 2
Run: python bench/ingest.py [--documents 5000] [--passes 3] [--database-url URL]
     python bench/ingest.py --by-sample     # where the time goes: each sample against its own floor
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time

from lxml import etree
from sqlalchemy import insert

from passport_hub.config import Settings
from passport_hub.contract import Document
from passport_hub.loader import load_plugins
from passport_hub.model import CredentialRecord
from passport_hub.pipeline import Pipeline
from passport_hub.store import Store
from passport_hub.store.tables import DocumentRow, HolderDocumentRow, HolderRow, RecordRow

WHITESPACE = " \t"


def encoding_of(data: bytes) -> str:
    if data[:2] == b"\xff\xfe" or (len(data) > 1 and data[1] == 0):
        return "utf-16-le"
    if data[:2] == b"\xfe\xff" or data[:1] == b"\x00":
        return "utf-16-be"
    return "utf-8"


def variant(data: bytes, n: int) -> bytes:
    suffix = "\n" + "".join(WHITESPACE[int(bit)] for bit in bin(n)[2:]) + "\n"
    return data + suffix.encode(encoding_of(data))


def is_json(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def floor_parse(data: bytes) -> None:
    if is_json(data):
        json.loads(data)
    else:
        etree.fromstring(data)


def samples(registry) -> list[tuple[str, bytes]]:
    """The XML and JSON samples (PDFs are measured against their extractor in bench/jst_pdf.py;
    CSV rosters and HTML lookup answers have no lxml/json floor)."""
    found = []
    for cls in registry.sources.values():
        for path in cls.sample_documents():
            data = path.read_bytes()
            try:
                floor_parse(data)
            except (ValueError, etree.XMLSyntaxError):
                continue
            found.append((path.name, data))
    return found


def timed_by_source(owners: list[str], work) -> dict[str, float]:
    """Seconds per source of ``work(i)`` over every document ``i`` (owners[i] reads it)."""
    spent = dict.fromkeys(owners, 0.0)
    clock = time.perf_counter
    for i, owner in enumerate(owners):
        start = clock()
        work(i)
        spent[owner] += clock() - start
    return spent


def best_by_source(runs: list[dict[str, float]]) -> dict[str, float]:
    return {owner: min(run[owner] for run in runs) for owner in runs[0]}


def per_call(fn, rounds: int) -> float:
    """Best of five timings of ``rounds`` calls, in microseconds per call."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            fn()
        best = min(best, time.perf_counter() - start)
    return best / rounds * 1e6


def by_sample(pipeline: Pipeline, readable: list[tuple[str, bytes]], rounds: int) -> None:
    """One line per sample: its floor, what every source's sniff costs on it, and the whole
    sniff + parse + normalize, in microseconds per document."""
    sources = [pipeline.source(name) for name in pipeline.registry.sources]
    print(f"{'source':<17} {'sample':<58} {'items':>5} {'floor':>7} {'sniffs':>7} {'total':>8} {'ratio':>6}"
          "   sniff per source (us, each on a fresh document: JSON ones include the json parse)")
    rows = []
    for name, data in readable:
        def ingest_one(name=name, data=data):
            doc = Document(data=data, name=name)
            return list(pipeline.sniff(doc).parse(doc))

        def sniff_all(name=name, data=data):
            doc = Document(data=data, name=name)
            for source in sources:
                source.sniff(doc)

        owner = pipeline.sniff(Document(data=data, name=name)).name
        items = len(ingest_one())
        floor = per_call(lambda data=data: floor_parse(data), rounds)
        sniffs = per_call(sniff_all, rounds)
        total = per_call(ingest_one, rounds)
        each = []
        for source in sources:
            # each sniff on a fresh document, less the cost of making the document
            cost = per_call(lambda s=source, d=data, n=name: s.sniff(Document(data=d, name=n)), rounds)
            each.append(f"{source.name}={cost:.0f}")
        rows.append((owner, name, items, floor, sniffs, total, " ".join(each)))
    for owner, name, items, floor, sniffs, total, each in sorted(rows):
        print(f"{owner:<17} {name[:58]:<58} {items:>5} {floor:>7.1f} {sniffs:>7.1f} {total:>8.1f} "
              f"{total / floor:>6.1f}   {each}")
    print(json.dumps({owner: round(sum(r[5] for r in rows if r[0] == owner) / sum(r[3] for r in rows if r[0] == owner),
                                   2) for owner in sorted({r[0] for r in rows})}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in a temp folder")
    parser.add_argument("--by-sample", action="store_true",
                        help="instead of the run: each sample's cost against its own floor, and each source's sniff")
    parser.add_argument("--rounds", type=int, default=50, help="with --by-sample: calls per timing")
    parser.add_argument("--passes", type=int, default=3,
                        help="runs of the parse floor and of sniff+parse+normalize over the corpus; the best counts")
    args = parser.parse_args()

    settings = Settings.from_env()
    registry = load_plugins(settings)
    base = [(name, data) for name, data in samples(registry)]
    pipeline = Pipeline(registry, settings)
    readable = []
    for name, data in base:
        outcome = pipeline.ingest(Document(data=data, name=name), dry_run=True)
        if outcome.ok and outcome.items and outcome.source is not None:
            readable.append((name, data))
    if not readable:
        raise SystemExit("no installed plugin bundles XML or JSON samples")
    if args.by_sample:
        by_sample(pipeline, readable, args.rounds)
        return
    payloads = [(name, variant(data, i))
                for i, (name, data) in enumerate(readable[i % len(readable)] for i in range(args.documents))]
    by_source: dict[str, int] = {}

    owners = [pipeline.sniff(Document(data=data, name=name)).name for name, data in payloads]
    # what each document's records cost to validate alone, rebuilt from their dumps
    dumps = []
    for name, data in payloads:
        doc = Document(data=data, name=name)
        dumps.append([(type(item), item.model_dump(by_alias=True)) for item in pipeline.sniff(doc).parse(doc)])

    def floor_one(i: int) -> None:
        floor_parse(payloads[i][1])

    def ingest_one(i: int) -> None:
        # read as the pipeline reads it (a fresh Document: nothing cached), records built and validated
        doc = Document(data=payloads[i][1], name=payloads[i][0])
        list(pipeline.sniff(doc).parse(doc))

    def validate_one(i: int) -> None:
        for model, dump in dumps[i]:
            model.model_validate(dump)

    # each side the best of --passes runs over the whole corpus: on a shared machine one run
    # of either can be slowed by a neighbour, and the floor is the fastest the parser can go
    runs = [[timed_by_source(owners, work) for work in (floor_one, ingest_one, validate_one)]
            for _ in range(args.passes)]
    # the headline figures: the best whole pass of each; the per-source table: each source's best pass
    floor, ingest, validation = (min(sum(run[k].values()) for run in runs) for k in range(3))
    floor_by, ingest_by, validation_by = (best_by_source([run[k] for run in runs]) for k in range(3))
    dumps.clear()  # the memory is needed for the store run
    store = core = 0.0
    n_items = 0
    with tempfile.TemporaryDirectory() as tmp:
        ours = Store(args.database_url or f"sqlite:///{tmp}/ours.db")
        raw = Store(args.database_url.replace("ours", "raw") if args.database_url else f"sqlite:///{tmp}/raw.db")
        # document by document, as the pipeline runs: parse, store, let go of the records; the
        # raw baseline writes the same rows right after, so a slow spell of the machine hits both
        for n, (name, data) in enumerate(payloads):
            doc = Document(data=data, name=name)
            source = pipeline.sniff(doc)
            items = list(source.parse(doc))
            holder = f"holder{n}"  # one holder per document: each replica's records are really stored
            start = time.perf_counter()
            with ours.write_document(doc, holder_id=holder, plugin=source.name) as writer:
                for item in items:
                    writer.add(item)
            store += time.perf_counter() - start
            by_source[source.name] = by_source.get(source.name, 0) + 1
            n_items += len(items)
            record_rows = [  # the same rows, built outside the timing
                {
                    "record_id": r.id, "holder_id": holder, "document_sha256": doc.sha256,
                    "plugin": source.name, "kind": r.achievement.kind, "title": r.achievement.title[:500],
                    "issuer_name": r.issuer.name[:500], "registry_ctid": r.achievement.ctid,
                    "issued_on": r.issued_on, "expires_on": r.expires_on, "status": r.status,
                    "data": r.model_dump_json(by_alias=True, exclude_none=True),
                }
                for r in items if isinstance(r, CredentialRecord)
            ]
            start = time.perf_counter()
            with raw.engine.begin() as conn:
                conn.execute(insert(HolderRow).values(id=holder))
                conn.execute(insert(DocumentRow).values(
                    sha256=doc.sha256, name=doc.name, media_type=None, size=len(data), origin="file",
                    plugin=source.name, data=data))
                conn.execute(insert(HolderDocumentRow).values(holder_id=holder, document_sha256=doc.sha256))
                if record_rows:
                    conn.execute(insert(RecordRow), record_rows)
            core += time.perf_counter() - start
            del items, doc, record_rows
        ours.close()
        raw.close()

    print(f"{len(payloads)} documents ({len(readable)} distinct samples; per source {by_source}), {n_items} items")
    print(f"raw parse floor (lxml/json): {floor:.2f} s   sniff+parse+normalize: {ingest:.2f} s "
          f"(each the best of {args.passes} passes)")
    print(f"validation alone of the finished records: {validation:.2f} s")
    print(f"{'per source':<18} {'ingest / floor':>14} {'validation / floor':>19}")
    for owner in sorted(floor_by):
        floor_of = floor_by[owner]
        print(f"{owner:<18} {ingest_by[owner] / floor_of:>14.2f} {validation_by[owner] / floor_of:>19.2f}")
    print(f"store (ours):                {store:.2f} s   raw Core executemany:  {core:.2f} s "
          "(the raw run omits catalog rows and reuses our serialized JSON)")
    print(json.dumps({
        "documents": len(payloads),
        "items": n_items,
        "ingest_vs_parse_floor": round(ingest / floor, 2),
        "validate_only_vs_parse_floor": round(validation / floor, 2),
        "store_vs_core_executemany": round(store / core, 2),
        "documents_per_second": round(len(payloads) / (ingest + store), 1),
    }))


if __name__ == "__main__":
    main()
