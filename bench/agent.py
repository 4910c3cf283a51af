"""W7: an agent run with two tool calls and a structured result, and `from pydantic_ai import Agent`, against the
current pydantic-ai in a virtual environment of its own.

```bash
python -m bench.agent            # full: builds the peer venv if needed, writes bench/AGENT_RESULTS.md
python -m bench.agent --quick    # tiny sizes, this project only, report on stdout (never builds the peer venv)
```

The peer (`pydantic-ai-slim[groq]` from the package index) cannot share this project's environment, since both own
the `pydantic_ai` import name, so it is installed into `bench/.peers/pydantic-ai/` (git-ignored) with pip. If that
fails (no index reachable, say), the peer is skipped and the report says why.

Both sides run the same script (`bench/agent_run.py`) in their own interpreter against the same benchmark server,
in alternating rounds; each run is three model requests (two tool calls, then the result tool) and the metric is
the client process's CPU per run. The import is timed inside fresh interpreters around the one statement, both
sides interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.measure import median
from bench.server import BenchServer

__all__ = ('W7Results', 'run_w7', 'render_w7', 'peer_python')

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / 'agent_run.py'
PEER_DIR = HERE / '.peers' / 'pydantic-ai'
PEER_REQUIREMENT = 'pydantic-ai-slim[groq]'
RESULTS_PATH = HERE / 'AGENT_RESULTS.md'
IMPORT_CODE = 'import time; t = time.perf_counter(); from pydantic_ai import Agent; print(time.perf_counter() - t)'


@dataclass
class W7Results:
    """What W7 measured, per side (`'ours'`, `'peer'`)."""

    quick: bool
    runs: int
    rounds: int
    cpu: dict[str, list[float]] = field(default_factory=dict)
    """Median client CPU seconds per run, one value per round."""
    imports: dict[str, list[float]] = field(default_factory=dict)
    """Seconds of `from pydantic_ai import Agent`, one value per fresh interpreter."""
    versions: dict[str, str] = field(default_factory=dict)
    requests_per_run: int = 0
    peer_skipped: str | None = None
    started: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith('PYTHON')}


def peer_python(*, build: bool) -> tuple[Path | None, str]:
    """The peer venv's interpreter, building the venv when `build` is true; else `None` and why."""
    python = PEER_DIR / 'bin' / 'python'
    check = [str(python), '-c', 'import pydantic_ai.models.groq, pydantic_ai.providers.groq']
    if python.exists() and subprocess.run(check, capture_output=True, env=_environment()).returncode == 0:
        return python, ''
    if not build:
        return None, f'the peer venv ({PEER_DIR.relative_to(HERE.parent)}) is not built; quick mode never builds it'
    try:
        subprocess.run([sys.executable, '-m', 'venv', '--clear', str(PEER_DIR)], check=True, capture_output=True)
        subprocess.run(
            [str(python), '-m', 'pip', 'install', '--quiet', PEER_REQUIREMENT],
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, 'stderr', None) or str(exc)
        return None, f'could not build the peer venv with pip ({PEER_REQUIREMENT}): {str(detail).strip()[-300:]}'
    if subprocess.run(check, capture_output=True, env=_environment()).returncode != 0:
        return None, f'{PEER_REQUIREMENT} installed but its Groq model does not import'
    return python, ''


def _run_side(python: Path | str, base_url: str, runs: int) -> dict[str, Any]:
    completed = subprocess.run(
        [str(python), '-I', str(SCRIPT), base_url, str(runs)],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=600,
    )
    if completed.returncode != 0:
        raise RuntimeError(f'W7 run with {python} failed:\n{completed.stderr[-3000:]}')
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def _import_seconds(python: Path | str) -> float:
    out = subprocess.run(
        [str(python), '-I', '-c', IMPORT_CODE], check=True, capture_output=True, text=True, env=_environment()
    )
    return float(out.stdout.strip())


