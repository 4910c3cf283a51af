"""The `pai` command line: parsing, piping, JSON, the offline replay, errors and exit statuses, the listings, and
the interactive chat driven through a pseudo-terminal.

In-process tests call `run()` with string streams and a provider whose client is a `GroqFake`; end-to-end tests
run `python -m pydantic_ai` in a subprocess, against the project's cassettes (`--replay`) or the local
`GroqTestServer` (through `GROQ_BASE_URL`). Nothing reaches the network.
"""

from __future__ import annotations

import asyncio
import fcntl
import io
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from pydantic_ai.cli import main, run
from pydantic_ai.cli._providers import ModelChoice, choose_model, split_model
from pydantic_ai.exceptions import CliError
from pydantic_ai_groq import GroqProvider
from pydantic_ai_groq.testing import (
    GroqFake,
    GroqTestServer,
    RecordedRequest,
    ScriptedResponse,
    raw_sse,
    streamed_text,
    wire,
)

from support.distributions import write_distribution
from support.processes import interruptible_popen

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / 'cassettes' / 'test_groq_cassettes'
STREAMED = CASSETTES / 'test_streamed_text_is_assembled_from_chunks_with_usage_from_x_groq.yaml'
TOOL_ROUND_TRIP = CASSETTES / 'test_tool_call_result_is_sent_back_and_final_answer_parsed.yaml'
NOT_FOUND = CASSETTES / 'test_unknown_model_raises_model_http_error_404_with_groq_error_body.yaml'
RATE_LIMITED = CASSETTES / 'test_rate_limit_429_raises_model_http_error_with_retry_after_and_ratelimit_headers.yaml'
STREAMED_ANSWER = 'How about "Whisker Beans"? It is playful, short and easy to remember.'
ANSI = re.compile(r'\x1b(\[[0-9;?]*[ -/]*[@-~]|[@-Z\\-_])')


# Running the command


class Result:
    def __init__(self, status: int, stdout: str, stderr: str) -> None:
        self.status, self.stdout, self.stderr = status, stdout, stderr


def pai(argv: Sequence[str], *, stdin: str = '', provider: GroqProvider | None = None) -> Result:
    """Run `pai` in this process with string streams (so stdout is not a terminal: plain text)."""
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err, provider=provider)
    return Result(status, out.getvalue(), err.getvalue())


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without Groq's variables, proxies or a user's history file; plus `extra`."""
    dropped = ('GROQ_API_KEY', 'GROQ_BASE_URL', 'PYTHONPATH', 'PAI_HISTORY_FILE', 'PAI_MODEL')
    env = {k: v for k, v in os.environ.items() if k not in dropped and 'proxy' not in k.lower()}
    return {**env, **extra}


def pai_process(
    argv: Sequence[str], *, env: dict[str, str], stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, '-m', 'pydantic_ai', *argv],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
    )


@pytest.fixture
def mock() -> Iterator[GroqFake]:
    groq_mock = GroqFake(
        responder=raw_sse(
            [
                wire.chat_completion_chunk({'content': 'Hello'}),
                wire.chat_completion_chunk({'content': ' **world**'}),
                wire.chat_completion_chunk(
                    {}, finish_reason='stop', x_groq={'id': 'req_test', 'usage': wire.usage_body(12, 3, timings=False)}
                ),
            ],
            done=True,
        )
    )
    yield groq_mock
    asyncio.run(groq_mock.aclose())


def provider_of(groq_mock: GroqFake) -> GroqProvider:
    return GroqProvider(groq_client=groq_mock.client)


# Argument parsing


def test_prompt_words_are_joined_and_options_parsed_in_any_order(mock: GroqFake) -> None:
    argv = ['why', 'is', '--temperature', '0.5', 'the sky blue?', '-s', 'Be brief.', '--max-tokens', '50']
    result = pai(argv, provider=provider_of(mock))
    assert result.status == 0, result.stderr
    assert mock.body['messages'] == [
        {'role': 'system', 'content': 'Be brief.'},
        {'role': 'user', 'content': 'why is the sky blue?'},
    ]
    assert (mock.body['temperature'], mock.body['max_tokens']) == (0.5, 50)
    assert mock.body['stream'] is True and result.stdout == 'Hello **world**\n'  # neither --json nor a chat


def test_no_arguments_means_no_prompt(mock: GroqFake) -> None:
    result = pai([], stdin='', provider=provider_of(mock))
    assert result.status == 2 and result.stderr.startswith('pai: no prompt:')
    assert mock.requests == []


@pytest.mark.parametrize('command', ['providers', 'models'])
def test_the_first_word_names_a_command_wherever_the_options_are(command: str) -> None:
    before, after = pai(['--json', command]), pai([command, '--json'])
    assert (before.status, before.stderr, after.status) == (0, '', 0)
    listing = json.loads(before.stdout)
    assert listing == json.loads(after.stdout)
    names = [p['name'] for p in listing] if command == 'providers' else [m['name'] for m in listing['models']]
    assert ('groq' if command == 'providers' else GroqProvider.default_model) in names


@pytest.mark.parametrize('command', ['providers', 'models'])
def test_more_words_after_a_command_are_a_usage_error_saying_how_to_ask_such_a_prompt(
    command: str, mock: GroqFake
) -> None:
    result = pai([command, 'please'], provider=provider_of(mock))
    assert result.status == 2
    assert result.stderr == (
        f'pai: unrecognized arguments: please (see `pai {command} --help`; to ask a question that starts with '
        f'"{command}", quote it: pai "{command} ...")\n'
    )
    assert pai([f'{command} please'], provider=provider_of(mock)).status == 0
    assert mock.body['messages'] == [{'role': 'user', 'content': f'{command} please'}]


def test_words_after_a_double_dash_are_the_prompt_even_when_one_names_a_command(mock: GroqFake) -> None:
    result = pai(['-s', 'models', '--', 'batch'], provider=provider_of(mock))
    assert result.status == 0, result.stderr
    assert mock.body['messages'] == [
        {'role': 'system', 'content': 'models'},
        {'role': 'user', 'content': 'batch'},
    ]


@pytest.mark.parametrize(
    ('argv', 'message'),
    [
        (['-t', '3', 'q'], 'must be between 0 and 2'),
        (['-t', 'hot', 'q'], 'expected a number'),
        (['--max-tokens', '0', 'q'], 'must be at least 1'),
        (['--max-tokens', 'many', 'q'], 'expected a whole number'),
        (['--no-such-option'], 'unrecognized arguments'),
        (['--replay', 'x.yaml', 'q'], 'takes its prompts from the recording'),
        (['--replay', 'x.yaml', '--model', 'groq:m'], 'takes the model from the recording'),
        (['--timeout', '0', 'q'], 'must be a number of seconds above 0'),
        (['--timeout', 'soon', 'q'], 'expected seconds'),
        (['--json', '-i'], 'cannot be combined with --interactive'),
        (['providers', '--replay', 'x.yaml'], 'cannot be combined with --replay'),
    ],
)
def test_bad_arguments_are_usage_errors(argv: list[str], message: str, mock: GroqFake) -> None:
    result = pai(argv, provider=provider_of(mock))
    assert result.status == 2
    assert result.stderr.startswith('pai: ') and message in result.stderr and result.stderr.count('\n') == 1
    assert mock.requests == []


def model_spec(model: str | None = None, provider: str | None = None) -> tuple[str, str]:
    return choose_model(ModelChoice(model=model, provider=provider))


def test_model_defaults_to_the_only_installed_provider_and_its_default_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('PAI_MODEL', raising=False)
    assert model_spec() == ('groq', GroqProvider.default_model)
    assert model_spec('llama-3.1-8b-instant') == ('groq', 'llama-3.1-8b-instant')
    assert model_spec('groq:gemma2-9b-it') == ('groq', 'gemma2-9b-it')
    assert model_spec('other-model', provider='gw') == ('gw', 'other-model')
    assert model_spec(provider='groq') == ('groq', 'openai/gpt-oss-120b')


def test_pai_model_environment_variable_is_the_default_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PAI_MODEL', 'gw:from-env')
    assert model_spec() == ('gw', 'from-env')
    assert model_spec('groq:x') == ('groq', 'x')  # --model wins
    assert model_spec(provider='groq') == ('groq', 'openai/gpt-oss-120b')  # so does --provider


def test_model_naming_another_provider_than_provider_option_is_a_usage_error() -> None:
    with pytest.raises(CliError, match="names provider 'groq' but --provider says 'gw'"):
        model_spec('groq:x', provider='gw')


@pytest.mark.parametrize('spec', [':x', 'groq:', 'groq: '])
def test_malformed_model_names_are_usage_errors(spec: str) -> None:
    with pytest.raises(CliError, match='provider:model-name'):
        split_model(spec, lambda: 'groq')


def test_help_is_printed_to_stdout_with_exit_status_0() -> None:
    result = pai(['--help'])
    assert result.status == 0
    assert 'usage: pai' in result.stdout
    assert '--timeout SECONDS' in result.stdout
    assert 'PAI_MODEL' in result.stdout
    assert 'GROQ' not in result.stdout  # the core's command names no provider
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert result.stderr == ''


def test_parse_errors_are_one_line_on_stderr_with_status_2() -> None:
    result = pai(['--temperature', '9', 'q'])
    assert result.status == 2
    assert result.stderr.startswith('pai: argument -t/--temperature: must be between 0 and 2')
    assert result.stderr.count('\n') == 1


def test_version() -> None:
    result = pai(['--version'])
    assert result.status == 0
    assert re.fullmatch(r'pai \S+ \(pydantic-ai-core \S+, pydantic-ai-groq \S+\)\n', result.stdout)


# Asking, in process


def test_answer_is_streamed_as_plain_text_when_stdout_is_not_a_terminal(mock: GroqFake) -> None:
    result = pai(
        ['Say', 'hello', '--system', 'Be brief.', '-t', '0.2', '--max-tokens', '20'], provider=provider_of(mock)
    )

    assert result.status == 0, result.stderr
    assert result.stdout == 'Hello **world**\n'  # raw text: no Markdown rendering, no usage line when piped
    assert result.stderr == ''
    assert mock.body['messages'] == [
        {'role': 'system', 'content': 'Be brief.'},
        {'role': 'user', 'content': 'Say hello'},
    ]
    assert (mock.body['temperature'], mock.body['max_tokens'], mock.body['stream']) == (0.2, 20, True)
    assert mock.body['model'] == 'openai/gpt-oss-120b'  # Groq's default model


def test_piped_stdin_is_added_after_the_prompt(mock: GroqFake) -> None:
    result = pai(['summarise this'], stdin='line one\nline two\n', provider=provider_of(mock))
    assert result.status == 0, result.stderr
    assert mock.body['messages'] == [{'role': 'user', 'content': 'summarise this\n\nline one\nline two\n'}]


def test_piped_stdin_alone_is_the_prompt(mock: GroqFake) -> None:
    result = pai([], stdin='just this', provider=provider_of(mock))
    assert result.status == 0, result.stderr
    assert mock.body['messages'] == [{'role': 'user', 'content': 'just this'}]


def test_model_option_picks_the_model(mock: GroqFake) -> None:
    assert pai(['-m', 'groq:llama-3.1-8b-instant', 'q'], provider=provider_of(mock)).status == 0
    assert mock.body['model'] == 'llama-3.1-8b-instant'


def test_no_prompt_and_nothing_piped_is_a_usage_error(mock: GroqFake) -> None:
    result = pai([], stdin='', provider=provider_of(mock))
    assert result.status == 2
    assert result.stderr == (
        'pai: no prompt: give one as an argument (`pai "question"`), pipe text in, or run `pai` on a terminal to chat\n'
    )
    assert mock.requests == []


def test_json_prints_the_final_response_and_usage(mock: GroqFake) -> None:
    result = pai(['--json', 'q'], provider=provider_of(mock))

    assert result.status == 0, result.stderr
    data = json.loads(result.stdout)
    assert data['model'] == 'groq:openai/gpt-oss-120b'
    assert data['response']['kind'] == 'response'
    assert data['response']['parts'] == [{'content': 'Hello **world**', 'part_kind': 'text'}]
    assert data['response']['model_name'] == 'openai/gpt-oss-120b'  # as the stream named it
    assert data['usage']['request_tokens'] == 12
    assert data['usage']['response_tokens'] == 3
    assert result.stdout.count('\n') == 1


def test_json_output_round_trips_through_the_messages_type_adapter(mock: GroqFake) -> None:
    from pydantic_ai.messages import ModelMessagesTypeAdapter, ModelResponse, TextPart

    data = json.loads(pai(['--json', 'q'], provider=provider_of(mock)).stdout)
    [response] = ModelMessagesTypeAdapter.validate_python([data['response']])
    assert isinstance(response, ModelResponse)
    assert response.parts == [TextPart('Hello **world**')]


def test_model_of_another_provider_with_an_injected_provider_is_a_usage_error(mock: GroqFake) -> None:
    result = pai(['-m', 'other:m', 'q'], provider=provider_of(mock))
    assert result.status == 2
    assert "this session uses provider 'groq'; give a model name alone" in result.stderr


def test_unknown_provider_is_a_usage_error_listing_the_known_ones() -> None:
    result = pai(['--provider', 'nonexistent', 'q'])
    assert result.status == 2
    assert result.stderr.startswith("pai: Unknown provider 'nonexistent'. Available providers: ")
    assert "'groq'" in result.stderr


# Errors: one line and a non-zero exit status


def error_body(message: str, code: str) -> dict[str, Any]:
    return {'error': {'message': message, 'type': 'invalid_request_error', 'code': code}}


HTTP_ERRORS = [
    pytest.param(
        httpx.Response(401, json=error_body('Invalid API Key', 'invalid_api_key')),
        [],
        'pai: the API key was rejected (HTTP 401: Invalid API Key); check GROQ_API_KEY\n',
        id='401',
    ),
    pytest.param(
        httpx.Response(404, json=error_body('The model `openai/gpt-oss-120` does not exist', 'model_not_found')),
        ['-m', 'openai/gpt-oss-120'],
        "pai: model 'openai/gpt-oss-120' was not found (HTTP 404); did you mean 'openai/gpt-oss-120b'?; "
        '`pai models` lists known model names\n',
        id='404-suggestion',
    ),
    pytest.param(
        httpx.Response(404, json=error_body('does not exist', 'model_not_found')),
        ['-m', 'zzz'],
        "pai: model 'zzz' was not found (HTTP 404); `pai models` lists known model names\n",
        id='404-no-suggestion',
    ),
    pytest.param(
        httpx.Response(429, json=error_body('Rate limit reached', 'rate_limit_exceeded'), headers={'retry-after': '7'}),
        [],
        'pai: rate limited by the API (HTTP 429: Rate limit reached); retry after 7 s\n',
        id='429',
    ),
    pytest.param(
        httpx.Response(429, json=error_body('Rate limit reached', 'rate_limit_exceeded')),
        [],
        'pai: rate limited by the API (HTTP 429: Rate limit reached); wait a little and try again\n',
        id='429-no-retry-after',
    ),
    pytest.param(
        httpx.Response(503, json=error_body('Service Unavailable', 'unavailable')),
        [],
        'pai: the API failed (HTTP 503: Service Unavailable); try again later\n',
        id='503',
    ),
    pytest.param(
        httpx.Response(400, json=error_body('max_tokens is too large', 'invalid')),
        [],
        'pai: the API refused the request (HTTP 400: max_tokens is too large)\n',
        id='400',
    ),
]


@pytest.mark.parametrize(('response', 'argv', 'line'), HTTP_ERRORS)
def test_http_errors_are_one_friendly_line_with_status_1(response: httpx.Response, argv: list[str], line: str) -> None:
    groq_mock = GroqFake(responder=response)
    try:
        result = pai([*argv, 'q'], provider=provider_of(groq_mock))
    finally:
        asyncio.run(groq_mock.aclose())
    assert (result.status, result.stderr, result.stdout) == (1, line, '')


def raise_connect_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError('Connection refused', request=request)


def raise_read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout('timed out', request=request)


@pytest.mark.parametrize(
    ('responder', 'start'),
    [
        (raise_connect_error, "pai: could not reach the API of provider 'groq' (The connection to Groq"),
        (raise_read_timeout, "pai: the request timed out (The request to Groq for model 'openai/gpt-oss-120b'"),
    ],
    ids=['connection', 'timeout'],
)
def test_network_errors_are_one_friendly_line_with_status_1(responder: Any, start: str) -> None:
    groq_mock = GroqFake(responder=responder)
    try:
        result = pai(['q'], provider=provider_of(groq_mock))
    finally:
        asyncio.run(groq_mock.aclose())
    assert result.status == 1
    assert result.stderr.startswith(start)
    assert result.stderr.count('\n') == 1
    assert 'check your network connection' in result.stderr


def test_debug_adds_the_traceback() -> None:
    groq_mock = GroqFake(responder=httpx.Response(401, json=error_body('Invalid API Key', 'invalid_api_key')))
    try:
        result = pai(['--debug', 'q'], provider=provider_of(groq_mock))
    finally:
        asyncio.run(groq_mock.aclose())
    assert result.status == 1
    assert result.stderr.startswith('Traceback (most recent call last):')
    assert 'pydantic_ai.exceptions.ModelHTTPError' in result.stderr
    assert result.stderr.endswith('pai: the API key was rejected (HTTP 401: Invalid API Key); check GROQ_API_KEY\n')


def test_missing_api_key_names_the_provider_and_its_variable_with_status_2(tmp_path: Path) -> None:
    result = pai_process(['hello'], env=clean_env(HOME=str(tmp_path)))
    assert result.returncode == 2
    assert result.stdout == ''
    assert result.stderr == (
        "pai: no API key for provider 'groq': set the GROQ_API_KEY environment variable "
        '(create one at https://console.groq.com/keys), e.g. `export GROQ_API_KEY=...`\n'
    )
    # No advice to run `make demo` "in a clone" (pip users have none), no Groq-style key example.
    assert 'make demo' not in result.stderr
    assert 'gsk_' not in result.stderr


def test_interrupt_exits_130_and_closes_the_stream(tmp_path: Path) -> None:
    with GroqTestServer() as server:
        server.enqueue(streamed_text(['first words ', 'never sent']).with_stall_after(3, 30))
        env = clean_env(GROQ_API_KEY='gsk-test', GROQ_BASE_URL=server.base_url, HOME=str(tmp_path))
        process = interruptible_popen(
            [sys.executable, '-m', 'pydantic_ai', 'q'],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        try:
            assert process.stdout is not None
            assert process.stdout.read(len('first words ')) == 'first words '
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=20)
        finally:
            process.kill()
        assert process.returncode == 130
        assert stderr == 'pai: interrupted\n'
        assert server.wait_for_disconnect(timeout=10)


# End to end: piping into the installed command against the local test server


def test_piped_stdin_and_prompt_reach_the_server_end_to_end(tmp_path: Path) -> None:
    with GroqTestServer() as server:  # answers by echoing the last user message, streamed
        env = clean_env(GROQ_API_KEY='gsk-test', GROQ_BASE_URL=server.base_url, HOME=str(tmp_path))
        result = pai_process(['--model', 'groq:llama-3.1-8b-instant', 'summarise:'], env=env, stdin='the text\n')
        assert result.returncode == 0, result.stderr
        assert result.stdout == 'summarise:\n\nthe text\n'  # the echo of what was sent, ending in its own newline
        assert result.stderr == ''
        [request] = server.requests
        assert request.json['model'] == 'llama-3.1-8b-instant'
        assert request.json['messages'] == [{'role': 'user', 'content': 'summarise:\n\nthe text\n'}]
        assert request.json['stream'] is True
        assert request.headers['authorization'] == 'Bearer gsk-test'


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / 'pai'
    if not script.exists():
        pytest.skip('the `pai` script is not installed in this environment (run `make install`)')
    result = subprocess.run([str(script), '--version'], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith('pai ')


# The offline replay


def recorded_stream_usage() -> dict[str, int]:
    body = yaml.safe_load(STREAMED.read_text())['interactions'][0]['response']['body']['string']
    usage: dict[str, int] = {}
    for line in body.splitlines():
        if line.startswith('data: {'):
            usage = (json.loads(line[len('data: ') :]).get('x_groq') or {}).get('usage') or usage
    return usage


def test_replay_demo_streams_the_recorded_answer_offline_without_a_key() -> None:
    result = pai_process(['--replay', str(STREAMED)], env={'PATH': '', 'HOME': str(ROOT)})

    assert result.returncode == 0, result.stderr
    assert result.stderr == ''
    assert result.stdout == (
        f'model: groq:llama-3.3-70b-versatile · replayed offline, no key · from {STREAMED.name}\n'
        'you> Suggest a name for a cafe run by cats, and say why in one short sentence.\n'
        f'{STREAMED_ANSWER}\n'
    )


def test_replay_json_prints_the_recorded_response_and_usage() -> None:
    result = pai_process(['--replay', str(STREAMED), '--json'], env={'PATH': '', 'HOME': str(ROOT)})

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data['response']['parts'] == [{'content': STREAMED_ANSWER, 'part_kind': 'text'}]
    usage = recorded_stream_usage()
    assert data['usage']['request_tokens'] == usage['prompt_tokens']
    assert data['usage']['response_tokens'] == usage['completion_tokens']


def test_replay_of_a_tool_round_trip_shows_the_call_the_result_and_the_answer() -> None:
    result = pai(['--replay', str(TOOL_ROUND_TRIP)])

    assert result.status == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        'you> Is the Museum of Clocks open on Tuesday? If so, until what time?',
        '[tool call] get_opening_hours({"museum":"Museum of Clocks","weekday":"Tuesday"})',
        'tool> get_opening_hours returned {"open":true,"from":"10:00","until":"18:30"}',
        'Yes, the Museum of Clocks is open on Tuesday, from 10:00 until 18:30.',
    ]


def test_replayed_404_suggests_running_pai_models() -> None:
    result = pai(['--replay', str(NOT_FOUND)])
    assert result.status == 1
    assert result.stderr == (
        "pai: model 'llama-5-imaginary-405b' was not found (HTTP 404); `pai models` lists known model names\n"
    )


def test_replayed_429_shows_the_recorded_retry_after() -> None:
    result = pai(['--replay', str(RATE_LIMITED)])
    assert result.status == 1
    assert result.stderr.startswith('pai: rate limited by the API (HTTP 429: Rate limit reached for model')
    assert result.stderr.endswith('; retry after 1 s\n')


def test_replay_of_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = pai(['--replay', str(tmp_path / 'missing.yaml')])
    assert result.status == 2
    assert result.stderr.startswith(f"pai: cannot read the recording '{tmp_path / 'missing.yaml'}'")


@pytest.mark.parametrize(
    ('text', 'message'),
    [
        ('interactions: [', 'is not valid YAML'),
        ('just: a mapping\n', 'is not a vcrpy cassette'),
        ('interactions:\n- request: {}\n', 'holds an interaction vcrpy did not write'),
    ],
)
def test_replay_of_something_not_a_cassette_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / 'bad.yaml'
    path.write_text(text)
    result = pai(['--replay', str(path)])
    assert result.status == 2
    assert message in result.stderr


def write_cassette(path: Path, prompts: Sequence[str], answers: Sequence[str]) -> Path:
    """A cassette of streamed turns in vcrpy's format: each request carries the conversation so far."""
    interactions = []
    messages: list[dict[str, str]] = []
    for prompt, answer in zip(prompts, answers, strict=True):
        messages.append({'role': 'user', 'content': prompt})
        body = {'messages': list(messages), 'model': 'llama-3.1-8b-instant', 'n': 1, 'stream': True}
        frames = [
            wire.chat_completion_chunk({'content': answer}),
            wire.chat_completion_chunk(
                {},
                finish_reason='stop',
                x_groq={'id': 'req_test', 'usage': wire.usage_body(len(messages), 1, timings=False)},
            ),
        ]
        sse = ''.join(f'data: {json.dumps(f)}\n\n' for f in frames) + 'data: [DONE]\n\n'
        interactions.append(
            {
                'request': {
                    'body': json.dumps(body),
                    'headers': {},
                    'method': 'POST',
                    'uri': 'https://api.groq.com/openai/v1/chat/completions',
                },
                'response': {
                    'body': {'string': sse},
                    'headers': {'content-type': ['text/event-stream'], 'content-encoding': ['gzip']},
                    'status': {'code': 200, 'message': 'OK'},
                },
            }
        )
        messages.append({'role': 'assistant', 'content': answer})
    path.write_text(yaml.safe_dump({'interactions': interactions, 'version': 1}))
    return path


def test_replay_of_a_multi_turn_cassette_keeps_the_conversation(tmp_path: Path) -> None:
    cassette = write_cassette(tmp_path / 'chat.yaml', ['Hi', 'And then?'], ['Hello!', 'Then this.'])
    result = pai(['--replay', str(cassette), '--system', 'Be brief.'])
    assert result.status == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ['you> Hi', 'Hello!', 'you> And then?', 'Then this.']


class HostedGateway:
    """A second provider, at a base URL of its own; created with a key and a client as `pai --replay` does."""

    base_url_default = 'https://gateway.example.com/v1'

    def __init__(self, *, api_key: str | None = None, http_client: Any = None) -> None:
        self.api_key = api_key

    @property
    def name(self) -> str:
        return 'gw'

    @property
    def base_url(self) -> str:
        return self.base_url_default

    @property
    def client(self) -> object:
        return object()


@pytest.fixture
def two_providers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The installed Groq plugin and a second provider registered at run time, in a registry of the test's own."""
    from pydantic_ai.registry import ProviderRegistry, use_registry

    for name in ('PAI_MODEL', 'GROQ_BASE_URL'):
        monkeypatch.delenv(name, raising=False)
    with use_registry(ProviderRegistry()) as registry:
        registry.register('gw', HostedGateway)
        yield registry


def test_replay_picks_the_installed_provider_whose_base_url_the_recording_was_sent_to(two_providers: Any) -> None:
    prompt = pai(['hello'])
    assert prompt.status == 2 and prompt.stderr.startswith('pai: several providers are installed (groq, gw)')

    result = pai(['--replay', str(STREAMED)])  # recorded at https://api.groq.com/openai/v1/chat/completions

    assert result.status == 0, result.stderr
    assert result.stdout.startswith('model: groq:llama-3.3-70b-versatile · replayed offline, no key')
    assert result.stdout.endswith(f'{STREAMED_ANSWER}\n')


def test_replay_matching_no_provider_or_two_equally_still_asks_for_a_choice(
    two_providers: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / 'elsewhere.yaml'
    elsewhere.write_text(STREAMED.read_text().replace('https://api.groq.com/', 'https://other.example.com/'))
    assert pai(['--replay', str(elsewhere)]).stderr.startswith('pai: several providers are installed (groq, gw)')

    monkeypatch.setattr(HostedGateway, 'base_url_default', 'https://api.groq.com')  # the same base URL as groq
    assert pai(['--replay', str(STREAMED)]).stderr.startswith('pai: several providers are installed (groq, gw)')
    chosen = pai(['--replay', str(STREAMED), '--provider', 'groq'])
    assert chosen.status == 0, chosen.stderr

    monkeypatch.setattr(HostedGateway, 'base_url_default', 'https://api.groq.com/openai')  # nested: the longer wins
    nested = pai(['--replay', str(STREAMED)])
    assert nested.status == 2  # gw replays it, and gw builds no models: the recording went to its base URL
    assert "The plugin of provider 'gw' does not build models from a name" in nested.stderr


def test_replay_without_pyyaml_says_what_to_install(tmp_path: Path) -> None:
    code = f"""
import sys
sys.modules['yaml'] = None
from pydantic_ai.cli import main
sys.exit(main(['--replay', {str(STREAMED)!r}]))
"""
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=clean_env(), timeout=60)
    assert result.returncode == 2
    assert result.stderr == "pai: --replay needs PyYAML to read cassettes: pip install 'pydantic-ai-core[cli]'\n"


# Listings


def test_providers_lists_the_groq_plugin() -> None:
    result = pai(['providers'])
    assert result.status == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ['NAME', 'DISTRIBUTION', 'VERSION', 'STATUS']
    groq = next(line for line in lines if line.startswith('groq '))
    assert groq.split()[1:] == ['pydantic-ai-groq', pytest.importorskip('pydantic_ai_groq').__version__, 'loaded']


def test_providers_shows_a_broken_plugin_with_its_error_instead_of_crashing(tmp_path: Path) -> None:
    write_distribution(
        tmp_path,
        'broken-provider',
        version='2.0.0',
        providers={'brokenxyz': 'brokenxyz_plugin'},
        files={'brokenxyz_plugin.py': 'raise RuntimeError("this plugin is broken on purpose")\n'},
    )
    result = pai_process(['providers'], env=clean_env(PYTHONPATH=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    broken = next(line for line in result.stdout.splitlines() if line.startswith('brokenxyz '))
    assert broken.split()[1:4] == ['broken-provider', '2.0.0', 'broken:']
    assert 'this plugin is broken on purpose' in broken
    assert any(
        line.split()[:4] == ['groq', 'pydantic-ai-groq', '0.1.0', 'loaded'] for line in result.stdout.splitlines()
    )


def test_providers_json() -> None:
    result = pai(['providers', '--json'])
    assert result.status == 0
    groq = next(p for p in json.loads(result.stdout) if p['name'] == 'groq')
    assert groq['distribution'] == 'pydantic-ai-groq'
    assert groq['status'] == 'loaded'
    assert groq['error'] is None


def groq_current_names() -> list[str]:
    from pydantic_ai_groq.model_names import served_models

    return [info.name for info in served_models()]


def groq_listed_retired_names() -> list[str]:
    """The retired names the built-in list shows: those `LatestGroqModelNames` keeps."""
    from typing import get_args

    from pydantic_ai_groq.model_names import LatestGroqModelNames

    current = set(groq_current_names())
    return [name for name in get_args(LatestGroqModelNames) if name not in current]


def test_models_without_a_key_lists_the_built_in_names_chat_first_then_the_retired_ones_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv('GROQ_API_KEY', raising=False)
    result = pai(['models'])

    assert result.status == 0
    rows = [line.split('\t') for line in result.stdout.splitlines()]
    assert all(len(row) == 3 for row in rows)  # `name<TAB>kind<TAB>note`: `cut -f1` gives the names
    served = [row for row in rows if row[1] != 'inactive']
    retired = rows[len(served) :]
    assert sorted(name for name, _, _ in served) == sorted(groq_current_names())
    assert sorted(name for name, _, _ in retired) == sorted(groq_listed_retired_names())
    assert all(kind == 'inactive' for _, kind, _ in retired)  # after every served model
    kinds = [kind for _, kind, _ in served]
    chat_count = kinds.count('chat')
    assert kinds[:chat_count] == ['chat'] * chat_count  # chat models first, then the others
    by_name = {name: (kind, note) for name, kind, note in rows}
    assert by_name['openai/gpt-oss-120b'] == ('chat', 'production')
    assert by_name['qwen/qwen3.8-27b'] == ('chat', 'preview')
    assert by_name['minimaxai/minimax-m2.7'] == ('chat', 'preview: enterprise only')
    assert by_name['whisper-large-v3'] == ('speech-to-text', 'production')
    assert by_name['canopylabs/orpheus-v1-english'] == ('text-to-speech', 'preview')
    assert by_name['meta-llama/llama-prompt-guard-2-86m'] == ('safety classifier', 'preview')
    assert by_name['llama-3.3-70b-versatile'] == ('inactive', 'retired 2026-08-16: use openai/gpt-oss-120b')
    assert by_name['llama-3.1-8b-instant'] == ('inactive', 'retired 2026-08-16: use openai/gpt-oss-20b')
    assert by_name['qwen/qwen3-32b'] == ('inactive', 'retired 2026-07-17: use openai/gpt-oss-120b')
    # Followed through a replacement retired in turn: gemma2-9b-it -> llama-3.1-8b-instant -> openai/gpt-oss-20b.
    assert by_name['gemma2-9b-it'] == ('inactive', 'retired 2025-10-08: use openai/gpt-oss-20b')
    assert by_name['groq/compound'] == ('inactive', 'retired 2026-09-21: no replacement named')
    assert 'qwen/qwen3.6-27b' not in by_name  # retired, but never in `LatestGroqModelNames`: errors know it
    assert result.stderr == "pai: built-in list of groq's models: set GROQ_API_KEY to ask the API\n"


def test_models_json_gives_each_kind_note_and_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('GROQ_API_KEY', raising=False)
    data = json.loads(pai(['models', '--json']).stdout)
    assert (data['provider'], data['source']) == ('groq', 'built-in')
    by_name = {m['name']: m for m in data['models']}
    assert by_name['whisper-large-v3-turbo'] == {
        'name': 'whisper-large-v3-turbo',
        'kind': 'speech-to-text',
        'chat': False,
        'note': 'production',
    }
    assert by_name['qwen/qwen3.8-27b']['chat'] is True
    assert by_name['llama-3.3-70b-versatile'] == {
        'name': 'llama-3.3-70b-versatile',
        'kind': 'inactive',
        'chat': False,
        'note': 'retired 2026-08-16: use openai/gpt-oss-120b',
    }


def test_models_with_a_key_asks_the_models_endpoint(tmp_path: Path) -> None:
    from pydantic_ai_groq.testing import MODELS_PATH, json_response, wire

    with GroqTestServer() as server:
        server.enqueue(
            json_response(
                wire.model_list(['zeta-chat-model', 'whisper-large-v3', 'acme/tts-voice'], inactive=['old-chat-model'])
            )
        )
        env = clean_env(GROQ_API_KEY='gsk-models-key', GROQ_BASE_URL=server.base_url, HOME=str(tmp_path))
        result = pai_process(['models'], env=env)
        json_result = pai_process(['models', '--json'], env=env)  # the server's own list this time

    assert result.returncode == 0, result.stderr
    # The plugin's notes go beside the names it knows (`whisper-large-v3`); the others get an empty note.
    assert result.stdout.splitlines() == [
        'zeta-chat-model\tchat\t',
        'acme/tts-voice\ttext-to-speech\t',
        'old-chat-model\tinactive\t',
        'whisper-large-v3\tspeech-to-text\tproduction',
    ]
    assert result.stderr == ''  # the API answered: nothing to warn about
    first = server.requests[0]
    assert (first.method, first.path) == ('GET', MODELS_PATH)
    assert first.headers['authorization'] == 'Bearer gsk-models-key'
    data = json.loads(json_result.stdout)
    assert data['source'] == 'api'
    assert {m['name'] for m in data['models']} == set(groq_current_names())
    assert not [m for m in data['models'] if m['kind'] == 'inactive']  # the API lists only what it serves


def test_models_falls_back_to_the_built_in_list_when_the_endpoint_fails(tmp_path: Path) -> None:
    from pydantic_ai_groq.testing import http_error

    with GroqTestServer() as server:
        server.enqueue(http_error(500, 'boom'))
        env = clean_env(GROQ_API_KEY='gsk-models-key', GROQ_BASE_URL=server.base_url, HOME=str(tmp_path))
        result = pai_process(['models'], env=env)

    assert result.returncode == 0, result.stderr
    rows = [line.split('\t') for line in result.stdout.splitlines()]
    assert sorted(name for name, kind, _ in rows if kind != 'inactive') == sorted(groq_current_names())
    assert sorted(name for name, kind, _ in rows if kind == 'inactive') == sorted(groq_listed_retired_names())
    assert result.stderr.startswith("pai: built-in list of groq's models: the API could not be asked: ")
    assert 'HTTP 500' in result.stderr
    assert 'gsk-models-key' not in result.stderr


# Packaging


@pytest.mark.parametrize('module', ['pydantic_ai', 'pydantic_ai_groq'])
def test_importing_the_core_or_the_plugin_imports_neither_the_cli_nor_rich(module: str) -> None:
    # httpx imports its own command line (click, rich, pygments) whenever click is installed, as it is in the dev
    # environment (dbos needs it): click is blocked so that only this project's imports are seen.
    code = (
        f'import sys; sys.modules["click"] = None; import {module}; '
        'print(sorted(m for m in ("pydantic_ai.cli", "rich", "yaml") if m in sys.modules))'
    )
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == '[]\n'


def test_the_cli_imports_neither_the_groq_plugin_nor_the_groq_sdk() -> None:
    sources = sorted((ROOT / 'src' / 'pydantic_ai' / 'cli').glob('*.py'))
    assert len(sources) >= 9
    for source in sources:
        assert not re.search(r'^\s*(from|import)\s+(groq|pydantic_ai_groq)\b', source.read_text(), re.M), source


def test_python_m_pydantic_ai_groq_is_an_alias_of_python_m_pydantic_ai() -> None:
    alias = subprocess.run([sys.executable, '-m', 'pydantic_ai_groq', '--version'], capture_output=True, text=True)
    core = subprocess.run([sys.executable, '-m', 'pydantic_ai', '--version'], capture_output=True, text=True)
    assert alias.returncode == core.returncode == 0
    assert alias.stdout == core.stdout


def test_main_takes_argv_and_returns_the_status() -> None:
    assert main(['--version']) == 0


# Interactive mode, through a pseudo-terminal


class Terminal:
    """A subprocess whose stdin, stdout and stderr are a pseudo-terminal, 120 columns wide unless told."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], *, columns: int = 120) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack('HHHH', 40, columns, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'pydantic_ai', *argv],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**env, 'COLUMNS': str(columns), 'TERM': 'xterm-256color'},
            cwd=ROOT,
            close_fds=True,
        )
        os.close(slave)
        self._raw = b''
        self._ended = False
        self._closed = False

    @property
    def output(self) -> str:
        """Everything written so far, without ANSI sequences and carriage returns."""
        return ANSI.sub('', self._raw.decode('utf-8', 'replace')).replace('\r', '')

    def _read(self, deadline: float) -> bool:
        """Read what is available before `deadline`; `False` once the terminal has no more to give."""
        ready, _, _ = select.select([self.master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the child closed its end
            data = b''
        self._raw += data
        self._ended = not data
        return not self._ended

    def read_until(self, text: str, timeout: float = 20) -> str:
        """Read until `text` appears after what earlier calls returned; return the new output."""
        start = len(self.output)
        deadline = time.monotonic() + timeout
        while text not in self.output[start:]:
            if self._ended or time.monotonic() > deadline:
                raise AssertionError(f'{text!r} did not appear; output:\n{self.output}')
            self._read(deadline)
        return self.output[start:]

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait(self, timeout: float = 20) -> int:
        """Read the rest of the output, and return the exit status."""
        deadline = time.monotonic() + timeout
        while not self._ended and time.monotonic() < deadline:
            self._read(deadline)
        return self.process.wait(timeout=max(0.1, deadline - time.monotonic()))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


def shouting(request: RecordedRequest) -> ScriptedResponse:
    """Answer with the last user message in capitals, and how many messages the request carried."""
    messages = request.json['messages']
    return streamed_text([f'{messages[-1]["content"].upper()} ', f'({len(messages)} messages)'])


@pytest.fixture
def chat_server(tmp_path: Path) -> Iterator[tuple[GroqTestServer, dict[str, str]]]:
    with GroqTestServer(default=shouting) as server:
        history = tmp_path / 'history'
        yield (
            server,
            clean_env(
                GROQ_API_KEY='gsk-test',
                GROQ_BASE_URL=server.base_url,
                HOME=str(tmp_path),
                PAI_HISTORY_FILE=str(history),
            ),
        )


def test_interactive_chat_keeps_history_and_handles_clear_model_and_exit(
    chat_server: tuple[GroqTestServer, dict[str, str]], tmp_path: Path
) -> None:
    server, env = chat_server
    terminal = Terminal(['--system', 'Be brief.'], env)
    try:
        terminal.read_until('you> ')
        terminal.send('first question\r')
        assert 'FIRST QUESTION (2 messages)' in terminal.read_until('you> ')

        terminal.send('/model llama-3.1-8b-instant\r')
        assert 'Model: groq:llama-3.1-8b-instant' in terminal.read_until('you> ')
        terminal.send('second\r')
        assert 'SECOND (4 messages)' in terminal.read_until('you> ')

        terminal.send('/clear\r')
        assert 'Conversation cleared.' in terminal.read_until('you> ')
        terminal.send('third\r')
        assert 'THIRD (2 messages)' in terminal.read_until('you> ')

        terminal.send('\x1b[A\r')  # arrow up: the previous line again, from readline's history
        assert 'THIRD (4 messages)' in terminal.read_until('you> ')

        terminal.send('/nonsense\r')
        assert 'Unknown command /nonsense.' in terminal.read_until('you> ')
        terminal.send('/exit\r')
        assert terminal.wait() == 0
    finally:
        terminal.close()

    bodies = [request.json for request in server.requests]
    assert [b['model'] for b in bodies] == ['openai/gpt-oss-120b'] + ['llama-3.1-8b-instant'] * 3
    assert bodies[0]['messages'] == [
        {'role': 'system', 'content': 'Be brief.'},
        {'role': 'user', 'content': 'first question'},
    ]
    assert [m['content'] for m in bodies[1]['messages']] == [
        'Be brief.',
        'first question',
        'FIRST QUESTION (2 messages)',
        'second',
    ]
    assert [m['content'] for m in bodies[2]['messages']] == ['Be brief.', 'third']
    assert [m['content'] for m in bodies[3]['messages']] == ['Be brief.', 'third', 'THIRD (2 messages)', 'third']
    assert (tmp_path / 'history').read_text().splitlines()[-3:] == ['third', '/nonsense', '/exit']
    assert 'tokens in, ' in terminal.output  # usage and timing after each answer on a terminal


def test_interactive_chat_ends_with_ctrl_d_and_reports_errors_without_leaving(
    chat_server: tuple[GroqTestServer, dict[str, str]],
) -> None:
    from pydantic_ai_groq.testing import http_error

    server, env = chat_server
    # The SDK retries a 429 twice (after `retry-after`) before giving up; all three attempts are refused.
    server.enqueue(http_error(429, 'Slow down', retry_after=0.1).repeat(3))
    terminal = Terminal(['--quiet'], env)
    try:
        terminal.read_until('you> ')
        terminal.send('hello\r')
        assert 'pai: rate limited by the API (HTTP 429: Slow down); retry after 0.1 s' in terminal.read_until('you> ')
        terminal.send('hello again\r')
        answer = terminal.read_until('you> ')
        assert 'HELLO AGAIN (1 messages)' in answer  # the failed turn was not kept in the conversation
        assert 'tokens in' not in answer  # --quiet
        terminal.send('\x04')  # Ctrl-D
        assert terminal.wait() == 0
    finally:
        terminal.close()


def test_interactive_replay_answers_typed_prompts_from_the_recording(tmp_path: Path) -> None:
    cassette = write_cassette(tmp_path / 'chat.yaml', ['Hi', 'More?'], ['Hello from the recording.', 'That is all.'])
    terminal = Terminal(['--replay', str(cassette), '-i'], clean_env(HOME=str(tmp_path)))
    try:
        assert 'model: groq:llama-3.1-8b-instant' in terminal.read_until('you> ')
        terminal.send('anything\r')
        assert 'Hello from the recording.' in terminal.read_until('you> ')
        terminal.send('/model groq:gemma2-9b-it\r')
        assert 'Model: groq:gemma2-9b-it' in terminal.read_until('you> ')
        terminal.send('next\r')
        assert 'That is all.' in terminal.read_until('you> ')
        terminal.send('one more\r')
        assert 'pai: the recording has no more answers: it holds 2, all replayed already' in terminal.read_until(
            'you> '
        )
        terminal.send('/quit\r')
        assert terminal.wait() == 0
    finally:
        terminal.close()


def test_replay_on_a_terminal_renders_markdown_and_shows_usage(tmp_path: Path) -> None:
    terminal = Terminal(['--replay', str(STREAMED)], clean_env(HOME=str(tmp_path)))
    try:
        answer = terminal.read_until('It is playful, short and easy to remember.')
        assert 'How about "Whisker' in answer  # re-rendered live as the events arrive
        assert terminal.wait() == 0
        usage = recorded_stream_usage()
        assert f'{usage["prompt_tokens"]} tokens in, {usage["completion_tokens"]} out · ' in terminal.output
    finally:
        terminal.close()


def test_without_rich_a_terminal_gets_plain_text(tmp_path: Path) -> None:
    code = f"""
import sys
sys.modules['rich'] = None
from pydantic_ai.cli import main
sys.exit(main(['--replay', {str(STREAMED)!r}]))
"""
    master, slave = os.openpty()
    process = subprocess.Popen(
        [sys.executable, '-c', code], stdin=slave, stdout=slave, stderr=slave, env=clean_env(HOME=str(tmp_path))
    )
    os.close(slave)
    output = b''
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 30)
            assert ready, output
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            output += data
        assert process.wait(timeout=20) == 0
    finally:
        process.kill()
        os.close(master)
    text = output.decode().replace('\r\n', '\n')
    assert '\x1b[' not in text
    assert f'{STREAMED_ANSWER}\n' in text
    assert 'tokens in, ' in text


def models_on_a_terminal(tmp_path: Path, columns: int) -> list[str]:
    terminal = Terminal(['models'], clean_env(HOME=str(tmp_path)), columns=columns)
    try:
        assert terminal.wait() == 0
    finally:
        terminal.close()
    return [line.rstrip() for line in terminal.output.splitlines() if line.strip()]


def test_models_on_an_80_column_terminal_say_each_kind_note_and_the_default_and_never_cut_a_name(
    tmp_path: Path,
) -> None:
    lines = models_on_a_terminal(tmp_path, 80)
    # A row starts at column 0; a note too long for its column continues on indented lines below it.
    rows = {line.split()[0]: ' '.join(line.split()[1:]) for line in lines if not line.startswith(' ')}
    assert rows['MODEL'] == 'KIND NOTE'
    assert rows['openai/gpt-oss-120b'] == 'chat (default) production'
    assert rows['qwen/qwen3.8-27b'] == 'chat preview'
    assert rows['whisper-large-v3'] == 'speech-to-text production'
    assert rows['NO'] == 'LONGER SERVED NOTE'  # the retired models: a table of their own, after the others
    assert set(groq_current_names() + groq_listed_retired_names()) <= set(rows)  # every name whole, never cut
    header = next(i for i, line in enumerate(lines) if line.startswith('NO LONGER SERVED'))
    current = set(groq_current_names())
    assert max(i for i, line in enumerate(lines) if not line.startswith(' ') and line.split()[0] in current) < header
    # The footer's phrases do not fit one 80-column line: it breaks between them, never inside one.
    assert lines[-2:] == [
        "built-in list of groq's models · set GROQ_API_KEY to ask the API",
        'other names groq serves work too: `pai -m groq:<name>`',
    ]
    assert all(len(line) <= 80 for line in lines)


def test_models_on_a_120_column_terminal_give_each_retired_model_one_line_with_its_replacement(tmp_path: Path) -> None:
    lines = models_on_a_terminal(tmp_path, 120)
    assert not [line for line in lines if line.startswith(' ')]  # nothing wraps: one line per model
    retired = next(i for i, line in enumerate(lines) if line.startswith('NO LONGER SERVED'))
    rows = {line.split()[0]: ' '.join(line.split()[1:]) for line in lines[retired + 1 : -2]}
    assert list(rows) == groq_listed_retired_names_by_date()
    assert rows['llama-3.3-70b-versatile'] == 'retired 2026-08-16: use openai/gpt-oss-120b'
    assert rows['meta-llama/llama-4-maverick-17b-128e-instruct'] == 'retired 2026-03-09: use openai/gpt-oss-120b'


def groq_listed_retired_names_by_date() -> list[str]:
    """The retired names of the built-in list in its order: the catalogue's, most recently retired first."""
    from pydantic_ai_groq.model_names import GROQ_MODELS

    listed = set(groq_listed_retired_names())
    return [info.name for info in GROQ_MODELS if info.name in listed]


def test_header_and_usage_lines_on_an_80_column_terminal_break_between_phrases(tmp_path: Path) -> None:
    terminal = Terminal(['--replay', str(STREAMED)], clean_env(HOME=str(tmp_path)), columns=80)
    try:
        assert terminal.wait() == 0
    finally:
        terminal.close()
    usage = recorded_stream_usage()
    lines = [line.rstrip() for line in terminal.output.splitlines() if line.strip()]
    assert lines[:2] == ['model: groq:llama-3.3-70b-versatile · replayed offline, no key', f'from {STREAMED.name}']
    assert (
        lines[-2] == f'llama-3.3-70b-versatile · {usage["prompt_tokens"]} tokens in, {usage["completion_tokens"]} out'
    )
    assert re.fullmatch(r'\d+\.\d\d s \(first token after \d+\.\d\d s\)', lines[-1])


# Choosing the provider: the only installed one, else the user's choice (no vendor is preferred)


class TinyProvider:
    default_model = 'tiny-1'
    api_key_env_var = 'TINY_API_KEY'

    def __init__(self, name: str = 'tiny') -> None:
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def base_url(self) -> str:
        return 'https://tiny.example.com'

    @property
    def client(self) -> object:
        return object()


def test_the_only_provider_is_the_default_and_several_need_a_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic_ai.registry import ProviderRegistry, use_registry

    monkeypatch.delenv('PAI_MODEL', raising=False)
    with use_registry(ProviderRegistry(entry_points=lambda: [])) as registry:
        with pytest.raises(CliError, match='no provider is installed') as none:
            model_spec()
        registry.register('tiny', TinyProvider)
        assert model_spec() == ('tiny', 'tiny-1')
        registry.register('groq', TinyProvider)
        with pytest.raises(CliError) as several:
            model_spec()
        assert str(several.value) == (
            'several providers are installed (groq, tiny): choose one with `--model provider:model-name` or '
            '`--provider NAME`, or set PAI_MODEL=provider:model-name'
        )
        assert model_spec(provider='tiny') == ('tiny', 'tiny-1')
        monkeypatch.setenv('PAI_MODEL', 'tiny:tiny-2')
        assert model_spec() == ('tiny', 'tiny-2')
    assert none.value.exit_code == several.value.exit_code == 2


def test_a_provider_without_a_default_model_asks_for_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic_ai.registry import ProviderRegistry, use_registry

    class Bare(TinyProvider):
        default_model = None  # type: ignore[assignment]

    monkeypatch.delenv('PAI_MODEL', raising=False)
    with use_registry(ProviderRegistry(entry_points=lambda: [])) as registry:
        registry.register('bare', Bare)
        with pytest.raises(CliError, match="provider 'bare' has no default model: name one with `--model bare:"):
            model_spec()
