"""The vendor-neutral test models: TestModel's generated answers and usage estimates, FunctionModel's contract."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field

from pydantic_ai import Agent, UserError
from pydantic_ai.exceptions import InvalidArgumentsError
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel
from pydantic_ai.models.test import TestModel
from pydantic_ai.tools import ToolDefinition


class Event(BaseModel):
    kind: Literal['party', 'meeting']
    day: date
    guests: Annotated[int, Field(ge=10, le=20)]
    tags: list[str]
    note: str | None = None


def test_generated_tool_arguments_are_valid_and_deterministic() -> None:
    schema = Event.model_json_schema()
    tool = ToolDefinition('plan', parameters_json_schema=schema)

    first = TestModel().gen_tool_args(tool)
    again = TestModel().gen_tool_args(tool)
    seeded = TestModel(seed=3).gen_tool_args(tool)

    assert first == again == {'kind': 'party', 'day': '2024-01-01', 'guests': 10, 'tags': ['a']}
    assert Event.model_validate(first).guests == 10
    assert Event.model_validate(seeded) == Event(kind='meeting', day=date(2024, 1, 4), guests=13, tags=['d'])


@pytest.mark.asyncio
async def test_test_model_calls_every_tool_then_reports_their_results() -> None:
    agent = Agent(TestModel())
    calls: list[tuple[str, object]] = []

    @agent.tool_plain
    def alpha(x: int) -> str:
        calls.append(('alpha', x))
        return 'A'

    @agent.tool_plain
    def beta(flag: bool, name: str) -> str:
        calls.append(('beta', (flag, name)))
        return 'B'

    result = await agent.run('go')

    assert calls == [('alpha', 0), ('beta', (False, 'a'))]
    assert result.data == '{"alpha":"A","beta":"B"}'
    usage = result.usage()
    # Like the original, each request's estimate counts the whole conversation it saw (words split at
    # whitespace, quotes, commas, dots and colons): 50 + 'go', then also the two tool returns 'A' and 'B'.
    # Responses: alpha's call '{"x": 0}' is 1 + 3, beta's '{"flag": false, "name": "a"}' 1 + 6; the second
    # estimate counts them again plus the text '{"alpha":"A","beta":"B"}' (6).
    assert usage.requests == 2
    assert usage.request_tokens == (50 + 1) + (50 + 1 + 1 + 1)
    assert usage.response_tokens == (4 + 7) + (4 + 7 + 6)
    assert usage.total_tokens == usage.request_tokens + usage.response_tokens


@pytest.mark.asyncio
async def test_test_model_call_tools_and_custom_results() -> None:
    model = TestModel(
        call_tools=['beta'], custom_result_args={'kind': 'meeting', 'day': '2025-05-05', 'guests': 11, 'tags': []}
    )
    agent = Agent(model, result_type=Event)

    @agent.tool_plain
    def alpha() -> str:
        raise AssertionError('not called')

    @agent.tool_plain
    def beta() -> str:
        return 'b'

    result = await agent.run('x')
    assert result.data.kind == 'meeting' and result.data.guests == 11

    text_agent = Agent(TestModel(custom_result_text='custom'))
    assert (await text_agent.run('x')).data == 'custom'

    wrapped = Agent(TestModel(custom_result_args=[4, 5]), result_type=list[int])
    assert (await wrapped.run('x')).data == [4, 5]

    bad = Agent(TestModel(call_tools=['missing']))
    with pytest.raises(UserError, match='missing'):
        await bad.run('x')


@pytest.mark.asyncio
async def test_test_model_records_the_last_request_parameters() -> None:
    model = TestModel()
    await Agent(model, result_type=int).run('x')
    params = model.last_model_request_parameters
    assert isinstance(params, ModelRequestParameters)
    assert params.allow_text_result is False
    assert [t.name for t in params.result_tools] == ['final_result']


@pytest.mark.asyncio
async def test_function_model_receives_the_conversation_and_agent_info() -> None:
    seen: list[tuple[list[ModelMessage], AgentInfo]] = []

    async def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        seen.append((messages, info))
        return ModelResponse([TextPart('ok')])

    model = FunctionModel(answer)
    agent = Agent(model, model_settings={'temperature': 0.5})

    @agent.tool_plain
    def helper() -> None: ...

    await agent.run('hi', model_settings={'max_tokens': 10})

    messages, info = seen[0]
    assert isinstance(messages[0], ModelRequest)
    assert [t.name for t in info.function_tools] == ['helper']
    assert info.allow_text_result is True and info.result_tools == []
    assert info.model_settings == {'temperature': 0.5, 'max_tokens': 10}
    assert model.model_name == 'function:answer:'
    assert model.system == 'function'


@pytest.mark.asyncio
async def test_function_model_stream_assembles_tool_call_deltas_and_estimates_usage() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> AsyncIterator[DeltaToolCalls]:
        yield {0: DeltaToolCall(name='final_result', tool_call_id='x1')}
        yield {0: DeltaToolCall(json_args='{"response": ')}
        yield {0: DeltaToolCall(json_args='[1, 2]}')}

    model = FunctionModel(stream_function=stream)
    async with model.request_stream([ModelRequest.user_text_prompt('a b')], None, ModelRequestParameters()) as response:
        events = [event async for event in response]
    assert len(events) == 3
    assembled = response.get()
    assert assembled.parts == [ToolCallPart('final_result', '{"response": [1, 2]}', 'x1')]
    assert assembled.finish_reason == 'tool_call'
    usage = response.usage()
    assert usage.requests == 1
    assert usage.request_tokens == 52
    assert usage.response_tokens == 2 + 3


def test_function_model_needs_a_function_and_returns_responses() -> None:
    with pytest.raises(InvalidArgumentsError, match='Either `function` or `stream_function` must be provided'):
        FunctionModel()
    agent = Agent(FunctionModel(lambda messages, info: 'not a response'))  # type: ignore[arg-type,return-value]
    with pytest.raises(UserError, match='must return a ModelResponse'):
        agent.run_sync('x')
    stream_only = Agent(FunctionModel(stream_function=lambda m, i: _empty()))
    with pytest.raises(UserError, match='no `function`'):
        stream_only.run_sync('x')


async def _empty() -> AsyncIterator[str]:
    return
    yield ''
