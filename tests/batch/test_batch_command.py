"""`pai batch` end to end in a subprocess (`python -m pydantic_ai batch`) against the local server, and its formats."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pydantic_ai.batch import BatchItemUnfinished, BatchResult
from pydantic_ai.cli import run
from pydantic_ai.cli._jsonl import chat_messages, read_prompt_lines, result_line
from pydantic_ai.exceptions import ModelHTTPError, PromptFileError, UserError
from pydantic_ai.messages import (
    ImageUrl,
    ModelMessagesTypeAdapter,
    ModelRequest,
    ModelResponse,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai_groq.testing import BatchBehaviour, GroqTestServer

from support.constants import FAKE_GROQ_API_KEY, PROJECT_ROOT
from support.processes import interruptible_popen

MODEL = 'groq:llama-3.3-70b-versatile'


def pai_batch(server: GroqTestServer, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GROQ_BASE_URL=server.base_url, GROQ_API_KEY=FAKE_GROQ_API_KEY)
    return subprocess.run(
        [sys.executable, '-m', 'pydantic_ai', 'batch', *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=PROJECT_ROOT,
        check=False,
    )


def write_lines(path: Path, *lines: dict[str, Any] | str) -> Path:
    path.write_text(''.join((line if isinstance(line, str) else json.dumps(line)) + '\n' for line in lines))
    return path


def read_results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_pai_batch_writes_one_result_per_line_in_input_order_with_errors_and_progress(
    server: GroqTestServer, tmp_path: Path
) -> None:
    server.batches.behaviour = BatchBehaviour(line_errors={'c': 400})
    prompts = write_lines(
        tmp_path / 'prompts.jsonl',
        {'custom_id': 'a', 'prompt': 'alpha'},
        '',
        {'prompt': 'no id here', 'system': 'Be brief.'},
        {'custom_id': 'c', 'prompt': 'gamma', 'settings': {'temperature': 0}},
        {'custom_id': 'd', 'messages': [{'role': 'user', 'content': 'delta'}], 'model': 'llama-3.1-8b-instant'},
    )
    out = tmp_path / 'results.jsonl'

    done = pai_batch(server, str(prompts), '-o', str(out), '--model', MODEL, '--poll-interval', '0')

    assert done.returncode == 1, done.stderr  # one item failed
    results = read_results(out)
    assert [r['custom_id'] for r in results] == ['a', 'line-3', 'c', 'd']
    responses = [ModelMessagesTypeAdapter.validate_python([r['response']])[0] for r in results if 'response' in r]
    assert [m.parts[0].content for m in responses if isinstance(m, ModelResponse)] == ['alpha', 'no id here', 'delta']  # type: ignore[union-attr]
    assert results[3]['response']['model_name'] == 'llama-3.1-8b-instant'
    error = results[2]['error']
    assert error['type'] == 'ModelHTTPError' and error['status_code'] == 400
    assert error['body'] == {
        'error': {'message': 'scripted error for c', 'type': 'invalid_request_error', 'code': 'scripted_error'}
    }
    assert 'status_code: 400' in error['message']
    # two models, two batches; their ids are printed, then a progress bar, then a summary
    assert done.stderr.count('as batch batch_') == 2
    assert '[' + '#' * 30 + '] 4/4 completed' in done.stderr
    assert '3 answered, 1 failed' in done.stderr
    bodies = [r.json for r in server.requests if r.path == '/openai/v1/batches']
    assert len(bodies) == 2
    assert FAKE_GROQ_API_KEY not in done.stderr + out.read_text()


def test_pai_batch_exits_0_when_every_line_is_answered_and_can_write_to_stdout(
    server: GroqTestServer, tmp_path: Path
) -> None:
    prompts = write_lines(tmp_path / 'p.jsonl', {'custom_id': 'x', 'prompt': 'hi'})
    done = pai_batch(server, str(prompts), '-o', '-', '--poll-interval', '0', '--quiet')  # the provider's default model
    assert done.returncode == 0, done.stderr
    assert done.stderr == ''
    assert [json.loads(line)['custom_id'] for line in done.stdout.splitlines()] == ['x']
    assert next(r for r in server.requests if r.path == '/openai/v1/files').body.count(b'"model":"') == 1


@pytest.mark.parametrize(
    ('lines', 'message'),
    [
        ([{'custom_id': 'a', 'prompt': 'x'}, '{not json'], 'line 2: not valid JSON'),
        (
            [{'custom_id': 'a', 'prompt': 'x'}, '', {'custom_id': 'a', 'prompt': 'y'}],
            "line 3: custom_id 'a' is already used on line 1",
        ),
        ([{'custom_id': 'a'}], 'line 1: give exactly one of "prompt"'),
        ([{'prompt': 'x', 'colour': 'red'}], 'line 1: unknown key(s) colour'),
        ([{'messages': [{'role': 'robot', 'content': 'x'}]}], "line 1: messages[0] has role 'robot'"),
        (
            [{'prompt': 'x'}, {'prompt': 'y', 'settings': {'temperature': 'hot'}}],
            "line 2 (custom_id 'line-2'): Setting `temperature`",
        ),
    ],
)
def test_pai_batch_reports_a_bad_line_by_number_and_sends_nothing(
    server: GroqTestServer, tmp_path: Path, lines: list[Any], message: str
) -> None:
    prompts = write_lines(tmp_path / 'bad.jsonl', *lines)
    out = tmp_path / 'out.jsonl'
    done = pai_batch(server, str(prompts), '-o', str(out), '--model', MODEL)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert server.request_count == 0
    assert not out.exists()


def test_pai_batch_usage_errors_exit_2() -> None:
    err = io.StringIO()
    assert run(['batch', '-o', 'x.jsonl'], stderr=err) == 2
    assert 'either an input file, or --resume' in err.getvalue()
    err = io.StringIO()
    assert run(['batch', 'p.jsonl', '-o', 'x.jsonl', '--model', 'groq:m', '--provider', 'other'], stderr=err) == 2
    assert "--model 'groq:m' names provider 'groq' but --provider says 'other'" in err.getvalue()
    err = io.StringIO()
    assert run(['batch', '/nonexistent/prompts.jsonl', '-o', 'x.jsonl', '--model', MODEL], stderr=err) == 2
    assert 'cannot read /nonexistent/prompts.jsonl' in err.getvalue()
    err = io.StringIO()
    assert run(['batch', 'p.jsonl', '-o', '/nonexistent/dir/out.jsonl', '--model', MODEL], stderr=err) == 2
    assert 'cannot write -o /nonexistent/dir/out.jsonl' in err.getvalue()
    err = io.StringIO()
    assert run(['batch', 'p.jsonl', '-o', 'x.jsonl', '--model', MODEL, '--poll-interval', '-1'], stderr=err) == 2
    assert '--poll-interval' in err.getvalue()
    err = io.StringIO()
    assert run(['batch', 'p.jsonl', '--model', MODEL], stderr=err) == 2
    assert '-o/--output' in err.getvalue()


def test_pai_batch_interrupted_leaves_the_batch_running_and_resume_collects_it(
    server: GroqTestServer, tmp_path: Path
) -> None:
    server.batches.behaviour = BatchBehaviour(stage_seconds=0.3)
    prompts = write_lines(tmp_path / 'p.jsonl', *({'custom_id': f'k{i}', 'prompt': f'p{i}'} for i in range(5)))
    out = tmp_path / 'out.jsonl'
    env = dict(os.environ, GROQ_BASE_URL=server.base_url, GROQ_API_KEY=FAKE_GROQ_API_KEY)
    process = interruptible_popen(
        [sys.executable, '-m', 'pydantic_ai', 'batch', str(prompts), '-o', str(out), '--model', MODEL],
        stderr=subprocess.PIPE,
        env=env,
        cwd=PROJECT_ROOT,
    )
    try:
        assert process.stderr is not None
        first = process.stderr.readline()
        assert 'as batch batch_' in first
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, rest
    batch_id = first.rsplit(' ', 1)[1].strip()
    assert f'pai batch --resume {batch_id} --model {MODEL} -o {out}' in rest
    assert not out.exists()

    resumed = pai_batch(server, '--resume', batch_id, '--model', MODEL, '-o', str(out), '--poll-interval', '0.05')

    assert resumed.returncode == 0, resumed.stderr
    assert [(r['custom_id'], r['response']['parts'][0]['content']) for r in read_results(out)] == [
        (f'k{i}', f'p{i}') for i in range(5)
    ]


def test_pai_batch_resume_of_an_unknown_id_says_it_was_not_found_and_resumes_only_the_known_ones(
    server: GroqTestServer, tmp_path: Path
) -> None:
    prompts = write_lines(tmp_path / 'p.jsonl', {'custom_id': 'k', 'prompt': 'p'})
    out = tmp_path / 'out.jsonl'
    server.batches.behaviour = BatchBehaviour(stage_seconds=30)  # the known batch stays in progress
    submitted = subprocess.Popen(
        [sys.executable, '-m', 'pydantic_ai', 'batch', str(prompts), '-o', str(out), '--model', MODEL],
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, GROQ_BASE_URL=server.base_url, GROQ_API_KEY=FAKE_GROQ_API_KEY),
        cwd=PROJECT_ROOT,
    )
    try:
        assert submitted.stderr is not None
        known = submitted.stderr.readline().rsplit(' ', 1)[1].strip()
    finally:
        submitted.kill()
        submitted.communicate(timeout=30)

    one = pai_batch(server, '--resume', 'batch_unknown', '--model', MODEL, '-o', str(out))
    two = pai_batch(server, '--resume', 'batch_unknown', '--resume', known, '--model', MODEL, '-o', str(out))

    assert one.returncode == 2
    assert one.stderr == (
        "pai batch: batch batch_unknown was not found at provider 'groq' (HTTP 404): check the id, which `pai batch` "
        'printed when it submitted the batch\n'
    )
    assert two.returncode == 2
    assert two.stderr.splitlines() == [
        "pai batch: batch batch_unknown was not found at provider 'groq' (HTTP 404): check the id, which `pai batch` "
        'printed when it submitted the batch',
        f'pai batch: Resume with: pai batch --resume {known} --model {MODEL} -o {out}',
    ]
    assert 'status_code' not in one.stderr + two.stderr and not out.exists()


@pytest.mark.parametrize('resume', [False, True])
def test_pai_batch_without_a_key_names_the_variable_to_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, resume: bool
) -> None:
    monkeypatch.delenv('GROQ_API_KEY', raising=False)
    monkeypatch.delenv('PAI_MODEL', raising=False)
    prompts = write_lines(tmp_path / 'p.jsonl', {'prompt': 'hi'})
    source = ['--resume', 'batch_1'] if resume else [str(prompts)]
    err = io.StringIO()

    status = run(['batch', *source, '-o', str(tmp_path / 'out.jsonl')], stderr=err)

    assert status == 2
    assert err.getvalue() == (
        "pai batch: no API key for provider 'groq': set the GROQ_API_KEY environment variable "
        '(create one at https://console.groq.com/keys), e.g. `export GROQ_API_KEY=...`\n'
    )


def test_pai_batch_progress_never_goes_backwards_when_the_batch_expires(server: GroqTestServer, tmp_path: Path) -> None:
    server.batches.behaviour = BatchBehaviour(outcome='expired', finished_before_end=3)
    prompts = write_lines(tmp_path / 'p.jsonl', *({'custom_id': f'k{i}', 'prompt': f'p{i}'} for i in range(5)))

    done = pai_batch(server, str(prompts), '-o', str(tmp_path / 'out.jsonl'), '--model', MODEL, '--poll-interval', '0')

    assert done.returncode == 1, done.stderr  # two items never ran
    progress = [(int(m[1]), int(m[2]), m[3]) for m in re.finditer(r'\] (\d+)/(\d+) (\w+)', done.stderr)]
    assert progress[-1] == (3, 5, 'expired')
    assert all(earlier[0] <= later[0] for earlier, later in zip(progress, progress[1:], strict=False))
    assert 'finalizing' not in done.stderr


# -- the formats -----------------------------------------------------------------------------------------------


def test_chat_messages_become_a_conversation_with_tool_names_looked_up_by_call_id() -> None:
    conversation = chat_messages(
        [
            {'role': 'system', 'content': 'Be brief.'},
            {
                'role': 'user',
                'content': [
                    {'type': 'text', 'text': 'Look:'},
                    {'type': 'image_url', 'image_url': {'url': 'https://x/y.png', 'detail': 'low'}},
                ],
            },
            {
                'role': 'assistant',
                'content': None,
                'tool_calls': [{'id': 't1', 'type': 'function', 'function': {'name': 'zoom', 'arguments': '{"x":1}'}}],
            },
            {'role': 'tool', 'tool_call_id': 't1', 'content': 'zoomed'},
        ],
        system='First.',
    )
    assert len(conversation) == 3
    first, second, third = conversation
    assert isinstance(first, ModelRequest) and isinstance(second, ModelResponse) and isinstance(third, ModelRequest)
    assert first.parts[0] == SystemPromptPart('First.') and first.parts[1] == SystemPromptPart('Be brief.')
    user = first.parts[2]
    assert isinstance(user, UserPromptPart)
    assert user.content == ['Look:', ImageUrl('https://x/y.png', vendor_metadata={'detail': 'low'})]
    assert second.parts == [ToolCallPart('zoom', '{"x":1}', 't1')]
    tool_return = third.parts[0]
    assert (
        isinstance(tool_return, ToolReturnPart) and tool_return.tool_name == 'zoom' and tool_return.content == 'zoomed'
    )


@pytest.mark.parametrize(
    ('messages', 'words'),
    [
        ([], 'non-empty list'),
        ([{'role': 'tool', 'content': 'x'}], 'tool_call_id'),
        ([{'role': 'assistant', 'content': ''}], 'neither content nor tool_calls'),
        ([{'role': 'user', 'content': [{'type': 'audio'}]}], '"text" or "image_url"'),
        ([{'role': 'user', 'content': 5}], 'string or a list of parts'),
    ],
)
def test_malformed_chat_messages_say_what_is_wrong(messages: Any, words: str) -> None:
    with pytest.raises(UserError) as caught:
        chat_messages(messages)
    assert words in str(caught.value)


def test_prompt_lines_get_line_ids_that_never_clash() -> None:
    lines = read_prompt_lines(['{"prompt": "a"}', '{"custom_id": "line-1", "prompt": "b"}'])
    assert [line.custom_id for line in lines] == ['line-1-', 'line-1']
    assert isinstance(lines[0].messages[0], ModelRequest)
    with pytest.raises(UserError, match='no prompts'):
        read_prompt_lines(['', '  '])
    with pytest.raises(PromptFileError) as caught:
        read_prompt_lines(['{"prompt": "a"}', '[1]'])
    assert caught.value.line_number == 2


def test_result_lines_carry_the_response_or_the_error_status_message_and_body() -> None:
    ok = result_line(BatchResult('a', response=ModelResponse([TextPart('hi')], model_name='m')))
    assert ok['custom_id'] == 'a' and ok['response']['parts'] == [{'content': 'hi', 'part_kind': 'text'}]
    http = result_line(BatchResult('b', error=ModelHTTPError(503, 'm', {'error': {'message': 'busy'}})))
    assert http == {
        'custom_id': 'b',
        'error': {
            'type': 'ModelHTTPError',
            'status_code': 503,
            'message': "status_code: 503, model_name: m, body: {'error': {'message': 'busy'}}",
            'body': {'error': {'message': 'busy'}},
        },
    }
    expired = result_line(BatchResult('c', error=BatchItemUnfinished('m', 'batch_1', 'expired')))
    assert expired['error']['type'] == 'BatchItemUnfinished' and expired['error']['status_code'] is None
    assert 'expired' in expired['error']['message']


def test_pai_batch_help_goes_to_stdout_and_names_no_provider() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run(['batch', '--help'], stdout=out, stderr=err) == 0
    assert out.getvalue().startswith('usage: pai batch')
    assert '--resume BATCH_ID' in out.getvalue() and 'PAI_MODEL' in out.getvalue()
    assert 'groq' not in out.getvalue().lower() and err.getvalue() == ''
