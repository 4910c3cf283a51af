"""The HTTP client models share by default, safe to use from any number of event loops.

A pooled connection belongs to the event loop that opened it: its socket is registered with that loop's selector.
One process-wide `httpx.AsyncClient` reused from a second event loop (a script calling `asyncio.run()` twice, a
notebook, pytest-asyncio's loop per test, a thread with its own loop) would otherwise pick a connection of a loop
that is closed, fail on the client side *after* the request went out, and let the SDK send it again.

So the shared client's transport keeps one connection pool per event loop (`LoopBoundTransport`): a request only
ever travels on a connection opened by the loop it runs in. A pool is released when its loop finishes:
`asyncio.run()`, `asyncio.Runner` and pytest-asyncio close the async generators of a loop before closing it
(`loop.shutdown_asyncgens()`), and each pool arms one such generator whose `finally` closes the pool inside its own
loop, so its connections are closed cleanly. A loop closed without that step leaves its pool behind; the next
request from any loop drops it, and nothing is ever sent on it.

This module imports httpx; `pydantic_ai.models.cached_async_http_client()` imports it on first use.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ('DEFAULT_TIMEOUT', 'LoopBoundTransport', 'shared_async_http_client')

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
"""60 s to read, write or wait for a pooled connection, 5 s to connect: the defaults providers' SDKs commonly use."""


@dataclass
class _LoopPool:
    transport: httpx.AsyncHTTPTransport
    release: AsyncGenerator[None, None] | None = None
    """The armed async generator that closes `transport` when the loop shuts its generators down."""


class LoopBoundTransport(httpx.AsyncBaseTransport):
    """An httpx transport with one connection pool per event loop.

    Args:
        **transport_options: Passed to each loop's `httpx.AsyncHTTPTransport` (`limits`, `verify`, `http2`, ...).
    """

    def __init__(self, **transport_options: Any) -> None:
        self._options = transport_options
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopPool] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f'{type(self).__name__}(pools={len(self._pools)})'

    @property
    def pool_count(self) -> int:
        """How many event loops have a connection pool here now (closed loops' pools are dropped on next use)."""
        return len(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request` on a connection of the running event loop's own pool."""
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            pool = await self._open_pool(loop)
        return await pool.transport.handle_async_request(request)

    async def _open_pool(self, loop: asyncio.AbstractEventLoop) -> _LoopPool:
        with self._lock:
            for other in [other for other in self._pools if other.is_closed()]:
                # Its loop is gone, so its connections cannot be closed from here; they are never used again.
                del self._pools[other]
            pool = self._pools.get(loop)
            if pool is not None:  # another task of this loop got here first
                return pool
            pool = _LoopPool(httpx.AsyncHTTPTransport(**self._options))
            self._pools[loop] = pool
        release = self._close_at_loop_end(loop, pool)
        # The first step registers the generator with this loop, so `shutdown_asyncgens()` finalizes it.
        await release.__anext__()
        pool.release = release
        return pool

    async def _close_at_loop_end(self, loop: asyncio.AbstractEventLoop, pool: _LoopPool) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            with self._lock:
                if self._pools.get(loop) is pool:
                    del self._pools[loop]
            await pool.transport.aclose()

    async def aclose(self) -> None:
        """Close the running loop's pool, and forget the others (each is closed when its own loop finishes)."""
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self._lock:
            pool = self._pools.pop(loop, None) if loop is not None else None
        if pool is not None:
            if pool.release is not None:
                await pool.release.aclose()
            else:
                await pool.transport.aclose()


_shared_clients: dict[tuple[float, float], httpx.AsyncClient] = {}
_shared_lock = threading.Lock()


def shared_async_http_client(*, timeout: float, connect: float) -> httpx.AsyncClient:
    """The process-wide client for `(timeout, connect)`, re-created if it was closed; see the module docs."""
    key = (timeout, connect)
    client = _shared_clients.get(key)
    if client is None or client.is_closed:
        with _shared_lock:
            client = _shared_clients.get(key)
            if client is None or client.is_closed:
                client = httpx.AsyncClient(
                    timeout=httpx.Timeout(timeout, connect=connect), transport=LoopBoundTransport()
                )
                _shared_clients[key] = client
    return client
