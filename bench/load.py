"""Load and soak: many concurrent requests and streams through ONE `GroqProvider`, against a local server process.

```bash
.venv/bin/python -m bench.load               # 10 rounds of 1,000 requests + 200 streams -> bench/LOAD_RESULTS.md
.venv/bin/python -m bench.load --quick       # tiny sizes, 2 rounds, report on stdout only
.venv/bin/python -m bench.load --rounds 100  # soak
```

The `GroqTestServer` runs in a child process (`python -m bench.load --serve`), so its CPU and memory are not the
client's. The child answers a line protocol on stdin/stdout (`stats`, `reset`, `quit`), which is how the client reads
the server's counters (TCP connections accepted, peak open) after each round.

Phases:

1. Memory rounds (tracemalloc on): each round sends `--requests` concurrent `model.request` calls and `--streams`
   concurrent streams consumed to the end, all through one provider whose `httpx.AsyncClient` has a pool of
   `--pool` connections. After each round: every call succeeded with the expected text, the server saw exactly one
   HTTP request per call (no hidden retries), the connections it accepted stay within the pool limit, and the
   client's RSS and tracemalloc current size (after `gc.collect()`) are recorded.
2. Timing rounds (tracemalloc off, it distorts timings): the same round for `GroqModel` and for bare httpx + `json`
   (the floor for a Python client: same pool, same concurrency, same server), alternated; then one request at a
   time (no queueing) for both. Client-added latency = the project's latency minus the floor's.
3. Close the client, `gc.collect()`, and check that no `ResourceWarning` (turned into errors) and no unraisable
   exception was reported during the whole run, and that the server sees no open connection.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

RESULTS = Path(__file__).resolve().parent / 'LOAD_RESULTS.md'
MODEL_NAME = 'openai/gpt-oss-120b'
API_KEY = 'gsk-load-test-not-a-key'
CHAT_PATH = '/openai/v1/chat/completions'
ANSWER = 'Hello from the load test server.'
STREAM_CHUNKS = [f'tok{i} ' for i in range(20)]
STREAM_TEXT = ''.join(STREAM_CHUNKS)
PAGE = os.sysconf('SC_PAGE_SIZE')


# -- the server process ----------------------------------------------------------------------------------------


def serve() -> None:
    """Child process: run a `GroqTestServer` and answer `stats` / `reset` / `quit` lines on stdin."""
    from pydantic_ai_groq.testing import (
        GroqTestServer,
        RecordedRequest,
        ScriptedResponse,
        streamed_text,
        text_completion,
    )

    completion = text_completion(ANSWER)
    stream = streamed_text(STREAM_CHUNKS)

    def answer(request: RecordedRequest) -> ScriptedResponse:
        return stream if request.is_stream else completion

    with GroqTestServer(default=answer) as server:
        print(json.dumps({'base_url': server.base_url}), flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == 'reset':
                server.reset()
                print(json.dumps({'ok': True}), flush=True)
            elif command == 'stats':
                usage = resource.getrusage(resource.RUSAGE_SELF)
                stats = {
                    'requests': server.request_count,
                    'connections_accepted': server.connections_accepted,
                    'peak_open_connections': server.peak_open_connections,
                    'open_connections': server.open_connections,
                    'cpu_time': server.cpu_time,
                    'peak_rss_mb': usage.ru_maxrss / 1024,
                }
                print(json.dumps(stats), flush=True)
            elif command == 'quit':
                break


class ServerProcess:
    """The client's handle on the server child process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'bench.load', '--serve'],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        self.base_url: str = self._read()['base_url']

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f'the server process exited (code {self.process.poll()})')
        result: dict[str, Any] = json.loads(line)
        return result

    def command(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + '\n')
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        try:
            assert self.process.stdin is not None
            self.process.stdin.write('quit\n')
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


# -- clients ---------------------------------------------------------------------------------------------------


def pool_client(pool: int) -> httpx.AsyncClient:
    # Plain HTTP on loopback: no CA bundle to load.
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    return httpx.AsyncClient(limits=limits, verify=False, timeout=httpx.Timeout(60, connect=5))


