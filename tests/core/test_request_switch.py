"""How `override_allow_model_requests()` blocks in several tasks and threads combine (`pydantic_ai.models._switch`).

An override holds for its own context (and the tasks started from it), where it wins over any other; and, as in the
original API, it sets the process-wide `ALLOW_MODEL_REQUESTS` until its block ends, which is what code without an
override of its own sees. The suite's autouse fixture wraps each test in an override; the tests here that need a
context with none run code in a fresh `contextvars.Context()` (what a task started before any override has, such as
the test task anyio's pytest plugin starts before sync fixtures run) or in a new thread.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

import pydantic_ai.models
from pydantic_ai.exceptions import UserError
from pydantic_ai.models import check_allow_model_requests, override_allow_model_requests

_T = TypeVar('_T')

pytestmark = pytest.mark.forbid_model_requests


def allowed() -> bool:
    try:
        check_allow_model_requests()
    except UserError:
        return False
    return True


def allowed_without_own_override() -> bool:
    """What code in a context with no override of its own is told (it reads the process-wide value)."""
    return contextvars.Context().run(allowed)


def switch() -> bool:
    value: bool = pydantic_ai.models.ALLOW_MODEL_REQUESTS
    return value


def test_override_sets_the_process_wide_switch_for_its_block_like_the_original() -> None:
    assert switch() is False
    with override_allow_model_requests(True):
        assert switch() is True
        assert allowed_without_own_override()
    assert switch() is False
    assert not allowed_without_own_override()


def test_override_restores_the_process_wide_switch_when_its_block_raises() -> None:
    with pytest.raises(RuntimeError), override_allow_model_requests(True):
        raise RuntimeError('boom')
    assert switch() is False


def test_nested_overrides_restore_each_outer_value_in_turn() -> None:
    with override_allow_model_requests(True):
        with override_allow_model_requests(False):
            assert switch() is False
            assert not allowed()
            with override_allow_model_requests(True):
                assert switch() is True
                assert allowed()
            assert switch() is False
        assert switch() is True
        assert allowed()
    assert switch() is False


def test_value_assigned_inside_a_block_is_undone_when_the_block_ends_as_in_the_original() -> None:
    with override_allow_model_requests(True):
        pydantic_ai.models.ALLOW_MODEL_REQUESTS = False
        with override_allow_model_requests(True):
            pass
        assert switch() is False  # the inner block gave back what it found
    assert switch() is False


def _task_in_fresh_context(coroutine: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
    """A task of the running loop that starts from an empty context (`create_task(context=)` is Python 3.11+)."""
    return contextvars.Context().run(asyncio.get_running_loop().create_task, coroutine)


@pytest.mark.asyncio
async def test_task_started_before_an_override_in_another_context_sees_it() -> None:
    entered = asyncio.Event()
    checked = asyncio.Event()

    async def test_body() -> tuple[bool, bool]:
        before = allowed()
        await entered.wait()
        during = allowed()
        checked.set()
        return before, during

    # A fresh context: the task has no override of its own, as a test task started before a sync fixture's override.
    task = _task_in_fresh_context(test_body())
    await asyncio.sleep(0)
    with override_allow_model_requests(True):
        entered.set()
        await checked.wait()
    assert await task == (False, True)


@pytest.mark.asyncio
async def test_task_with_its_own_override_is_unaffected_by_an_override_elsewhere() -> None:
    own_entered = asyncio.Event()
    other_entered = asyncio.Event()

    async def with_own_override(value: bool) -> bool:
        with override_allow_model_requests(value):
            own_entered.set()
            await other_entered.wait()
            return allowed()

    task = _task_in_fresh_context(with_own_override(False))
    await own_entered.wait()
    with override_allow_model_requests(True):
        other_entered.set()
        assert await task is False  # its own False wins over the process-wide True
        assert allowed()
    assert switch() is False


@pytest.mark.asyncio
async def test_blocks_ending_out_of_order_leave_the_value_from_before_them_all() -> None:
    first_in, second_in, first_out = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def first() -> None:
        with override_allow_model_requests(True):
            first_in.set()
            await second_in.wait()
        first_out.set()

    async def second() -> tuple[bool, bool]:
        await first_in.wait()
        with override_allow_model_requests(False):
            second_in.set()
            await first_out.wait()
            return switch(), allowed_without_own_override()

    # The first block ends while the second, entered later, is still active: the second keeps the switch, and when
    # it ends the switch gets the value from before the first (not the True the second found when it began).
    _, during = await asyncio.gather(first(), second())
    assert during == (False, False)
    assert switch() is False
    assert not allowed_without_own_override()


def run_in_thread(function: Callable[[], bool]) -> bool:
    results: list[bool] = []
    thread = threading.Thread(target=lambda: results.append(function()))
    thread.start()
    thread.join(timeout=5)
    return results[0]


def test_thread_without_its_own_override_sees_the_active_block() -> None:
    assert run_in_thread(allowed) is False
    with override_allow_model_requests(True):
        assert run_in_thread(allowed) is True
    assert run_in_thread(allowed) is False


def test_thread_with_its_own_override_keeps_it() -> None:
    def own_false() -> bool:
        with override_allow_model_requests(False):
            return allowed()

    with override_allow_model_requests(True):
        assert run_in_thread(own_false) is False
        assert allowed()
