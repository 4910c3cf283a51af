"""One event loop for a whole command-line session, where Ctrl-C cancels the running request cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, TypeVar

__all__ = ('LoopRunner',)

_T = TypeVar('_T')


class LoopRunner:
    """Runs coroutines one after another in one event loop, kept for the session.

    One loop, not one per request: HTTP connections are bound to the loop they were opened in, so a chat reuses
    its connection from one turn to the next. Between runs, no loop is running, so blocking reads (`input()`)
    work as usual.
    """

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()

    def __enter__(self) -> LoopRunner:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        """Run `coroutine` to completion and return its result.

        Raises:
            KeyboardInterrupt: Ctrl-C was pressed; the coroutine was cancelled first, so its `async with` blocks
                (and the HTTP response they hold) are closed.
        """
        task = self._loop.create_task(coroutine)
        interrupted = False

        def interrupt() -> None:
            nonlocal interrupted
            interrupted = True
            task.cancel()

        previous = self._catch_sigint(interrupt)
        try:
            return self._loop.run_until_complete(task)
        except asyncio.CancelledError:
            if interrupted:
                raise KeyboardInterrupt from None
            raise
        except KeyboardInterrupt:
            # Without a signal handler (not the main thread, or Windows) Ctrl-C lands here; cancel before leaving.
            if not task.done():
                task.cancel()
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    self._loop.run_until_complete(task)
            raise
        finally:
            if previous is not None:
                self._loop.remove_signal_handler(signal.SIGINT)
                signal.signal(signal.SIGINT, previous)

    def _catch_sigint(self, callback: Callable[[], None]) -> Any:
        """Route SIGINT to `callback` while the loop runs; the previous handler, or `None` if not possible."""
        # `Any`: the handler types of `signal.getsignal()` are private to typeshed.
        try:
            previous = signal.getsignal(signal.SIGINT)
            self._loop.add_signal_handler(signal.SIGINT, callback)
        except (NotImplementedError, RuntimeError, ValueError):
            return None
        return previous if previous is not None else signal.SIG_DFL

    def close(self) -> None:
        """Finish async generators and close the loop."""
        if self._loop.is_closed():
            return
        try:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        finally:
            self._loop.close()
