"""W8: many concurrent requests against a token rate limit, this project (defaults) against the raw groq SDK (defaults).

```bash
python -m bench.ratelimit            # 300 requests of 300 tokens, 6,000 tokens per 3 s: RATELIMIT_RESULTS.md
python -m bench.ratelimit --quick    # 30 requests, 3,000 tokens per 0.5 s; report on stdout (part of make bench-quick)
```

Each client gets its own run: a fresh `GroqTestServer` enforcing the token limit per key in fixed windows (see
`pydantic_ai_groq.testing.ratelimits`), a fresh event loop, every request started at once. A request costs its
prompt (1,000 characters = 250 tokens in the server's count) plus `max_tokens=50`: 300 tokens.

Figures, per run:

- failed: requests that ended in an exception (after the client's own retries);
- 429s: 429 answers the server sent (each attempt counts);
- goodput: tokens admitted per window as a fraction of the limit, over the windows from the first admission to the
  last one before the final window (the final window is cut short by the end of the work; a run finishing in one
  window is judged by that window);
- max tokens in a window: the most admitted in one of the server's windows (never above the limit: the server
  refuses the rest); and, for information, in any interval of the window's length wherever it starts.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import groq
import httpx

from pydantic_ai.messages import ModelRequest
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import GroqTestServer, RateLimits

RESULTS_PATH = Path(__file__).with_name('RATELIMIT_RESULTS.md')
MODEL = 'openai/gpt-oss-120b'
API_KEY = 'gsk-bench-not-a-real-key'
PROMPT = 'x' * 1000
MAX_TOKENS = 50


@dataclass(frozen=True)
class Scenario:
    """One W8 configuration."""

    requests: int
    tokens_per_window: int
    window: float


FULL = Scenario(requests=300, tokens_per_window=6000, window=3.0)
QUICK = Scenario(requests=30, tokens_per_window=3000, window=0.5)


@dataclass(frozen=True)
class Outcome:
    """What one client's run measured."""

    client: str
    requests: int
    failed: int
    rate_limited: int
    attempts: int
    goodput: float
    max_window_tokens: int
    max_sliding_tokens: int
    seconds: float


async def _ours(base_url: str, count: int) -> list[BaseException | None]:
    async with httpx.AsyncClient() as http_client:
        # Defaults, except where the server is; the http client is ours only so that it is closed at the end.
        model = GroqModel(MODEL, provider=GroqProvider(api_key=API_KEY, base_url=base_url, http_client=http_client))
        messages = [ModelRequest.user_text_prompt(PROMPT)]

        async def one() -> None:
            await model.request(messages, {'max_tokens': MAX_TOKENS}, ModelRequestParameters())

        results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    return [result if isinstance(result, BaseException) else None for result in results]


async def _sdk(base_url: str, count: int) -> list[BaseException | None]:
    async with groq.AsyncGroq(api_key=API_KEY, base_url=base_url) as client:

        async def one() -> None:
            await client.chat.completions.create(
                model=MODEL, messages=[{'role': 'user', 'content': PROMPT}], max_tokens=MAX_TOKENS
            )

        results = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    return [result if isinstance(result, BaseException) else None for result in results]


def run_one(client: str, scenario: Scenario) -> Outcome:
    """One client's run against a fresh rate-limited server."""
    limits = RateLimits(tokens=scenario.tokens_per_window, window=scenario.window)
    with GroqTestServer(rate_limits=limits) as server:
        start = time.perf_counter()
        send = _ours if client == 'pydantic-ai-groq' else _sdk
        errors = asyncio.run(send(server.base_url, scenario.requests))
        seconds = time.perf_counter() - start
        ledger = server.rate_limit_ledger
        by_window = {index: tokens for (_, index), tokens in ledger.tokens_by_window().items()}
        return Outcome(
            client=client,
            requests=scenario.requests,
            failed=sum(error is not None for error in errors),
            rate_limited=ledger.count(429),
            attempts=server.request_count,
            goodput=_goodput(by_window, scenario.tokens_per_window),
            max_window_tokens=ledger.max_window_tokens(),
            max_sliding_tokens=ledger.max_sliding_window_tokens(),
            seconds=seconds,
        )


def _goodput(by_window: dict[int, int], limit: int) -> float:
    if not by_window:
        return 0.0
    first, last = min(by_window), max(by_window)
    counted = range(first, last) if last > first else range(first, first + 1)
    return sum(by_window.get(index, 0) for index in counted) / (len(counted) * limit)


def render(scenario: Scenario, outcomes: list[Outcome], quick: bool) -> str:
    """The report, as Markdown."""
    lines = [
        '# W8: concurrent requests against a token rate limit'
        + (' (quick mode: figures mean nothing)' if quick else ''),
        '',
        f'Generated by `python -m bench.ratelimit{" --quick" if quick else ""}` on '
        f'{datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}, load average {os.getloadavg()[0]:.2f} '
        f'({os.cpu_count()} CPUs). {scenario.requests} requests started at once, each {MAX_TOKENS + len(PROMPT) // 4} '
        f"tokens in the server's count; the server admits {scenario.tokens_per_window:,} tokens per "
        f'{scenario.window:g} s window per key. Each client in its own run, with its defaults (2 retries).',
        '',
        '| client | failed | 429s (% of requests) | attempts | goodput (of the limit) | max tokens in a window '
        '| max in any sliding window | wall |',
        '|---|---:|---:|---:|---:|---:|---:|---:|',
    ]
    for outcome in outcomes:
        lines.append(
            f'| {outcome.client} | {outcome.failed} / {outcome.requests} | {outcome.rate_limited} '
            f'({outcome.rate_limited / outcome.requests:.1%}) | {outcome.attempts} | {outcome.goodput:.1%} '
            f'| {outcome.max_window_tokens:,} | {outcome.max_sliding_tokens:,} | {outcome.seconds:.1f} s |'
        )
    lines += [
        '',
        'Goal for this project: 0 failed, 429s under 2% of requests, goodput at least 85% of the limit, no window over '
        'the limit. The server refuses whatever would exceed a window, so "max tokens in a window" can never pass the '
        'limit; the sliding-window column shows bursts that straddle two windows (fixed windows allow up to twice the '
        'limit there, for any client). Method: `bench/ratelimit.py`.',
        '',
    ]
    return '\n'.join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run W8 for both clients and write (or print) the report."""
    parser = argparse.ArgumentParser(prog='python -m bench.ratelimit', description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='tiny sizes; print the report')
    parser.add_argument('--output', type=Path, help='where to write the report')
    args = parser.parse_args(argv)
    scenario = QUICK if args.quick else FULL
    outcomes = []
    for client in ('pydantic-ai-groq', 'groq SDK'):
        print(f'W8: {client}, {scenario.requests} requests ...', file=sys.stderr, flush=True)
        outcomes.append(run_one(client, scenario))
    report = render(scenario, outcomes, args.quick)
    output = args.output or (None if args.quick else RESULTS_PATH)
    if output is None:
        print(report)
    else:
        output.write_text(report)
        print(f'wrote {output}', file=sys.stderr)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
