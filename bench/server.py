"""The benchmark's Groq-compatible server: the project's own `GroqTestServer`, run in a separate process.

The test server is reused because it is cheap enough (see RESULTS.md, "server CPU"): every answer is pre-encoded
once, and a 20,000-chunk stream is written in batches of 1,024 frames. Running it in its own process keeps its
CPU out of the client's `time.process_time()` and off the client's core.

The server answers by model name (see `bench.payloads`), building each answer once and serving it for every later
request. The parent talks to it over stdin/stdout, one line per command:

- `prepare <model>`: build the answer for that model now (large streams take a moment), reply `ok`;
- `stats`: reply `<server process CPU seconds> <requests since the last stats>` (and forget recorded requests);
- `digest`: reply a SHA-256 of the last request's `messages` (to check every client sent the same history);
- `quit`: stop.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from typing import IO, Any

from bench import payloads

__all__ = ('BenchServer',)


class BenchServer:
    """The parent's handle on the server process; a context manager."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ''

    def __enter__(self) -> BenchServer:
        self._process = subprocess.Popen(
            [sys.executable, '-m', 'bench.server'],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        ready = self._read()
        if not ready.startswith('READY '):
            raise RuntimeError(f'benchmark server failed to start: {ready!r}')
        self.base_url = ready.split(' ', 1)[1]
        return self

    def __exit__(self, *exc_info: object) -> None:
        process = self._process
        if process is None:
            return
        try:
            self._command('quit')
            process.wait(10)
        except (OSError, subprocess.TimeoutExpired, RuntimeError):
            process.kill()
            process.wait()
        self._process = None

    def _read(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError('benchmark server exited')
        return line.strip()

    def _command(self, command: str) -> str:
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(command + '\n')
        self._process.stdin.flush()
        return self._read()

    def prepare(self, model: str) -> None:
        """Build the answer for `model` before it is measured."""
        reply = self._command(f'prepare {model}')
        if reply != 'ok':
            raise RuntimeError(f'server cannot prepare {model!r}: {reply}')

    def stats(self) -> tuple[float, int]:
        """The server process's CPU seconds so far, and the requests received since the previous call."""
        cpu, count = self._command('stats').split()
        return float(cpu), int(count)

    def cpu(self) -> float:
        """The server process's CPU seconds so far."""
        return self.stats()[0]

    def digest(self) -> str:
        """A digest of the last request's `messages`."""
        return self._command('digest')


# -- the server process ----------------------------------------------------------------------------------------


def _build(model: str) -> Any:
    from pydantic_ai_groq.testing import repeated_text_stream, streamed_tool_call, text_completion

    if model == payloads.TEXT_MODEL:
        return text_completion(payloads.TEXT, model=model)
    kind, _, size = model.rpartition('-')
    if kind == 'bench-stream' and size.isdigit():
        return repeated_text_stream(int(size), payloads.TOKEN, model=model)
    if kind == 'bench-tool' and size.isdigit():
        fragments = int(size)
        return streamed_tool_call(payloads.TOOL_NAME, payloads.tool_arguments(fragments), fragments=fragments)
    raise ValueError(f'unknown benchmark model {model!r}')


def _agent_turns() -> list[Any]:
    """W7's three answers, picked by how many tool results the request carries: two tool calls, then the result."""
    from pydantic_ai_groq.testing import ToolCall, tool_call_completion

    return [
        tool_call_completion(ToolCall('get_city', {'country': 'France'}, 'call_city'), model=payloads.AGENT_MODEL),
        tool_call_completion(ToolCall('get_weather', {'city': 'Paris'}, 'call_weather'), model=payloads.AGENT_MODEL),
        tool_call_completion(
            ToolCall('final_result', {'city': 'Paris', 'temperature': 21}, 'call_result'), model=payloads.AGENT_MODEL
        ),
    ]


def _serve(stdin: IO[str], stdout: IO[str]) -> None:  # noqa: C901 (one branch per command)
    from pydantic_ai_groq.testing import GroqTestServer, RecordedRequest, ScriptedResponse, http_error

    answers: dict[str, ScriptedResponse] = {}
    agent_turns = _agent_turns()

    def answer(request: RecordedRequest) -> ScriptedResponse:
        model = request.json.get('model') if isinstance(request.json, dict) else None
        if not isinstance(model, str):
            return http_error(400, 'no model')
        if model == payloads.AGENT_MODEL:
            messages = request.json.get('messages') or []
            tool_results = sum(1 for m in messages if isinstance(m, dict) and m.get('role') == 'tool')
            return agent_turns[min(tool_results, len(agent_turns) - 1)]
        found = answers.get(model)
        if found is None:
            try:
                found = answers[model] = _build(model)
            except ValueError as exc:
                return http_error(404, str(exc), code='model_not_found')
        return found

    with GroqTestServer(default=answer) as server:
        stdout.write(f'READY {server.base_url}\n')
        stdout.flush()
        for line in stdin:
            command, _, argument = line.strip().partition(' ')
            if command == 'quit':
                break
            if command == 'prepare':
                try:
                    answers[argument] = _build(argument)
                    reply = 'ok'
                except ValueError as exc:
                    reply = str(exc)
            elif command == 'stats':
                count = server.request_count
                server.reset()
                reply = f'{time.process_time():.6f} {count}'
            elif command == 'digest':
                try:
                    body = server.last_request.json
                except LookupError:
                    body = None
                messages = body.get('messages') if isinstance(body, dict) else None
                reply = hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
            else:
                reply = f'unknown command {command!r}'
            stdout.write(reply + '\n')
            stdout.flush()


if __name__ == '__main__':
    _serve(sys.stdin, sys.stdout)
