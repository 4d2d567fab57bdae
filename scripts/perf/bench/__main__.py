"""``make bench``: run every bench module, print the table, save JSON, update the README.

``python -m scripts.perf.bench [--quick] [--skip a,b] [--only a,b]``; BENCH_SKIP and
BENCH_ONLY (comma-separated module keys such as ``suite-time``) work too.
Missed targets are reported, never fatal, but each needs a note (why, and
what is next: missed.toml); a module that fails, a missed target without
a note, or a note for a target this run met, makes the exit status 1 after
everything has been measured and written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from scripts.catalog import REPO_ROOT
from scripts.perf.bench import discovery, missed, readme, summary


def names(value: str) -> list[str]:
    return [n.strip() for n in value.split(",") if n.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs; skips the test suite")
    parser.add_argument("--skip", default=os.environ.get("BENCH_SKIP", ""), type=names)
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""), type=names)
    parser.add_argument("--results", type=Path, default=readme.RESULTS)
    parser.add_argument(
        "--no-readme", action="store_true", help="leave docs/bench.md and the chart alone"
    )
    args = parser.parse_args(argv)
    try:
        discovery.check_selection(discovery.discover(), args.skip, args.only)
    except ValueError as error:
        parser.error(str(error))

    started = summary.started_now()
    print(
        f"bench modules: {', '.join(discovery.key_of(n) for n in discovery.discover())}", flush=True
    )
    results = discovery.run_all(
        args.quick,
        args.skip,
        args.only,
        on_start=lambda key: print(f"measuring {key} ...", flush=True),
        on_result=lambda r: print(f"  {r.name}: {r.status} ({r.seconds:.0f} s)", flush=True),
    )
    doc = summary.document(results, args.quick, started)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(doc, indent=2) + "\n")
    print()
    notes = missed.load()
    print(summary.text_table(doc, notes))
    print()
    print(f"results: {args.results}")
    if not args.no_readme:
        for path in readme.rewrite(args.results):
            print(f"updated: {path.relative_to(REPO_ROOT)}")
    failed = [r.name for r in results if r.status in ("failed", "partial")]
    refused = missed.refusals(doc["figures"], notes)
    for line in refused:
        print(line)
    return 1 if failed or refused else 0


if __name__ == "__main__":
    sys.exit(main())
