"""What `pai` says when things end badly: `--timeout`, 404s that are not a missing
model, answers cut off at the token limit, `tool_use_failed` answers, messages naming the provider in use, and lines
that break between phrases rather than inside one.

In-process tests call `run()` with a provider whose client is a `GroqFake`; the end-to-end ones run
`python -m pydantic_ai` against the local `GroqTestServer`.
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from pydantic_ai.cli import run
from pydantic_ai.cli._render import wrap_phrases
from pydantic_ai_groq import GroqProvider
from pydantic_ai_groq.testing import GroqFake, GroqTestServer, ScriptedResponse, raw_sse, text_completion, wire

ROOT = Path(__file__).resolve().parents[2]


def pai_with(responder: Any, argv: Sequence[str]) -> tuple[int, str, str]:
    """Run `pai` in this process against a `GroqFake` answering with `responder`: status, stdout, stderr."""
    mock = GroqFake(responder=responder)
    out, err = io.StringIO(), io.StringIO()
    try:
        status = run(
            list(argv), stdin=io.StringIO(''), stdout=out, stderr=err, provider=GroqProvider(groq_client=mock.client)
        )
    finally:
        asyncio.run(mock.aclose())
    return status, out.getvalue(), err.getvalue()


def clean_env(**extra: str) -> dict[str, str]:
    dropped = ('GROQ_API_KEY', 'GROQ_BASE_URL', 'PYTHONPATH', 'PAI_HISTORY_FILE', 'PAI_MODEL')
    env = {k: v for k, v in os.environ.items() if k not in dropped and 'proxy' not in k.lower()}
    return {**env, **extra}


def pai_process(argv: Sequence[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, '-m', 'pydantic_ai', *argv],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
    )


def error_json(status: int, message: str, code: str, **extra: Any) -> httpx.Response:
    return httpx.Response(
        status, json={'error': {'message': message, 'type': 'invalid_request_error', 'code': code, **extra}}
    )


# --timeout


def test_timeout_option_reaches_the_provider_client(tmp_path: Path) -> None:
    with GroqTestServer() as server:
        env = clean_env(GROQ_API_KEY='gsk-test', GROQ_BASE_URL=server.base_url, HOME=str(tmp_path))
        result = pai_process(['--timeout', '7.5', 'hello'], env)
        default = pai_process(['hello'], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout == 'hello\n'
    # The SDK announces the read timeout it uses in this header: the option's, instead of the provider's default.
    assert server.requests[0].headers['x-stainless-read-timeout'] == '7.5'
    assert server.requests[1].headers['x-stainless-read-timeout'] != '7.5'
    assert default.returncode == 0, default.stderr


def test_timeout_option_ends_a_stalled_request_quickly_with_a_timeout_message(tmp_path: Path) -> None:
    with GroqTestServer() as server:
        server.enqueue(text_completion('never sent').with_stall(30).repeat(3))
        env = clean_env(GROQ_API_KEY='gsk-test', GROQ_BASE_URL=server.base_url, HOME=str(tmp_path))
        started = time.monotonic()
        result = pai_process(['--timeout', '0.3', 'hello'], env, timeout=30)
        elapsed = time.monotonic() - started

    assert result.returncode == 1
    assert result.stderr.startswith('pai: the request timed out (')
    assert result.stderr.endswith('; check your network connection, or raise --timeout\n')
    # The SDK retries twice: three 0.3 s attempts plus its back-off, far below the 30 s the server would stall.
    assert elapsed < 20


# 404s


def test_a_404_that_is_not_model_not_found_shows_the_server_message_and_the_url_called() -> None:
    response = error_json(404, 'Unknown request URL: POST /openai/v1/chat/completions.', 'unknown_url')
    status, stdout, stderr = pai_with(response, ['q'])

    assert (status, stdout) == (1, '')
    assert stderr == (
        "pai: the API of provider 'groq' answered HTTP 404 (not found) for "
        'https://api.groq.com/openai/v1/chat/completions: Unknown request URL: POST /openai/v1/chat/completions; '
        'check GROQ_BASE_URL, if set\n'
    )
    assert 'was not found' not in stderr
    assert 'did you mean' not in stderr


def test_a_wrong_base_url_end_to_end_shows_the_server_message_not_a_model_hint(tmp_path: Path) -> None:
    with GroqTestServer() as server:
        base_url = f'{server.base_url}/wrong'
        env = clean_env(GROQ_API_KEY='gsk-test', GROQ_BASE_URL=base_url, HOME=str(tmp_path))
        result = pai_process(['hello'], env)

    assert result.returncode == 1
    assert result.stderr.startswith(
        f"pai: the API of provider 'groq' answered HTTP 404 (not found) for {base_url}/openai/v1/chat/completions: "
        'Unknown request URL: POST /wrong/openai/v1/chat/completions'
    )
    assert 'openai/gpt-oss-120b' not in result.stderr  # the default model: no model hint
    assert 'gsk-test' not in result.stderr


def test_model_not_found_never_suggests_the_same_name() -> None:
    # A name Groq serves, answered 404 (a key without access): the built-in list holds exactly that name.
    response = error_json(404, 'The model `openai/gpt-oss-20b` does not exist', 'model_not_found')
    status, _, stderr = pai_with(response, ['-m', 'openai/gpt-oss-20b', 'q'])

    assert status == 1
    assert stderr == "pai: model 'openai/gpt-oss-20b' was not found (HTTP 404); `pai models` lists known model names\n"


# Answers that end badly


def cut_off_stream() -> ScriptedResponse:
    return raw_sse(
        [
            wire.chat_completion_chunk({'content': 'The beginning of a long'}),
            wire.chat_completion_chunk(
                {}, finish_reason='length', x_groq={'id': 'req_test', 'usage': wire.usage_body(5, 5, timings=False)}
            ),
        ],
        done=True,
    )


def test_an_answer_cut_off_at_max_tokens_says_so_on_stderr_and_exits_3() -> None:
    status, stdout, stderr = pai_with(cut_off_stream(), ['--max-tokens', '5', 'q'])

    assert stdout == 'The beginning of a long\n'  # what came is printed
    assert stderr == 'pai: the answer was cut off at --max-tokens 5: raise it for a longer answer\n'
    assert status == 3


def test_an_answer_cut_off_at_the_models_own_limit_says_so_too() -> None:
    status, _, stderr = pai_with(cut_off_stream(), ['q'])

    assert status == 3
    assert stderr == (
        "pai: the answer was cut off at the model's token limit: ask for a shorter answer, or continue in a chat\n"
    )


def test_a_cut_off_json_answer_still_prints_the_json_and_exits_3() -> None:
    status, stdout, stderr = pai_with(cut_off_stream(), ['--json', 'q'])

    assert status == 3
    assert '"finish_reason": "length"' in stdout
    assert stderr.startswith('pai: the answer was cut off')


def test_a_tool_use_failed_answer_says_what_happened_and_exits_1() -> None:
    response = error_json(
        400,
        'Failed to call a function. Please adjust your prompt.',
        'tool_use_failed',
        failed_generation='{"name": "get_weather", "arguments": {"city": "Paris"}}',
    )
    status, stdout, stderr = pai_with(response, ['q'])

    assert status == 1
    assert stdout == '[tool call] get_weather({"city": "Paris"})\n'  # what the model generated, labelled as such
    assert stderr == (
        'pai: the model failed to produce an answer (tool_use_failed: Failed to call a function. Please adjust '
        'your prompt); it tried to call a tool, and pai offers none; what it generated, shown above, is not an '
        'answer. Ask again, or rephrase\n'
    )


def test_a_tool_use_failed_text_generation_is_not_passed_off_as_the_answer() -> None:
    response = error_json(400, 'Failed to call a function.', 'tool_use_failed', failed_generation='<function=x>')
    status, stdout, stderr = pai_with(response, ['q'])

    assert status == 1
    assert stdout == '<function=x>\n'
    assert 'is not an answer' in stderr
    assert 'it tried to call a tool' in stderr


# Messages name the provider in use


def test_connection_errors_name_the_provider_and_its_base_url_variable(tmp_path: Path) -> None:
    with GroqTestServer() as server:
        closed = server.base_url
    env = clean_env(GROQ_API_KEY='gsk-test', GROQ_BASE_URL=closed, HOME=str(tmp_path))
    result = pai_process(['--timeout', '5', 'hello'], env)

    assert result.returncode == 1
    assert result.stderr.startswith("pai: could not reach the API of provider 'groq' (")
    assert result.stderr.endswith('; check your network connection (and GROQ_BASE_URL, if set)\n')


# Lines break between phrases


def test_wrap_phrases_breaks_only_between_phrases() -> None:
    phrases = [
        'meta-llama/llama-4-maverick-17b-128e-instruct',
        '1,234 tokens in, 56 out',
        '1.23 s (first token after 0.45 s)',
    ]

    assert wrap_phrases(phrases, 200) == [' · '.join(phrases)]
    assert wrap_phrases(phrases, 80) == [
        'meta-llama/llama-4-maverick-17b-128e-instruct · 1,234 tokens in, 56 out',
        '1.23 s (first token after 0.45 s)',
    ]
    assert wrap_phrases(phrases, 10) == phrases  # a phrase wider than the line still stays whole
    assert wrap_phrases(['', 'a', ''], 80) == ['a']


# Retired models (issue 22): one line saying so, naming the model to use instead and how


def test_a_retired_model_is_one_line_naming_its_replacement_and_the_option_that_uses_it() -> None:
    from pydantic_ai_groq.testing import model_decommissioned

    status, stdout, stderr = pai_with(
        model_decommissioned('llama-3.3-70b-versatile'), ['-m', 'llama-3.3-70b-versatile', 'q']
    )

    assert (status, stdout) == (1, '')
    assert stderr == (
        "pai: Model 'llama-3.3-70b-versatile' is retired: Groq shut it down on 2026-08-16 for free and developer "
        "tiers (enterprise contracts keep it); use 'openai/gpt-oss-120b' instead (HTTP 400): "
        '`pai -m groq:openai/gpt-oss-120b ...`\n'
    )


def test_model_not_found_for_a_retired_name_says_it_is_retired_not_missing() -> None:
    from pydantic_ai_groq.testing import model_not_found

    status, _, stderr = pai_with(model_not_found('llama-3.1-8b-instant'), ['-m', 'groq:llama-3.1-8b-instant', 'q'])

    assert status == 1
    assert stderr.startswith("pai: Model 'llama-3.1-8b-instant' is retired: Groq shut it down on 2026-08-16")
    assert stderr.endswith(' (HTTP 404): `pai -m groq:openai/gpt-oss-20b ...`\n')
    assert stderr.count('\n') == 1
    assert 'was not found' not in stderr


def test_a_retired_model_without_a_known_replacement_points_at_pai_models() -> None:
    from pydantic_ai_groq.testing import model_decommissioned

    status, _, stderr = pai_with(model_decommissioned('acme/unknown-9b'), ['-m', 'acme/unknown-9b', 'q'])

    assert status == 1
    assert stderr == (
        "pai: Model 'acme/unknown-9b' is retired: Groq no longer serves it; https://console.groq.com/docs/deprecations "
        'names the model to use instead (HTTP 400); `pai models` lists the models it serves\n'
    )


def test_a_retired_model_error_of_another_provider_is_described_from_its_fields_alone() -> None:
    from datetime import date

    from pydantic_ai.cli._errors import ErrorContext, describe
    from pydantic_ai.exceptions import ModelRetiredError

    context = ErrorContext(provider='acme', api_key_env_var='ACME_API_KEY')
    error = ModelRetiredError(410, 'old-1', retired_on=date(2026, 1, 31), replacement='new-2')
    bare = ModelRetiredError(404, 'old-1')

    assert describe(error, context) == (
        "model 'old-1' is retired: the API of provider 'acme' no longer serves it since 2026-01-31; use 'new-2' "
        'instead (HTTP 410): `pai -m acme:new-2 ...`',
        1,
    )
    assert describe(bare, context) == (
        "model 'old-1' is retired: the API of provider 'acme' no longer serves it (HTTP 404); "
        '`pai models` lists the models it serves',
        1,
    )


def test_the_default_model_against_a_server_that_retired_it_end_to_end(tmp_path: Path) -> None:
    from pydantic_ai_groq.testing import refuse_retired_models

    # The day Groq retires today's default: `pai` says so, and what to run instead, in one line.
    with GroqTestServer(default=refuse_retired_models(models=['openai/gpt-oss-120b'])) as server:
        env = clean_env(GROQ_API_KEY='gsk-test', GROQ_BASE_URL=server.base_url, HOME=str(tmp_path))
        result = pai_process(['hello'], env)
        served = pai_process(['-m', 'openai/gpt-oss-20b', 'hello'], env)

    assert result.returncode == 1
    assert result.stdout == ''
    assert result.stderr == (
        "pai: Model 'openai/gpt-oss-120b' is retired: Groq no longer serves it; "
        'https://console.groq.com/docs/deprecations names the model to use instead (HTTP 400); '
        '`pai models` lists the models it serves\n'
    )
    assert (served.returncode, served.stdout) == (0, 'hello\n')
