"""Running a coroutine to completion from synchronous code: the event loops behind every `*_sync` API.

`model_request_sync` and `Agent.run_sync` run their coroutine here:

- with no event loop running in this thread (a script), in an event loop kept for the thread, created on first use
  and closed when the interpreter exits, so connections are reused from one call to the next;
- with a loop already running in this thread (a notebook, an async framework), in an event loop of its own in a
  worker thread, while this thread waits.

Context variables are carried over in both cases.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import contextvars
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ('run_coroutine_sync',)

_T = TypeVar('_T')


def run_coroutine_sync(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run `coroutine` to completion from sync code, as `model_request_sync` does (see there for where it runs).

    Shared by the sync entry points of the library (`model_request_sync`, `Agent.run_sync`).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_in_thread_loop(coroutine)
    return _worker().run(coroutine)


_loops_lock = threading.Lock()
_thread_loops = threading.local()
_open_loops: list[asyncio.AbstractEventLoop] = []
_worker_thread: _LoopThread | None = None


def _run_in_thread_loop(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run `coroutine` to completion in this thread's kept event loop."""
    loop: asyncio.AbstractEventLoop | None = getattr(_thread_loops, 'loop', None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _thread_loops.loop = loop
        with _loops_lock:
            _open_loops.append(loop)
    task = loop.create_task(coroutine)
    try:
        return loop.run_until_complete(task)
    except BaseException:
        # Interrupted (Ctrl-C): cancel the request now, or it would resume inside the next call on this loop.
        if not task.done():
            task.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                loop.run_until_complete(task)
        raise


class _LoopThread:
    """A daemon thread running an event loop forever, to which coroutines are submitted from other threads."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self.loop.run_forever, name='pydantic-ai-model-request-sync', daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        """Run `coroutine` in this thread's loop, in a copy of the caller's context, and wait for its result."""
        result: concurrent.futures.Future[_T] = concurrent.futures.Future()
        tasks: list[asyncio.Task[_T]] = []

        def start() -> None:
            # Runs in the caller's copied context, which the task then inherits.
            task = self.loop.create_task(coroutine)
            tasks.append(task)
            task.add_done_callback(lambda done: _copy_outcome(done, result))

        self.loop.call_soon_threadsafe(start, context=contextvars.copy_context())
        try:
            return result.result()
        except BaseException:
            if not result.done():
                self.loop.call_soon_threadsafe(lambda: [task.cancel() for task in tasks])
            raise

    def close(self) -> None:
        """Stop the loop, wait for the thread and close the loop (after finalizing its async generators)."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            _finish(self.loop)


def _copy_outcome(task: asyncio.Task[_T], result: concurrent.futures.Future[_T]) -> None:
    if task.cancelled():
        result.cancel()
    elif (exc := task.exception()) is not None:
        result.set_exception(exc)
    else:
        result.set_result(task.result())


def _worker() -> _LoopThread:
    global _worker_thread
    with _loops_lock:
        if _worker_thread is None:
            _worker_thread = _LoopThread()
        return _worker_thread


@atexit.register
def _close_loops() -> None:
    global _worker_thread
    with _loops_lock:
        loops, _open_loops[:] = list(_open_loops), []
        worker, _worker_thread = _worker_thread, None
    for loop in loops:
        if not loop.is_closed() and not loop.is_running():
            _finish(loop)
    if worker is not None:
        worker.close()


def _finish(loop: asyncio.AbstractEventLoop) -> None:
    """Close `loop` as `asyncio.run()` would, finalizing its async generators first.

    That closes the shared HTTP client's connections of this loop cleanly (see `pydantic_ai._http`) instead of
    leaving them to the garbage collector.
    """
    with contextlib.suppress(Exception):
        loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()
