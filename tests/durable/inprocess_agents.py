"""Agents for the in-process durable tests: a scripted `FunctionModel`, tools that retry, a typed result and deps.

The model's script is a function of the conversation only, so a plain run and a durable run of the same prompt send
the same requests and build the same messages (compared in the tests).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from pydantic_ai import Agent, ModelRetry, RunContext
from pydantic_ai.lifecycle import hookimpl
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel


class Deps(BaseModel):
    unit: str


class Reading(BaseModel):
    city: str
    degrees: int
    unit: str


class Forecast(BaseModel):
    summary: str
    degrees: int


def _script(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    last = messages[-1]
    assert isinstance(last, ModelRequest)
    prompt = next(
        p.content for m in messages if isinstance(m, ModelRequest) for p in m.parts if isinstance(p, UserPromptPart)
    )
    if prompt == 'stubborn':
        return ModelResponse([ToolCallPart('always_retry', {}, f'r{len(messages)}')])
    if prompt == 'fix the result':  # an invalid result first: the result's validation asks the model again
        if not any(isinstance(p, RetryPromptPart) for p in last.parts):
            return ModelResponse([ToolCallPart('final_result', {'summary': 'warm', 'degrees': 'warm'}, 'bad')])
        return ModelResponse([ToolCallPart('final_result', {'summary': 'warm', 'degrees': 25}, 'good')])
    if any(isinstance(p, UserPromptPart) for p in last.parts):
        return ModelResponse([ToolCallPart('temperature', {'city': 'Paris'}, 't1'), ToolCallPart('flaky', {}, 'f1')])
    if any(isinstance(p, RetryPromptPart) and p.tool_name == 'flaky' for p in last.parts):
        return ModelResponse([ToolCallPart('flaky', {}, 'f2')])
    readings = [
        json.loads(p.model_response_str())
        for m in messages
        if isinstance(m, ModelRequest)
        for p in m.parts
        if isinstance(p, ToolReturnPart) and p.tool_name == 'temperature'
    ]
    degrees = readings[-1]['degrees']
    return ModelResponse(
        [ToolCallPart('final_result', {'summary': f'{degrees} {readings[-1]["unit"]}', 'degrees': degrees}, 'x')]
    )


weather = Agent(FunctionModel(_script), name='weather', deps_type=Deps, result_type=Forecast, retries=1)


@weather.tool
async def temperature(ctx: RunContext[Deps], city: str) -> Reading:
    """The temperature in a city."""
    return Reading(city=city, degrees=21, unit=ctx.deps.unit)


@weather.tool
def flaky(ctx: RunContext[Deps]) -> str:
    """Works on the second try."""
    if ctx.retry == 0:
        raise ModelRetry('try again')
    return 'ok'


@weather.tool_plain
def always_retry() -> str:
    """Never works."""
    raise ModelRetry('no')


class RequestCounter:
    """A lifecycle plugin counting the model requests that completed in this process."""

    def __init__(self) -> None:
        self.ended = 0

    @hookimpl
    def pydantic_ai_request_end(self, request: Any, response: Any) -> None:
        self.ended += 1


def without_timestamps(messages: Any) -> Any:
    """Messages as JSON, timestamps dropped (they differ between two runs)."""
    from pydantic_ai.messages import ModelMessagesTypeAdapter

    dumped = ModelMessagesTypeAdapter.dump_python(messages, mode='json')
    for message in dumped:
        message.pop('timestamp', None)
        for part in message['parts']:
            part.pop('timestamp', None)
    return dumped
