"""Groq wire fidelity for reasoning, compound models' built-in tools, streamed usage, prompted output and binary
content, over hand-made recordings in the exact shape of real Groq traffic.

The cassettes in `cassettes/test_groq_wire_features/` were written by hand (no live Groq from this machine) in the wire
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

from pydantic_ai.exceptions import UserError
from pydantic_ai.messages import (
    BinaryContent,
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.output import OutputObjectDefinition, prompted_output_instructions
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqModel, GroqStreamedResponse
from pydantic_ai_groq._request import build_body
from pydantic_ai_groq.model_names import is_reasoning_model
from pydantic_ai_groq.testing import GroqTestServer, raw_sse, streamed_text, wire

from support.constants import FAKE_GROQ_API_KEY
from support.reliability import server_model

CASSETTES = Path(__file__).resolve().parents[2] / 'cassettes' / 'test_groq_wire_features'


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


# --- Streamed compound web search keeps the non-streamed shape --------------------------------------------------------

QUESTION = 'Which team won the 2026 Tour de France team classification?'


@pytest.mark.asyncio
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


@pytest.mark.asyncio
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
    # The whole run: the search results and the `output` text, as non-streamed.
    assert isinstance(result, BuiltinToolReturnPart) and isinstance(result.content, dict)
    assert result.content['type'] == 'search' and result.content['output'].startswith('Title: Tour de France')
    assert [r['url'] for r in result.content['search_results']['results']] == [
        'https://example.org/tdf-2026-final',
        'https://example.net/news/team-alpha-paris',
    ]
    # Same answer either way; the non-streamed message holds all reasoning (the search inlined) in one string,
    # which is split where the search ran (before its `</tool>`), as a stream is (issue 21).
    assert [p for p in streamed_response.parts if isinstance(p, TextPart)] == [
        p for p in response.parts if isinstance(p, TextPart)
    ]
    assert kinds(response.parts) == ['thinking', 'builtin-tool-call', 'builtin-tool-return', 'thinking', 'text']
    before, after = (p for p in response.parts if isinstance(p, ThinkingPart))
    assert before.content.endswith('<tool>\nsearch(2026 Tour de France team classification winner)')
    assert after.content.startswith('\n</tool>\n<output>Title: Tour de France 2026')


@pytest.mark.asyncio
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
    assert isinstance(parts[2], BuiltinToolReturnPart)
    assert parts[2].content == {'type': 'search', 'output': 'Title: t', 'search_results': {'results': []}}
    # The merged tool is a known built-in tool, not an unknown one kept in `provider_details`.
    assert 'executed_tools' not in (stream.get().provider_details or {})


# --- Streamed usage is the latest reported value ----------------------------------------------------------------------


@pytest.mark.asyncio
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


@pytest.mark.asyncio
async def test_usage_reported_once_by_groq_is_kept_as_is_over_a_real_socket(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(streamed_text(['a', 'b', 'c'], prompt_tokens=7, completion_tokens=3))
    response = await streamed(server_model(server, http_client), [ModelRequest.user_text_prompt('abc')])
    assert (response.usage.request_tokens, response.usage.response_tokens, response.usage.total_tokens) == (7, 3, 10)


# --- Earlier reasoning goes back in the `reasoning` field -------------------------------------------------------------

TRAIN_TOOL = ToolDefinition(
    name='get_train_times',
    description='Departures between two stations today.',
    parameters_json_schema={
        'type': 'object',
        'properties': {'origin': {'type': 'string'}, 'destination': {'type': 'string'}},
        'required': ['origin', 'destination'],
        'additionalProperties': False,
    },
)


@pytest.mark.asyncio
async def test_reasoning_of_a_tool_call_goes_back_in_the_reasoning_field_by_default() -> None:
    params = ModelRequestParameters(function_tools=[TRAIN_TOOL])
    question = ModelRequest.user_text_prompt('When is the next train from Lyon to Geneva?')
    async with Replay('reasoning_field_tool_loop.yaml') as replay:
        model = replay.model('openai/gpt-oss-120b')
        first, _ = await model.request([question], None, params)
        assert kinds(first.parts) == ['thinking', 'tool-call']
        call = first.parts[1]
        assert isinstance(call, ToolCallPart)
        result = ModelRequest([ToolReturnPart(call.tool_name, '["14:04", "16:04", "18:34"]', call.tool_call_id)])
        second, _ = await model.request([question, first, result], None, params)
    assert replay.sent == [
        recorded_body('reasoning_field_tool_loop.yaml', 0),
        recorded_body('reasoning_field_tool_loop.yaml', 1),
    ]
    assistant = replay.sent[1]['messages'][1]
    assert assistant == {
        'role': 'assistant',
        'tool_calls': [
            {
                'id': 'fc_3b9e1c74-58a2-4f0d-9c61-e27a4d8b05f3',
                'type': 'function',
                'function': {'name': 'get_train_times', 'arguments': '{"origin":"Lyon","destination":"Geneva"}'},
            }
        ],
        'reasoning': first.parts[0].content,  # type: ignore[union-attr]
    }
    assert second.parts[-1] == TextPart('The next train from Lyon to Geneva leaves at 14:04.')


def _history(*parts: ModelResponsePart, provider_name: str | None = 'groq') -> list[ModelMessage]:
    return [
        ModelRequest.user_text_prompt('What is 2+2?'),
        ModelResponse(list(parts), provider_name=provider_name),
        ModelRequest.user_text_prompt('And 3+3?'),
    ]


def _assistant(body: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = body['messages'][1]
    return message


def _body(model_name: str, messages: list[ModelMessage], settings: dict[str, Any] | None = None) -> dict[str, Any]:
    return build_body(
        model_name, messages, settings or {}, ModelRequestParameters(), stream=False, provider_name='groq'
    )


def test_every_thinking_part_of_a_response_goes_back_in_order_whatever_format_made_it() -> None:
    # `reasoning_format='raw'` gives thinking parts split from `<think>` tags; 'parsed' one from the field.
    messages = _history(
        ThinkingPart('First thought.', provider_name='groq'),
        TextPart('4'),
        ThinkingPart('Second thought.', provider_name='groq'),
    )
    assert _assistant(_body('qwen/qwen3-32b', messages)) == {
        'role': 'assistant',
        'content': '4',
        'reasoning': 'First thought.\n\nSecond thought.',
    }


@pytest.mark.parametrize('model_name', ['llama-3.3-70b-versatile', 'moonshotai/kimi-k2-instruct', 'my-finetune'])
def test_field_mode_sends_no_reasoning_to_a_model_that_does_not_reason(model_name: str) -> None:
    messages = _history(ThinkingPart('Two plus two is four.', provider_name='groq'), TextPart('4'))
    assert _assistant(_body(model_name, messages)) == {'role': 'assistant', 'content': '4'}


def test_field_mode_leaves_out_thinking_from_another_provider_and_keeps_unlabelled_thinking() -> None:
    messages = _history(
        ThinkingPart('Summary of hidden reasoning.', signature='sig', provider_name='anthropic'),
        ThinkingPart('Written by hand.'),
        TextPart('4'),
        provider_name='anthropic',
    )
    assert _assistant(_body('openai/gpt-oss-20b', messages)) == {
        'role': 'assistant',
        'content': '4',
        'reasoning': 'Written by hand.',
    }


def test_tags_mode_sends_thinking_as_tags_to_any_model_and_drop_mode_sends_none() -> None:
    messages = _history(ThinkingPart('Two plus two is four.', provider_name='anthropic'), TextPart('4'))
    tagged = _assistant(_body('llama-3.3-70b-versatile', messages, {'groq_thinking_history': 'tags'}))
    assert tagged == {'role': 'assistant', 'content': '<think>\nTwo plus two is four.\n</think>\n\n4'}
    dropped = _assistant(_body('openai/gpt-oss-120b', messages, {'groq_thinking_history': 'drop'}))
    assert dropped == {'role': 'assistant', 'content': '4'}


def test_unknown_thinking_history_names_the_three_choices() -> None:
    with pytest.raises(UserError, match="'field', 'tags' or 'drop'"):
        _body('openai/gpt-oss-120b', _history(TextPart('4')), {'groq_thinking_history': 'keep'})


@pytest.mark.parametrize(
    ('model_name', 'reasons'),
    [
        ('openai/gpt-oss-120b', True),
        ('openai/gpt-oss-safeguard-20b', True),
        ('qwen/qwen3-32b', True),
        ('qwen-qwq-32b', True),
        ('deepseek-r1-distill-llama-70b', True),
        ('groq/compound-mini', True),
        ('compound-beta', True),
        ('llama-3.3-70b-versatile', False),
        ('meta-llama/llama-4-scout-17b-16e-instruct', False),
        ('gemma2-9b-it', False),
    ],
)
def test_reasoning_models_are_recognised_by_name(model_name: str, reasons: bool) -> None:
    assert is_reasoning_model(model_name) is reasons


# --- Prompted structured output ---------------------------------------------------------------------------------------

CITY_SCHEMA = {
    'properties': {'city': {'type': 'string'}, 'country': {'type': 'string'}},
    'required': ['city', 'country'],
    'title': 'CityLocation',
    'type': 'object',
}


@pytest.mark.asyncio
async def test_prompted_output_sends_the_schema_as_instructions_and_reads_json_text() -> None:
    params = ModelRequestParameters(
        output_mode='prompted', output_object=OutputObjectDefinition(json_schema=CITY_SCHEMA), allow_text_result=False
    )
    messages: list[ModelMessage] = [
        ModelRequest(
            [SystemPromptPart('You are a geography assistant.'), UserPromptPart('What is the largest city in Canada?')]
        )
    ]
    async with Replay('prompted_output.yaml') as replay:
        response, _ = await replay.model('llama-3.1-8b-instant').request(messages, None, params)
    sent = replay.sent[0]
    assert sent == recorded_body('prompted_output.yaml')
    assert 'response_format' not in sent and 'tools' not in sent and 'tool_choice' not in sent
    # After the caller's own system prompt, before the conversation.
    assert [m['role'] for m in sent['messages']] == ['system', 'system', 'user']
    assert json.dumps(CITY_SCHEMA) in sent['messages'][1]['content']
    assert response.parts == [TextPart('{"city": "Toronto", "country": "Canada"}')]


REAL_PROMPTED = 'pydantic-ai__test_groq__test_groq_prompted_output.yaml'


@pytest.mark.asyncio
async def test_prompted_output_can_send_exactly_what_a_real_client_sent() -> None:
    """The shape of pydantic-ai's real prompted request: its wording as our template, JSON mode through `extra_body`."""
    path = Path(__file__).resolve().parents[2] / '..' / 'shared' / 'cassettes' / 'groq-recorded' / REAL_PROMPTED
    if not path.exists():
        pytest.skip('the shared recordings are not on this machine')
    recorded = json.loads(_load(path)['interactions'][0]['request']['body'])
    system = recorded['messages'][0]['content']
    schema_text = json.dumps(CITY_SCHEMA)
    assert schema_text in system
    params = ModelRequestParameters(
        output_mode='prompted',
        output_object=OutputObjectDefinition(json_schema=CITY_SCHEMA),
        prompted_output_template=system.replace(schema_text, '{schema}'),
    )
    settings: ModelSettings = {'extra_body': {'response_format': {'type': 'json_object'}}}
    sent = build_body(
        recorded['model'],
        [ModelRequest.user_text_prompt(recorded['messages'][1]['content'])],
        settings,
        params,
        stream=False,
    )
    assert sent == recorded


