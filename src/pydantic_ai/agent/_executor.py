"""`RunExecutor`: where an agent run's side effects happen (its model requests and tool calls) and what its clock is.

The run loop (`pydantic_ai.agent._run`) decides *what* to do: which request to send, which tool to call, how to
count retries and usage. It asks the run's executor to *do* it. The default executor does it here, in this process.
A durable-execution engine installs its own for the length of one run (`use_executor`), so that each model request
and each tool call becomes a recorded step the engine can replay after a crash, and the loop itself stays
deterministic (it reads the time from the executor, never from the wall clock).

The executor is read once, when a run starts; nested runs (an agent called from inside a tool) see the executor of
the context they run in.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..messages import ModelMessage, ModelResponse, ToolCallPart
    from ..models import Model, ModelRequestParameters
    from ..settings import ModelSettings
    from ..tools import RunContext, Tool
    from ..usage import Usage

__all__ = ('RunExecutor', 'current_executor', 'use_executor')


class RunExecutor:
    """Performs a run's model requests and tool calls, and tells the time; this base class does so in-process.

    Subclass it to run them elsewhere (as activities or steps of a durable-execution engine) and install the
    subclass for a run with `use_executor()`. Each method receives everything the step needs; the run loop keeps
    every decision (retries, usage limits, result validation) on its side.
    """

    def now(self) -> datetime:
        """The timestamp given to the parts the run loop builds (prompts, tool returns, retry prompts)."""
        return datetime.now(tz=timezone.utc)

    async def request(
        self,
        model: Model,
        messages: list[ModelMessage],
        settings: ModelSettings | None,
        parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        """Send one model request; the response and the usage of this request."""
        return await model.request(messages, settings, parameters)

    async def call_tool(
        self, tool: Tool[Any], call: ToolCallPart, ctx: RunContext[Any], args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        """Call a function tool whose arguments validated, and return what it returned.

        Args:
            tool: The tool.
            call: The model's call, with its raw arguments (what an executor that validates elsewhere sends).
            ctx: The run context for this call (passed to the function when `tool.takes_ctx`).
            args: The validated positional arguments, without the context.
            kwargs: The validated keyword arguments.

        Raises:
            ModelRetry: the tool asked the model to try again.
        """
        if tool.takes_ctx:
            args = [ctx, *args]
        if tool.schema.is_async:
            return await tool.function(*args, **kwargs)
        value = await asyncio.to_thread(tool.function, *args, **kwargs)
        if inspect.isawaitable(value):
            value = await value
        return value


_DEFAULT = RunExecutor()
_current: contextvars.ContextVar[RunExecutor] = contextvars.ContextVar('pydantic_ai_run_executor', default=_DEFAULT)


def current_executor() -> RunExecutor:
    """The executor a run started now would use: the innermost `use_executor()`'s, else the in-process one."""
    return _current.get()


@contextmanager
def use_executor(executor: RunExecutor) -> Iterator[None]:
    """Runs started inside the block (in this task and the tasks it creates) use `executor`."""
    token = _current.set(executor)
    try:
        yield
    finally:
        _current.reset(token)
