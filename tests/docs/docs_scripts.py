"""What each documented example needs from the test server, and what the tests check beyond what it prints.

`PAGES` says how a page runs (see `docs_runner`); `EXAMPLES` scripts the server's answers for the examples that need
more than the default echo of the last user message (a tool call, a structured result, a citation), and holds the
assertions about what the examples sent. Each entry names its example by a piece of its text.
"""

from __future__ import annotations

import json

import yaml

from pydantic_ai_groq.testing import (
    BatchBehaviour,
    GroqTestServer,
    RateLimits,
    ScriptedResponse,
    ToolCall,
    browser_search_run,
    capacity_exceeded,
    cited_completion,
    document_citation,
    http_error,
    json_response,
    model_decommissioned,
    python_run,
    streamed_text,
    text_completion,
    tool_call_completion,
    tool_run_completion,
    usage_breakdown,
    wire,
)

from docs_runner import Example, ExampleRun, Page, PageRun
from support.constants import FAKE_GROQ_API_KEY

__all__ = ('EXAMPLES', 'PAGES')


def _readme_agent_sent_the_tool_and_its_result(run: ExampleRun) -> None:
    first, second = run.bodies
    assert first['model'] == 'openai/gpt-oss-120b'
    assert first['messages'][0] == {'role': 'system', 'content': 'Answer with a short forecast.'}
    tools = {tool['function']['name']: tool['function'] for tool in first['tools']}
    assert tools['get_weather']['description'] == 'Current weather in a city.'
    assert tools['get_weather']['parameters']['properties']['city'] == {
        'description': 'The city\'s name, such as "Paris".',
        'title': 'City',
        'type': 'string',
    }
    assert second['messages'][-1] == {
        'role': 'tool',
        'tool_call_id': 'call_1',
        'content': '{"temperature_c":18.0,"wind_kmh":12.0}',
    }


def _nothing_was_sent(run: ExampleRun) -> None:
    assert run.requests == []


def _direct_request_sent_its_settings(run: ExampleRun) -> None:
    (body,) = run.bodies
    assert body['model'] == 'openai/gpt-oss-120b' and body['max_tokens'] == 60


def _shop_agent_sent_deps_and_the_tool_result(run: ExampleRun) -> None:
    first, second = run.bodies
    assert first['messages'][0] == {'role': 'system', 'content': 'You answer questions for Corner Shop. Be brief.'}
    assert second['messages'][-1] == {'role': 'tool', 'tool_call_id': 'call_1', 'content': '3'}


def _retry_went_back_to_the_model(run: ExampleRun) -> None:
    retry = run.bodies[1]['messages'][-1]
    assert retry['role'] == 'tool' and retry['tool_call_id'] == 'call_1'
    assert "There is no 'brolly'; the items are: umbrella, raincoat." in retry['content']


def _history_was_sent(run: ExampleRun) -> None:
    second = run.bodies[1]
    assert [m['role'] for m in second['messages']] == ['system', 'user', 'assistant', 'user']


def _direct_functions_sent_settings_and_streamed(run: ExampleRun) -> None:
    plain, streamed = run.bodies
    assert plain['temperature'] == 0 and plain['model'] == 'openai/gpt-oss-120b' and not plain.get('stream')
    assert streamed['stream'] is True and streamed['model'] == 'openai/gpt-oss-20b'
    assert plain['messages'] == [
        {'role': 'system', 'content': 'Answer in one word.'},
        {'role': 'user', 'content': 'Say hello in French.'},
    ]


def _model_request_sent_the_conversation(run: ExampleRun) -> None:
    plain, streamed = run.bodies
    assert plain['messages'] == [
        {'role': 'system', 'content': 'Be brief.'},
        {'role': 'user', 'content': 'Why does low latency matter for LLMs?'},
    ]
    assert plain['temperature'] == 0.2 and not plain.get('stream') and streamed['stream'] is True


def _tool_result_went_back_with_its_call_id(run: ExampleRun) -> None:
    offered, answered = run.bodies
    assert offered['tool_choice'] == 'auto'
    assert [tool['function']['name'] for tool in offered['tools']] == ['get_weather']
    assert answered['messages'][-1] == {'role': 'tool', 'tool_call_id': 'call_1', 'content': '{"temp_c":18}'}


def _groq_settings_were_sent(run: ExampleRun) -> None:
    (request,) = run.requests
    assert request.json['stop'] == ['\n\n'] and request.json['service_tier'] == 'on_demand'
    assert request.json['temperature'] == 0.2 and request.headers['x-trace-id'] == 'abc123'


