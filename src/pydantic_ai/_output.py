"""An agent's result: how the model is asked for it (text, result tools, native JSON schema) and how it is validated.

`result_type=str` lets the model answer with text. Any other type is offered as a result tool whose arguments are
the result: pydantic models, dataclasses and `TypedDict`s directly as the tool's object schema, anything else
(`int`, `list[int]`, ...) wrapped as `{"response": ...}`. A union gets one result tool per member (a `str` member
allows text as well). With another output mode (`'native'`: the provider's JSON-schema response format) the schema
goes in `ModelRequestParameters.output_object` and the model's text is the JSON result.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter
from typing_extensions import TypeVar, is_typeddict

from ._function_schema import first_param_is_run_context, json_schema_of
from .exceptions import UserError
from .messages import ToolCallPart
from .models import ModelRequestParameters
from .output import OutputMode, OutputObjectDefinition
from .tools import RunContext, ToolDefinition

__all__ = ('ResultSchema', 'ResultTool', 'ResultValidator', 'DEFAULT_DESCRIPTION')

ResultDataT = TypeVar('ResultDataT', default=str)

DEFAULT_DESCRIPTION = 'The final response which ends this conversation'
_WRAPPER_KEY = 'response'


@dataclass
class ResultTool:
    """One way of answering with a structured result: a tool definition and the validator of its arguments."""

    tool_def: ToolDefinition
    """What the model is offered."""
    adapter: TypeAdapter[Any]
    """Validates the arguments (for a wrapped type, the `{"response": ...}` object)."""

    def validate(self, args: str | dict[str, Any], *, allow_partial: bool = False) -> Any:
        """The result from the call's arguments.

        Raises:
            pydantic.ValidationError: the arguments do not validate (with `allow_partial`, incomplete JSON at the
                end is allowed but a missing required field is still an error).
        """
        partial: Any = 'trailing-strings' if allow_partial else False
        if isinstance(args, str):
            value = self.adapter.validate_json(args or '{}', experimental_allow_partial=partial)
        else:
            value = self.adapter.validate_python(args, experimental_allow_partial=partial)
        if self.tool_def.outer_typed_dict_key is not None:
            return value[self.tool_def.outer_typed_dict_key]
        return value


@dataclass
class ResultSchema:
    """Every way the model may answer the run's result, built once per agent."""

    allow_text: bool
    """Whether plain text is a result (`str` is the result type or one of its union members)."""
    tools: dict[str, ResultTool]
    """Result tools by name (in `'tool'` mode)."""
    mode: OutputMode
    """How structured results are requested."""
    native: ResultTool | None = None
    """The result's schema and validator in the modes where the answer is JSON text (all but `'tool'`)."""

    @property
    def allow_text_result(self) -> bool:
        """The original API's name of `allow_text`."""
        return self.allow_text

    @property
    def is_text(self) -> bool:
        """Whether the result is plain text only."""
        return self.allow_text and not self.tools and self.native is None

    def request_parameters(self, function_tools: list[ToolDefinition]) -> ModelRequestParameters:
        """The parameters of one request offering `function_tools`."""
        if self.native is not None:
            tool_def = self.native.tool_def
            return ModelRequestParameters(
                function_tools=function_tools,
                allow_text_result=True,
                output_mode=self.mode,
                output_object=OutputObjectDefinition(
                    json_schema=tool_def.parameters_json_schema, name=tool_def.name, description=tool_def.description
                ),
            )
        return ModelRequestParameters(
            function_tools=function_tools,
            allow_text_result=self.allow_text,
            result_tools=[tool.tool_def for tool in self.tools.values()],
        )

    def find_call(self, parts: list[Any]) -> tuple[ToolCallPart, ResultTool] | None:
        """The first call of a result tool among `parts`, with its tool."""
        for part in parts:
            if isinstance(part, ToolCallPart) and part.tool_name in self.tools:
                return part, self.tools[part.tool_name]
        return None

    def validate_text(self, text: str, *, allow_partial: bool = False) -> Any:
        """The result from a text answer: the text itself, or (native mode) the JSON in it, validated.

        Raises:
            pydantic.ValidationError: native mode, and the text is not JSON matching the schema.
        """
        if self.native is None:
            return text
        return self.native.validate(text, allow_partial=allow_partial)


def build_result_schema(
    result_type: Any, *, tool_name: str, tool_description: str | None, mode: OutputMode
) -> ResultSchema:
    """The result schema for `result_type`.

    Raises:
        UserError: the type has no JSON schema, or native mode was asked for a union or plain text.
    """
    modes = get_args(OutputMode)
    if mode not in modes:
        raise UserError(f'`output_mode` must be one of {", ".join(repr(m) for m in modes)}, got {mode!r}.')
    members = _union_members(result_type)
    allow_text = str in members
    structured = [member for member in members if member is not str]
    if mode != 'tool':
        if len(structured) != 1 or allow_text:
            raise UserError(
                f'`output_mode={mode!r}` needs a single structured result type (not str, not a union), '
                f'got {result_type!r}. Use the default tool mode for unions.'
            )
        return ResultSchema(
            allow_text=False,
            tools={},
            mode=mode,
            native=_native_result_tool(structured[0], tool_name, tool_description),
        )
    tools: dict[str, ResultTool] = {}
    multiple = len(structured) > 1
    for index, member in enumerate(structured, start=1):
        name = f'{tool_name}_{_type_name(member)}' if multiple else tool_name
        while name in tools:
            name = f'{name}_{index}'
        tools[name] = _result_tool(member, name, tool_description, multiple=multiple)
    return ResultSchema(allow_text=allow_text, tools=tools, mode=mode)


def _union_members(result_type: Any) -> list[Any]:
    if type(result_type).__name__ == 'TypeAliasType':  # `type X = A | B` (3.12) or typing_extensions'
        result_type = result_type.__value__
    origin = get_origin(result_type)
    if origin is Union or origin is types.UnionType:
        return list(get_args(result_type))
    return [result_type]


def _type_name(member: Any) -> str:
    name = getattr(member, '__name__', None)
    if isinstance(name, str) and get_origin(member) is None:
        return name
    return ''.join(ch if ch.isalnum() else '_' for ch in repr(member)).strip('_')


def _is_object_type(member: Any) -> bool:
    if not inspect.isclass(member):
        return False
    return issubclass(member, BaseModel) or dataclasses.is_dataclass(member) or is_typeddict(member)


def _result_tool(member: Any, name: str, description: str | None, *, multiple: bool = False) -> ResultTool:
    """The result tool for one type, schema and description as the original API builds them.

    An object type's schema is pydantic's (titles included); any other type is wrapped as `{"response": ...}`. The
    type's docstring, when it has one, is the description (after `description` and `'. '` when both are given);
    otherwise `description` or `DEFAULT_DESCRIPTION`, prefixed with the type's name for a union member.
    """
    try:
        if _is_object_type(member):
            adapter: TypeAdapter[Any] = TypeAdapter(member)
            key = None
            schema = adapter.json_schema()
            if '$ref' in schema and schema.get('type') != 'object':
                schema = dict(schema.get('$defs', {}).get(schema['$ref'].rsplit('/', 1)[-1], schema))
        else:
            from typing_extensions import TypedDict

            wrapper = TypedDict('response_data_typed_dict', {_WRAPPER_KEY: member})  # type: ignore[misc]
            adapter = TypeAdapter(wrapper)
            key = _WRAPPER_KEY
            schema = adapter.json_schema()
            schema.pop('title', None)
    except UserError:
        raise
    except Exception as exc:
        raise UserError(f'Cannot use {member!r} as a result type: {exc}') from exc
    schema_description = schema.pop('description', None)
    if isinstance(schema_description, str) and schema_description:
        tool_description = schema_description if description is None else f'{description}. {schema_description}'
    else:
        tool_description = description or DEFAULT_DESCRIPTION
        if multiple:
            tool_description = f'{_type_name(member)}: {tool_description}'
    return ResultTool(
        tool_def=ToolDefinition(
            name=name, description=tool_description, parameters_json_schema=schema, outer_typed_dict_key=key
        ),
        adapter=adapter,
    )


def _native_result_tool(member: Any, name: str, description: str | None) -> ResultTool:
    """The result's schema for the modes where the answer is JSON text: without titles, which only repeat names."""
    try:
        if _is_object_type(member):
            adapter: TypeAdapter[Any] = TypeAdapter(member)
            key = None
        else:
            from typing_extensions import TypedDict

            wrapper = TypedDict(name, {_WRAPPER_KEY: member})  # type: ignore[misc]
            adapter = TypeAdapter(wrapper)
            key = _WRAPPER_KEY
        schema = json_schema_of(adapter)
    except UserError:
        raise
    except Exception as exc:
        raise UserError(f'Cannot use {member!r} as a result type: {exc}') from exc
    schema_description = schema.pop('description', None)
    if description is None:
        description = schema_description if isinstance(schema_description, str) else DEFAULT_DESCRIPTION
    return ResultTool(
        tool_def=ToolDefinition(
            name=name, description=description, parameters_json_schema=schema, outer_typed_dict_key=key
        ),
        adapter=adapter,
    )


@dataclass
class ResultValidator(Generic[ResultDataT]):
    """A function checking (and possibly changing) the result; it raises `ModelRetry` to have the model retry."""

    function: Callable[..., ResultDataT | Awaitable[ResultDataT]]
    """The validator, sync or async, with or without a `RunContext` first parameter."""

    def __post_init__(self) -> None:
        self.takes_ctx = first_param_is_run_context(self.function)
        self.is_async = inspect.iscoroutinefunction(self.function)

    async def validate(self, result: ResultDataT, ctx: RunContext[Any]) -> ResultDataT:
        """Run the validator on `result` and return what it returns.

        Raises:
            ModelRetry: the validator rejected the result.
        """
        args: tuple[Any, ...] = (ctx, result) if self.takes_ctx else (result,)
        if self.is_async:
            value: Any = await self.function(*args)  # type: ignore[misc]
            return value  # type: ignore[no-any-return]
        import asyncio

        return await asyncio.to_thread(self.function, *args)  # type: ignore[arg-type]
