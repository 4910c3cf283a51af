"""The benchmark's entry point: `python -m bench.run` (full, writes bench/RESULTS.md) or `--quick`.

```bash
python -m bench.run                 # full run (a few minutes), writes bench/RESULTS.md
python -m bench.run --quick         # tiny sizes, 1 round, prints the report (proves the benchmark works)
python -m bench.run --quick --output /tmp/bench.md
```
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from bench.clients import CLIENTS, make_client
from bench.concurrent import run_concurrent
from bench.imports import core_import_check, measure_imports
from bench.report import Results, render
from bench.server import BenchServer
from bench.workloads import FULL, QUICK, Sizes, inprocess_workloads, run_workloads

RESULTS_PATH = Path(__file__).with_name('RESULTS.md')


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _inprocess(server: BenchServer, sizes: Sizes) -> dict[str, dict[str, list[object]]]:
    clients = {key: make_client(key, server.base_url) for key in CLIENTS}
    try:
        return await run_workloads(server, inprocess_workloads(sizes), clients)  # type: ignore[return-value]
    finally:
        for client in clients.values():
            await client.aclose()


def run(sizes: Sizes, quick: bool) -> Results:
    """Run every workload; the results."""
    results = Results(quick=quick, sizes=sizes, started=datetime.now(timezone.utc), load_before=os.getloadavg())
    start = time.perf_counter()
    _log(f'W1: imports, {sizes.import_runs} runs each')
    results.imports = measure_imports(sizes.import_runs)
    results.core_heavy_modules = core_import_check()
    with BenchServer() as server:
        _log(f'benchmark server at {server.base_url}')
        results.inprocess = asyncio.run(_inprocess(server, sizes))  # type: ignore[arg-type]
        _log(f'W5: {sizes.w5_concurrency} concurrent requests, {sizes.rounds} rounds of fresh subprocesses')
        results.concurrent = run_concurrent(server, sizes.w5_concurrency, sizes.rounds)
    results.seconds = time.perf_counter() - start
    results.load_after = os.getloadavg()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m bench.run', description=__doc__.split('\n', 1)[0])
    parser.add_argument('--quick', action='store_true', help='tiny sizes and 1 round; prints the report')
    parser.add_argument('--output', type=Path, help='where to write the report (default: bench/RESULTS.md, or stdout)')
    parser.add_argument('--rounds', type=int, help='override the number of rounds')
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.rounds is not None:
        sizes = dataclasses.replace(sizes, rounds=args.rounds)
    report = render(run(sizes, args.quick))
    if args.quick:
        # W7 has its own entry point (`python -m bench.agent`, which `make bench` runs); the quick mode proves it
        # runs too, for this project only (it never builds the peer's virtual environment).
        from bench.agent import render_w7, run_w7

        report += '\n' + render_w7(run_w7(quick=True))
    output: Path | None = args.output if args.output is not None else (None if args.quick else RESULTS_PATH)
    if output is None:
        print(report)
    else:
        output.write_text(report)
        _log(f'wrote {output}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
