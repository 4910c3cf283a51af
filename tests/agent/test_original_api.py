"""Behaviours of the original API (pydantic-ai v0.0.40) that its own tests pin, as this project's tests.

See tests/agent/ORIGINAL_API.md for how the original's test files are run against this project.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pydantic import BaseModel

from pydantic_ai import Agent, RunContext, UserError, capture_run_messages
from pydantic_ai.exceptions import EmptyStreamError, InvalidArgumentsError, TestSetupError
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from pydantic_ai.models import Model, infer_model, override_allow_model_requests
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.test import TestModel
from pydantic_ai.usage import Usage


class Point(BaseModel):
    """A point on the plane."""

    x: int
    y: int


def test_local_models_answer_while_model_requests_are_forbidden() -> None:
    assert Model.is_local is False
    assert TestModel.is_local is True and FunctionModel.is_local is True
    with override_allow_model_requests(False):
        assert Agent(TestModel()).run_sync('hi').data == 'success (no tool calls)'
        model = FunctionModel(lambda messages, info: ModelResponse(parts=[TextPart('ok')]))
        assert Agent(model).run_sync('hi').data == 'ok'


def test_the_bare_name_test_is_a_test_model_wherever_a_model_string_is_taken() -> None:
    assert isinstance(infer_model('test'), TestModel)
    assert Agent('test').run_sync('hi').data == 'success (no tool calls)'


def test_a_run_may_change_the_result_type_unless_the_agent_has_validators() -> None:
    agent = Agent('test')
    assert agent.run_sync('hi', result_type=Point).data == Point(x=0, y=0)
    assert agent.run_sync('hi').data == 'success (no tool calls)'

    @agent.result_validator
    def same(data: str) -> str:
        return data

    with pytest.raises(UserError, match='Cannot set a custom run `result_type`'):
        agent.run_sync('hi', result_type=int)


def test_result_tool_return_content_replaces_the_final_return_in_a_copy() -> None:
    result = Agent('test', result_type=Point).run_sync('hi')
    changed = result.all_messages(result_tool_return_content='thanks')
    last = changed[-1]
    assert isinstance(last, ModelRequest) and isinstance(last.parts[0], ToolReturnPart)
    assert last.parts[0].content == 'thanks'
    assert result.all_messages()[-1].parts[0].content == 'Final result processed.'  # type: ignore[union-attr]
    assert b'thanks' in result.new_messages_json(result_tool_return_content='thanks')
    with pytest.raises(ValueError, match='return type is `str`'):
        Agent('test').run_sync('hi').all_messages(result_tool_return_content='x')


def _schema_of(tool: Any) -> dict[str, Any]:
    agent = Agent(FunctionModel(lambda m, info: ModelResponse([TextPart(json.dumps(info.function_tools[0].__dict__))])))
    agent.tool_plain(tool)
    return json.loads(agent.run_sync('x').data)  # type: ignore[no-any-return]


def test_tool_schema_has_titles_no_defaults_and_closed_properties() -> None:
    def area(width: int, height: int = 2) -> int:
        """Area of a rectangle.

        Args:
            width: The width.
            height: The height.
        """
        return width * height

    definition = _schema_of(area)
    assert definition['description'] == 'Area of a rectangle.'
    assert definition['parameters_json_schema'] == {
        'properties': {
            'width': {'description': 'The width.', 'title': 'Width', 'type': 'integer'},
            'height': {'description': 'The height.', 'title': 'Height', 'type': 'integer'},
        },
        'required': ['width'],
        'type': 'object',
        'additionalProperties': False,
    }


def test_a_tool_taking_one_model_takes_its_schema_and_its_docstring() -> None:
    def place(point: Point) -> str:
        return f'{point.x},{point.y}'

    definition = _schema_of(place)
    assert definition['description'] == 'A point on the plane.'
    assert definition['parameters_json_schema']['title'] == 'Point'
    assert Agent('test', tools=[place]).run_sync('x').data == '{"place":"0,0"}'


def test_star_args_and_kwargs_tools() -> None:
    def total(*numbers: int) -> int:
        return sum(numbers)

    def keys(**named: int) -> str:
        return ','.join(sorted(named))

    assert _schema_of(total)['parameters_json_schema']['properties']['numbers']['type'] == 'array'
    assert _schema_of(keys)['parameters_json_schema']['additionalProperties'] is True
    calls = iter([ModelResponse([ToolCallPart('total', {'numbers': [1, 2, 3]})]), ModelResponse([TextPart('done')])])
    agent = Agent(FunctionModel(lambda m, i: next(calls)), tools=[total])
    result = agent.run_sync('x')
    assert result.all_messages()[2].parts[0].content == 6  # type: ignore[union-attr]


def test_numpy_and_sphinx_docstrings_are_detected() -> None:
    def numpy(a: int) -> int:
        """Numpy.

        Parameters
        ----------
        a : int
            The a.
        """
        return a

    def sphinx(a: int) -> int:
        """Sphinx.

        :param a: The a.
        """
        return a

    for tool, text in ((numpy, 'Numpy.'), (sphinx, 'Sphinx.')):
        definition = _schema_of(tool)
        assert definition['description'] == text
        assert definition['parameters_json_schema']['properties']['a']['description'] == 'The a.'


def test_union_result_tools_are_named_and_described_per_member() -> None:
    class Other(BaseModel):
        z: str

    model = TestModel()
    Agent(model, result_type=Point | Other).run_sync('x')  # type: ignore[arg-type]
    assert model.last_model_request_parameters is not None
    tools = model.last_model_request_parameters.result_tools
    assert [(t.name, t.description) for t in tools] == [
        ('final_result_Point', 'A point on the plane.'),
        ('final_result_Other', 'Other: The final response which ends this conversation'),
    ]


def test_an_invalid_result_call_is_answered_when_a_later_one_is_used() -> None:
    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(
            [ToolCallPart('final_result', {'x': 'bad'}, 'a'), ToolCallPart('final_result', {'x': 1, 'y': 2}, 'b')]
        )

    result = Agent(FunctionModel(answer), result_type=Point).run_sync('x')
    assert result.data == Point(x=1, y=2)
    assert [p.content for p in result.all_messages()[-1].parts] == [  # type: ignore[union-attr]
        'Result tool not used - result failed validation.',
        'Final result processed.',
    ]


def test_prepare_can_change_what_the_model_is_offered() -> None:
    async def rename(ctx: RunContext[None], tool_def: Any) -> Any:
        tool_def.description = f'called at step {ctx.run_step}'
        return tool_def

    model = TestModel(call_tools=[])
    agent = Agent(model)

    @agent.tool_plain(prepare=rename)
    def noop() -> str:
        return 'x'

    agent.run_sync('x')
    assert model.last_model_request_parameters is not None
    assert model.last_model_request_parameters.function_tools[0].description == 'called at step 1'


def test_capture_run_messages_nests_and_captures_the_first_run_only() -> None:
    agent = Agent('test')
    with capture_run_messages() as outer:
        with capture_run_messages() as inner:
            assert inner is outer
            agent.run_sync('one')
        agent.run_sync('two')
    assert len(outer) == 2 and outer[0].parts[0].content == 'one'  # type: ignore[union-attr]


def test_override_on_an_agent_without_a_model_still_asks_for_one() -> None:
    agent = Agent()
    with agent.override(model='test'), pytest.raises(UserError, match='Even when `override'):
        agent.run_sync('x')


def test_model_responses_written_without_the_newer_fields_compare_equal() -> None:
    response = Agent('test').run_sync('x').all_messages()[-1]
    assert isinstance(response, ModelResponse) and response.usage != Usage()
    assert response == ModelResponse(parts=[TextPart('success (no tool calls)')], model_name='test',
                                     timestamp=response.timestamp)  # fmt: skip
    assert response != ModelResponse(parts=response.parts, model_name='test', timestamp=response.timestamp,
                                     usage=Usage(requests=9))  # fmt: skip


def test_function_model_name_and_streamed_text_as_the_original() -> None:
    async def stream(messages: list[ModelMessage], info: AgentInfo) -> Any:
        for word in ('The ', 'cat.'):
            yield word

    model = FunctionModel(stream_function=stream)
    assert model.model_name == 'function::stream'

    async def main() -> tuple[list[str], list[str], Usage]:
        agent = Agent(model)
        async with agent.run_stream('x') as result:
            grouped = [text async for text in result.stream_text()]
        async with agent.run_stream('x') as result:
            each = [text async for text in result.stream_text(debounce_by=None)]
            usage = result.usage()
        return grouped, each, usage

    grouped, each, usage = asyncio.run(main())
    assert grouped == ['The cat.']
    assert each == ['The ', 'The cat.']
    assert usage.requests == 1


def test_function_model_without_functions_is_a_user_error_and_a_type_error() -> None:
    with pytest.raises(TypeError, match='Either `function` or `stream_function` must be provided') as raised:
        FunctionModel()
    assert isinstance(raised.value, InvalidArgumentsError) and isinstance(raised.value, UserError)
    assert 'FunctionModel(stream_function=...)' in str(raised.value)


def test_a_stream_function_yielding_nothing_is_a_user_error_and_a_value_error() -> None:
    async def nothing(messages: list[ModelMessage], info: AgentInfo) -> Any:
        for item in ():
            yield item

    async def main() -> None:
        async with Agent(FunctionModel(stream_function=nothing)).run_stream('x'):
            raise AssertionError('the block is not entered')

    with pytest.raises(ValueError, match='Stream function must return at least one item') as raised:
        asyncio.run(main())
    assert isinstance(raised.value, EmptyStreamError) and isinstance(raised.value, UserError)


def test_custom_result_text_against_a_structured_result_is_a_user_error_and_an_assertion_error() -> None:
    assert Agent().run_sync('x', model=TestModel(custom_result_text='custom')).data == 'custom'
    agent = Agent(result_type=tuple[str, str])
    with pytest.raises(AssertionError, match='Plain response not allowed, but `custom_result_text` is set.') as raised:
        agent.run_sync('x', model=TestModel(custom_result_text='custom'))
    assert isinstance(raised.value, TestSetupError) and isinstance(raised.value, UserError)
    assert 'custom_result_args' in str(raised.value)


def test_an_unknown_tool_call_with_an_id_is_answered_for_that_id_and_one_without_as_the_original() -> None:
    def answer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if len(messages) == 1:
            return ModelResponse(parts=[ToolCallPart('nope', '{}', 'call-1'), ToolCallPart('gone', '{}')])
        return ModelResponse(parts=[TextPart('done')])

    agent = Agent(FunctionModel(answer), result_retries=2)  # each unknown call counts as a retry

    @agent.tool_plain
    def real() -> str:
        return 'r'

    retry_with_id, retry_without = agent.run_sync('x').all_messages()[2].parts
    assert isinstance(retry_with_id, RetryPromptPart) and isinstance(retry_without, RetryPromptPart)
    assert (retry_with_id.tool_name, retry_with_id.tool_call_id) == ('nope', 'call-1')
    assert retry_with_id.content == "Unknown tool name: 'nope'. Available tools: real"
    assert (retry_without.tool_name, retry_without.tool_call_id) == (None, None)
    assert retry_without.content == "Unknown tool name: 'gone'. Available tools: real"


def test_required_parameter_descriptions_are_not_asked_of_the_run_context() -> None:
    agent = Agent('test', deps_type=int)

    @agent.tool(require_parameter_descriptions=True)
    def documented(ctx: RunContext[int], city: str) -> str:
        """Look a city up.

        Args:
            city: The city.
        """
        return city

    def undocumented(ctx: RunContext[int], city: str) -> str:
        """Look a city up."""
        return city

    with pytest.raises(UserError) as raised:
        agent.tool(require_parameter_descriptions=True)(undocumented)
    assert str(raised.value).endswith(':\n  Missing parameter descriptions for city')
    assert raised.value.__notes__ and 'describe every other parameter' in raised.value.__notes__[0]


def test_schema_errors_keep_the_original_wording_and_say_what_to_do_in_a_note() -> None:
    agent = Agent('test')

    def with_ctx(ctx: RunContext[None]) -> str:
        return ''

    with pytest.raises(UserError) as raised:
        agent.tool_plain(with_ctx)
    assert str(raised.value).endswith('\n  RunContext annotations can only be used with tools that take context')
    assert '`@agent.tool`' in raised.value.__notes__[0]