def _image_was_sent_with_its_detail(run: ExampleRun) -> None:
    (body,) = run.bodies
    assert body['messages'][-1]['content'] == [
        {'type': 'text', 'text': 'What is in this picture?'},
        {'type': 'image_url', 'image_url': {'url': 'https://example.com/kiwi.jpg', 'detail': 'low'}},
    ]


def _reasoning_settings_were_sent(run: ExampleRun) -> None:
    (body,) = run.bodies
    assert body['reasoning_format'] == 'parsed' and body['reasoning_effort'] == 'low'


def _output_modes_were_sent(run: ExampleRun) -> None:
    native, prompted = run.bodies
    assert native['response_format']['type'] == 'json_schema'
    assert native['response_format']['json_schema']['name'] == 'CityLocation'
    assert 'response_format' not in prompted and 'tools' not in prompted
    assert prompted['messages'][0]['role'] == 'system'
    assert prompted['messages'][0]['content'].startswith('Answer with JSON only, valid against this schema:\n{')


def _retry_answered_the_failed_call(run: ExampleRun) -> None:
    retry = run.bodies[1]['messages'][-1]
    assert retry['role'] == 'tool' and retry['tool_call_id'].startswith('pyd_ai_')
    assert 'Arguments did not match the schema.' in retry['content']


def _browser_search_was_offered(run: ExampleRun) -> None:
    (body,) = run.bodies
    assert body['model'] == 'openai/gpt-oss-120b' and body['tools'] == [{'type': 'browser_search'}]


def _code_interpreter_was_enabled(run: ExampleRun) -> None:
    (body,) = run.bodies
    assert body['compound_custom'] == {'tools': {'enabled_tools': ['code_interpreter']}}


def _documents_were_sent(run: ExampleRun) -> None:
    (body,) = run.bodies
    assert body['documents'] == [
        {'id': 'handbook', 'source': {'type': 'text', 'text': 'Staff may work remotely on Fridays.'}}
    ]


def _flex_was_asked_and_not_retried(run: ExampleRun) -> None:
    (body,) = run.bodies
    assert body['service_tier'] == 'flex'


def _pai_sent_its_options(run: ExampleRun) -> None:
    plain, piped, options, as_json = run.bodies
    assert plain['stream'] is True and plain['model'] == 'openai/gpt-oss-120b'
    assert piped['messages'][-1]['content'] == (
        'Summarise this in five words:\n\nThe meeting moved to Thursday at 10, room 4.\n'
    )
    assert options['model'] == 'openai/gpt-oss-20b' and options['temperature'] == 0.2
    assert options['max_tokens'] == 200 and options['messages'][0] == {'role': 'system', 'content': 'Be terse.'}
    assert as_json['messages'][-1]['content'] == 'Hello'


def _script_python_batch(server: GroqTestServer) -> None:
    call = wire.tool_call('call_1', 'get_weather', '{}')
    server.batches.behaviour = BatchBehaviour(
        answers={
            'capital': wire.chat_completion('Paris'),
            'weather': wire.chat_completion(tool_calls=[call]),
            'item-2': wire.chat_completion('Hi!'),
        }
    )


def _batch_lines_were_built_like_requests(run: ExampleRun) -> None:
    upload = next(request for request in run.requests if request.path == '/openai/v1/files')
    assert b'"tools":[{"type":"function","function":{"name":"get_weather"' in upload.body
    assert b'"custom_id":"item-2"' in upload.body


def _script_pai_batch(server: GroqTestServer) -> None:
    server.batches.behaviour = BatchBehaviour(
        answers={
            'fr': wire.chat_completion('Paris'),
            'chat': wire.chat_completion('Blue.'),
            'fast': wire.chat_completion('Hi!', model='openai/gpt-oss-20b'),
        },
        line_errors={'de': 400},
    )


def _pai_batch_sent_one_batch_per_model(run: ExampleRun) -> None:
    batches = [request.json for request in run.requests if request.path == '/openai/v1/batches']
    assert len(batches) == 2


def _recorded_once_and_replayed_keyless(run: ExampleRun) -> None:
    assert len(run.requests) == 1, 'recording sends one request; the keyless replay must send none'
    cassette = run.workdir / 'tests' / 'cassettes' / 'test_app' / 'test_capital.yaml'
    text = cassette.read_text()
    (interaction,) = yaml.safe_load(text)['interactions']
    body = json.loads(interaction['request']['body'])
    assert body['messages'] == [{'role': 'user', 'content': 'What is the capital of France?'}]
    assert FAKE_GROQ_API_KEY not in text and 'authorization' not in interaction['request']['headers']


def _span_holds_no_key(run: ExampleRun) -> None:
    assert FAKE_GROQ_API_KEY not in run.printed
    (body,) = run.bodies
    assert body['model'] == 'openai/gpt-oss-120b'


def _request_log_timed_every_request_and_holds_no_key(run: ExampleRun) -> None:
    log = (run.workdir / 'requests.jsonl').read_text()
    records = [json.loads(line) for line in log.splitlines()]
    assert len(records) == 3 and all(record['seconds'] > 0 for record in records)
    assert FAKE_GROQ_API_KEY not in log
    assert 'Lifecycle plugin' not in run.stderr, run.stderr  # the plugin loaded cleanly


def _limiter_kept_within_the_limit(run: ExampleRun) -> None:
    ledger = run.server.rate_limit_ledger
    assert ledger.count(429) == 0 and ledger.count(200) == 30
    assert ledger.max_window_tokens() <= 300
    assert len(ledger.tokens_by_window()) >= 2, 'the burst did not need the limiter'


def _helicone_header_and_groq_key_arrived(run: ExampleRun) -> None:
    (request,) = run.requests
    assert request.path == '/openai/v1/chat/completions'
    assert request.headers['helicone-auth'] == 'Bearer hk-test-0123'
    assert request.headers['authorization'] == f'Bearer {FAKE_GROQ_API_KEY}'


POPULATION = 'About 2.1 million people live in Paris.'
"""The durable-execution pages' answer, after the model called their `population` tool."""


def _population_answers() -> tuple[ScriptedResponse, ...]:
    return tool_call_completion(ToolCall('population', {'city': 'Paris'})), text_completion(POPULATION)


def _one_request_per_model_call(run: ExampleRun) -> None:
    assert len(run.requests) == 2
    assert run.bodies[1]['messages'][-1]['content'] == '2100000'


def _a_second_dbos_run_returns_the_recorded_result(page: PageRun) -> None:
    sent = page.server.request_count
    assert page.run_again('SetWorkflowID(').splitlines()[-1] == POPULATION
    assert page.server.request_count == sent, 'workflow geography-1 had finished: nothing may be sent again'


def _streamed(text: str, finish_reason: str = 'stop') -> ScriptedResponse:
    """`text` streamed word by word, as `pai` asks for it."""
    words = text.split(' ')
    return streamed_text([word if i == 0 else f' {word}' for i, word in enumerate(words)], finish_reason=finish_reason)


PAGES: dict[str, Page] = {
    # Process-wide tracing set-up, and a lifecycle plugin installed as a distribution.
    'docs/tracing.md': Page('docs/tracing.md', isolated=True),
    # The burst example needs a limit to be paced by: small, so that it waits a little and ends quickly.
    # Distributions installed by the page (entry points are read once per process).
    'docs/plugins.md': Page('docs/plugins.md', isolated=True),
    # Durable-execution engines: a Temporal dev server and worker, a DBOS database, each in a process of its own.
    'docs/durable-temporal.md': Page('docs/durable-temporal.md', isolated=True),
    'docs/durable-dbos.md': Page(
        'docs/durable-dbos.md', isolated=True, after=_a_second_dbos_run_returns_the_recorded_result
    ),
    'docs/rate-limits.md': Page(
        'docs/rate-limits.md', server=lambda: GroqTestServer(rate_limits=RateLimits(tokens=300, window=0.5))
    ),
}