class ProjectClient:
    """`GroqModel` + `GroqProvider`, the way users call them."""

    label = 'GroqModel'

    def __init__(self, base_url: str, http_client: httpx.AsyncClient) -> None:
        from pydantic_ai.messages import ModelRequest
        from pydantic_ai.models import ModelRequestParameters
        from pydantic_ai_groq import GroqModel, GroqProvider

        provider = GroqProvider(api_key=API_KEY, base_url=base_url, http_client=http_client)
        self.model = GroqModel(MODEL_NAME, provider=provider)
        self.messages = [ModelRequest.user_text_prompt('Say hello.')]
        self.params = ModelRequestParameters()

    async def complete(self) -> str:
        from pydantic_ai.messages import TextPart

        response, _ = await self.model.request(self.messages, None, self.params)
        return ''.join(p.content for p in response.parts if isinstance(p, TextPart))

    async def stream(self) -> str:
        from pydantic_ai.messages import TextPart

        async with self.model.request_stream(self.messages, None, self.params) as stream:
            async for _ in stream:
                pass
            response = stream.get()
        return ''.join(p.content for p in response.parts if isinstance(p, TextPart))


class BareClient:
    """Bare httpx + `json`: the floor for a Python client on the same pool and server."""

    label = 'bare httpx + json'

    def __init__(self, base_url: str, http_client: httpx.AsyncClient) -> None:
        self.http = http_client
        self.url = base_url + CHAT_PATH
        self.headers = {'authorization': f'Bearer {API_KEY}', 'content-type': 'application/json'}
        self.body = {'model': MODEL_NAME, 'messages': [{'role': 'user', 'content': 'Say hello.'}]}

    async def complete(self) -> str:
        response = await self.http.post(self.url, content=json.dumps(self.body), headers=self.headers)
        response.raise_for_status()
        content: str = json.loads(response.content)['choices'][0]['message']['content']
        return content

    async def stream(self) -> str:
        parts: list[str] = []
        body = json.dumps({**self.body, 'stream': True})
        async with self.http.stream('POST', self.url, content=body, headers=self.headers) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if not line.startswith('data: ') or line == 'data: [DONE]':
                    continue
                choices = json.loads(line[6:])['choices']
                if choices and choices[0]['delta'].get('content'):
                    parts.append(choices[0]['delta']['content'])
        return ''.join(parts)


Client = ProjectClient | BareClient


# -- one round -------------------------------------------------------------------------------------------------


@dataclass
class Round:
    label: str
    wall: float = 0.0
    ok: int = 0
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # non-streamed requests, seconds
    stream_latencies: list[float] = field(default_factory=list)  # streams consumed to the end, seconds
    server: dict[str, Any] = field(default_factory=dict)
    rss_mb: float = 0.0
    traced_mb: float | None = None


async def timed(call: Callable[[], Awaitable[str]], expected: str, out: list[float], result: Round) -> None:
    start = time.perf_counter()
    try:
        text = await call()
    except Exception as exc:  # counted and reported, never hidden
        result.failures.append(f'{type(exc).__name__}: {exc}')
        return
    out.append(time.perf_counter() - start)
    if text == expected:
        result.ok += 1
    else:
        result.failures.append(f'wrong text: {text[:60]!r}')


async def run_round(client: Client, requests: int, streams: int) -> Round:
    result = Round(client.label)
    calls = [timed(client.complete, ANSWER, result.latencies, result) for _ in range(requests)]
    calls += [timed(client.stream, STREAM_TEXT, result.stream_latencies, result) for _ in range(streams)]
    start = time.perf_counter()
    await asyncio.gather(*calls)
    result.wall = time.perf_counter() - start
    return result


async def sequential(client: Client, count: int) -> list[float]:
    latencies: list[float] = []
    for _ in range(count):
        start = time.perf_counter()
        assert await client.complete() == ANSWER
        latencies.append(time.perf_counter() - start)
    return latencies


def rss_mb() -> float:
    with open('/proc/self/statm') as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float('nan')


def ms(seconds: float) -> str:
    return f'{seconds * 1000:.2f}'


# -- the run ---------------------------------------------------------------------------------------------------


