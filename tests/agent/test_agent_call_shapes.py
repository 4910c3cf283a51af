"""The run call shapes `tests/typechecked/agent_calls.py` type-checks also run: with and without `deps`."""

from __future__ import annotations

import asyncio

from typechecked import agent_calls


def test_an_agent_without_a_deps_type_runs_without_deps():
    assert agent_calls.run_without_deps() == 'success (no tool calls)' * 2


def test_run_and_run_stream_take_the_same_shape_without_deps():
    assert asyncio.run(agent_calls.run_async_and_streamed_without_deps()) == 'success (no tool calls)' * 2


def test_an_agent_with_a_deps_type_hands_deps_to_its_tools():
    assert agent_calls.run_with_deps() == '{"greet":"hi"}'


def test_run_and_run_stream_take_deps_too():
    assert asyncio.run(agent_calls.run_async_and_streamed_with_deps()) == '{"greet":"hi"}{"greet":"hello"}'
