"""Agent run call shapes, checked by mypy (`make typecheck` checks this folder) and run by `tests/agent`.

A run takes `deps` only when the agent has a deps type: `agent.run('x')` type-checks for an agent without one (its
deps type is `None`), and an agent with a deps type needs `deps=` of that type. Each call a type checker must refuse
carries a `# type: ignore[<code>]`: mypy --strict reports an unused ignore, so the day such a call type-checks, the
check fails.
"""

from __future__ import annotations

from dataclasses import dataclass

from typing_extensions import assert_type

from pydantic_ai import Agent, RunContext
from pydantic_ai.result import RunResult, StreamedRunResult


@dataclass
class Deps:
    """What the tools of a typed agent receive."""

    greeting: str


def run_without_deps() -> str:
    """An agent with no deps type runs without `deps`, and with an explicit `deps=None`."""
    agent = Agent('test')
    assert_type(agent, Agent[None, str])
    result = agent.run_sync('hello')
    assert_type(result, RunResult[str])
    again = agent.run_sync('hello', deps=None)
    return result.data + again.data


async def run_async_and_streamed_without_deps() -> str:
    """`run` and `run_stream` take the same shapes as `run_sync`."""
    agent = Agent('test', result_type=str)
    result = await agent.run('hello')
    assert_type(result, RunResult[str])
    async with agent.run_stream('hello') as streamed:
        assert_type(streamed, StreamedRunResult[str])
        text = await streamed.get_data()
    return result.data + text


def greeting_agent() -> Agent[Deps, str]:
    """An agent with a deps type, whose tool answers with what it receives in `deps`."""
    agent = Agent('test', deps_type=Deps)
    assert_type(agent, Agent[Deps, str])

    @agent.tool
    def greet(ctx: RunContext[Deps]) -> str:
        return ctx.deps.greeting

    return agent


def run_with_deps() -> str:
    """An agent with a deps type runs with `deps=` of that type; its tools receive it."""
    result = greeting_agent().run_sync('hello', deps=Deps('hi'))
    assert_type(result, RunResult[str])
    return result.data


async def run_async_and_streamed_with_deps() -> str:
    """`run` and `run_stream` of an agent with a deps type take `deps=` too."""
    agent = greeting_agent()
    result = await agent.run('hello', deps=Deps('hi'))
    async with agent.run_stream('hello', deps=Deps('hello')) as streamed:
        assert_type(streamed, StreamedRunResult[str])
        text = await streamed.get_data()
    return result.data + text


def refused_shapes(agent: Agent[Deps, str]) -> None:
    """Calls a type checker refuses (never run): no `deps` for an agent that has a deps type, or `deps` of another."""
    agent.run_sync('hello')  # type: ignore[call-arg]
    agent.run_sync('hello', deps=None)  # type: ignore[arg-type]
    agent.run_sync('hello', deps=1)  # type: ignore[arg-type]