@dataclass
class Config:
    rounds: int
    requests: int
    streams: int
    pool: int
    timing_rounds: int
    sequential: int


async def measure(server: ServerProcess, config: Config, problems: list[str]) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    loop_errors: list[str] = []
    loop.set_exception_handler(lambda _loop, context: loop_errors.append(str(context.get('message'))))
    per_call = config.requests + config.streams
    memory_rounds: list[Round] = []
    timing: dict[str, list[Round]] = {ProjectClient.label: [], BareClient.label: []}
    seq: dict[str, list[float]] = {}

    def check(result: Round, name: str, *, alone: bool = True) -> None:
        stats = result.server
        if result.failures:
            problems.append(f'{name}: {len(result.failures)} failed, e.g. {result.failures[0]}')
        if result.ok != per_call:
            problems.append(f'{name}: {result.ok}/{per_call} succeeded')
        if stats['requests'] != per_call:
            problems.append(f'{name}: the server saw {stats["requests"]} HTTP requests for {per_call} calls')
        # With two clients alive (timing rounds), the server's peak also counts the other client's idle connections.
        peak = stats['peak_open_connections'] if alone else 0
        if stats['connections_accepted'] > config.pool or peak > config.pool:
            problems.append(
                f'{name}: pool limit {config.pool} breached: {stats["connections_accepted"]} connections accepted, '
                f'{stats["peak_open_connections"]} open at peak'
            )

    http_client = pool_client(config.pool)
    project = ProjectClient(server.base_url, http_client)
    # Warm-up (imports, first connection), not measured.
    await project.complete()
    await project.stream()

    server.command('reset')
    accepted_total = 0
    tracemalloc.start()
    for index in range(config.rounds):
        server.command('reset')
        result = await run_round(project, config.requests, config.streams)
        result.server = server.command('stats')
        accepted_total += result.server['connections_accepted']
        gc.collect()
        result.rss_mb = rss_mb()
        result.traced_mb = tracemalloc.get_traced_memory()[0] / 2**20
        check(result, f'memory round {index + 1}')
        memory_rounds.append(result)
        print(
            f'round {index + 1}/{config.rounds}: {result.ok}/{per_call} ok in {result.wall:.2f} s, '
            f'{result.server["connections_accepted"]} connections accepted, RSS {result.rss_mb:.1f} MB, '
            f'traced {result.traced_mb:.2f} MB',
            flush=True,
        )
    tracemalloc.stop()

    bare_http = pool_client(config.pool)
    bare = BareClient(server.base_url, bare_http)
    await bare.complete()
    for index in range(config.timing_rounds):
        for client in (project, bare):
            server.command('reset')
            before = server.command('stats')['cpu_time']
            result = await run_round(client, config.requests, config.streams)
            result.server = server.command('stats')
            result.server['cpu_used'] = result.server['cpu_time'] - before
            check(result, f'timing round {index + 1} ({client.label})', alone=False)
            timing[client.label].append(result)
    for client in (project, bare):
        await sequential(client, 20)  # warm
        seq[client.label] = await sequential(client, config.sequential)

    await bare_http.aclose()
    await http_client.aclose()
    del project, bare, http_client, bare_http
    gc.collect()
    await asyncio.sleep(0.05)
    gc.collect()
    closed = server.command('stats')
    if closed['open_connections']:
        # The server may see the FINs a moment later.
        await asyncio.sleep(0.5)
        closed = server.command('stats')
    if closed['open_connections']:
        problems.append(f'{closed["open_connections"]} connection(s) still open after the clients closed')
    problems.extend(f'event loop reported: {message}' for message in loop_errors)
    return {
        'memory_rounds': memory_rounds,
        'timing': timing,
        'sequential': seq,
        'accepted_total': accepted_total,
        'server_final': closed,
    }


