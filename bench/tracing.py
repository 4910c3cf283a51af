"""The tracing benchmark: CPU per request and per streamed chunk with OpenTelemetry tracing on vs off.

```bash
.venv/bin/python -m bench.tracing            # writes bench/TRACING.md
.venv/bin/python -m bench.tracing --quick    # tiny sizes, report on stdout
```

Both this project's `GroqModel` (traced through `instrument_all`, i.e. the lifecycle hooks) and, when its
environment exists, pydantic-ai's `InstrumentedModel(GroqModel)` run the same W2-shaped (sequential non-streamed
requests) and W3-shaped (one long stream) work against one `bench.server` process, each in a subprocess of its own
environment (`bench.tracing_worker`). Tracing on: SDK tracer provider with an in-memory span exporter and an
in-memory metric reader, no message content. Figures are medians over rounds of client CPU (`time.process_time()`);
ratios are paired within a round.

The peer environment is created once with::

    python3 -m venv .cache/peers/pydantic-ai
    .cache/peers/pydantic-ai/bin/pip install 'pydantic-ai-slim[groq]' opentelemetry-sdk

(`.cache/` is git-ignored.) Without it, only this project's rows are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import payloads
from bench.server import BenchServer

ROOT = Path(__file__).resolve().parent.parent
PEER_PYTHON = ROOT / '.cache' / 'peers' / 'pydantic-ai' / 'bin' / 'python'
OUTPUT = Path(__file__).with_name('TRACING.md')

FULL = {'requests': 300, 'chunks': 20_000, 'rounds': 9}
QUICK = {'requests': 20, 'chunks': 500, 'rounds': 1}


def _worker(python: Path | str, impl: str, base_url: str, sizes: dict[str, int]) -> dict[str, Any]:
    command = [str(python), '-m', 'bench.tracing_worker', impl, base_url]
    command += [str(sizes[k]) for k in ('requests', 'chunks', 'rounds')]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f'{impl} worker failed:\n{result.stderr}')
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float('nan')


def _paired(on: list[float], off: list[float]) -> float:
    return _median([a / b for a, b in zip(on, off, strict=True) if b > 0])


def _us(seconds: float) -> str:
    return f'{seconds * 1e6:.1f} us'


def render(runs: list[dict[str, Any]], sizes: dict[str, int], quick: bool, load: tuple[float, ...]) -> str:
    """The report, as Markdown."""
    lines = [
        '# Tracing benchmark' + (' (quick: sizes too small to mean anything)' if quick else ''),
        '',
        f'Run {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by `python -m bench.tracing`; load average before: '
        f'{", ".join(f"{x:.2f}" for x in load)} (2 cores, shared). {sizes["rounds"]} rounds; per round '
        f'{sizes["requests"]} sequential requests (W2 shape) and one stream of {sizes["chunks"]:,} chunks (W3 shape) '
        'per variant, off/on order alternating. Client CPU medians; ratios paired per round.',
        '',
        '| implementation | CPU/request off | on | on/off (paired) | CPU/chunk off | on | on/off (paired) |',
        '|---|---|---|---|---|---|---|',
    ]
    by_impl: dict[str, dict[str, Any]] = {}
    for run in runs:
        r = run['results']
        name = (
            'pydantic-ai-groq (this project, `instrument_all`)'
            if run['impl'] == 'ours'
            else (f'pydantic-ai {run["version"]} (`InstrumentedModel(GroqModel)`)')
        )
        row = {
            'req_off': _median(r['off']['request']),
            'req_on': _median(r['on']['request']),
            'req_ratio': _paired(r['on']['request'], r['off']['request']),
            'chunk_off': _median(r['off']['chunk']),
            'chunk_on': _median(r['on']['chunk']),
            'chunk_ratio': _paired(r['on']['chunk'], r['off']['chunk']),
        }
        by_impl[run['impl']] = row
        lines.append(
            f'| {name} | {_us(row["req_off"])} | {_us(row["req_on"])} | {row["req_ratio"]:.2f}x | '
            f'{_us(row["chunk_off"])} | {_us(row["chunk_on"])} | {row["chunk_ratio"]:.2f}x |'
        )
    lines.append('')
    ours, peer = by_impl.get('ours'), by_impl.get('pydantic-ai')
    if ours is not None and 'bare' in runs[0]['results']:
        bare = runs[0]['results']['bare']
        off = runs[0]['results']['off']
        lines.append(
            '- Nothing enabled (no hook plugin, tracing off) vs the same `GroqModel` called through its protected '
            f'methods (`_request`/`_request_stream`, the code inside the request duties): CPU per request '
            f'{_us(_median(off["request"]))} vs '
            f'{_us(_median(bare["request"]))} ({_paired(off["request"], bare["request"]):.3f}x, W2 shape), per chunk '
            f'{_us(_median(off["chunk"]))} vs {_us(_median(bare["chunk"]))} '
            f'({_paired(off["chunk"], bare["chunk"]):.3f}x, W3 shape).'
        )
    if ours is not None:
        added = ours['req_on'] - ours['req_off']
        lines.append(
            f'- This project: tracing adds {_us(added)} CPU per request (medians: '
            f'{(ours["req_on"] / ours["req_off"] - 1) * 100:+.0f}%; median of paired ratios: '
            f'{(ours["req_ratio"] - 1) * 100:+.0f}%; goal <= +25%) and {(ours["chunk_ratio"] - 1) * 100:+.1f}% per '
            'streamed chunk (goal: a counter only).'
        )
    if ours is not None and peer is not None:
        lines.append(
            f"- Traced, this project costs {ours['req_on'] / peer['req_on']:.2f}x pydantic-ai's CPU per request and "
            f'{ours["chunk_on"] / peer["chunk_on"]:.2f}x per streamed chunk.'
        )
    if peer is None:
        lines.append(f'- pydantic-ai peer not measured: no environment at `{PEER_PYTHON.relative_to(ROOT)}`.')
    return '\n'.join(lines) + '\n'


def main() -> None:
    """Run the benchmark and write (or print) the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='tiny sizes, report on stdout')
    parser.add_argument('--output', type=Path, default=None)
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    load = os.getloadavg()
    runs = []
    with BenchServer() as server:
        server.prepare(payloads.TEXT_MODEL)
        server.prepare(payloads.stream_model(sizes['chunks']))
        print('tracing: this project', file=sys.stderr, flush=True)
        runs.append(_worker(sys.executable, 'ours', server.base_url, sizes))
        if PEER_PYTHON.exists():
            print('tracing: pydantic-ai', file=sys.stderr, flush=True)
            runs.append(_worker(PEER_PYTHON, 'pydantic-ai', server.base_url, sizes))
    report = render(runs, sizes, args.quick, load)
    output = args.output or (None if args.quick else OUTPUT)
    if output is None:
        print(report)
    else:
        output.write_text(report)
        print(f'wrote {output}', file=sys.stderr)


if __name__ == '__main__':
    main()
