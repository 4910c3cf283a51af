"""Groq wire fidelity, round 2 (issue 12), over hand-made recordings in the exact shape of real Groq traffic.

The cassettes in `cassettes/test_groq_wire_round2/` were written by hand (no live Groq from this machine) in the wire
format of the real recordings in `../shared/cassettes/groq-recorded/`: Groq's headers, chunk fields and order,
`x_groq`, usage with timings, compound models' `executed_tools` (arguments in one delta, output and search results
in a later one, different chunk ids as the compound system switches models). Each test replays one with vcrpy
(record mode `none`) and compares what we send with the recorded request body.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr
from groq import AsyncGroq

from pydantic_ai.messages import (
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    TextPart,
    ThinkingPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.settings import ModelSettings
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqModel, GroqStreamedResponse
from pydantic_ai_groq.testing import GroqTestServer, raw_sse, streamed_text, wire

from support.constants import FAKE_GROQ_API_KEY
from support.reliability import server_model

pytestmark = pytest.mark.asyncio

CASSETTES = Path(__file__).resolve().parents[2] / 'cassettes' / 'test_groq_wire_round2'


class Replay:
    """A `GroqModel` whose traffic replays one cassette; `sent` holds the JSON bodies we sent."""

    def __init__(self, name: str) -> None:
        self.cassette = vcr.use_cassette(str(CASSETTES / name), record_mode='none', allow_playback_repeats=False)
        self.sent: list[dict[str, Any]] = []

    async def __aenter__(self) -> Replay:
        self.cassette.__enter__()

        async def hook(request: httpx.Request) -> None:
            self.sent.append(json.loads(request.content))

        self.http_client = httpx.AsyncClient(event_hooks={'request': [hook]})
        self.client = AsyncGroq(api_key=FAKE_GROQ_API_KEY, http_client=self.http_client, max_retries=0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.http_client.aclose()
        self.cassette.__exit__(None, None, None)

    def model(self, name: str) -> GroqModel:
        return GroqModel(name, groq_client=self.client)


def _load(path: Path) -> dict[str, Any]:
    import yaml

    with path.open() as f:
        return yaml.load(f, Loader=yaml.CSafeLoader)  # type: ignore[no-any-return]


def recorded_body(name: str, index: int = 0) -> dict[str, Any]:
    return json.loads(_load(CASSETTES / name)['interactions'][index]['request']['body'])


async def streamed(
    model: GroqModel,
    messages: Sequence[ModelMessage],
    settings: ModelSettings | None = None,
    params: ModelRequestParameters | None = None,
) -> ModelResponse:
    async with model.request_stream(list(messages), settings, params or ModelRequestParameters()) as stream:
        async for _ in stream:
            pass
    return stream.get()


def kinds(parts: Sequence[ModelResponsePart]) -> list[str]:
    return [part.part_kind for part in parts]


# --- Streamed compound web search keeps the non-streamed shape (issue 12, item 2) ---------------------------------

QUESTION = 'Which team won the 2026 Tour de France team classification?'


async def test_streamed_compound_search_parts_are_in_the_order_they_happened() -> None:
    async with Replay('compound_web_search_streamed.yaml') as replay:
        response = await streamed(replay.model('groq/compound'), [ModelRequest.user_text_prompt(QUESTION)])
    assert replay.sent == [recorded_body('compound_web_search_streamed.yaml')]
    # Reasoning resumed after the search's result is a new part, not appended to the first one.
    assert kinds(response.parts) == ['thinking', 'builtin-tool-call', 'builtin-tool-return', 'thinking', 'text']
    first, _, _, second, text = response.parts
    assert isinstance(first, ThinkingPart) and first.content.startswith('\nThe user asks')
    assert (
        isinstance(second, ThinkingPart)
        and second.content == '\n\nBoth results say Team Alpha won the team classification.\n'
    )
    assert text == TextPart('Team Alpha won the team classification of the 2026 Tour de France.')
    # The first chunk's id is the response's, though the compound system's later chunks carry others.
    assert response.provider_response_id == 'chatcmpl-8a1e4c07-2b9d-4f6a-b3e5-71d0c9a2f845'
    assert response.usage == Usage(
        requests=1,
        request_tokens=1830,
        response_tokens=112,
        total_tokens=1942,
        timings={
            'queue_time': 0.051234018,
            'prompt_time': 0.009812345,
            'completion_time': 0.401234567,
            'total_time': 0.411046912,
        },
    )


async def test_streamed_compound_search_tool_parts_equal_the_non_streamed_ones() -> None:
    async with Replay('compound_web_search_streamed.yaml') as replay:
        streamed_response = await streamed(replay.model('groq/compound'), [ModelRequest.user_text_prompt(QUESTION)])
    async with Replay('compound_web_search.yaml') as replay:
        response, _ = await replay.model('groq/compound').request(
            [ModelRequest.user_text_prompt(QUESTION)], None, ModelRequestParameters()
        )
    assert replay.sent == [recorded_body('compound_web_search.yaml')]

    def tool_parts(parts: Sequence[ModelResponsePart]) -> list[tuple[Any, ...]]:
        return [
            (p.part_kind, p.tool_name, p.args if isinstance(p, BuiltinToolCallPart) else p.content, p.tool_call_id)
            for p in parts
            if isinstance(p, (BuiltinToolCallPart, BuiltinToolReturnPart))
        ]

    assert tool_parts(streamed_response.parts) == tool_parts(response.parts)
    call, result = [p for p in streamed_response.parts if isinstance(p, (BuiltinToolCallPart, BuiltinToolReturnPart))]
    assert isinstance(call, BuiltinToolCallPart) and call.args == {
        'query': '2026 Tour de France team classification winner'
    }
    # The search results object, not the `output` text, as non-streamed.
    assert isinstance(result, BuiltinToolReturnPart) and isinstance(result.content, dict)
    assert [r['url'] for r in result.content['results']] == [
        'https://example.org/tdf-2026-final',
        'https://example.net/news/team-alpha-paris',
    ]
    # Same answer either way; the non-streamed message holds all reasoning (the search inlined) in one string.
    assert [p for p in streamed_response.parts if isinstance(p, TextPart)] == [
        p for p in response.parts if isinstance(p, TextPart)
    ]
    assert kinds(response.parts) == ['thinking', 'builtin-tool-call', 'builtin-tool-return', 'text']


async def test_executed_tool_output_delta_without_its_type_is_merged_by_index() -> None:
    """A later `executed_tools` delta naming only the index and the output completes the tool announced earlier."""

    async def chunks() -> AsyncIterator[dict[str, Any]]:
        for delta in (
            {'reasoning': 'Search.'},
            {'executed_tools': [{'index': 0, 'type': 'search', 'arguments': '{"query": "q"}'}]},
            {'executed_tools': [{'index': 0, 'output': 'Title: t', 'search_results': {'results': []}}]},
            {'reasoning': 'Found it.'},
            {'content': 'Done.'},
        ):
            yield wire.chat_completion_chunk(delta)

    stream = GroqStreamedResponse(model_name='groq/compound', chunks=chunks())
    async for _ in stream:
        pass
    parts = stream.get().parts
    assert kinds(parts) == ['thinking', 'builtin-tool-call', 'builtin-tool-return', 'thinking', 'text']
    assert isinstance(parts[2], BuiltinToolReturnPart) and parts[2].content == {'results': []}
    # The merged tool is a known built-in tool, not an unknown one kept in `provider_details`.
    assert 'executed_tools' not in (stream.get().provider_details or {})


# --- Streamed usage is the latest reported value (issue 12, item 4) ------------------------------------------------


async def test_usage_reported_on_every_chunk_keeps_the_latest_over_a_real_socket(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    """A Groq-compatible server (vLLM with `continuous_usage_stats`, gateways) sends its running total each chunk."""
    encoder_chunks = []
    words = ['One', ' two', ' three', ' four']
    for n, word in enumerate(words, start=1):
        chunk = wire.chat_completion_chunk({'content': word})
        chunk['usage'] = {'prompt_tokens': 12, 'completion_tokens': n, 'total_tokens': 12 + n}
        encoder_chunks.append(chunk)
    last = wire.chat_completion_chunk({}, finish_reason='stop')
    last['usage'] = {'prompt_tokens': 12, 'completion_tokens': 4, 'total_tokens': 16}
    server.enqueue(raw_sse([*encoder_chunks, last], done=True))
    response = await streamed(server_model(server, http_client), [ModelRequest.user_text_prompt('Count to four.')])
    assert response.parts == [TextPart('One two three four')]
    assert response.usage == Usage(requests=1, request_tokens=12, response_tokens=4, total_tokens=16)


async def test_usage_reported_once_by_groq_is_kept_as_is_over_a_real_socket(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_text(['a', 'b', 'c'], prompt_tokens=7, completion_tokens=3))
    response = await streamed(server_model(server, http_client), [ModelRequest.user_text_prompt('abc')])
    assert (response.usage.request_tokens, response.usage.response_tokens, response.usage.total_tokens) == (7, 3, 10)
