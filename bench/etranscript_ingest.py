"""Ingest throughput of the ``etranscript`` source vs a raw lxml parse of the same bytes.

Parses every XML sample the plugin bundles (passport_hub_etranscript/samples), replicated to at least
2,000 documents, through ``EtranscriptSource.parse`` (hardened parse + normalization into
validated ``CredentialRecord`` models) and through a bare ``lxml.etree.fromstring``, and
prints the ratio. The last line is one JSON object: ``{"etranscript_parse_vs_lxml": <ratio>}``.

    python bench/etranscript_ingest.py [--docs 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time

from lxml import etree
from passport_hub_etranscript.source import EtranscriptSource

from passport_hub.contract import Document


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents per round (at least)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the best of each side counts")
    args = parser.parse_args()

    samples = [(p.name, p.read_bytes()) for p in EtranscriptSource.sample_documents() if p.suffix == ".xml"]
    if not samples:
        print("the etranscript plugin bundles no XML samples", file=sys.stderr)
        return 1
    copies = -(-args.docs // len(samples))
    corpus = [sample for sample in samples for _ in range(copies)]
    total_bytes = sum(len(data) for _, data in corpus)
    source = EtranscriptSource()

    def run_lxml() -> int:
        count = 0
        for _name, data in corpus:
            etree.fromstring(data)
            count += 1
        return count

    def run_source() -> int:
        count = 0
        for name, data in corpus:
            for _record in source.parse(Document(data, name=name)):
                count += 1
        return count

    run_source()  # warm up: code list, caches
    best_lxml = best_source = float("inf")
    records = 0
    for _ in range(args.rounds):
        gc.collect()
        start = time.perf_counter()
        run_lxml()
        best_lxml = min(best_lxml, time.perf_counter() - start)
        gc.collect()
        start = time.perf_counter()
        records = run_source()
        best_source = min(best_source, time.perf_counter() - start)

    ratio = best_source / best_lxml
    mb = total_bytes / 1e6
    print(f"{len(corpus)} documents ({len(samples)} XML samples x {copies}), {mb:.1f} MB, "
          f"{records} records per round; best of {args.rounds} rounds")
    print(f"lxml.etree.fromstring : {best_lxml:8.3f} s  {len(corpus) / best_lxml:9.0f} docs/s  "
          f"{mb / best_lxml:7.1f} MB/s")
    print(f"etranscript parse     : {best_source:8.3f} s  {len(corpus) / best_source:9.0f} docs/s  "
          f"{records / best_source:9.0f} records/s")
    print(f"ratio (etranscript / lxml): {ratio:.2f}  (target <= 3)")
    print(json.dumps({"etranscript_parse_vs_lxml": round(ratio, 2)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