EXAMPLES: list[Example] = [
    # README.md
    Example(
        'README.md',
        "system_prompt='Answer with a short forecast.'",
        answers=(
            tool_call_completion(ToolCall('get_weather', {'city': 'Paris'}, 'call_1')),
            tool_call_completion(
                ToolCall(
                    'final_result',
                    {'city': 'Paris', 'temperature_c': 18, 'summary': 'Mild, with a light breeze.'},
                    'call_2',
                )
            ),
        ),
        check=_readme_agent_sent_the_tool_and_its_result,
    ),
    Example(
        'README.md',
        'model_request_sync(',
        answers=(text_completion('Voice assistants that answer while you are still listening.', completion_tokens=11),),
        check=_direct_request_sent_its_settings,
    ),
    Example(
        'README.md',
        'pai "Why is the sky blue?"',
        answers=(
            _streamed("Sunlight scatters off the air's molecules, and blue light scatters most."),
            _streamed('Names turned into IP addresses.'),
        ),
    ),
    Example('README.md', 'defer_model_check=True', env={'GROQ_API_KEY': None}, check=_nothing_was_sent),
    # docs/agents.md
    Example(
        'docs/agents.md',
        "result = agent.run_sync('Do you have umbrellas?'",
        answers=(
            tool_call_completion(ToolCall('stock_level', {'item': 'umbrella'}, 'call_1')),
            text_completion('Yes: we have 3 umbrellas in stock.'),
        ),
        check=_shop_agent_sent_deps_and_the_tool_result,
    ),
    Example(
        'docs/agents.md',
        'def price(item: str)',
        answers=(
            tool_call_completion(ToolCall('price', {'item': 'brolly'}, 'call_1')),
            tool_call_completion(ToolCall('price', {'item': 'umbrella'}, 'call_2')),
            text_completion('An umbrella costs 12.50 euros.'),
        ),
        check=_retry_went_back_to_the_model,
    ),
    Example(
        'docs/agents.md',
        'def three_cities(',
        answers=(
            tool_call_completion(ToolCall('final_result', {'response': ['Vienna', 'Budapest']}, 'call_1')),
            tool_call_completion(
                ToolCall('final_result', {'response': ['Vienna', 'Bratislava', 'Budapest']}, 'call_2')
            ),
        ),
    ),
    Example(
        'docs/agents.md',
        'message_history=first.new_messages()',
        check=_history_was_sent,
        answers=(text_completion('Nice to meet you, Ada.'), text_completion('Your name is Ada.')),
    ),
    Example(
        'docs/agents.md',
        'poet.run_stream(',
        answers=(streamed_text(['Tokens ', 'arrive ', 'as you read: ', 'the answer, ', 'already here.']),),
    ),
    # docs/direct.md
    Example(
        'docs/direct.md',
        'model_request_stream(',
        answers=(text_completion('Bonjour'), streamed_text(['Bonjour', ' !'])),
        check=_direct_functions_sent_settings_and_streamed,
    ),
    Example(
        'docs/direct.md',
        "model = GroqModel('openai/gpt-oss-120b')",
        answers=(
            text_completion('Low latency keeps conversations natural.', prompt_tokens=18, completion_tokens=5),
            streamed_text(['Latency ', 'shapes how ', 'an answer feels.']),
        ),
        check=_model_request_sent_the_conversation,
    ),
    Example(
        'docs/direct.md',
        'ToolReturnPart(',
        answers=(
            tool_call_completion(ToolCall('get_weather', {'city': 'Paris'}, 'call_1')),
            text_completion('It is 18 °C in Paris.'),
        ),
        check=_tool_result_went_back_with_its_call_id,
    ),
    Example('docs/direct.md', 'ModelMessagesTypeAdapter', check=_nothing_was_sent),
    # docs/groq.md
    Example('docs/groq.md', 'except ModelRetiredError', answers=(model_decommissioned('llama-3.3-70b-versatile'),)),
    Example(
        'docs/groq.md',
        "'groq_service_tier': 'on_demand'",
        answers=(text_completion('Swift.'),),
        check=_groq_settings_were_sent,
    ),
    Example(
        'docs/groq.md',
        'What is in this picture?',
        answers=(text_completion('A kiwi fruit, cut in half.'),),
        check=_image_was_sent_with_its_detail,
    ),
    Example(
        'docs/groq.md',
        'Is 2027 prime?',
        answers=(
            json_response(
                wire.chat_completion(
                    'Yes, 2027 is prime.', reasoning='No divisor from 2 to 45 divides 2027, so it is prime.'
                )
            ),
        ),
        check=_reasoning_settings_were_sent,
    ),
    Example(
        'docs/groq.md',
        "output_mode='native'",
        answers=(text_completion('{"city": "London"}'), text_completion('{"city": "London"}')),
        check=_output_modes_were_sent,
    ),
    Example(
        'docs/groq.md',
        'RetryPromptPart(',
        answers=(
            json_response(
                wire.error_body(
                    "Failed to call a function. Please adjust your prompt. See 'failed_generation' for more details.",
                    code='tool_use_failed',
                    failed_generation='{"name": "get_weather", "arguments": {"town": "Paris"}}',
                ),
                status=400,
            ),
            tool_call_completion(ToolCall('get_weather', {}, 'call_2')),
        ),
        check=_retry_answered_the_failed_call,
    ),
    Example('docs/groq.md', 'except ModelHTTPError', answers=(http_error(401),)),
    # docs/groq-today.md
    Example(
        'docs/groq-today.md',
        'builtin_tools=[WebSearchTool()]',
        answers=(
            tool_run_completion(
                'The user asks what Groq announced this week. I should search.',
                browser_search_run(
                    'Groq announcement this week',
                    [('Groq this week', 'https://news.example.com/groq-week', 'Two new models and a faster Compound.')],
                ),
                content='This week Groq announced two new models on GroqCloud and a faster Compound system.',
                model='openai/gpt-oss-120b',
                markers=False,
            ),
        ),
        check=_browser_search_was_offered,
    ),
    Example(
        'docs/groq-today.md',
        'builtin_tools=[CodeExecutionTool()]',
        answers=(
            tool_run_completion(
                'I can use Python. ',
                python_run('import math; print(math.sqrt(2026))', '45.0111097397076\n'),
                content='The square root of 2026 is about 45.0111.',
                model='groq/compound-mini',
                breakdown=usage_breakdown(('llama-3.3-70b-versatile', 390, 1), ('openai/gpt-oss-120b', 299, 117)),
            ),
        ),
        check=_code_interpreter_was_enabled,
    ),
    Example(
        'docs/groq-today.md',
        "'groq_documents': [handbook]",
        answers=(cited_completion('Staff may work remotely on Fridays.', document_citation('handbook', 0, 35)),),
        check=_documents_were_sent,
    ),
    # docs/batches.md
    Example(
        'docs/batches.md',
        'asyncio.run(run_batch())',
        replace={'poll_interval=30': 'poll_interval=0'},
        setup=_script_python_batch,
        check=_batch_lines_were_built_like_requests,
    ),
    Example(
        'docs/batches.md',
        'pai batch prompts.jsonl',
        replace={'-o results.jsonl 2>': '-o results.jsonl --poll-interval 0 2>'},
        setup=_script_pai_batch,
        check=_pai_batch_sent_one_batch_per_model,
    ),
    # docs/testing.md
    Example(
        'docs/testing.md',
        'pytest -q --record-mode=once',
        answers=(text_completion('The capital of France is Paris.'),),
        check=_recorded_once_and_replayed_keyless,
    ),
    # docs/tracing.md
    Example('docs/tracing.md', 'pydantic_ai.instrument_all()', check=_span_holds_no_key),
    Example(
        'docs/tracing.md',
        "open('requests.jsonl')",
        answers=(
            text_completion('Hello', prompt_tokens=9, completion_tokens=1),
            streamed_text(['He', 'llo'], prompt_tokens=4, completion_tokens=2),
            http_error(401),
        ),
        check=_request_log_timed_every_request_and_holds_no_key,
    ),
    # docs/rate-limits.md
    Example('docs/rate-limits.md', 'provider = GroqProvider()', check=_limiter_kept_within_the_limit),
    # docs/reliability.md
    Example('docs/reliability.md', 'except ModelTimeoutError', answers=(text_completion('Too late.').with_stall(1.0),)),
    # docs/plugins.md
    Example('docs/plugins.md', "provider='mygateway')  # reads", env={'MYGATEWAY_API_KEY': 'mgw-test-0123'}),
    Example(
        'docs/plugins.md',
        'class HeliconeGroqProvider',
        env={'HELICONE_API_KEY': 'hk-test-0123'},
        check=_helicone_header_and_groq_key_arrived,
    ),
    # docs/durable-temporal.md and docs/durable-dbos.md
    Example(
        'docs/durable-temporal.md',
        'TemporalAgent(agent)',
        answers=_population_answers(),
        check=_one_request_per_model_call,
    ),
    Example('docs/durable-dbos.md', 'SetWorkflowID(', answers=_population_answers(), check=_one_request_per_model_call),
    # docs/cli.md
    Example(
        'docs/cli.md',
        'cat notes.txt | pai',
        answers=(
            _streamed("Sunlight scatters off the air's molecules, and blue light scatters most."),
            _streamed('Meeting: Thursday, 10, room 4.'),
            _streamed('Names to IP addresses.'),
        ),
        check=_pai_sent_its_options,
    ),
    Example(
        'docs/cli.md',
        'pai -m groq:llama-3.3-70b-versatile',
        answers=(model_decommissioned('llama-3.3-70b-versatile'), _streamed('Once upon a time, a', 'length')),
    ),
    Example(
        'docs/groq-today.md',
        "'groq_service_tier': 'flex'",
        answers=(capacity_exceeded(),),
        check=_flex_was_asked_and_not_retried,
    ),
]
