"""Where the project's time goes: cProfile of its W2, W3, W4 and W6 paths, and `-X importtime` of W1.

`python -m bench.profiling` writes bench/PROFILE.md (`--output` elsewhere, `--quick` for tiny sizes). Each
workload runs once untimed, then once under cProfile; the server runs in its own process, so only the client is
profiled. cProfile slows Python-level calls down, so read the tables for where time goes, not for how much.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import subprocess
import sys
import sysconfig
from datetime import datetime, timezone
from pathlib import Path

from bench.clients import make_client
from bench.server import BenchServer
from bench.workloads import FULL, QUICK, Sizes, inprocess_workloads

PROFILE_PATH = Path(__file__).with_name('PROFILE.md')
PROFILED = ('W2', 'W3', 'W4', 'W6')
ROOT = Path(__file__).resolve().parent.parent


def _short_paths(text: str) -> str:
    """Paths relative to the repository, site-packages or the standard library, for readable tables."""
    prefixes = [
        (sysconfig.get_paths()['purelib'] + os.sep, ''),
        (sysconfig.get_paths()['stdlib'] + os.sep, 'stdlib/'),
        (str(ROOT) + os.sep, ''),
    ]
    for prefix, replacement in prefixes:
        text = text.replace(prefix, replacement)
    return text


def _stats_text(profile: cProfile.Profile, sort: str, limit: int) -> str:
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream)
    stats.sort_stats(sort).print_stats(limit)
    lines = stream.getvalue().strip().splitlines()
    # Drop pstats' preamble up to the summary line ("N function calls ... in S seconds").
    start = next((i for i, line in enumerate(lines) if 'function calls' in line), 0)
    kept: list[str] = []
    for line in lines[start:]:
        if line.strip().startswith(('Ordered by', 'List reduced')) or (not line.strip() and kept and not kept[-1]):
            continue
        kept.append(line.rstrip())
    return _short_paths('\n'.join(kept))


async def _profile_workloads(server: BenchServer, sizes: Sizes) -> list[str]:
    client = make_client('project', server.base_url)
    sections: list[str] = []
    try:
        for workload in inprocess_workloads(sizes):
            if workload.key not in PROFILED:
                continue
            server.prepare(workload.model)
            operation = workload.setup(client)
            await operation()  # warm-up
            profile = cProfile.Profile()
            profile.enable()
            result = await operation()
            profile.disable()
            if result != workload.expected:
                raise AssertionError(f'{workload.key}: wrong result under the profiler')
            sections += [
                f'## {workload.key}: {workload.title}',
                '',
                f'{workload.per} operation(s) profiled. Top 20 by cumulative time:',
                '',
                '```text',
                _stats_text(profile, 'cumulative', 20),
                '```',
                '',
                'Top 12 by own time (where the CPU actually is):',
                '',
                '```text',
                _stats_text(profile, 'tottime', 12),
                '```',
                '',
            ]
    finally:
        await client.aclose()
    return sections


def _import_self_times(statement: str) -> dict[str, int]:
    """Each module's own import time (us) under `python -X importtime -c statement`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTHON')}
    completed = subprocess.run(
        [sys.executable, '-X', 'importtime', '-c', statement], env=env, capture_output=True, text=True, check=True
    )
    times: dict[str, int] = {}
    for line in completed.stderr.splitlines():
        if line.startswith('import time:') and 'self [us]' not in line:
            self_us, _cumulative, name = (part.strip() for part in line[len('import time:') :].split('|'))
            times[name] = int(self_us)
    return times


def _importtime(statement: str, baseline: str | None = None, limit: int = 15) -> list[str]:
    """The slowest modules `statement` imports; with `baseline`, only those the baseline does not import."""
    times = _import_self_times(statement)
    title = f'`python -X importtime -c "{statement}"`: {len(times)} modules, {sum(times.values()) / 1000:.0f} ms'
    if baseline is not None:
        shared = set(_import_self_times(baseline))
        times = {name: own for name, own in times.items() if name not in shared}
        title += f'; {len(times)} of them not loaded by `{baseline}`, {sum(times.values()) / 1000:.1f} ms'
    top = sorted(times.items(), key=lambda item: -item[1])[:limit]
    out = [title + ' (own time of each module, one run):', '']
    out += ['| module | own time |', '|---|---|']
    out += [f'| `{name}` | {own / 1000:.2f} ms |' for name, own in top]
    return [*out, '']


def profile(sizes: Sizes) -> str:
    """The whole PROFILE.md."""
    started = datetime.now(timezone.utc)
    with BenchServer() as server:
        sections = asyncio.run(_profile_workloads(server, sizes))
    lines = [
        "# Where the time goes: profiles of the project's paths",
        '',
        f'Generated by `python -m bench.profiling` on {started:%Y-%m-%d %H:%M} UTC (Python '
        f'{sys.version.split()[0]}, {os.cpu_count()} CPUs). cProfile, one run after a warm-up, client only '
        "(the server is another process), with cProfile's default wall-clock timer (a CPU-time timer costs a "
        'system call per event and inflates call-heavy code): time spent waiting for the server shows as '
        "`select.epoll.poll`. The first rows of each cumulative table are the event loop and the benchmark's "
        'own frames, which contain everything. Paths are relative to the repository or to site-packages; '
        '`stdlib/` is the standard library.',
        '',
        *sections,
        '## W1: import time',
        '',
        *_importtime('import pydantic_ai.models.groq'),
        'What the project adds to `import groq`:',
        '',
        *_importtime('import pydantic_ai.models.groq', baseline='import groq'),
        *_importtime('import pydantic_ai'),
    ]
    return '\n'.join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m bench.profiling', description=__doc__.split('\n', 1)[0])
    parser.add_argument('--quick', action='store_true', help='tiny sizes; prints the report')
    parser.add_argument('--output', type=Path, help='where to write (default: bench/PROFILE.md, or stdout)')
    args = parser.parse_args(argv)
    text = profile(QUICK if args.quick else FULL)
    output: Path | None = args.output if args.output is not None else (None if args.quick else PROFILE_PATH)
    if output is None:
        print(text)
    else:
        output.write_text(text)
        print(f'wrote {output}', file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
