"""Load smoke test: many concurrent requests and streams through ONE provider stay within the pool and leak nothing.

A bounded version of `bench/load.py` (which runs 1,000 + 200 per round, 10 rounds, and records figures). No timing
is asserted here; `filterwarnings = error` turns any `ResourceWarning` or unraisable exception into a failure.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc

import httpx
import pytest

from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import (
    GroqTestServer,
    RecordedRequest,
    ScriptedResponse,
    streamed_text,
    text_completion,
)

from support.constants import FAKE_GROQ_API_KEY
from support.reliability import MODEL_NAME, NO_TOOLS, loopback_http_client, prompt, text_of

pytestmark = [pytest.mark.asyncio]

POOL = 20
REQUESTS = 60
STREAMS = 20
ROUNDS = 3
ANSWER = 'Hello from the load smoke test.'
CHUNKS = [f'tok{i} ' for i in range(10)]
# Generous: a leak of even a few hundred bytes per call would show as several MB over 500 calls.
MAX_TRACED_GROWTH = 2 * 1024 * 1024


async def one_round(model: GroqModel) -> list[str]:
    messages = prompt('Say hello.')

    async def complete() -> str:
        response, _ = await model.request(messages, None, NO_TOOLS)
        return text_of(response)

    async def stream() -> str:
        async with model.request_stream(messages, None, NO_TOOLS) as streamed:
            async for _ in streamed:
                pass
            return text_of(streamed.get())

    calls = [complete() for _ in range(REQUESTS)] + [stream() for _ in range(STREAMS)]
    return await asyncio.gather(*calls)


async def test_concurrent_requests_and_streams_through_one_provider() -> None:
    completion = text_completion(ANSWER)
    stream = streamed_text(CHUNKS)

    def answer(request: RecordedRequest) -> ScriptedResponse:
        return stream if request.is_stream else completion

    expected = [ANSWER] * REQUESTS + [''.join(CHUNKS)] * STREAMS
    traced: list[int] = []
    with GroqTestServer(default=answer) as server:
        http_client = loopback_http_client(
            # A long keep-alive expiry: tracemalloc slows the rounds, and httpx would otherwise close connections
            # idle for 5 s and open new ones, which is legal but would muddy the count of sockets opened.
            limits=httpx.Limits(max_connections=POOL, max_keepalive_connections=POOL, keepalive_expiry=60),
        )
        provider = GroqProvider(api_key=FAKE_GROQ_API_KEY, base_url=server.base_url, http_client=http_client)
        model = GroqModel(MODEL_NAME, provider=provider)
        tracemalloc.start()
        try:
            for round_number in range(1, ROUNDS + 1):
                texts = await one_round(model)
                assert texts == expected, f'round {round_number}: some calls returned the wrong text'
                gc.collect()
                traced.append(tracemalloc.get_traced_memory()[0])
        finally:
            tracemalloc.stop()
            await http_client.aclose()

        # Exactly one HTTP request per call: nothing failed and was silently retried.
        assert server.request_count == ROUNDS * (REQUESTS + STREAMS)
        assert server.connections_accepted <= POOL, f'{server.connections_accepted} connections for a pool of {POOL}'
        assert server.peak_open_connections <= POOL
        assert await server.wait_for_no_connections_async(timeout=5), (
            f'{server.open_connections} connection(s) still open after the client closed'
        )

    growth = traced[-1] - traced[0]
    assert growth < MAX_TRACED_GROWTH, f'tracemalloc grew by {growth / 1024:.0f} KiB from round 1 to {ROUNDS}: {traced}'
