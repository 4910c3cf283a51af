"""Tool schemas from signatures and docstrings (Google, NumPy, Sphinx), and RunContext detection."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from pydantic_ai import Agent, RunContext, Tool, UserError
from pydantic_ai.models.test import TestModel


class Address(BaseModel):
    street: str
    zip_code: str | None = None


def google_style(city: str, days: int = 3, address: Address | None = None) -> str:
    """Get the weather forecast.

    Looks the city up first.

    Args:
        city: The city to look up.
        days: How many days ahead.
        address: An exact address, when known.
    """
    return city


def numpy_style(city: str, days: int = 3) -> str:
    """Get the weather forecast.

    Parameters
    ----------
    city : str
        The city to look up.
    days : int
        How many days ahead.
    """
    return city


def sphinx_style(city: str, days: int = 3) -> str:
    """Get the weather forecast.

    :param city: The city to look up.
    :param days: How many days ahead.
    """
    return city


@pytest.mark.parametrize(
    ('function', 'fmt'),
    [
        (google_style, 'google'),
        (numpy_style, 'numpy'),
        (sphinx_style, 'sphinx'),
        (google_style, 'auto'),
        (numpy_style, 'auto'),
        (sphinx_style, 'auto'),
    ],
)
def test_docstring_styles_give_description_and_parameter_descriptions(function: Any, fmt: Any) -> None:
    tool = Tool(function, docstring_format=fmt)
    definition = tool.tool_def()

    assert definition.name == function.__name__
    assert definition.description is not None and definition.description.startswith('Get the weather forecast.')
    props = definition.parameters_json_schema['properties']
    # As the original API builds it: titles kept, defaults not shown, only required parameters listed.
    assert props['city'] == {'description': 'The city to look up.', 'title': 'City', 'type': 'string'}
    assert props['days'] == {'description': 'How many days ahead.', 'title': 'Days', 'type': 'integer'}
    assert definition.parameters_json_schema['required'] == ['city']
    assert definition.parameters_json_schema['additionalProperties'] is False


def test_nested_and_optional_models_and_long_description() -> None:
    schema = Tool(google_style).tool_def()

    assert schema.description == 'Get the weather forecast.\n\nLooks the city up first.'
    address = schema.parameters_json_schema['properties']['address']
    assert address['anyOf'] == [{'$ref': '#/$defs/Address'}, {'type': 'null'}]
    assert 'default' not in address
    assert schema.parameters_json_schema['$defs']['Address']['required'] == ['street']


def test_annotated_field_description_wins_over_the_docstring_and_odd_names_work() -> None:
    def tool(json: Annotated[int, Field(description='from Annotated', ge=0)], _private: str = 'p') -> str:
        """Do it.

        Args:
            json: from the docstring
        """
        return f'{json}{_private}'

    definition = Tool(tool).tool_def()
    props = definition.parameters_json_schema['properties']
    assert props['json'] == {'description': 'from Annotated', 'minimum': 0, 'title': 'Json', 'type': 'integer'}
    assert props['_private'] == {'title': 'Private', 'type': 'string'}
    positional, keywords = Tool(tool).schema.validate('{"json": 2}')
    assert (positional, keywords) == ([], {'json': 2})


def test_positional_only_parameters_are_passed_by_position() -> None:
    def tool(a: int, b: int = 5, /) -> int:
        return a - b

    schema = Tool(tool).schema
    positional, keywords = schema.validate({'a': 9})
    assert tool(*positional, **keywords) == 4


def test_run_context_is_detected_by_annotation() -> None:
    def with_ctx(ctx: RunContext[int], x: int) -> int:
        return ctx.deps + x

    def plain(x: int) -> int:
        return x

    assert Tool(with_ctx).takes_ctx is True
    assert list(Tool(with_ctx).tool_def().parameters_json_schema['properties']) == ['x']
    assert Tool(plain).takes_ctx is False


def test_bad_tool_signatures_are_user_errors_worded_as_the_original() -> None:
    def ctx_late(x: int, ctx: RunContext[None]) -> None: ...

    def undocumented(x: int) -> None:
        """Nothing about x."""

    with pytest.raises(UserError) as info:
        Tool(ctx_late, takes_ctx=True)
    assert str(info.value) == (
        'Error generating schema for test_bad_tool_signatures_are_user_errors_worded_as_the_original.<locals>.'
        'ctx_late:\n'
        '  First parameter of tools that take context must be annotated with RunContext[...]\n'
        '  RunContext annotations can only be used as the first argument'
    )
    with pytest.raises(UserError, match='RunContext annotations can only be used with tools that take context'):
        Tool(ctx_late, takes_ctx=False)
    with pytest.raises(UserError, match='Missing parameter descriptions for x'):
        Tool(undocumented, require_parameter_descriptions=True)
    with pytest.raises(UserError, match='A tool must be a function'):
        Tool(3)  # type: ignore[arg-type]


def test_agent_offers_the_tool_definitions_to_the_model() -> None:
    model = TestModel()
    agent = Agent(model, tools=[google_style, Tool(sphinx_style, name='weather2', description='custom')])
    agent.run_sync('x')

    params = model.last_model_request_parameters
    assert params is not None
    offered = {t.name: t for t in params.function_tools}
    assert set(offered) == {'google_style', 'weather2'}
    assert offered['weather2'].description == 'custom'
    assert offered['google_style'].parameters_json_schema == Tool(google_style).tool_def().parameters_json_schema