def run_w7(*, quick: bool) -> W7Results:
    """Measure W7 (quick: tiny sizes, this project only)."""
    runs, rounds, import_runs = (5, 1, 2) if quick else (30, 7, 21)
    results = W7Results(quick=quick, runs=runs, rounds=rounds)
    sides: dict[str, Path | str] = {'ours': sys.executable}
    peer, reason = peer_python(build=not quick)
    if quick and peer is not None:
        peer, reason = None, 'quick mode measures this project only'
    if peer is None:
        results.peer_skipped = reason
        print(f'W7: skipping the current pydantic-ai: {reason}', file=sys.stderr, flush=True)
    else:
        sides['peer'] = peer
    for python in sides.values():  # warm byte-code and file-system caches
        _import_seconds(python)
    results.imports = {side: [] for side in sides}
    for index in range(import_runs):
        order = list(sides) if index % 2 == 0 else list(reversed(sides))
        for side in order:
            results.imports[side].append(_import_seconds(sides[side]))
    results.cpu = {side: [] for side in sides}
    with BenchServer() as server:
        for index in range(rounds):
            order = list(sides) if index % 2 == 0 else list(reversed(sides))
            for side in order:
                measured = _run_side(sides[side], server.base_url, runs)
                results.cpu[side].append(median(measured['cpu']))
                results.versions[side] = f'{measured["distribution"]} {measured["pydantic_ai"]}'
                results.requests_per_run = measured['requests_per_run']
    return results


def _ms(seconds: float) -> str:
    return f'{seconds * 1000:.2f} ms'


def render_w7(results: W7Results) -> str:
    """The W7 section of a report."""
    ours_cpu, ours_import = median(results.cpu['ours']), median(results.imports['ours'])
    lines = [
        '## W7: agent run (two tool calls, structured result) and `from pydantic_ai import Agent`',
        '',
        f'Generated by `python -m bench.agent{" --quick" if results.quick else ""}` on {results.started:%Y-%m-%d %H:%M}'
        f' UTC; {results.rounds} round(s) of {results.runs} runs per side after 3 warm-up runs, '
        f'{len(results.imports["ours"])} fresh interpreters per side for the import; '
        f'{results.requests_per_run} model requests per run. Load average at the end: '
        f'{", ".join(f"{x:.2f}" for x in os.getloadavg())}.',
        '',
        '| W7 | this project | current pydantic-ai | ratio (median of per-round ratios) | goal |',
        '|---|---|---|---|---|',
    ]
    if 'peer' in results.cpu:
        cpu_ratio = median([o / p for o, p in zip(results.cpu['ours'], results.cpu['peer'], strict=True)])
        import_ratio = median(results.imports['ours']) / median(results.imports['peer'])
        peer_cpu, peer_import = _ms(median(results.cpu['peer'])), _ms(median(results.imports['peer']))
        import_row = f'| {_ms(ours_import)} | {peer_import} | {import_ratio:.2f}x | <= 0.5x |'
        lines += [
            f'| W7 client CPU per agent run | {_ms(ours_cpu)} | {peer_cpu} | {cpu_ratio:.2f}x | <= 0.5x |',
            f'| W7 `from pydantic_ai import Agent` {import_row}',
        ]
    else:
        lines += [
            f'| W7 client CPU per agent run | {_ms(ours_cpu)} | skipped | n/a | <= 0.5x |',
            f'| W7 `from pydantic_ai import Agent` | {_ms(ours_import)} | skipped | n/a | <= 0.5x |',
            '',
            f'The current pydantic-ai was skipped: {results.peer_skipped}.',
        ]
    lines += ['', 'Versions: ' + '; '.join(f'{side}: {version}' for side, version in results.versions.items()), '']
    return '\n'.join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m bench.agent', description=__doc__.split('\n', 1)[0])
    parser.add_argument('--quick', action='store_true', help='tiny sizes, this project only; prints the report')
    parser.add_argument('--output', type=Path, help='where to write the report (default: bench/AGENT_RESULTS.md)')
    args = parser.parse_args(argv)
    start = time.perf_counter()
    report = render_w7(run_w7(quick=args.quick))
    output = args.output if args.output is not None else (None if args.quick else RESULTS_PATH)
    if output is None:
        print(report)
    else:
        output.write_text(f'# Agent benchmark results\n\n{report}\nTook {time.perf_counter() - start:.0f} s.\n')
        print(f'wrote {output}', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
