"""Bench: JST PDF ingest (military_jst parse, text extraction included) vs bare pdfplumber extraction.

Both sides read the same files: the two synthetic JSTs and a built two-transcript PDF.
* bare: ``pdfplumber.open(...)`` + ``page.extract_text()`` in this process — the chosen
  extractor doing nothing but text extraction;
* ingest: a fresh ``Document`` per file, ``JointServicesTranscript().parse()`` to records, which
  extracts through the core's time-bounded extractor (a forked worker process, word positions
  kept) and builds the records.

Usage: ``python bench/jst_pdf.py [--rounds N]``. The last line of output is JSON:
``{"jst_ingest_vs_extract": <ratio>, ...}`` (target: ratio <= 1.5).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "plugins" / "military_jst" / "tests"


def _files() -> list[tuple[str, bytes]]:
    from passport_hub_military_jst.source import JointServicesTranscript

    files = [(p.name, p.read_bytes()) for p in JointServicesTranscript.sample_documents()]
    sys.path.insert(0, str(TESTS))
    from military_jst_faults import two_transcripts_pdf

    files.append(("two_transcripts.pdf", two_transcripts_pdf()))
    return files


def bare(files) -> int:
    import pdfplumber

    n = 0
    for _, data in files:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                n += len(page.extract_text(x_tolerance=1.5, y_tolerance=3) or "")
    return n


def ingest(files) -> int:
    from passport_hub_military_jst.source import JointServicesTranscript

    from passport_hub import Document

    source = JointServicesTranscript()
    n = 0
    for name, data in files:
        n += len(list(source.parse(Document(data, name=name))))
    return n


def _best(fn, files, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn(files)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    files = _files()
    pages = sum(data.count(b"/Type /Page\n") or data.count(b"/Type /Page") for _, data in files)
    bare(files), ingest(files)  # warm imports and caches
    t_bare = _best(bare, files, args.rounds)
    t_ingest = _best(ingest, files, args.rounds)
    records = ingest(files)
    ratio = t_ingest / t_bare
    print(f"files: {len(files)} ({pages} pages), records per pass: {records}, best of {args.rounds} rounds")
    print(f"bare pdfplumber extract_text : {t_bare * 1000:8.1f} ms  ({len(files) / t_bare:6.1f} PDFs/s)")
    print(f"military_jst ingest (parse)  : {t_ingest * 1000:8.1f} ms  ({len(files) / t_ingest:6.1f} PDFs/s)")
    print(f"ratio ingest / extract       : {ratio:.2f}  (target <= 1.5)")
    print(json.dumps({"jst_ingest_vs_extract": round(ratio, 2), "bare_ms": round(t_bare * 1000, 1),
                      "ingest_ms": round(t_ingest * 1000, 1), "files": len(files)}))


if __name__ == "__main__":
    main()
