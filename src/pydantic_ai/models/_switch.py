"""The request switch: whether models that make real requests may send them (`pydantic_ai.models.ALLOW_MODEL_REQUESTS`).

Its public home is `pydantic_ai.models`. It lives in a module of its own so that `Model`'s request duties
(`pydantic_ai.models.base`) can check it without importing the package facade above them.

The switch has two levels, read by `check_allow_model_requests()` in this order:

1. the override of the current context: `override_allow_model_requests()` sets it for the code in its block and
   for the tasks started from there, which copy it; a task with an override of its own is unaffected by others;
2. the process-wide value, `pydantic_ai.models.ALLOW_MODEL_REQUESTS`, which an override also sets for the duration
   of its block, as the original API's override does. A task or thread started before an override, in another
   context, has no override of its own and sees it through this value: so a test fixture that allows requests
   reaches the test even when the test runs in a task whose context was copied before the fixture ran (anyio's
   pytest plugin does that when a test has an async fixture).
"""

from __future__ import annotations

import contextvars
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..exceptions import UserError

__all__ = ('check_allow_model_requests', 'override_allow_model_requests')

_allow_override: contextvars.ContextVar[bool | None] = contextvars.ContextVar('allow_model_requests', default=None)


class _ProcessOverride:
    """An active override's hold on the process-wide value: the value to give back when it ends."""

    __slots__ = ('restore',)

    def __init__(self, restore: bool) -> None:
        self.restore = restore


# The overrides whose blocks are active anywhere in the process, oldest first, and the lock guarding them and the
# process-wide value. Blocks in concurrent tasks or threads can end in any order: see `_end_process_override`.
_process_overrides: list[_ProcessOverride] = []
_process_lock = threading.Lock()


def _package() -> Any:
    # The switch users set is the attribute of the package `pydantic_ai.models`, always imported before this module;
    # it is reached by name, so that this module does not import the facade that imports it.
    return sys.modules[__package__]


def check_allow_model_requests() -> None:
    """Raise if model requests are currently disabled.

    The override of the current context decides when there is one (`override_allow_model_requests()` entered in
    this task or thread, or in the code that started it); else the process-wide `ALLOW_MODEL_REQUESTS`, which
    the override blocks active anywhere in the process set while they last (see the module's docstring).

    `Model.request()` and `Model.request_stream()` call it for every model that is not `is_local`; a model that
    overrides those methods itself calls it before sending.

    Raises:
        UserError: requests are disabled by `ALLOW_MODEL_REQUESTS = False` or `override_allow_model_requests(False)`.
    """
    allowed = _allow_override.get()
    if allowed is None:
        allowed = _package().ALLOW_MODEL_REQUESTS
    if not allowed:
        raise UserError(
            'Model requests are disabled: `pydantic_ai.models.ALLOW_MODEL_REQUESTS` is False or an '
            '`override_allow_model_requests(False)` block is active. Use `override_allow_model_requests(True)` '
            'around code that may make real requests.'
        )


@contextmanager
def override_allow_model_requests(allow_model_requests: bool) -> Iterator[None]:
    """Allow or forbid model requests within the block, whatever `ALLOW_MODEL_REQUESTS` says.

    The override applies at two levels (see `check_allow_model_requests()`):

    - to the current context, and so to the tasks started inside the block: there it wins over every other
      override, so concurrent tasks with overrides of their own do not disturb each other;
    - to the whole process, as in the original API: `ALLOW_MODEL_REQUESTS` holds `allow_model_requests` until the
      block ends, then gets back its value from before the block. This is what a task or thread with no override
      of its own sees, such as one started earlier in another context.

    Blocks may nest and, in concurrent tasks or threads, end in any order: the process-wide value is always that of
    the most recently entered block still active, and once none is, the value from before the first of them (or
    what code assigned to `ALLOW_MODEL_REQUESTS` inside that block, as in the original).

    Args:
        allow_model_requests: Whether requests are allowed within the block.
    """
    token = _allow_override.set(allow_model_requests)
    held = _begin_process_override(allow_model_requests)
    try:
        yield
    finally:
        _end_process_override(held)
        _allow_override.reset(token)


def _begin_process_override(value: bool) -> _ProcessOverride:
    package = _package()
    with _process_lock:
        held = _ProcessOverride(restore=package.ALLOW_MODEL_REQUESTS)
        _process_overrides.append(held)
        package.ALLOW_MODEL_REQUESTS = value
    return held


def _end_process_override(held: _ProcessOverride) -> None:
    """Give the process-wide value back: to what it was, if `held` is the latest block; else hand that on.

    A block ending before a later one (concurrent tasks ending out of order) passes the value it would restore to
    the block entered right after it, so the last one of them to end restores the value from before them all.
    """
    package = _package()
    with _process_lock:
        position = next(i for i, other in enumerate(_process_overrides) if other is held)
        del _process_overrides[position]
        if position == len(_process_overrides):
            package.ALLOW_MODEL_REQUESTS = held.restore
        else:
            _process_overrides[position].restore = held.restore
