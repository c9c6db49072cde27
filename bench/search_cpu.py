"""CPU time of the search call alone (no Flask, no HTTP) on a prebuilt index, for before/after
comparisons on a busy machine (CPU time moves less with the load than wall-clock latency).

Builds the index of bench/search_latency.py once (--build N), then runs that script's 40-query mix
(after one warm pass) through the search backend of the tree given by --code (this one by
default), or through search_index.query.search for a tree from before the backend interface.

Usage:
  .venv/bin/python bench/search_cpu.py --index /tmp/idx --build 100000
  .venv/bin/python bench/search_cpu.py --index /tmp/idx [--code OTHER_TREE] [--rounds 10]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--code", type=Path, default=HERE.parent, help="the tree whose search is measured")
    parser.add_argument("--build", type=int, help="build an index of this many generated records first")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    code = args.code.resolve()
    sys.path[:0] = [str(code), str(code / "bench")]  # that tree's search_latency puts its own tree first
    import search_latency as bench

    if args.build:
        print("built in (wall, CPU) seconds:", bench.build_index(args.index, bench.generate_rows(args.build)))
    try:
        from search_index.whoosh_backend import WhooshBackend
    except ImportError:  # a tree from before search_index/backend.py
        from search_index.query import search

        def one(text, filters, sort):
            return search(args.index, text, filters=filters, sort=sort)
    else:
        backend = WhooshBackend(session_factory=None, database_url="", data_dir=args.index.parent,
                                index_dir=args.index)

        def one(text, filters, sort):
            return backend.search(text, filters=filters, sort=sort)
    from search_index.query import parse_filters

    mix = [(text, parse_filters(filters), bench.SORTED.get(text, "relevance")) for text, filters in bench.QUERIES]
    for item in mix:
        one(*item)  # builds the per-generation caches
    cpu = []
    for _ in range(args.rounds):
        for item in mix:
            started = time.process_time()
            one(*item)
            cpu.append((time.process_time() - started) * 1000)
    cpu.sort()
    print(f"{len(cpu)} searches ({args.code}): CPU per search mean {statistics.mean(cpu):.2f} ms, "
          f"p50 {cpu[len(cpu) // 2]:.2f} ms, p95 {cpu[int(len(cpu) * 0.95)]:.2f} ms")


if __name__ == "__main__":
    main()
