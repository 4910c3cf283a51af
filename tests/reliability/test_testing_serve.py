"""`python -m pydantic_ai_groq.testing serve`: the test server as a command, for pointing `pai` at by hand."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from support.constants import PROJECT_ROOT
from support.processes import interruptible_popen


def clean_env() -> dict[str, str]:
    dropped = ('GROQ_API_KEY', 'GROQ_BASE_URL', 'PYTHONPATH', 'PAI_MODEL')
    return {k: v for k, v in os.environ.items() if k not in dropped and 'proxy' not in k.lower()}


@pytest.fixture
def serving() -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """The command, started; its first four lines (the banner) read."""
    process = interruptible_popen(
        [sys.executable, '-m', 'pydantic_ai_groq.testing', 'serve'],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    try:
        assert process.stdout is not None
        yield process, [process.stdout.readline() for _ in range(4)]
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


@pytest.mark.parametrize('stop', [signal.SIGINT, signal.SIGTERM], ids=['ctrl-c', 'sigterm'])
def test_serve_prints_its_base_url_and_how_to_point_pai_at_it_then_stops_cleanly(
    serving: tuple[subprocess.Popen[str], list[str]], stop: signal.Signals
) -> None:
    process, banner = serving
    match = re.fullmatch(
        r'Groq test server at (http://127\.0\.0\.1:\d+) \(127\.0\.0\.1 only; Ctrl-C stops it\)\n', banner[0]
    )
    assert match is not None, banner
    url = match[1]
    assert banner[2:] == ['Point pai at it:\n', f'  GROQ_BASE_URL={url} GROQ_API_KEY=gsk-test pai -p groq "Hello"\n']

    # Exactly what the banner says to run.
    env = {**clean_env(), 'GROQ_BASE_URL': url, 'GROQ_API_KEY': 'gsk-test'}
    answered = subprocess.run(
        [sys.executable, '-m', 'pydantic_ai', '-p', 'groq', 'Hello'],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=PROJECT_ROOT,
    )
    listed = subprocess.run(
        [sys.executable, '-m', 'pydantic_ai', 'models', '-p', 'groq'],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    process.send_signal(stop)
    rest, errors = process.communicate(timeout=30)

    assert (answered.returncode, answered.stdout, answered.stderr) == (0, 'Hello\n', '')
    assert listed.returncode == 0 and listed.stderr == ''  # the server's own model list: no "built-in list" note
    assert process.returncode == 0, errors
    assert rest == 'Groq test server stopped (2 requests served).\n'
    assert errors == ''


def test_serve_on_a_port_in_use_says_so_with_status_1(serving: tuple[subprocess.Popen[str], list[str]]) -> None:
    port = re.findall(r':(\d+) ', serving[1][0])[0]
    taken = subprocess.run(
        [sys.executable, '-m', 'pydantic_ai_groq.testing', 'serve', '--port', port],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
    )
    assert taken.returncode == 1
    assert taken.stderr.startswith(f'python -m pydantic_ai_groq.testing: cannot listen on 127.0.0.1:{port}: ')
    assert taken.stdout == ''