def report(config: Config, data: dict[str, Any], problems: list[str], elapsed: float, quick: bool) -> str:
    rounds: list[Round] = data['memory_rounds']
    timing: dict[str, list[Round]] = data['timing']
    seq: dict[str, list[float]] = data['sequential']
    per_call = config.requests + config.streams
    lines = [
        '# Load test results',
        '',
        f'- Date: {dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")}',
        f'- Machine: {os.cpu_count()} CPUs ({platform.machine()}, {platform.system()} {platform.release()}), '
        f'load average {"/".join(f"{x:.2f}" for x in os.getloadavg())} at the end',
        f'- Python {platform.python_version()}, httpx {httpx.__version__}',
        f'- Command: `.venv/bin/python -m bench.load{" --quick" if quick else ""} --rounds {config.rounds}`'
        f' ({elapsed:.0f} s)',
        f'- Each round: {config.requests} concurrent non-streamed `model.request` + {config.streams} concurrent '
        f'streams '
        f'of {len(STREAM_CHUNKS)} text chunks consumed to the end, all through ONE `GroqProvider` / `GroqModel` whose '
        f'`httpx.AsyncClient` has `max_connections={config.pool}, max_keepalive_connections={config.pool}`; the '
        '`GroqTestServer` runs in a separate process.',
        '',
        f'## Result: {"PASS" if not problems else "FAIL"}',
        '',
    ]
    lines += [f'- {p}' for p in problems] or [
        f'- All {per_call * config.rounds + per_call * 2 * config.timing_rounds:,} calls succeeded with the '
        'expected text, and the server saw exactly one HTTP request per call (no retries).',
        f'- TCP connections accepted by the server per round: max '
        f'{max(r.server["connections_accepted"] for r in rounds)} (limit {config.pool}); peak open at once: max '
        f'{max(r.server["peak_open_connections"] for r in rounds)}; over all {config.rounds} memory rounds '
        f"{data['accepted_total']} plus 1 by the warm-up (idle connections are closed after httpx's 5 s "
        'keep-alive expiry and reopened later, so this total is not bounded by the pool; the number open at once '
        'is). In the timing rounds '
        'each client stays within its own limit too.',
        '- No connection left open on the server after the client closed; no `ResourceWarning` (turned into errors) '
        'and no unraisable exception or event-loop error during the run, including a final `gc.collect()`.',
    ]
    first, last = rounds[0], rounds[-1]
    lines += [
        '',
        '## Memory (client process, after `gc.collect()`, tracemalloc on during these rounds)',
        '',
        '| round | wall s | RSS MB | tracemalloc current MB | connections accepted | peak open |',
        '|---|---|---|---|---|---|',
    ]
    for index, r in enumerate(rounds, 1):
        lines.append(
            f'| {index} | {r.wall:.2f} | {r.rss_mb:.1f} | {r.traced_mb:.3f} | {r.server["connections_accepted"]} '
            f'| {r.server["peak_open_connections"]} |'
        )
    lines += [
        '',
        f'- RSS after round 1: {first.rss_mb:.1f} MB, after round {len(rounds)}: {last.rss_mb:.1f} MB '
        f'({last.rss_mb - first.rss_mb:+.1f} MB).',
        f'- tracemalloc after round 1: {first.traced_mb:.3f} MB, after round {len(rounds)}: {last.traced_mb:.3f} MB '
        f'({(last.traced_mb or 0) - (first.traced_mb or 0):+.3f} MB).',
        f'- Peak RSS of the client: {peak_rss_mb():.1f} MB; of the server process: '
        f'{data["server_final"]["peak_rss_mb"]:.1f} MB.',
        '',
        '## Throughput and latency (tracemalloc off)',
        '',
        f'Median over {config.timing_rounds} alternated rounds per client. Latency is wall time per call measured in '
        'the client, from the call to its result, so under load it includes the wait for one of the '
        f'{config.pool} pooled connections. "calls/s" counts requests and streams together.',
        '',
        '| client | calls/s | request p50 ms | request p99 ms | stream p50 ms | stream p99 ms | server CPU s/round |',
        '|---|---|---|---|---|---|---|',
    ]
    medians: dict[str, dict[str, float]] = {}
    for label, results in timing.items():
        m = {
            'rps': statistics.median(per_call / r.wall for r in results),
            'p50': statistics.median(pct(r.latencies, 0.5) for r in results),
            'p99': statistics.median(pct(r.latencies, 0.99) for r in results),
            's50': statistics.median(pct(r.stream_latencies, 0.5) for r in results),
            's99': statistics.median(pct(r.stream_latencies, 0.99) for r in results),
            'cpu': statistics.median(r.server['cpu_used'] for r in results),
        }
        medians[label] = m
        lines.append(
            f'| {label} | {m["rps"]:,.0f} | {ms(m["p50"])} | {ms(m["p99"])} | {ms(m["s50"])} | {ms(m["s99"])} '
            f'| {m["cpu"]:.2f} |'
        )
    p, b = medians[ProjectClient.label], medians[BareClient.label]
    sp, sb = seq[ProjectClient.label], seq[BareClient.label]
    lines += [
        '',
        '## Client-added latency',
        '',
        'Method: the floor is bare httpx + `json` against the same server process, on an identical pool, at the same '
        "concurrency (and one call at a time); what `GroqModel` adds is its latency minus the floor's. The server's "
        'own handling time and the network stack are in both, so they cancel out.',
        '',
        f'- Under load ({config.requests} + {config.streams} concurrent): request p50 '
        f'{ms(p["p50"] - b["p50"])} ms, p99 {ms(p["p99"] - b["p99"])} ms added; whole round '
        f'{per_call / p["rps"] - per_call / b["rps"]:.2f} s longer '
        f'({(per_call / p["rps"] - per_call / b["rps"]) / per_call * 1e6:.0f} µs of client time per call).',
        f'- One request at a time ({config.sequential} requests, keep-alive): GroqModel p50 {ms(pct(sp, 0.5))} ms / '
        f'p99 {ms(pct(sp, 0.99))} ms; bare httpx p50 {ms(pct(sb, 0.5))} ms / p99 {ms(pct(sb, 0.99))} ms; added '
        f'p50 {ms(pct(sp, 0.5) - pct(sb, 0.5))} ms, p99 {ms(pct(sp, 0.99) - pct(sb, 0.99))} ms.',
    ]
    if quick:
        lines += ['', '_Quick mode: tiny sizes; these numbers prove the script works and mean nothing._']
    return '\n'.join(lines) + '\n'


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog='python -m bench.load', description=__doc__.split('\n')[0])
    parser.add_argument('--serve', action='store_true', help=argparse.SUPPRESS)
    parser.add_argument('--quick', action='store_true', help='tiny sizes, 2 rounds, report on stdout only')
    parser.add_argument('--rounds', type=int, help='memory rounds (default 10; 2 with --quick); a soak: 100+')
    parser.add_argument('--requests', type=int, help='concurrent non-streamed requests per round (default 1000)')
    parser.add_argument('--streams', type=int, help='concurrent streams per round (default 200)')
    parser.add_argument('--pool', type=int, default=100, help='connection pool limit (default 100)')
    parser.add_argument('--output', type=Path, help=f'results file (default {RESULTS.name}; not written with --quick)')
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return 0
    config = Config(
        rounds=args.rounds or (2 if args.quick else 10),
        requests=args.requests or (40 if args.quick else 1000),
        streams=args.streams or (10 if args.quick else 200),
        pool=args.pool if not args.quick else min(args.pool, 10),
        timing_rounds=1 if args.quick else 3,
        sequential=20 if args.quick else 300,
    )
    warnings.simplefilter('error', ResourceWarning)
    unraisable: list[str] = []
    previous_hook = sys.unraisablehook

    def hook(info: Any) -> None:
        unraisable.append(f'{type(info.exc_value).__name__}: {info.exc_value} ({info.object!r})')

    sys.unraisablehook = hook
    problems: list[str] = []
    server = ServerProcess()
    start = time.perf_counter()
    try:
        data = asyncio.run(measure(server, config, problems))
    finally:
        server.close()
    gc.collect()
    sys.unraisablehook = previous_hook
    problems.extend(f'unraisable / ResourceWarning: {message}' for message in unraisable)
    text = report(config, data, problems, time.perf_counter() - start, args.quick)
    print(text)
    output = args.output or (None if args.quick else RESULTS)
    if output is not None:
        output.write_text(text)
        print(f'written to {output}')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
