"""Documents and citations (issue 21): `groq_documents`/`groq_citation_options` out, typed citations on the text back.

Answers come from the test server over real sockets (streamed and not) and from the in-process fake; citations are
checked on the model's response, through an agent run, and in `pai --json`.
"""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from pydantic_ai import Agent
from pydantic_ai.cli._app import run as run_pai
from pydantic_ai.exceptions import UnexpectedModelBehavior, UserError
from pydantic_ai.messages import (
    DocumentCitation,
    ModelResponse,
    PartDeltaEvent,
    TextPart,
    TextPartDelta,
    ThinkingPart,
    ToolResultCitation,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import (
    GroqFake,
    GroqTestServer,
    cited_completion,
    document_citation,
    function_citation,
    json_response,
    streamed_cited_text,
    wire,
)

from support.constants import FAKE_GROQ_API_KEY
from support.reliability import loopback_http_client, prompt

pytestmark = pytest.mark.asyncio

DOCUMENTS = [
    {'id': 'tides', 'source': {'type': 'text', 'text': 'Tides are caused mainly by the Moon.'}},
    {'source': {'type': 'json', 'data': {'moon_distance_km': 384400}}},
]
ANSWER = 'The Moon causes the tides. It is 384400 km away.'
CITATIONS = (document_citation('tides', 0, 25), document_citation('1', 27, 48))
EXPECTED = TextPart(ANSWER, [DocumentCitation('tides', 0, 25), DocumentCitation('1', 27, 48)])


@pytest_asyncio.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback_http_client() as client:
        yield client


def model_for(
    server: GroqTestServer, http_client: httpx.AsyncClient, name: str = 'llama-3.3-70b-versatile'
) -> GroqModel:
    provider = GroqProvider(api_key=FAKE_GROQ_API_KEY, base_url=server.base_url, http_client=http_client, max_retries=0)
    return GroqModel(name, provider=provider)


async def test_documents_and_citation_options_are_sent_as_groq_takes_them(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(cited_completion(ANSWER, *CITATIONS))
    settings: Any = {'groq_documents': DOCUMENTS, 'groq_citation_options': 'enabled'}
    await model_for(server, http_client).request(prompt('Why tides?'), settings, ModelRequestParameters())
    body = server.requests[0].json
    assert body['documents'] == DOCUMENTS
    assert body['citation_options'] == 'enabled'


async def test_a_cited_answer_carries_typed_citations_streamed_or_not(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    words = [w if n == 0 else f' {w}' for n, w in enumerate(ANSWER.split(' '))]
    server.enqueue(cited_completion(ANSWER, *CITATIONS), streamed_cited_text(words, *CITATIONS))
    model = model_for(server, http_client)
    response, _ = await model.request(prompt('Why tides?'), None, ModelRequestParameters())
    async with model.request_stream(prompt('Why tides?'), None, ModelRequestParameters()) as stream:
        events = [event async for event in stream]
    assert response.parts == [EXPECTED]
    assert stream.get().parts == [EXPECTED]
    # The citations arrive as a delta of their own, once the text they count from is complete.
    assert events[-1] == PartDeltaEvent(0, TextPartDelta('', citations_delta=EXPECTED.citations))


async def test_function_citations_cite_tool_results() -> None:
    async with GroqFake(cited_completion('It is sunny.', function_citation('call_7', 6, 11))) as fake:
        response, _ = await fake.model().request(prompt(), None, ModelRequestParameters())
    assert response.parts == [TextPart('It is sunny.', [ToolResultCitation('call_7', 6, 11)])]


async def test_citations_count_from_the_text_part_they_cite() -> None:
    """With reasoning in `<think>` tags, the answer's text part starts later in the content than Groq counts."""
    content = '<think>Think.</think>Moon.'
    async with GroqFake(cited_completion(content, document_citation('tides', 21, 26))) as fake:
        response, _ = await fake.model('qwen/qwen3-32b').request(prompt(), None, ModelRequestParameters())
    # Offsets count the answer's text parts only (Groq counts the tags too): the span starts in the text part.
    assert response.parts == [ThinkingPart('Think.', provider_name='groq'), TextPart('Moon.')]
    assert response.provider_details is not None
    assert response.provider_details['annotations'] == [document_citation('tides', 21, 26)]


async def test_unknown_annotations_and_ones_citing_no_text_are_kept_as_groq_sent_them() -> None:
    unknown = {'type': 'url_citation', 'url_citation': {'url': 'https://example.test', 'start_index': 0}}
    beyond = document_citation('tides', 100, 120)
    async with GroqFake(cited_completion('Short.', unknown, beyond, document_citation('tides', 0, 99))) as fake:
        response, _ = await fake.model().request(prompt(), None, ModelRequestParameters())
    # A span running past the text is kept within it.
    assert response.parts == [TextPart('Short.', [DocumentCitation('tides', 0, 6)])]
    assert response.provider_details is not None
    assert response.provider_details['annotations'] == [unknown, beyond]


@pytest.mark.parametrize(
    'annotation',
    [
        {'type': 'document_citation', 'document_citation': {'start_index': 0, 'end_index': 3}},
        {'type': 'function_citation', 'function_citation': {'tool_call_id': 'c', 'start_index': -1, 'end_index': 3}},
        'not an object',
    ],
)
async def test_a_malformed_annotation_is_unexpected_model_behavior(annotation: Any) -> None:
    body = wire.chat_completion('Text.')
    body['choices'][0]['message']['annotations'] = [annotation]
    async with GroqFake(json_response(body)) as fake:
        with pytest.raises(UnexpectedModelBehavior, match='annotation'):
            await fake.model().request(prompt(), None, ModelRequestParameters())


@pytest.mark.parametrize(
    ('settings', 'match'),
    [
        ({'groq_documents': 'just text'}, 'must be a list of documents'),
        ({'groq_documents': [{'text': 'no source'}]}, r'groq_documents\[0\]'),
        ({'groq_documents': [{'source': {'type': 'text'}}]}, r"\['source'\] must be"),
        ({'groq_documents': [{'id': 3, 'source': {'type': 'text', 'text': 't'}}]}, r"\['id'\] must be"),
        ({'groq_documents': [{'source': {'type': 'pdf', 'url': 'x'}}]}, r"\['source'\] must be"),
        ({'groq_citation_options': True}, "'enabled' or 'disabled'"),
    ],
)
async def test_document_settings_of_the_wrong_shape_are_refused_before_sending(settings: Any, match: str) -> None:
    async with GroqFake() as fake:
        with pytest.raises(UserError, match=match):
            await fake.model().request(prompt(), settings, ModelRequestParameters())
        assert fake.requests == []


async def test_an_agent_sees_the_citations_streamed_and_not(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    agent = Agent(model_for(server, http_client), model_settings={'groq_documents': DOCUMENTS})  # type: ignore[typeddict-unknown-key]
    result = await agent.run('Why tides?')
    assert result.data == 'Why tides? The document says: Tides are caused mainly by the Moon.'
    [cited] = result.all_messages()[-1].parts
    assert cited == TextPart(result.data, [DocumentCitation('tides', 30, 66)])
    async with agent.run_stream('Why tides?') as streamed:
        assert await streamed.get_data() == result.data
    last = streamed.all_messages()[-1]
    assert isinstance(last, ModelResponse) and last.parts == [cited]
    assert server.requests[0].json['documents'] == DOCUMENTS


async def test_pai_json_shows_the_citations() -> None:
    async with GroqFake(
        responder=streamed_cited_text(['The Moon', ' causes tides.'], document_citation('tides', 4, 8))
    ) as fake:
        out, err = io.StringIO(), io.StringIO()
        status = await _run_pai(['--json', 'Why tides?'], fake, out, err)
    assert status == 0, err.getvalue()
    data = json.loads(out.getvalue())
    assert data['response']['parts'] == [
        {
            'content': 'The Moon causes tides.',
            'citations': [{'document_id': 'tides', 'start_index': 4, 'end_index': 8, 'citation_kind': 'document'}],
            'part_kind': 'text',
        }
    ]


async def _run_pai(argv: list[str], fake: GroqFake, out: io.StringIO, err: io.StringIO) -> int:
    import asyncio

    # `pai` runs its own event loop: run it in a thread, with a provider over the fake's client.
    provider = GroqProvider(groq_client=fake.client)
    return await asyncio.to_thread(run_pai, argv, stdin=io.StringIO(''), stdout=out, stderr=err, provider=provider)
