"""The in-process workloads (W2, W3, W4, W6 and their linearity variants), their sizes, and the loop running them.

Every client runs every workload in the same process, against the same server, in rounds; within a round the
clients take turns, in an order rotated every round, so drift (thermal, caches, other load) hits them alike.
Every result is checked against what the server sent, outside the timed region.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bench import payloads
from bench.clients import CLIENTS, Client
from bench.measure import Sample, timed
from bench.server import BenchServer

__all__ = ('Sizes', 'FULL', 'QUICK', 'Workload', 'inprocess_workloads', 'run_workloads', 'rotated')

Operation = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class Sizes:
    """How big each workload is and how many rounds it runs."""

    rounds: int
    linearity_rounds: int
    import_runs: int
    w2_requests: int
    w3_chunks: int
    w4_fragments: int
    w4_fragments_large: int
    w5_concurrency: int
    w6_messages: int
    w6_requests: int
    w6_messages_small: int
    w6_messages_large: int


FULL = Sizes(
    rounds=9,
    linearity_rounds=3,
    import_runs=31,
    w2_requests=300,
    w3_chunks=20_000,
    w4_fragments=5_000,
    w4_fragments_large=50_000,
    w5_concurrency=500,
    w6_messages=2_000,
    w6_requests=3,
    w6_messages_small=1_000,
    w6_messages_large=10_000,
)
QUICK = Sizes(
    rounds=1,
    linearity_rounds=1,
    import_runs=2,
    w2_requests=10,
    w3_chunks=200,
    w4_fragments=50,
    w4_fragments_large=500,
    w5_concurrency=20,
    w6_messages=40,
    w6_requests=1,
    w6_messages_small=20,
    w6_messages_large=200,
)


@dataclass(frozen=True)
class Workload:
    """One in-process workload: what the server must serve, how to build each client's timed operation."""

    key: str
    title: str
    metric: str
    """The metric judged: `'cpu'` (client CPU) or `'wall'`."""
    model: str
    rounds: int
    per: int
    """Operations in one timed run (times are per operation)."""
    setup: Callable[[Client], Operation]
    """Builds a client's inputs (untimed) and returns the timed operation."""
    expected: Any
    warmup: bool = True
    """Run each client once, untimed, before measuring (the linearity variants rely on their base workload's)."""
    same_history: bool = False
    """Check (through the server) that every client sent the same `messages`."""


def _completions(model: str, wire_history: list[dict[str, Any]], count: int) -> Callable[[Client], Operation]:
    def setup(client: Client) -> Operation:
        history = client.history(wire_history)

        async def operation() -> str:
            text = ''
            for _ in range(count):
                text = await client.complete(model, history)
            return text

        return operation

    return setup


def _text_stream(model: str) -> Callable[[Client], Operation]:
    return lambda client: lambda: client.stream_text(model)


def _tool_stream(model: str) -> Callable[[Client], Operation]:
    return lambda client: lambda: client.stream_tool_args(model)


def inprocess_workloads(sizes: Sizes) -> list[Workload]:
    """W2, W3, W4 (and its 10x variant), W6 (and its 1x/10x variants), in the order they run."""
    text = payloads.TEXT_MODEL
    chunks, frags, frags_large = sizes.w3_chunks, sizes.w4_fragments, sizes.w4_fragments_large
    history, small, large = sizes.w6_messages, sizes.w6_messages_small, sizes.w6_messages_large
    return [
        Workload(
            'W2',
            'client CPU per non-streamed request',
            'cpu',
            text,
            sizes.rounds,
            sizes.w2_requests,
            _completions(text, payloads.short_history(), sizes.w2_requests),
            payloads.TEXT,
        ),
        Workload(
            'W3',
            f'one stream of {chunks:,} text chunks, consumed and assembled',
            'wall',
            payloads.stream_model(chunks),
            sizes.rounds,
            1,
            _text_stream(payloads.stream_model(chunks)),
            payloads.expected_text(chunks),
        ),
        Workload(
            'W4',
            f'one tool call whose JSON arguments arrive in {frags:,} fragments',
            'wall',
            payloads.tool_model(frags),
            sizes.rounds,
            1,
            _tool_stream(payloads.tool_model(frags)),
            payloads.tool_arguments(frags),
        ),
        Workload(
            'W4-large',
            f'one tool call in {frags_large:,} fragments (linearity)',
            'wall',
            payloads.tool_model(frags_large),
            sizes.linearity_rounds,
            1,
            _tool_stream(payloads.tool_model(frags_large)),
            payloads.tool_arguments(frags_large),
            warmup=False,
        ),
        Workload(
            'W6',
            f'one request carrying a {history:,}-message history (build + send, client CPU)',
            'cpu',
            text,
            sizes.rounds,
            sizes.w6_requests,
            _completions(text, payloads.wire_history(history), sizes.w6_requests),
            payloads.TEXT,
            same_history=True,
        ),
        Workload(
            'W6-small',
            f'one request carrying a {small:,}-message history (linearity)',
            'cpu',
            text,
            sizes.linearity_rounds,
            1,
            _completions(text, payloads.wire_history(small), 1),
            payloads.TEXT,
            same_history=True,
        ),
        Workload(
            'W6-large',
            f'one request carrying a {large:,}-message history (linearity)',
            'cpu',
            text,
            sizes.linearity_rounds,
            1,
            _completions(text, payloads.wire_history(large), 1),
            payloads.TEXT,
            same_history=True,
        ),
    ]


def rotated(keys: tuple[str, ...], round_index: int) -> list[str]:
    """`keys` starting at position `round_index` (so each client goes first, second, ... in turn)."""
    shift = round_index % len(keys)
    return [*keys[shift:], *keys[:shift]]


def _check(workload: Workload, key: str, result: Any) -> None:
    if result != workload.expected:
        shown = repr(result)[:120]
        raise AssertionError(f'{workload.key}: client {key!r} assembled a wrong result: {shown}')


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def run_workloads(
    server: BenchServer, workloads: list[Workload], clients: Mapping[str, Client]
) -> dict[str, dict[str, list[Sample]]]:
    """Run every workload for every client; samples by workload key, then client key, one per round."""
    results: dict[str, dict[str, list[Sample]]] = {}
    for workload in workloads:
        server.prepare(workload.model)
        operations = {key: workload.setup(clients[key]) for key in CLIENTS}
        if workload.warmup or workload.same_history:
            digests = set()
            for key in CLIENTS:
                _check(workload, key, await operations[key]())
                digests.add(server.digest())
            if workload.same_history and len(digests) != 1:
                raise AssertionError(f'{workload.key}: the clients sent different histories')
        samples: dict[str, list[Sample]] = {key: [] for key in CLIENTS}
        for round_index in range(workload.rounds):
            for key in rotated(CLIENTS, round_index):
                sample, result = await timed(operations[key], server, workload.per)
                _check(workload, key, result)
                samples[key].append(sample)
        server.stats()
        results[workload.key] = samples
        summary = ', '.join(f'{key} {min(s.wall for s in samples[key]):.4g}s' for key in CLIENTS)
        _log(f'  {workload.key}: {workload.rounds} rounds, best wall per op: {summary}')
    return results
