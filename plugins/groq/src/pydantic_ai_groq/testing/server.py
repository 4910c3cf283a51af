"""`GroqTestServer`: a Groq-compatible HTTP server on 127.0.0.1 for tests, with scripted answers and faults.

It runs its own asyncio event loop in a daemon thread, so it serves sync and async tests alike, and speaks
HTTP/1.1 with keep-alive over plain asyncio streams (standard library only). Answers are served from a FIFO of
`ScriptedResponse`s, one per request; when the FIFO is empty the server answers with a default (by default the last
user message, echoed, streamed if asked).

```python
import groq
from pydantic_ai_groq.testing import GroqTestServer, http_error, text_completion

with GroqTestServer() as server:
    server.enqueue(http_error(503).repeat(2), text_completion('Hello!'))
    client = groq.AsyncGroq(api_key='gsk-test', base_url=server.base_url)
    ...  # three attempts reach the server: two 503s, then the completion
    assert server.request_count == 3
```
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TypeAlias

from . import wire
from ._http import LAST_CHUNK, BadRequest, RecordedRequest, encode_chunk, encode_head, read_request
from .batches import BatchService
from .echo import echo_response
from .features import capacity_exceeded
from .ratelimits import RateLimitLedger, RateLimits, stamp
from .responses import ScriptedResponse, json_response

__all__ = ('GroqTestServer', 'CHAT_COMPLETIONS_PATH', 'MODELS_PATH', 'DefaultResponse')

# Spelled out rather than imported from `pydantic_ai_groq.provider` (whose `CHAT_COMPLETIONS_PATH` is the source): the
# simulator imports nothing of the request path it checks. tests/plugin_groq/test_plugin_layers.py checks they agree.
CHAT_COMPLETIONS_PATH = '/openai/v1/chat/completions'
"""The path the groq SDK posts chat completions to (below the base URL)."""
MODELS_PATH = '/openai/v1/models'
"""The path of the model list (`GET`); answered from the queue if a response is queued, else with `model_list`."""

DefaultResponse: TypeAlias = 'ScriptedResponse | Callable[[RecordedRequest], ScriptedResponse]'
"""What the server answers when no scripted response is queued: a fixed response, or a function of the request."""

_HEAD_LIMIT = 1024 * 1024
# Frames are joined into writes of this many; one `drain()` follows each write.
_BATCH_FRAMES = 1024
# After the last frame before a reset, let the client read what was sent (a reset discards unread data).
_RESET_GRACE = 0.05


@dataclass
class _Queued:
    response: ScriptedResponse
    remaining: int


def _not_found(request: RecordedRequest) -> ScriptedResponse:
    message = (
        f'Unknown request URL: {request.method} {request.path}. Please check the URL for typos, '
        'or see the docs at https://console.groq.com/docs/'
    )
    return json_response(wire.error_body(message, error_type='invalid_request_error', code='unknown_url'), status=404)


def _model_list() -> ScriptedResponse:
    from ..model_names import served_models

    return json_response(wire.model_list(sorted(info.name for info in served_models())))


class _Connection(asyncio.StreamReaderProtocol):
    """One accepted TCP connection: asyncio's stream protocol, plus a flag set when the peer goes away."""

    def __init__(self, server: GroqTestServer, connection_id: int) -> None:
        self.server = server
        self.connection_id = connection_id
        self.peer_gone = asyncio.Event()
        self.transport_ref: asyncio.Transport | None = None
        super().__init__(asyncio.StreamReader(limit=_HEAD_LIMIT), self._connected)

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self.server._serve_connection(self, reader, writer)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if isinstance(transport, asyncio.Transport):
            self.transport_ref = transport
        self.server._on_open(self)
        super().connection_made(transport)

    def eof_received(self) -> bool | None:
        self.peer_gone.set()
        return super().eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.peer_gone.set()
        self.server._on_lost(self)
        super().connection_lost(exc)


class GroqTestServer:
    """A Groq-compatible HTTP server on 127.0.0.1, on a free port, serving scripted answers.

    Use it as a context manager (`with GroqTestServer() as server:`) or call `start()` and `stop()`. It serves
    `POST /openai/v1/chat/completions` (or the `chat_completions_path` given), `GET /openai/v1/models` (the current
    Groq model names, unless a response is queued) and the Files and Batches endpoints (see `batches`); any other
    path gets a 404 in Groq's error shape.

    Everything the tests read (`requests`, the counters) and every method may be used from any thread; the server
    itself runs in its own thread and event loop.
    """

    def __init__(
        self,
        *,
        default: DefaultResponse | None = None,
        port: int = 0,
        chat_completions_path: str = CHAT_COMPLETIONS_PATH,
        rate_limits: RateLimits | None = None,
        flex_capacity: bool = True,
    ) -> None:
        """Create a server (not started yet).

        Args:
            default: What to answer when no scripted response is queued: a `ScriptedResponse` (served every time),
                or a function building one from the request (called in the server's thread). By default,
                `echo_response`: the last user message, streamed when the request asks for a stream.
            port: The port to bind on 127.0.0.1; 0 (the default) picks a free one.
            chat_completions_path: The path chat completions are served on, to stand in for a gateway or a
                self-hosted server (`'/v1/chat/completions'`); Groq's `/openai/v1/chat/completions` by default.
            rate_limits: Per-key limits to enforce on chat requests, with Groq's headers, 429s and 413s (see
                `pydantic_ai_groq.testing.ratelimits`); `None` (the default) for none.
            flex_capacity: Whether the flex tier has capacity. When `False`, every chat request with
                `service_tier: "flex"` is answered with Groq's HTTP 498 `capacity_exceeded` (see
                `features.capacity_exceeded`), before the queue; other tiers are served as usual.
        """
        if not isinstance(chat_completions_path, str) or not chat_completions_path.startswith('/'):
            raise ValueError(f"chat_completions_path must start with '/', got {chat_completions_path!r}")
        self.chat_completions_path = chat_completions_path
        """The path chat completions are served on; every request's headers are in `requests`."""
        self._default: DefaultResponse = default if default is not None else echo_response
        self._requested_port = port
        self._rate_limits = RateLimitLedger(rate_limits) if rate_limits is not None else None
        self._changed = threading.Condition(threading.RLock())
        self._queue: deque[_Queued] = deque()
        self._requests: list[RecordedRequest] = []
        self._connections_accepted = 0
        self._open_connections = 0
        self._peak_open_connections = 0
        self._disconnects = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._port = 0
        self._startup_error: BaseException | None = None
        self.flex_capacity = flex_capacity
        """Whether the flex tier has capacity (see `__init__`); may be changed while the server runs."""
        self.batches = BatchService()
        """The Files and Batches endpoints (`/openai/v1/files`, `/openai/v1/batches`): set `batches.behaviour`."""
        # Touched only in the server's thread.
        self._live: set[_Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def start(self) -> GroqTestServer:
        """Bind the port and start serving in a background thread; returns the server.

        Raises:
            RuntimeError: the server is already running.
            OSError: the port cannot be bound.
        """
        if self._thread is not None:
            raise RuntimeError('GroqTestServer is already running')
        ready = threading.Event()
        self._startup_error = None
        thread = threading.Thread(target=self._run, args=(ready,), name='GroqTestServer', daemon=True)
        thread.start()
        ready.wait()
        # Set by the server's thread (`_run`) before `ready`: mypy cannot see that write, so deems this unreachable.
        if self._startup_error is not None:
            thread.join()  # type: ignore[unreachable]
            error, self._startup_error = self._startup_error, None
            raise error
        self._thread = thread
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving: close every connection, stop the event loop and join the thread. Idempotent.

        Args:
            timeout: How long to wait for the shutdown and the thread.
        """
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)
            self._thread = None

    def __enter__(self) -> GroqTestServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            try:
                self._server = loop.run_until_complete(
                    loop.create_server(self._make_connection, '127.0.0.1', self._requested_port, backlog=4096)
                )
                self._port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:
                self._startup_error = exc
                return
            finally:
                ready.set()
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _shutdown(self) -> None:
        server = self._server
        if server is not None:
            server.close()
        # Aborting the transports ends every connection task by itself: reads fail, pauses see the peer gone.
        for connection in list(self._live):
            transport = connection.transport_ref
            if transport is not None:
                transport.abort()
        tasks = list(self._tasks)
        if tasks:
            _, stragglers = await asyncio.wait(tasks, timeout=5)
            for task in stragglers:
                task.cancel()
            await asyncio.gather(*stragglers, return_exceptions=True)
        if server is not None:
            await server.wait_closed()
        # `abort()` closes sockets on the next loop iterations; wait for every `connection_lost`.
        deadline = time.monotonic() + 5
        while self._live and time.monotonic() < deadline:
            await asyncio.sleep(0.001)

    # -- what tests read ---------------------------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        """Whether the server is serving."""
        return self._thread is not None

    @property
    def port(self) -> int:
        """The bound port (0 before `start()`)."""
        return self._port

    @property
    def base_url(self) -> str:
        """The base URL to give the groq SDK: `http://127.0.0.1:<port>` (it appends `/openai/v1/...`)."""
        if self._thread is None:
            raise RuntimeError('GroqTestServer is not running: call start() or use it as a context manager')
        return f'http://127.0.0.1:{self._port}'

    @property
    def chat_completions_url(self) -> str:
        """The full URL of the chat-completions endpoint, for raw HTTP clients."""
        return self.base_url + self.chat_completions_path

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in order (a copy)."""
        with self._changed:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        """The most recent request.

        Raises:
            LookupError: no request was received.
        """
        with self._changed:
            if not self._requests:
                raise LookupError('GroqTestServer has received no request')
            return self._requests[-1]

    @property
    def request_count(self) -> int:
        """How many requests were received (every attempt counts, including retries and 404s)."""
        with self._changed:
            return len(self._requests)

    @property
    def rate_limit_ledger(self) -> RateLimitLedger:
        """The rate limiter's decisions (admitted, 429, 413) and per-window figures.

        Raises:
            RuntimeError: the server was created without `rate_limits`.
        """
        if self._rate_limits is None:
            raise RuntimeError('GroqTestServer was created without rate_limits=')
        return self._rate_limits

    @property
    def connections_accepted(self) -> int:
        """How many TCP connections were accepted."""
        with self._changed:
            return self._connections_accepted

    @property
    def open_connections(self) -> int:
        """How many TCP connections are open right now."""
        with self._changed:
            return self._open_connections

    @property
    def peak_open_connections(self) -> int:
        """The largest number of TCP connections open at the same time."""
        with self._changed:
            return self._peak_open_connections

    @property
    def disconnects(self) -> int:
        """How many times a client went away before its response was completely sent."""
        with self._changed:
            return self._disconnects

    @property
    def pending(self) -> int:
        """How many requests the queued scripted responses will still answer (repeats included)."""
        with self._changed:
            return sum(entry.remaining for entry in self._queue)

    @property
    def cpu_time(self) -> float:
        """CPU seconds used so far by the server's thread (Unix only), to show the server is not the bottleneck.

        Raises:
            RuntimeError: the server is not running.
        """
        thread = self._thread
        if thread is None or thread.ident is None:
            raise RuntimeError('GroqTestServer is not running')
        return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Block until `predicate()` is true (re-checked whenever the server's state changes) or `timeout` passes.

        Do not call this from an event loop whose own connections must close first (use `wait_for_async`).

        Returns:
            Whether the predicate became true.
        """
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    async def wait_for_async(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Like `wait_for`, without blocking the calling event loop (it polls every few milliseconds)."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.005)
        return True

    def wait_for_disconnect(self, timeout: float = 5.0, count: int = 1) -> bool:
        """Block until `count` client disconnects in the middle of a response were seen; whether they were."""
        return self.wait_for(lambda: self._disconnects >= count, timeout)

    async def wait_for_disconnect_async(self, timeout: float = 5.0, count: int = 1) -> bool:
        """Like `wait_for_disconnect`, from async code."""
        return await self.wait_for_async(lambda: self.disconnects >= count, timeout)

    def wait_for_no_connections(self, timeout: float = 5.0) -> bool:
        """Block until no connection is open; whether that happened within `timeout`."""
        return self.wait_for(lambda: self._open_connections == 0, timeout)

    async def wait_for_no_connections_async(self, timeout: float = 5.0) -> bool:
        """Like `wait_for_no_connections`, from async code."""
        return await self.wait_for_async(lambda: self.open_connections == 0, timeout)

    # -- scripting ---------------------------------------------------------------------------------------------

    def enqueue(self, *responses: ScriptedResponse) -> None:
        """Queue responses; each answers the next `response.times` requests to the chat endpoint, in order."""
        for response in responses:
            if not isinstance(response, ScriptedResponse):
                raise TypeError(f'expected a ScriptedResponse, got {type(response).__name__}')
        with self._changed:
            self._queue.extend(_Queued(response, response.times) for response in responses)

    def set_default(self, default: DefaultResponse | None) -> None:
        """Change what the server answers when the queue is empty (`None` restores the echo)."""
        with self._changed:
            self._default = default if default is not None else echo_response

    def reset(self) -> None:
        """Forget queued responses, recorded requests, the accepted/peak/disconnect counters, files and batches."""
        with self._changed:
            self._queue.clear()
            self._requests.clear()
            self._connections_accepted = 0
            self._peak_open_connections = self._open_connections
            self._disconnects = 0
            self._changed.notify_all()
        self.batches.reset()

    # -- server side (the server's thread) ---------------------------------------------------------------------

    def _make_connection(self) -> _Connection:
        with self._changed:
            self._connections_accepted += 1
            connection_id = self._connections_accepted
        return _Connection(self, connection_id)

    def _on_open(self, connection: _Connection) -> None:
        self._live.add(connection)
        with self._changed:
            self._open_connections += 1
            self._peak_open_connections = max(self._peak_open_connections, self._open_connections)
            self._changed.notify_all()

    def _on_lost(self, connection: _Connection) -> None:
        self._live.discard(connection)
        with self._changed:
            self._open_connections -= 1
            self._changed.notify_all()

    def _on_disconnect(self) -> None:
        with self._changed:
            self._disconnects += 1
            self._changed.notify_all()

    def _next_response(self, request: RecordedRequest) -> ScriptedResponse:
        """Record the request and pick its answer: a 404 off the chat endpoint, else the queue's head or the default."""
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()
            if self.batches.handles(request.path):
                return self.batches.handle(request)
            models = request.method == 'GET' and request.path == MODELS_PATH
            if not models and (request.method != 'POST' or request.path != self.chat_completions_path):
                return _not_found(request)
            if not models and not self.flex_capacity and isinstance(request.json, dict):
                if request.json.get('service_tier') == 'flex':
                    return capacity_exceeded()
            limited: tuple[tuple[str, str], ...] = ()
            if self._rate_limits is not None and not models:
                refusal, limited = self._rate_limits.admit(request)
                if refusal is not None:
                    return refusal
            if self._queue:
                head = self._queue[0]
                head.remaining -= 1
                if head.remaining <= 0:
                    self._queue.popleft()
                return stamp(head.response, limited)
            if models:
                return _model_list()
            default = self._default
        if isinstance(default, ScriptedResponse):
            answer = default
        else:
            try:
                answer = default(request)
            except Exception as exc:
                # A broken default is the test's bug: answer it visibly instead of dropping the connection.
                message = f'GroqTestServer: the default response function raised {type(exc).__name__}: {exc}'
                return json_response(wire.error_body(message, error_type='internal_server_error'), status=500)
        return stamp(answer, limited)

    async def _serve_connection(
        self, connection: _Connection, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            while True:
                try:
                    request = await read_request(reader, connection.connection_id)
                except BadRequest as exc:
                    body = wire.encode_json(wire.error_body(str(exc), error_type='invalid_request_error'))
                    head = [('content-type', 'application/json'), ('content-length', str(len(body)))]
                    writer.write(encode_head(400, [*head, ('connection', 'close')]) + body)
                    await writer.drain()
                    return
                if request is None:
                    return
                response = self._next_response(request)
                if not await self._respond(connection, writer, response):
                    return
                if request.headers.get('connection', '').lower() == 'close':
                    return
        except (OSError, asyncio.IncompleteReadError):
            return
        except asyncio.CancelledError:
            # Only `stop()` cancels these tasks, and only when they outlive their aborted connection; ending
            # quietly spares asyncio's stream callback (which logs cancelled tasks on some Python versions).
            return
        finally:
            if task is not None:
                self._tasks.discard(task)
            writer.close()

    async def _respond(self, connection: _Connection, writer: asyncio.StreamWriter, response: ScriptedResponse) -> bool:
        """Serve one response; whether the connection can take another request."""
        if response.stall_before_headers and not await self._pause(connection, response.stall_before_headers):
            return False
        if response.action == 'reset':
            _reset(writer)
            return False
        if response.action == 'close':
            writer.close()
            return False
        headers = list(response.headers)
        names = {name.lower() for name, _ in headers}
        framed = 'content-length' in names or 'transfer-encoding' in names
        if response.frames is not None:
            frames: Sequence[bytes] = response.frames
            chunked = not framed
            if chunked:
                headers.append(('transfer-encoding', 'chunked'))
        else:
            frames = (response.body,)
            chunked = False
            if not framed:
                headers.append(('content-length', str(len(response.body))))
        if 'connection' not in names:
            headers.append(('connection', 'keep-alive'))
        writer.write(encode_head(response.status, headers))
        return await self._write_frames(connection, writer, response, frames, chunked)

    async def _write_frames(
        self,
        connection: _Connection,
        writer: asyncio.StreamWriter,
        response: ScriptedResponse,
        frames: Sequence[bytes],
        chunked: bool,
    ) -> bool:
        count = len(frames)
        stall_at, stall_for = response.stall_after if response.stall_after is not None else (None, 0.0)
        points = {count}
        points.update(p for p in (stall_at, response.reset_after, response.close_after) if p is not None and p <= count)
        if response.frame_delay:
            points.update(range(1, count))
        sent = 0
        for point in sorted(points):
            # The zero-length chunk that ends a chunked body goes out with the last frames, in the same write,
            # unless the body is to be cut right after them.
            ends = point == count and point not in (response.reset_after, response.close_after)
            tail = LAST_CHUNK if chunked and ends else b''
            if not await _send(writer, frames, sent, point, chunked, tail):
                self._on_disconnect()
                return False
            sent = point
            if point == response.reset_after:
                await asyncio.sleep(_RESET_GRACE)
                _reset(writer)
                return False
            if point == response.close_after:
                writer.close()
                return False
            if point == stall_at and not await self._pause(connection, stall_for):
                return False
            if response.frame_delay and 0 < point < count and not await self._pause(connection, response.frame_delay):
                return False
        return True

    async def _pause(self, connection: _Connection, seconds: float) -> bool:
        """Wait `seconds`; `False` (and a disconnect recorded) if the client went away meanwhile."""
        if not connection.peer_gone.is_set():
            try:
                await asyncio.wait_for(connection.peer_gone.wait(), seconds)
            except asyncio.TimeoutError:
                return True
        self._on_disconnect()
        return False


async def _send(
    writer: asyncio.StreamWriter, frames: Sequence[bytes], start: int, stop: int, chunked: bool, tail: bytes = b''
) -> bool:
    """Write `frames[start:stop]` then `tail`, in batches, draining after each; `False` if the connection is gone."""
    try:
        for first in range(start, stop, _BATCH_FRAMES):
            last = min(first + _BATCH_FRAMES, stop)
            data = b''.join(frames[first:last])
            writer.write((encode_chunk(data) if chunked else data) + (tail if last == stop else b''))
            await writer.drain()
        if start == stop:
            writer.write(tail)
            await writer.drain()
    except OSError:
        return False
    return True


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close the connection abortively: SO_LINGER 0 makes the kernel send a RST instead of a FIN."""
    sock = writer.get_extra_info('socket')
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        except OSError:
            pass
    writer.transport.abort()
