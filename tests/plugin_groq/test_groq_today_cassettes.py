"""Groq as it is today (issue 21), against recorded traffic: compound code execution and web search, gpt-oss browser
search, a cited answer, and the flex tier's 498.

Each test replays its own cassette from `cassettes/test_groq_today/<test name>.yaml` with the project's pytest
plugin (record mode `none`; requests matched on method, URL and JSON body). The cassettes were written, not
recorded: their wire shapes come from real recordings where there are some (compound's two-step tool runs, its
reasoning, `usage_breakdown`, the `stub` ids: langchain-groq's recordings of `groq/compound` and
`groq/compound-mini`) and from the groq SDK's types where there are none; `cassettes/README.md` says which is which.
`make record` re-records those the live API can be asked for.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from vcr.cassette import Cassette

from pydantic_ai import WebSearchTool
from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.messages import (
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    DocumentCitation,
    ModelRequest,
    ModelResponse,
    PartStartEvent,
    TextPart,
    ThinkingPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.settings import ModelSettings
from pydantic_ai_groq import GroqModel, GroqProvider

CASSETTES_DIR = Path(__file__).resolve().parents[2] / 'cassettes'

pytestmark = [pytest.mark.asyncio, pytest.mark.vcr]

# Traffic the live API cannot be asked for on demand (a flex-tier capacity error): kept as written by `make record`.
KEEP_AS_WRITTEN = pytest.mark.vcr(record_mode='none')


@pytest.fixture(scope='module')
def vcr_cassette_dir() -> str:
    return str(CASSETTES_DIR / 'test_groq_today')


@dataclass
class Wire:
    """An `httpx.AsyncClient` that remembers the JSON body of every request it sends."""

    client: httpx.AsyncClient
    sent: list[dict[str, Any]] = field(default_factory=list)


@pytest_asyncio.fixture
async def wire() -> AsyncIterator[Wire]:
    sent: list[dict[str, Any]] = []

    async def remember(request: httpx.Request) -> None:
        sent.append(json.loads(request.content))

    async with httpx.AsyncClient(event_hooks={'request': [remember]}) as client:
        yield Wire(client, sent)


def model(wire: Wire, api_key: str, name: str) -> GroqModel:
    return GroqModel(name, provider=GroqProvider(api_key=api_key, http_client=wire.client))


def assert_sent_what_was_recorded(wire: Wire, cassette: Cassette) -> None:
    assert wire.sent == [json.loads(request.body) for request in cassette.requests]
    if cassette.record_mode == 'none':
        assert cassette.all_played


def tool_parts(response: ModelResponse) -> list[BuiltinToolCallPart | BuiltinToolReturnPart]:
    return [p for p in response.parts if isinstance(p, (BuiltinToolCallPart, BuiltinToolReturnPart))]


SQRT_QUESTION = 'What is the square root of 2026? Show me the Python code you used.'
SQRT_CODE = 'import math; print(math.sqrt(2026))'
SQRT_OUTPUT = '45.0111097397076\n'


async def test_compound_code_execution_streamed_in_two_steps(groq_api_key: str, wire: Wire, vcr: Cassette) -> None:
    compound = model(wire, groq_api_key, 'groq/compound-mini')
    async with compound.request_stream(
        [ModelRequest.user_text_prompt(SQRT_QUESTION)], None, ModelRequestParameters()
    ) as stream:
        events = [event async for event in stream]
    response = stream.get()
    assert_sent_what_was_recorded(wire, vcr)

    assert [p.part_kind for p in response.parts] == [
        'thinking',
        'builtin-tool-call',
        'builtin-tool-return',
        'thinking',
        'text',
    ]
    before, call, result, after, text = response.parts
    assert isinstance(before, ThinkingPart) and before.content.endswith(f'<tool>python({SQRT_CODE})')
    assert call == BuiltinToolCallPart('code_execution', {'code': SQRT_CODE}, 'groq_executed_tool_0', 'groq')
    assert isinstance(result, BuiltinToolReturnPart) and result.tool_call_id == 'groq_executed_tool_0'
    assert result.content == {'type': 'python', 'output': SQRT_OUTPUT, 'search_results': {'results': []}}
    assert isinstance(after, ThinkingPart) and after.content == f'\n</tool>\n<output>{SQRT_OUTPUT}</output>\n'
    assert isinstance(text, TextPart) and '45.0111097397076' in text.content
    # Groq announced the run (with an empty `search_results`) before it ran: the return part waited for the output.
    [started] = [e.part for e in events if isinstance(e, PartStartEvent) and isinstance(e.part, BuiltinToolReturnPart)]
    assert started.content['output'] == SQRT_OUTPUT
    details = response.provider_details or {}
    assert [m['model'] for m in details['usage_breakdown']['models']] == [
        'llama-3.3-70b-versatile',
        'openai/gpt-oss-120b',
    ]
    assert details['timings'] == response.usage.timings
    assert (response.usage.request_tokens, response.usage.response_tokens) == (512, 161)


async def test_compound_code_execution_not_streamed(groq_api_key: str, wire: Wire, vcr: Cassette) -> None:
    compound = model(wire, groq_api_key, 'groq/compound-mini')
    response, usage = await compound.request(
        [ModelRequest.user_text_prompt(SQRT_QUESTION)], None, ModelRequestParameters()
    )
    assert_sent_what_was_recorded(wire, vcr)

    assert [p.part_kind for p in response.parts] == [
        'thinking',
        'builtin-tool-call',
        'builtin-tool-return',
        'thinking',
        'text',
    ]
    before, call, result, after, _ = response.parts
    # The run sits where its `</tool>` is in the reasoning, as the stream put it.
    assert before == ThinkingPart(f'<tool>python({SQRT_CODE})', provider_name='groq')
    assert after == ThinkingPart(f'</tool>\n<output>{SQRT_OUTPUT}</output>', provider_name='groq')
    assert call == BuiltinToolCallPart('code_execution', {'code': SQRT_CODE}, 'groq_executed_tool_0', 'groq')
    assert isinstance(result, BuiltinToolReturnPart)
    assert result.content == {'type': 'python', 'output': SQRT_OUTPUT, 'search_results': {'results': []}}
    assert response.provider_response_id == 'stub'
    details = response.provider_details or {}
    assert details['service_tier'] == 'on_demand' and details['groq_request_id'] == 'stub'
    assert sum(m['usage']['prompt_tokens'] for m in details['usage_breakdown']['models']) == usage.request_tokens


BOSTON = 'Search for the weather in Boston today.'


async def test_compound_web_search_streamed_announced_with_empty_results(
    groq_api_key: str, wire: Wire, vcr: Cassette
) -> None:
    compound = model(wire, groq_api_key, 'groq/compound')
    async with compound.request_stream(
        [ModelRequest.user_text_prompt(BOSTON)], None, ModelRequestParameters()
    ) as stream:
        async for _ in stream:
            pass
    response = stream.get()
    assert_sent_what_was_recorded(wire, vcr)

    call, result = tool_parts(response)
    assert call.tool_name == result.tool_name == 'web_search'
    assert call.args == {'query': 'What is the weather in Boston today?'}
    # The results, not the empty announcement Groq sent first.
    assert isinstance(result.content, dict)
    assert [r['url'] for r in result.content['search_results']['results']] == [
        'https://weather.example.org/boston/today',
        'https://forecast.example.net/ma/boston',
    ]
    assert result.content['output'].startswith('Title: Boston weather today')
    assert isinstance(response.parts[-1], TextPart) and 'Boston' in response.parts[-1].content


FRANCE = 'What did Groq announce this week? One sentence.'


async def test_gpt_oss_browser_search_not_streamed(groq_api_key: str, wire: Wire, vcr: Cassette) -> None:
    gpt_oss = model(wire, groq_api_key, 'openai/gpt-oss-120b')
    params = ModelRequestParameters(builtin_tools=[WebSearchTool()])
    response, _ = await gpt_oss.request([ModelRequest.user_text_prompt(FRANCE)], None, params)
    assert_sent_what_was_recorded(wire, vcr)
    assert wire.sent[0]['tools'] == [{'type': 'browser_search'}]
    assert 'tool_choice' not in wire.sent[0]

    assert [p.part_kind for p in response.parts] == ['thinking', 'builtin-tool-call', 'builtin-tool-return', 'text']
    call, result = tool_parts(response)
    assert call == BuiltinToolCallPart(
        'web_search', {'query': 'Groq announcement this week'}, 'groq_executed_tool_0', 'groq'
    )
    assert isinstance(result.content, dict) and result.content['type'] == 'browser.search'
    assert result.content['search_results']['results'][0]['url'] == 'https://news.example.com/groq-week'


async def test_gpt_oss_browser_search_streamed(groq_api_key: str, wire: Wire, vcr: Cassette) -> None:
    gpt_oss = model(wire, groq_api_key, 'openai/gpt-oss-120b')
    params = ModelRequestParameters(builtin_tools=[WebSearchTool()])
    async with gpt_oss.request_stream([ModelRequest.user_text_prompt(FRANCE)], None, params) as stream:
        async for _ in stream:
            pass
    response = stream.get()
    assert_sent_what_was_recorded(wire, vcr)
    # Streamed, the run comes where it happened in the reasoning. gpt-oss's reasoning does not write its runs inline
    # (no `</tool>`), so the non-streamed answer can only put them after the whole reasoning: same runs, same text,
    # the reasoning split in two here and whole there.
    assert [p.part_kind for p in response.parts] == [
        'thinking',
        'builtin-tool-call',
        'builtin-tool-return',
        'thinking',
        'text',
    ]
    first, call, result, second, text = response.parts
    assert isinstance(first, ThinkingPart) and isinstance(second, ThinkingPart)
    assert first.content + second.content == (
        'The user asks what Groq announced this week. I should search the web for recent news. The result says Groq '
        'announced two new models and a faster Compound system.'
    )
    assert call == BuiltinToolCallPart(
        'web_search', {'query': 'Groq announcement this week'}, 'groq_executed_tool_0', 'groq'
    )
    assert isinstance(result, BuiltinToolReturnPart) and isinstance(result.content, dict)
    assert result.content['output'].startswith('Title: Groq this week')
    assert text == TextPart('This week Groq announced two new models on GroqCloud and a faster Compound system.')


DOCUMENTS = [
    {'id': 'handbook', 'source': {'type': 'text', 'text': 'Staff may work remotely on Mondays and Fridays.'}},
    {'id': 'faq', 'source': {'type': 'json', 'data': {'office_hours': '09:00-17:00'}}},
]
CITED_SETTINGS: ModelSettings = {'groq_documents': DOCUMENTS, 'groq_citation_options': 'enabled'}  # type: ignore[typeddict-unknown-key]
CITED_QUESTION = 'When can staff work remotely, and when is the office open?'
CITED_ANSWER = 'Staff may work remotely on Mondays and Fridays. The office is open from 09:00 to 17:00.'
CITED_PARTS = [
    TextPart(CITED_ANSWER, [DocumentCitation('handbook', 0, 47), DocumentCitation('faq', 48, 87)]),
]


async def test_cited_answer_not_streamed(groq_api_key: str, wire: Wire, vcr: Cassette) -> None:
    llama = model(wire, groq_api_key, 'llama-3.3-70b-versatile')
    response, _ = await llama.request(
        [ModelRequest.user_text_prompt(CITED_QUESTION)], CITED_SETTINGS, ModelRequestParameters()
    )
    assert_sent_what_was_recorded(wire, vcr)
    assert wire.sent[0]['documents'] == DOCUMENTS and wire.sent[0]['citation_options'] == 'enabled'
    assert response.parts == CITED_PARTS


async def test_cited_answer_streamed(groq_api_key: str, wire: Wire, vcr: Cassette) -> None:
    llama = model(wire, groq_api_key, 'llama-3.3-70b-versatile')
    async with llama.request_stream(
        [ModelRequest.user_text_prompt(CITED_QUESTION)], CITED_SETTINGS, ModelRequestParameters()
    ) as stream:
        async for _ in stream:
            pass
    assert_sent_what_was_recorded(wire, vcr)
    assert stream.get().parts == CITED_PARTS


@KEEP_AS_WRITTEN
async def test_flex_capacity_exceeded_is_raised_at_once(groq_api_key: str, wire: Wire, vcr: Cassette) -> None:
    llama = model(wire, groq_api_key, 'llama-3.3-70b-versatile')
    with pytest.raises(ModelHTTPError) as exc_info:
        await llama.request(
            [ModelRequest.user_text_prompt('Summarize flex processing.')],
            {'groq_service_tier': 'flex'},
            ModelRequestParameters(),
        )
    # One request: the cassette holds one 498, and a retry would find no second interaction.
    assert_sent_what_was_recorded(wire, vcr)
    assert exc_info.value.status_code == 498
    assert "groq_service_tier='auto'" in str(exc_info.value)
