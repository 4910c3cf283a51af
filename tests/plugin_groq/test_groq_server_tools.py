"""Groq's server-side tools (issue 21): offering them per model family, and every run as a call/return pair.

Requests are checked against the in-process fake (what we send, and what we refuse before sending); answers are
served by the test server over real sockets (`GroqTestServer`), streamed and not, in Groq's wire format (see
`pydantic_ai_groq.testing.features`), and the two forms must give the same parts.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
import pytest_asyncio

from pydantic_ai import CodeExecutionTool, WebSearchTool
from pydantic_ai.exceptions import UnexpectedModelBehavior, UserError
from pydantic_ai.messages import (
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    PartStartEvent,
    TextPart,
    ThinkingPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.output import OutputObjectDefinition
from pydantic_ai.secrets import declared_secrets
from pydantic_ai.tools import ToolDefinition
from pydantic_ai_groq import GroqModel, GroqProvider
from pydantic_ai_groq.testing import (
    GroqFake,
    GroqTestServer,
    ToolRun,
    browser_automation_run,
    browser_search_run,
    json_response,
    python_run,
    raw_sse,
    search_run,
    streamed_tool_run_completion,
    text_completion,
    tool_run_completion,
    usage_breakdown,
    visit_run,
    wire,
    wolfram_run,
)

from support.constants import FAKE_GROQ_API_KEY
from support.reliability import loopback_http_client, prompt, server_model

pytestmark = pytest.mark.asyncio

WEATHER = ToolDefinition(
    'get_weather', 'Weather in a city.', {'type': 'object', 'properties': {'city': {'type': 'string'}}}
)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[GroqFake]:
    groq_fake = GroqFake(responder=text_completion('ok'))
    yield groq_fake
    await groq_fake.aclose()


@pytest_asyncio.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with loopback_http_client() as client:
        yield client


async def sent_body(fake: GroqFake, model: str, params: ModelRequestParameters, settings: Any = None) -> Any:
    await fake.model(model).request(prompt('q'), settings, params)
    return fake.body


def named_model(server: GroqTestServer, http_client: httpx.AsyncClient, name: str) -> GroqModel:
    provider = GroqProvider(api_key=FAKE_GROQ_API_KEY, base_url=server.base_url, http_client=http_client, max_retries=0)
    return GroqModel(name, provider=provider)


def builtin(*tools: Any, **kwargs: Any) -> ModelRequestParameters:
    return ModelRequestParameters(builtin_tools=list(tools), **kwargs)


# -- offering built-in tools, per model family --------------------------------------------------------------------


async def test_gpt_oss_runs_web_search_as_browser_search_and_code_as_code_interpreter(fake: GroqFake) -> None:
    body = await sent_body(fake, 'openai/gpt-oss-120b', builtin(WebSearchTool(), CodeExecutionTool()))
    assert body['tools'] == [{'type': 'browser_search'}, {'type': 'code_interpreter'}]
    # Groq's default with tools ('auto') applies: we send no tool_choice of our own.
    assert 'tool_choice' not in body and 'compound_custom' not in body


async def test_gpt_oss_built_in_tools_sit_after_the_function_tools(fake: GroqFake) -> None:
    params = builtin(CodeExecutionTool(), function_tools=[WEATHER])
    body = await sent_body(fake, 'openai/gpt-oss-20b', params, {'parallel_tool_calls': False})
    assert [t['type'] for t in body['tools']] == ['function', 'code_interpreter']
    assert body['tool_choice'] == 'auto' and body['parallel_tool_calls'] is False


async def test_a_tool_choice_setting_can_force_a_built_in_tool(fake: GroqFake) -> None:
    body = await sent_body(fake, 'openai/gpt-oss-20b', builtin(WebSearchTool()), {'tool_choice': 'required'})
    assert body['tool_choice'] == 'required'


async def test_compound_models_enable_the_offered_tools(fake: GroqFake) -> None:
    body = await sent_body(fake, 'groq/compound', builtin(CodeExecutionTool(), WebSearchTool()))
    assert body['compound_custom'] == {'tools': {'enabled_tools': ['code_interpreter', 'web_search']}}
    assert 'tools' not in body and 'search_settings' not in body


async def test_compound_custom_setting_is_merged_with_the_offered_tools_and_needs_the_latest_version(
    fake: GroqFake,
) -> None:
    settings = {
        'groq_compound_custom': {
            'models': {'answering_model': 'openai/gpt-oss-120b'},
            'tools': {'enabled_tools': ['visit_website', 'web_search']},
        }
    }
    body = await sent_body(fake, 'groq/compound-mini', builtin(WebSearchTool(), CodeExecutionTool()), settings)
    assert body['compound_custom'] == {
        'models': {'answering_model': 'openai/gpt-oss-120b'},
        'tools': {'enabled_tools': ['visit_website', 'web_search', 'code_interpreter']},
    }
    # `visit_website` exists only in Groq's latest compound version.
    assert fake.requests[0].headers['groq-model-version'] == 'latest'


async def test_the_callers_model_version_header_wins(fake: GroqFake) -> None:
    settings = {
        'groq_compound_custom': {'tools': {'enabled_tools': ['browser_automation', 'web_search']}},
        'extra_headers': {'groq-model-version': '2025-08-16'},
    }
    await sent_body(fake, 'groq/compound', ModelRequestParameters(), settings)
    assert fake.requests[0].headers.get_list('groq-model-version') == ['2025-08-16']


async def test_default_compound_tools_send_no_version_header(fake: GroqFake) -> None:
    await sent_body(fake, 'groq/compound', builtin(WebSearchTool()))
    assert 'groq-model-version' not in fake.requests[0].headers


async def test_wolfram_key_is_sent_declared_secret_and_never_shown_in_errors(fake: GroqFake) -> None:
    key = 'wolfram-key-for-tests-7f3a9c'
    settings = {
        'groq_compound_custom': {
            'tools': {'enabled_tools': ['wolfram_alpha'], 'wolfram_settings': {'authorization': key}}
        }
    }
    body = await sent_body(fake, 'groq/compound', ModelRequestParameters(), settings)
    assert body['compound_custom']['tools']['wolfram_settings'] == {'authorization': key}
    assert key in declared_secrets()
    bad = {'groq_compound_custom': {'tools': {'wolfram_settings': {'authorization': key, 'extra': key}}}}
    with pytest.raises(UserError) as exc_info:
        await fake.model('groq/compound').request(prompt(), bad, ModelRequestParameters())  # type: ignore[arg-type]
    assert key not in str(exc_info.value) and 'secret' in str(exc_info.value)


@pytest.mark.parametrize(
    ('model', 'params', 'settings', 'match'),
    [
        (
            'llama-3.3-70b-versatile',
            builtin(WebSearchTool()),
            None,
            "cannot run the built-in tool WebSearchTool.*'groq/compound'",
        ),
        ('qwen/qwen3-32b', builtin(CodeExecutionTool()), None, 'cannot run the built-in tool CodeExecutionTool'),
        ('openai/gpt-oss-safeguard-20b', builtin(CodeExecutionTool()), None, 'cannot run code'),
        (
            'openai/gpt-oss-120b',
            builtin(WebSearchTool(), output_mode='native', output_object=OutputObjectDefinition({'type': 'object'})),
            None,
            'incompatible with structured output',
        ),
        ('openai/gpt-oss-120b', builtin(WebSearchTool(), output_mode='json_object'), None, 'structured output'),
        ('openai/gpt-oss-120b', builtin(WebSearchTool(allowed_domains=['python.org'])), None, 'cannot filter domains'),
        ('groq/compound', builtin(WebSearchTool(), WebSearchTool()), None, 'twice'),
        ('openai/gpt-oss-120b', ModelRequestParameters(), {'groq_compound_custom': {}}, 'compound systems'),
        (
            'llama-3.3-70b-versatile',
            ModelRequestParameters(),
            {'groq_search_settings': {'country': 'germany'}},
            'compound',
        ),
        (
            'groq/compound',
            ModelRequestParameters(),
            {'groq_compound_custom': {'tools': {'enabled_tools': ['calculator']}}},
            'Unknown compound tool',
        ),
        (
            'groq/compound',
            ModelRequestParameters(),
            {'groq_compound_custom': {'tools': {'enabled_tools': ['wolfram_alpha']}}},
            'Wolfram Alpha API key',
        ),
        (
            'groq/compound',
            ModelRequestParameters(),
            {'groq_compound_custom': {'tools': {'enabled_tools': ['browser_automation']}}},
            'web search enabled too',
        ),
        (
            'groq/compound',
            ModelRequestParameters(),
            {'groq_compound_custom': {'agents': []}},
            "'models' and/or 'tools'",
        ),
        ('groq/compound', ModelRequestParameters(), {'groq_search_settings': {'country': 3}}, 'country.*must be a str'),
        ('groq/compound', ModelRequestParameters(), {'groq_search_settings': {'regions': ['eu']}}, 'keys among'),
        (
            'groq/compound',
            builtin(WebSearchTool(allowed_domains=['a.org'])),
            {'groq_search_settings': {'include_domains': ['b.org']}},
            'disagree',
        ),
    ],
)
async def test_what_the_model_cannot_run_is_refused_before_sending(
    fake: GroqFake, model: str, params: ModelRequestParameters, settings: Any, match: str
) -> None:
    with pytest.raises(UserError, match=match):
        await fake.model(model).request(prompt(), settings, params)
    assert fake.requests == []


async def test_search_settings_are_sent_with_the_web_search_tools_domains(fake: GroqFake) -> None:
    settings = {'groq_search_settings': {'country': 'germany', 'include_images': True, 'exclude_domains': ['x.com']}}
    body = await sent_body(fake, 'groq/compound', builtin(WebSearchTool(allowed_domains=['python.org'])), settings)
    assert body['search_settings'] == {
        'country': 'germany',
        'include_images': True,
        'exclude_domains': ['x.com'],
        'include_domains': ['python.org'],
    }


# -- every kind of run, where it happened, streamed and not ---------------------------------------------------------

STEPS: tuple[str | ToolRun, ...] = (
    'I need the latest numbers. ',
    search_run(
        'python release',
        [('Python 3.14', 'https://www.python.org/', 'Python 3.14 is out.')],
        images=['https://img.example.test/a.png'],
    ),
    ' Now the page itself. ',
    visit_run('https://www.python.org/downloads/', 'Download Python 3.14.0'),
    ' Compute the age. ',
    python_run(
        'print(2026 - 1991)',
        '35\n',
        png='iVBORw0KGgo=',
        chart={'type': 'bar', 'title': 'Age', 'elements': [{'label': 'Python', 'value': 35}]},
    ),
    ' Browse for more. ',
    browser_automation_run('python release notes', [('Notes', 'https://docs.python.org/3/whatsnew/', 'New in 3.14')]),
    ' Check with Wolfram. ',
    wolfram_run('2026 - 1991', '35'),
    ' And a kind nobody knows yet. ',
    ToolRun('mcp_call', {'server': 'docs'}, output='done', extra={'server_label': 'docs'}),
    ' Done.',
)
ANSWER = 'Python 3.14 is out; Python is 35 years old.'
BREAKDOWN = usage_breakdown(('openai/gpt-oss-120b', 900, 100), ('llama-3.3-70b-versatile', 300, 20))
EXPECTED_NAMES = ['web_search', 'visit_website', 'code_execution', 'browser_automation', 'wolfram_alpha', 'mcp_call']


def comparable(parts: Sequence[ModelResponsePart]) -> list[Any]:
    """The parts without their receipt time."""
    return [
        (p.part_kind, p.tool_name, p.content, p.tool_call_id) if isinstance(p, BuiltinToolReturnPart) else p
        for p in parts
    ]


async def ask(model: GroqModel, messages: list[ModelMessage], params: ModelRequestParameters) -> ModelResponse:
    response, _ = await model.request(messages, None, params)
    return response


async def ask_streamed(
    model: GroqModel, messages: list[ModelMessage], params: ModelRequestParameters
) -> tuple[ModelResponse, list[Any]]:
    async with model.request_stream(messages, None, params) as stream:
        events = [event async for event in stream]
    return stream.get(), events


async def test_every_kind_of_run_is_a_call_and_return_pair_in_order_streamed_or_not(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    server.enqueue(
        tool_run_completion(*STEPS, content=ANSWER, breakdown=BREAKDOWN),
        streamed_tool_run_completion(*STEPS, content=ANSWER, breakdown=BREAKDOWN),
    )
    model = server_model(server, http_client)
    response = await ask(model, prompt('How old is Python?'), ModelRequestParameters())
    streamed, events = await ask_streamed(model, prompt('How old is Python?'), ModelRequestParameters())

    assert comparable(streamed.parts) == comparable(response.parts)
    kinds = [p.part_kind for p in response.parts]
    assert kinds == ['thinking', *(['builtin-tool-call', 'builtin-tool-return', 'thinking'] * 6), 'text']
    calls = [p for p in response.parts if isinstance(p, BuiltinToolCallPart)]
    results = [p for p in response.parts if isinstance(p, BuiltinToolReturnPart)]
    assert [c.tool_name for c in calls] == [r.tool_name for r in results] == EXPECTED_NAMES
    assert (
        [c.tool_call_id for c in calls]
        == [r.tool_call_id for r in results]
        == [f'groq_executed_tool_{n}' for n in range(6)]
    )
    assert [c.args for c in calls] == [
        {'query': 'python release'},
        {'url': 'https://www.python.org/downloads/'},
        {'code': 'print(2026 - 1991)'},
        {'query': 'python release notes'},
        {'query': '2026 - 1991'},
        {'server': 'docs'},
    ]
    search, visit, code, browser, wolfram, unknown = (r.content for r in results)
    assert search['type'] == 'search' and search['search_results']['images'] == ['https://img.example.test/a.png']
    assert search['search_results']['results'][0]['url'] == 'https://www.python.org/'
    assert visit == {
        'type': 'visit',
        'output': (
            'Title: https://www.python.org/downloads/\nURL: https://www.python.org/downloads/\n\n'
            'Download Python 3.14.0\n'
        ),
        'search_results': {'results': []},
    }
    assert code['output'] == '35\n' and code['code_results'] == [
        {
            'text': '35\n',
            'png': 'iVBORw0KGgo=',
            'chart': {'type': 'bar', 'title': 'Age', 'elements': [{'label': 'Python', 'value': 35}]},
        }
    ]
    assert browser['browser_results'][0]['live_view_url'].startswith('https://live.example.test/')
    assert wolfram['output'] == '35'
    assert unknown == {'type': 'mcp_call', 'output': 'done', 'search_results': {'results': []}, 'server_label': 'docs'}
    # Each run sits just before the `</tool>` that closes its call in the reasoning, as it was streamed.
    thinking = [p.content for p in response.parts if isinstance(p, ThinkingPart)]
    assert thinking[0] == 'I need the latest numbers. <tool>search(python release)'
    assert all(t.startswith('\n</tool>\n<output>') for t in thinking[1:])
    # The return part was announced once its results had arrived, never empty.
    started = [e.part for e in events if isinstance(e, PartStartEvent) and isinstance(e.part, BuiltinToolReturnPart)]
    assert [p.content.get('output') for p in started] == [r.content.get('output') for r in results]
    for answer in (response, streamed):
        assert answer.provider_details is not None
        assert answer.provider_details['usage_breakdown'] == BREAKDOWN
        assert set(answer.provider_details['timings']) == {'queue_time', 'prompt_time', 'completion_time', 'total_time'}
        assert all(isinstance(v, float) for v in answer.provider_details['timings'].values())
        assert answer.usage.timings == answer.provider_details['timings']
    assert response.provider_details is not None and response.provider_details['service_tier'] == 'on_demand'


async def test_a_streamed_run_announced_but_never_completed_still_gets_its_return_part(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    unfinished = ToolRun('search', {'query': 'q'})
    server.enqueue(
        streamed_tool_run_completion('Search. ', unfinished, content='No results.'),
        tool_run_completion('Search. ', unfinished, content='No results.'),
    )
    model = server_model(server, http_client)
    streamed, _ = await ask_streamed(model, prompt(), ModelRequestParameters())
    response = await ask(model, prompt(), ModelRequestParameters())
    # Non-streamed, the run is whole where it happened; streamed, its return part comes at the end, with what arrived.
    assert [p.part_kind for p in streamed.parts] == ['thinking', 'builtin-tool-call', 'text', 'builtin-tool-return']
    [result] = [p for p in streamed.parts if isinstance(p, BuiltinToolReturnPart)]
    assert result.content == {'type': 'search', 'search_results': {'results': []}}
    assert [p.part_kind for p in response.parts] == ['thinking', 'builtin-tool-call', 'builtin-tool-return', 'text']


async def test_runs_without_markers_in_the_reasoning_follow_it(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    """A gpt-oss browser search whose reasoning does not write the run inline: the run follows the reasoning."""
    run = browser_search_run('groq news', [('Groq', 'https://groq.com/news', 'News.')])
    server.enqueue(
        tool_run_completion('Let me search.', run, content='Groq has news.', model='openai/gpt-oss-120b', markers=False)
    )
    model = named_model(server, http_client, 'openai/gpt-oss-120b')
    response = await ask(model, prompt(), builtin(WebSearchTool()))
    assert [p.part_kind for p in response.parts] == ['thinking', 'builtin-tool-call', 'builtin-tool-return', 'text']
    assert response.parts[1] == BuiltinToolCallPart(
        'web_search', {'query': 'groq news'}, 'groq_executed_tool_0', 'groq'
    )
    assert server.requests[0].json['tools'] == [{'type': 'browser_search'}]


async def test_the_default_answer_runs_every_offered_tool(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    model = named_model(server, http_client, 'openai/gpt-oss-20b')
    streamed, _ = await ask_streamed(model, prompt('twelve'), builtin(WebSearchTool(), CodeExecutionTool()))
    response = await ask(model, prompt('twelve'), builtin(WebSearchTool(), CodeExecutionTool()))
    assert comparable(streamed.parts) == comparable(response.parts)
    assert [p.tool_name for p in response.parts if isinstance(p, BuiltinToolCallPart)] == [
        'web_search',
        'code_execution',
    ]
    assert response.parts[-1] == TextPart('twelve')


# -- history ---------------------------------------------------------------------------------------------------------


async def test_history_with_runs_goes_back_as_valid_messages_with_the_reasoning_whole(
    server: GroqTestServer, http_client: httpx.AsyncClient
) -> None:
    answer = tool_run_completion(*STEPS, content=ANSWER)
    server.enqueue(answer, text_completion('Sure.'))
    model = named_model(server, http_client, 'groq/compound')
    first = await ask(model, prompt('How old is Python?'), ModelRequestParameters())
    history: list[ModelMessage] = [*prompt('How old is Python?'), first, ModelRequest.user_text_prompt('Thanks!')]
    await ask(model, history, ModelRequestParameters())
    sent = server.requests[1].json
    assert sent is not None
    assistant = sent['messages'][1]
    # Only fields Groq takes in an assistant message: no run, no citation goes back.
    assert set(assistant) == {'role', 'content', 'reasoning'}
    assert assistant['content'] == ANSWER
    # The thinking parts the runs split apart go back as the one reasoning text Groq wrote.
    assert assistant['reasoning'] == json.loads(answer.body)['choices'][0]['message']['reasoning']


@pytest.mark.parametrize('executed', ['search', [1, 2]], ids=['not-a-list', 'not-objects'])
async def test_executed_tools_of_the_wrong_shape_are_unexpected_model_behavior(executed: Any) -> None:
    body = wire.chat_completion('ok', model='groq/compound')
    body['choices'][0]['message']['executed_tools'] = executed
    chunk = wire.chat_completion_chunk({'executed_tools': executed}, model='groq/compound')
    async with GroqFake(json_response(body), raw_sse([chunk], done=True)) as groq_fake:
        with pytest.raises(UnexpectedModelBehavior, match='executed_tools|executed tool'):
            await groq_fake.model('groq/compound').request(prompt(), None, ModelRequestParameters())
        with pytest.raises(UnexpectedModelBehavior, match='executed_tools|executed tool'):
            async with groq_fake.model('groq/compound').request_stream(prompt(), None, ModelRequestParameters()) as s:
                async for _ in s:
                    pass