def test_prompted_output_without_a_schema_or_placeholder_raises_user_error() -> None:
    messages = [ModelRequest.user_text_prompt('hi')]
    with pytest.raises(UserError, match='output_object'):
        build_body('llama-3.1-8b-instant', messages, {}, ModelRequestParameters(output_mode='prompted'), stream=False)
    params = ModelRequestParameters(
        output_mode='prompted',
        output_object=OutputObjectDefinition(json_schema=CITY_SCHEMA),
        prompted_output_template='Answer in JSON.',
    )
    with pytest.raises(UserError, match='schema'):
        build_body('llama-3.1-8b-instant', messages, {}, params, stream=False)


def test_prompted_output_template_keeps_other_braces() -> None:
    output = OutputObjectDefinition(json_schema={'type': 'object'})
    assert prompted_output_instructions(output, 'Like {"a": 1}, matching {schema}.') == (
        'Like {"a": 1}, matching {"type": "object"}.'
    )
    assert prompted_output_instructions(output).endswith('{"type": "object"}')


# --- Non-image binary content -----------------------------------------------------------------------------------------


@pytest.mark.parametrize('media_type', ['audio/wav', 'application/pdf'])
def test_non_image_binary_content_is_refused_with_the_original_words_and_the_media_type(media_type: str) -> None:
    messages = [ModelRequest([UserPromptPart(['Transcribe this', BinaryContent(b'\x00\x01', media_type)])])]
    with pytest.raises(RuntimeError) as exc_info:
        build_body('llama-3.3-70b-versatile', messages, {}, ModelRequestParameters(), stream=False)
    assert isinstance(exc_info.value, UserError)
    assert str(exc_info.value).startswith('Only images are supported for binary content in Groq')
    assert repr(media_type) in str(exc_info.value)
