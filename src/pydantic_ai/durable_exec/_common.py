"""What both engines share: the durable agent's name and model, the activity/step context, and the tool call body."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from typing import Any

from ..agent import Agent, RunExecutor, use_executor
from ..exceptions import ModelRetry, UserError
from ..messages import ToolCallPart
from ..models import Model
from ..registry import infer_model
from ..tools import RunContext, Tool
from ._payloads import ToolCallOutput, jsonable_tool_value

__all__ = (
    'StepRunContext',
    'agent_tools',
    'call_sync_tool_step',
    'call_tool_step',
    'check_run_model',
    'durable_name',
    'durable_model',
    'run_tool_step',
)

_IN_PROCESS = RunExecutor()


def durable_name(agent: Agent[Any, Any], name: str | None, engine: str) -> str:
    """The name the engine's activities or steps are named after: `name`, else the agent's; it must be set."""
    chosen = name if name is not None else agent.name
    if not isinstance(chosen, str) or not chosen:
        raise UserError(
            f'A durable agent needs a stable name: {engine} names its recorded steps after it, so a run resumed by '
            'another process finds them. Pass `name=` to the Agent or to the durable agent, and never change it '
            'while runs are in flight.'
        )
    return chosen


def agent_tools(agent: Agent[Any, Any]) -> dict[str, Tool[Any]]:
    """The agent's function tools by name, as they are now.

    Read from the agent's registry directly: the durable layer is part of the core, and `Agent` has no public
    accessor for its tools (the original API has none either).
    """
    return dict(agent._function_tools)


def durable_model(agent: Agent[Any, Any], engine: str) -> Model:
    """The agent's model, resolved now (a model string is built here, outside any workflow)."""
    model = agent.model
    if model is None:
        raise UserError(
            f'A durable agent needs its model when it is created ({engine} runs requests on its workers with the '
            "agent's model): pass `model=` to the Agent."
        )
    return model if isinstance(model, Model) else infer_model(model)


def check_run_model(model: Model | str | None, agent_model: Model, engine: str) -> None:
    """A durable run uses the agent's own model; another one is a `UserError` saying so."""
    if model is not None and model is not agent_model:
        raise UserError(
            f"A durable run uses the agent's own model ({engine} sends its requests from steps that look the model up "
            "by the agent's name); `model=` for one run is not supported. Make an agent (and a durable agent with "
            'another name) for each model.'
        )


class StepRunContext(RunContext[Any]):
    """The `RunContext` a tool receives inside an activity: the fields that crossed the boundary.

    `deps`, `usage`, `tool_name`, `tool_call_id`, `retry` and `run_step` are there, and `model` is the agent's
    model on this worker. The conversation (`messages`) and the `prompt` stay in the workflow (they would be copied
    into every recorded call); reading them raises `UserError`.
    """

    @property
    def messages(self) -> Any:
        """Not available inside an activity."""
        raise UserError(_unavailable('messages'))

    @messages.setter
    def messages(self, value: Any) -> None:
        pass

    @property
    def prompt(self) -> Any:
        """Not available inside an activity."""
        raise UserError(_unavailable('prompt'))

    @prompt.setter
    def prompt(self, value: Any) -> None:
        pass

    def __repr__(self) -> str:
        return f'StepRunContext(tool_name={self.tool_name!r}, tool_call_id={self.tool_call_id!r}, retry={self.retry})'


def _unavailable(field: str) -> str:
    return (
        f'`ctx.{field}` is not available to a tool running as a durable activity: only deps, usage, tool_name, '
        'tool_call_id, retry, run_step and model cross into it. Put what the tool needs in `deps`.'
    )


async def run_tool_step(tool: Tool[Any], call: ToolCallPart, ctx: RunContext[Any]) -> ToolCallOutput:
    """The body of a tool-call activity: validate the model's arguments, then as `call_tool_step`.

    Validation already passed in the run loop; it runs again here because only the raw arguments cross the boundary
    into another process.
    """
    positional, keywords = tool.schema.validate(call.args)
    return await call_tool_step(tool, call, ctx, positional, keywords)


async def call_tool_step(
    tool: Tool[Any], call: ToolCallPart, ctx: RunContext[Any], args: list[Any], kwargs: dict[str, Any]
) -> ToolCallOutput:
    """The body of a tool-call step whose arguments validated: call the tool, record its value or retry.

    A `ModelRetry` becomes part of the recorded outcome (a replay answers the model the same way); any other
    exception is the engine's to retry or record. Runs started by the tool itself are not durable steps.
    """
    try:
        with use_executor(_IN_PROCESS):
            value = await _IN_PROCESS.call_tool(tool, call, ctx, args, kwargs)
    except ModelRetry as exc:
        return ToolCallOutput(retry=exc.message)
    return ToolCallOutput(value=jsonable_tool_value(tool.name, value))


def call_sync_tool_step(
    tool: Tool[Any], ctx: RunContext[Any], args: list[Any], kwargs: dict[str, Any], loop: asyncio.AbstractEventLoop
) -> ToolCallOutput:
    """`call_tool_step` for a tool whose function is not `async`, run in a worker thread (as a plain run does).

    An awaitable the function returns is awaited on `loop`, the run's event loop, which is free meanwhile (the run
    waits for this thread).
    """
    try:
        with use_executor(_IN_PROCESS):
            value = tool.function(*([ctx] if tool.takes_ctx else []), *args, **kwargs)
            if inspect.isawaitable(value):
                value = asyncio.run_coroutine_threadsafe(_awaited(value), loop).result()
    except ModelRetry as exc:
        return ToolCallOutput(retry=exc.message)
    return ToolCallOutput(value=jsonable_tool_value(tool.name, value))


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable
