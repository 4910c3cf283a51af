"""The cassette plugin as a user meets it: a throwaway project of their own, recorded once, replayed keyless.

The project (its own `pyproject.toml`, a tiny app: an agent on `GroqModel` as in docs/testing.md, a test marked `vcr`)
runs under pytest in a subprocess, with the plugin loaded through its `pytest11` entry point exactly as in a user's
environment:

1. `pytest --record-mode=once` against the local Groq server with a canary key: the cassette is written and holds
   no trace of the key (nor an `authorization` header);
2. replay with the server stopped and no key set: passes;
3. the app's prompt changed: replay fails at once, naming the JSON field (`messages[0].content`), without the SDK
   retrying it as a connection error;
4. a test whose request body holds the key: the cassette is not written and the test fails, saying where.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from pydantic_ai_groq.testing import GroqTestServer

CANARY = 'gsk_CANARYuserproject0123456789abcdef'
CASSETTE = Path('tests', 'cassettes', 'test_app', 'test_the_app_answers_the_question.yaml')

PYPROJECT = """
[project]
name = "my-groq-app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["pydantic-ai-groq"]

[project.optional-dependencies]
test = ["pydantic-ai-core[testing]"]

[tool.pytest.ini_options]
testpaths = ["tests"]
"""

APP = """
from pydantic_ai import Agent
from pydantic_ai_groq import GroqModel

PROMPT = {prompt!r}


def ask(prompt: str = PROMPT) -> str:
    agent = Agent(GroqModel('llama-3.3-70b-versatile'))
    return agent.run_sync(prompt).data
"""

TEST_APP = """
import pytest

from app import ask


@pytest.mark.vcr
def test_the_app_answers_the_question():
    # The local server echoes the prompt; a real model would answer it.
    assert 'capital' in ask()
"""

TEST_LEAK = """
import os

import pytest

from app import ask


@pytest.mark.vcr
def test_a_prompt_holding_the_key():
    ask('my key is ' + os.environ['GROQ_API_KEY'])
"""


def write_project(root: Path, prompt: str) -> None:
    (root / 'tests').mkdir(parents=True, exist_ok=True)
    (root / 'pyproject.toml').write_text(PYPROJECT)
    (root / 'app.py').write_text(APP.format(prompt=prompt))
    (root / 'tests' / 'test_app.py').write_text(textwrap.dedent(TEST_APP))


def run_pytest(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The project's own pytest run, in a subprocess with a clean environment plus `env`."""
    dropped = ('GROQ_API_KEY', 'GROQ_BASE_URL', 'PYTEST_ADDOPTS', 'PYTEST_PLUGINS', 'PYDANTIC_AI_RECORDING')
    base = {k: v for k, v in os.environ.items() if k not in dropped and 'proxy' not in k.lower()}
    return subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', *args],
        cwd=root,
        env={**base, 'PYTHONPATH': str(root), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope='module')
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, GroqTestServer]:
    """The project, recorded once against the local server with the canary key (the server then stopped)."""
    root = tmp_path_factory.mktemp('my-groq-app')
    write_project(root, 'What is the capital of France?')
    with GroqTestServer() as server:
        result = run_pytest(root, '--record-mode=once', GROQ_API_KEY=CANARY, GROQ_BASE_URL=server.base_url)
        base_url = server.base_url
    assert result.returncode == 0, result.stdout + result.stderr
    assert [r.headers['authorization'] for r in server.requests] == [f'Bearer {CANARY}']
    return root, base_url, server


def test_recording_writes_a_cassette_without_any_trace_of_the_key(recorded: tuple[Path, str, GroqTestServer]) -> None:
    root, base_url, _ = recorded
    text = (root / CASSETTE).read_text()
    for fragment in (CANARY, CANARY[4:], CANARY[-12:]):
        assert fragment not in text
    assert 'authorization' not in text.lower()
    [interaction] = yaml.safe_load(text)['interactions']
    assert interaction['request']['uri'] == f'{base_url}/openai/v1/chat/completions'
    assert 'What is the capital of France?' in interaction['request']['body']
    # The response is stored readable (decoded JSON text, not compressed bytes).
    assert '"chat.completion"' in interaction['response']['body']['string']


def test_replay_passes_with_the_server_stopped_and_no_key(recorded: tuple[Path, str, GroqTestServer]) -> None:
    root, base_url, server = recorded
    assert not server.is_running
    result = run_pytest(root, GROQ_BASE_URL=base_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '1 passed' in result.stdout


def test_a_changed_prompt_fails_replay_at_once_naming_the_field(
    recorded: tuple[Path, str, GroqTestServer], tmp_path: Path
) -> None:
    root, base_url, _ = recorded
    changed = tmp_path / 'changed'
    write_project(changed, 'What is the capital of Portugal?')
    (changed / CASSETTE).parent.mkdir(parents=True)
    (changed / CASSETTE).write_text((root / CASSETTE).read_text())

    result = run_pytest(changed, GROQ_BASE_URL=base_url)

    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout
    assert 'No recorded interaction in cassette' in output
    assert (
        'messages[0].content: recorded "What is the capital of France?", sent "What is the capital of Portugal?"'
    ) in output
    # Failed at once: not retried by the SDK, not turned into a connection error.
    assert 'ModelConnectionError' not in output and 'APIConnectionError' not in output
    assert (changed / CASSETTE).read_text() == (root / CASSETTE).read_text()


def test_a_recording_that_would_hold_the_key_is_not_written(tmp_path: Path) -> None:
    write_project(tmp_path, 'unused')
    (tmp_path / 'tests' / 'test_app.py').unlink()
    (tmp_path / 'tests' / 'test_leak.py').write_text(textwrap.dedent(TEST_LEAK))
    with GroqTestServer() as server:
        result = run_pytest(tmp_path, '--record-mode=once', GROQ_API_KEY=CANARY, GROQ_BASE_URL=server.base_url)

    assert result.returncode == 1, result.stdout + result.stderr
    assert 'Not writing cassette' in result.stdout
    assert 'interaction 1: request body' in result.stdout
    assert CANARY not in result.stdout + result.stderr
    assert not list(tmp_path.rglob('*.yaml'))
