"""The results as Markdown: the issue's table (absolute for the raw SDK, paired ratios for the others, goals),
per-client details with the server's CPU, linearity, machine information and the method."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bench.clients import CLIENTS, LABELS
from bench.measure import Sample, median, metric, paired_ratio
from bench.workloads import Sizes

__all__ = ('Results', 'render')

LINEAR_LIMIT = 1.3
"""A size ratio counts as linear when time grows by at most this factor more than the input (10x -> <= 13x)."""


@dataclass
class Results:
    """Everything one benchmark run measured."""

    quick: bool
    sizes: Sizes
    started: datetime
    seconds: float = 0.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    imports: dict[str, list[float]] = field(default_factory=dict)
    core_heavy_modules: list[str] = field(default_factory=list)
    inprocess: dict[str, dict[str, list[Sample]]] = field(default_factory=dict)
    concurrent: dict[str, list[Sample]] = field(default_factory=dict)


@dataclass
class _Row:
    workload: str
    sdk: str
    httpx: str
    project: str
    goal: str
    met: bool | None


def _ratio(value: float) -> str:
    return f'{value:.2f}x'


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f'{seconds:.2f} s'
    if seconds >= 1e-3:
        return f'{seconds * 1e3:.3g} ms'
    return f'{seconds * 1e6:,.0f} us'


def _paired_list(values: Mapping[str, Sequence[float]], key: str) -> float:
    return median([a / b for a, b in zip(values[key], values['sdk'], strict=True) if b > 0])


def _import_rows(results: Results) -> list[_Row]:
    imports = results.imports
    sdk_ms = median(imports['sdk'])
    httpx_ratio = _paired_list(imports, 'httpx')
    core = _paired_list(imports, 'core')
    entry = _paired_list(imports, 'project')
    no_sdk = 'groq' not in results.core_heavy_modules
    loaded = ', '.join(results.core_heavy_modules) or 'none of groq, pydantic, httpx, pluggy'
    return [
        _Row(
            'W1 cold import: `import pydantic_ai` (core alone)',
            f'{_duration(sdk_ms)} (`import groq`)',
            _ratio(httpx_ratio),
            f'{_ratio(core)} (loads {loaded})',
            '<= 0.5x `import groq`; imports no vendor SDK',
            core <= 0.5 and no_sdk,
        ),
        _Row(
            'W1 cold import: `import pydantic_ai.models.groq`',
            f'{_duration(sdk_ms)} (`import groq`)',
            _ratio(httpx_ratio),
            _ratio(entry),
            '<= 1.15x `import groq`',
            entry <= 1.15,
        ),
    ]


def _linearity(
    samples: Mapping[str, Sequence[Sample]], large: Mapping[str, Sequence[Sample]], name: str
) -> dict[str, float]:
    return {key: median(metric(large[key], name)) / median(metric(samples[key], name)) for key in CLIENTS}


def _inprocess_rows(results: Results) -> list[_Row]:
    data = results.inprocess
    sizes = results.sizes
    rows: list[_Row] = []

    def ratios(key: str, name: str) -> tuple[float, float]:
        return paired_ratio(data[key], 'httpx', 'sdk', name), paired_ratio(data[key], 'project', 'sdk', name)

    def simple(key: str, label: str, name: str, goal: float) -> None:
        httpx_ratio, project_ratio = ratios(key, name)
        absolute = _duration(median(metric(data[key]['sdk'], name)))
        httpx_text, project_text = _ratio(httpx_ratio), _ratio(project_ratio)
        if name == 'wall':
            # Wall time is judged; client CPU is shown too, as it is less sensitive to other load on the machine.
            httpx_cpu, project_cpu = ratios(key, 'cpu')
            absolute += f' wall ({_duration(median(metric(data[key]["sdk"], "cpu")))} CPU)'
            httpx_text += f' ({_ratio(httpx_cpu)} CPU)'
            project_text += f' ({_ratio(project_cpu)} CPU)'
        rows.append(_Row(label, absolute, httpx_text, project_text, f'<= {goal}x', project_ratio <= goal))

    def linear(small: str, large: str, label: str, name: str) -> None:
        factor = _linearity(data[small], data[large], name)
        ideal = (
            (sizes.w4_fragments_large / sizes.w4_fragments)
            if small == 'W4'
            else (sizes.w6_messages_large / sizes.w6_messages_small)
        )
        rows.append(
            _Row(
                label,
                f'{factor["sdk"]:.1f}x',
                f'{factor["httpx"]:.1f}x',
                f'{factor["project"]:.1f}x',
                f'linear: ~{ideal:.0f}x (<= {ideal * LINEAR_LIMIT:.0f}x)',
                factor['project'] <= ideal * LINEAR_LIMIT,
            )
        )

    simple('W2', 'W2 client CPU per non-streamed request', 'cpu', 0.85)
    simple('W3', f'W3 one stream of {sizes.w3_chunks:,} text chunks, consumed and assembled', 'wall', 0.35)
    simple('W4', f'W4 one tool call whose JSON arguments arrive in {sizes.w4_fragments:,} fragments', 'wall', 0.35)
    linear(
        'W4',
        'W4-large',
        f'W4 linearity: {sizes.w4_fragments_large:,} fragments vs {sizes.w4_fragments:,} (time ratio, each client)',
        'wall',
    )
    rows.append(_concurrent_row(results))
    w6_label = f'W6 one request carrying a {sizes.w6_messages:,}-message history (build + send, client CPU)'
    simple('W6', w6_label, 'cpu', 0.1)
    linear(
        'W6-small',
        'W6-large',
        f'W6 linearity: {sizes.w6_messages_large:,} messages vs {sizes.w6_messages_small:,} '
        '(client CPU ratio, each client)',
        'cpu',
    )
    return rows


def _concurrent_row(results: Results) -> _Row:
    data = results.concurrent
    wall = paired_ratio(data, 'httpx', 'sdk', 'wall'), paired_ratio(data, 'project', 'sdk', 'wall')
    rss = paired_ratio(data, 'httpx', 'sdk', 'rss_mb'), paired_ratio(data, 'project', 'sdk', 'rss_mb')
    sdk = f'{_duration(median(metric(data["sdk"], "wall")))} / {median(metric(data["sdk"], "rss_mb")):.0f} MB'
    return _Row(
        f'W5 {results.sizes.w5_concurrency} concurrent requests: wall / peak RSS',
        sdk,
        f'{_ratio(wall[0])} / {_ratio(rss[0])}',
        f'{_ratio(wall[1])} / {_ratio(rss[1])}',
        'wall <= 0.9x, peak RSS <= 1.1x',
        wall[1] <= 0.9 and rss[1] <= 1.1,
    )


def _table(rows: list[_Row], quick: bool) -> list[str]:
    lines = [
        f'| workload | {LABELS["sdk"]} | {LABELS["httpx"]} (the limit) | {LABELS["project"]} | goal (project) | met? |',
        '|---|---|---|---|---|---|',
    ]
    for row in rows:
        met = 'n/a (quick mode)' if quick or row.met is None else ('yes' if row.met else '**no**')
        lines.append(f'| {row.workload} | {row.sdk} | {row.httpx} | {row.project} | {row.goal} | {met} |')
    return lines


def _details(results: Results) -> list[str]:
    lines = [
        '| workload | client | median wall | median client CPU | median server CPU | server CPU / client wall '
        '| rounds |',
        '|---|---|---|---|---|---|---|',
    ]
    blocks = {**results.inprocess, 'W5': results.concurrent}
    for key in ('W2', 'W3', 'W4', 'W4-large', 'W5', 'W6', 'W6-small', 'W6-large'):
        samples = blocks.get(key)
        if not samples:
            continue
        for client in CLIENTS:
            wall = median(metric(samples[client], 'wall'))
            cpu = median(metric(samples[client], 'cpu'))
            server = median(metric(samples[client], 'server_cpu'))
            cpu_text = _duration(cpu) if cpu else '(subprocess)'
            extra = f' (peak RSS {median(metric(samples[client], "rss_mb")):.1f} MB)' if key == 'W5' else ''
            lines.append(
                f'| {key} | {LABELS[client]} | {_duration(wall)}{extra} | {cpu_text} | {_duration(server)} '
                f'| {server / wall:.0%} | {len(samples[client])} |'
            )
    lines.append('')
    lines.append('W1 medians (import time above a bare interpreter):')
    lines.append('')
    for key, values in results.imports.items():
        statement = {'sdk': 'import groq', 'httpx': 'import httpx, json', 'core': 'import pydantic_ai'}.get(
            key, 'import pydantic_ai.models.groq' if key == 'project' else 'import pydantic_ai_groq'
        )
        lines.append(f'- `{statement}`: {_duration(median(values))} ({len(values)} runs)')
    return lines


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return 'not installed'


def _cpu_model() -> str:
    try:
        with open('/proc/cpuinfo') as cpuinfo:
            for line in cpuinfo:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def _peers() -> str:
    found = [name for name in ('langchain_groq', 'litellm') if importlib.util.find_spec(name) is not None]
    if found:
        return f'installed but not wired in: {", ".join(found)}'
    return (
        'none measured: langchain-groq and litellm are not installed here (they are not installed for the '
        'benchmark), and the original pydantic-ai cannot share an environment with this project, which owns '
        'the `pydantic_ai` import name.'
    )


def _server_share(results: Results) -> float:
    """The largest server CPU / client wall ratio (medians) over the workloads judged on wall time."""
    blocks = [results.inprocess.get('W3', {}), results.inprocess.get('W4', {}), results.concurrent]
    shares = [
        median(metric(samples, 'server_cpu')) / median(metric(samples, 'wall'))
        for block in blocks
        for samples in block.values()
        if samples
    ]
    return max(shares, default=float('nan'))


def _load(load: tuple[float, float, float]) -> str:
    return ', '.join(f'{value:.2f}' for value in load)


def render(results: Results) -> str:
    """The whole report."""
    sizes = results.sizes
    mode = 'quick (tiny sizes, 1 round; numbers are not meaningful)' if results.quick else 'full'
    rows = _import_rows(results) + _inprocess_rows(results)
    lines = [
        '# Benchmark results' if not results.quick else '# Benchmark results (quick mode)',
        '',
        f'Generated by `python -m bench.run{" --quick" if results.quick else ""}` on '
        f'{results.started:%Y-%m-%d %H:%M} UTC in {results.seconds:.0f} s; mode: {mode}.',
        '',
        'Raw SDK column: absolute medians. Other columns: the median over rounds of the ratio to the raw SDK in '
        "the same round (lower is better), except the linearity rows, which give each client's own time ratio "
        'between the two sizes.',
        '',
        *_table(rows, results.quick),
        '',
        '## Machine',
        '',
        f'- CPU: {_cpu_model()}, {os.cpu_count()} logical CPUs',
        f'- Python {platform.python_version()} ({platform.python_implementation()}), {platform.platform()}',
        f'- groq {_version("groq")}, httpx {_version("httpx")}, pydantic {_version("pydantic")}, '
        f'pydantic-ai-core {_version("pydantic-ai-core")}, pydantic-ai-groq {_version("pydantic-ai-groq")}',
        f'- Optional peers: {_peers()}',
        f'- Load average (1, 5, 15 min) at the start: {_load(results.load_before)}; at the end: '
        f'{_load(results.load_after)}. Other work on the machine adds noise to absolute times; the paired '
        'ratios (clients taking turns within each round) are less affected.',
        '',
        '## Rounds and sizes',
        '',
        f'- {sizes.rounds} rounds for W2, W3, W4, W5, W6; {sizes.linearity_rounds} for the linearity variants; '
        f'{sizes.import_runs} runs of each import (W1).',
        f'- W2: {sizes.w2_requests} sequential requests per round (per-request value = total / count). '
        f'W6: {sizes.w6_requests} request(s) per round.',
        '',
        '## Details per client',
        '',
        *_details(results),
        '',
        '## Method',
        '',
        '- One local Groq-compatible server, `pydantic_ai_groq.testing.GroqTestServer`, run in its own process '
        "(`bench/server.py`), so its CPU is neither on the client's clock nor on its core. Every answer is "
        'pre-encoded once and served for each request. It is not the bottleneck: bare httpx + json, the fastest '
        'client, is served a whole W3 stream in the time above, and in the workloads judged on wall time (W3, W4, '
        f"W5) the server's CPU is at most {_server_share(results):.0%} of any client's wall time. (In W6, judged "
        "on client CPU, the server's parsing of the large request body is a larger share of the wall time, but "
        "it is not on the client's clock.)",
        '- Clients (`bench/clients.py`): the raw groq SDK (`AsyncGroq.chat.completions.create`, streamed text and '
        'tool arguments collected in a list and joined), bare httpx + `json` (body dumped by hand, SSE split on '
        'blank lines, the limit for a Python client), and this project (`GroqModel` on a `GroqProvider`; '
        '`model.request(...)`, or `request_stream(...)` iterated to the end then `get()`). All three use an '
        "`httpx.AsyncClient` with the SDK's default limits and timeouts. Every result is checked (text, tool "
        'arguments; for W6 the server checks all three sent the same `messages`).',
        '- W2, W3, W4, W6 run in one process, one event loop, clients taking turns in an order rotated each '
        'round, after one untimed warm-up each. Client CPU is `time.process_time()`; a full `gc.collect()` '
        'precedes each timed run.',
        '- W1: wall time of `python -c "<import>"` minus the same run\'s `python -c pass`, fresh interpreters, '
        'statements interleaved in rotated order; a separate interpreter checks which heavy modules '
        '`import pydantic_ai` loads.',
        '- W5: each client in a fresh subprocess per round (`bench/concurrent.py`): one untimed request, then '
        "`asyncio.gather` of all requests; peak RSS is that process's `VmHWM` (imports included; `ru_maxrss` "
        "would carry over the benchmark process's own peak across fork + exec).",
        "- Profiles of the project's paths: `bench/PROFILE.md` (`python -m bench.profiling`).",
        '',
    ]
    return '\n'.join(lines)
