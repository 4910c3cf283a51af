"""`TestModel`: a deterministic model for testing agents, which answers from what the request offers.

Its first answer calls every offered tool (or those named in `call_tools`) with arguments generated from each
tool's JSON schema; once tool results are in the conversation it answers with text (a JSON object of the tools'
results, or `'success (no tool calls)'`), or with a call of the result tool when text is not allowed. A retry prompt
is answered by calling the retried tool again. Nothing leaves the process; `Agent('test')` selects it.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, ClassVar, Literal

from .._tool_definition import ToolDefinition
from ..exceptions import TestSetupError, UserError
from ..messages import (
    FinishReason,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    ModelResponseStreamEvent,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
)
from ..settings import ModelSettings
from ..usage import Usage
from .base import Model, ModelRequestParameters, StreamedResponse
from .function import estimate_string_tokens, estimate_usage

__all__ = ('TestModel', 'TestStreamedResponse')


@dataclass
class TestModel(Model):
    """A model for tests: calls the offered tools with generated arguments, then answers; always the same way."""

    __test__ = False  # not a pytest test class
    is_local: ClassVar[bool] = True
    """Answers in-process, so `ALLOW_MODEL_REQUESTS = False` does not block it (the test suites that set it use it)."""

    call_tools: list[str] | Literal['all'] = 'all'
    """The tools to call in the first answer: their names, or `'all'`."""
    custom_result_text: str | None = None
    """The text to answer with, instead of the generated one."""
    custom_result_args: Any | None = None
    """The result tool's arguments to answer with, instead of generated ones."""
    seed: int = 0
    """Varies the generated values (and which union member's result tool is called)."""
    last_model_request_parameters: ModelRequestParameters | None = field(default=None, init=False)
    """The parameters of the latest request, to check what an agent offered."""

    async def _request(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> tuple[ModelResponse, Usage]:
        """Answer from the conversation and the request's offer, with an estimated usage."""
        self.last_model_request_parameters = model_request_parameters
        response = self._answer(messages, model_request_parameters)
        usage = estimate_usage([*messages, response])
        response.usage = usage
        return response, usage

    async def _request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        model_request_parameters: ModelRequestParameters,
    ) -> StreamedResponse:
        """Stream the same answer `request()` gives: text word by word, each tool call whole."""
        self.last_model_request_parameters = model_request_parameters
        return TestStreamedResponse(response=self._answer(messages, model_request_parameters), messages=messages)

    @property
    def model_name(self) -> str:
        """Always `'test'`."""
        return 'test'

    @property
    def system(self) -> str:
        """Always `'test'`."""
        return 'test'

    def gen_tool_args(self, tool_def: ToolDefinition) -> Any:
        """Arguments valid for the tool's schema, generated deterministically from `seed`."""
        return _SchemaData(tool_def.parameters_json_schema, self.seed).generate()

    def _tools_to_call(self, params: ModelRequestParameters) -> list[ToolDefinition]:
        if self.call_tools == 'all':
            return list(params.function_tools)
        by_name = {tool.name: tool for tool in params.function_tools}
        missing = [name for name in self.call_tools if name not in by_name]
        if missing:
            raise UserError(f'TestModel.call_tools names tools the request does not offer: {missing}.')
        return [by_name[name] for name in self.call_tools]

    def _answer(self, messages: list[ModelMessage], params: ModelRequestParameters) -> ModelResponse:
        tools = self._tools_to_call(params)
        if tools and not any(isinstance(message, ModelResponse) for message in messages):
            return self._response([ToolCallPart(tool.name, self.gen_tool_args(tool)) for tool in tools])
        last = messages[-1] if messages else None
        if isinstance(last, ModelRequest):
            retried = {part.tool_name for part in last.parts if isinstance(part, RetryPromptPart)}
            retried.discard(None)
            if retried:
                calls: list[ModelResponsePart] = [
                    ToolCallPart(tool.name, self.gen_tool_args(tool)) for tool in tools if tool.name in retried
                ]
                calls.extend(
                    ToolCallPart(tool.name, self._result_args(tool))
                    for tool in params.result_tools
                    if tool.name in retried
                )
                if calls:
                    return self._response(calls)
        return self._final(messages, params)

    def _final(self, messages: list[ModelMessage], params: ModelRequestParameters) -> ModelResponse:
        if self.custom_result_text is not None:
            if not params.allow_text_result:
                raise TestSetupError(
                    "Plain response not allowed, but `custom_result_text` is set. The agent's result type is not "
                    "text: set `custom_result_args` (the result tool's arguments) instead."
                )
            return self._response([TextPart(self.custom_result_text)])
        structured = self.custom_result_args is not None or not params.allow_text_result
        if structured and params.result_tools and params.output_mode == 'tool':
            tool = params.result_tools[
                0 if self.custom_result_args is not None else self.seed % len(params.result_tools)
            ]
            return self._response([ToolCallPart(tool.name, self._result_args(tool))])
        if params.output_mode != 'tool' and params.output_object is not None:
            if self.custom_result_args is not None:
                data = self.custom_result_args
            else:
                data = _SchemaData(params.output_object.json_schema, self.seed).generate()
            from pydantic_core import to_json

            return self._response([TextPart(to_json(data).decode())])
        if self.custom_result_args is not None:
            raise UserError('TestModel.custom_result_args is set but the agent offers no result tool.')
        returns: dict[str, Any] = {}
        for message in messages:
            if isinstance(message, ModelRequest):
                for part in message.parts:
                    if isinstance(part, ToolReturnPart):
                        returns[part.tool_name] = part.content
        if returns:
            from pydantic_core import to_json

            return self._response([TextPart(to_json(returns).decode())])
        return self._response([TextPart('success (no tool calls)')])

    def _result_args(self, tool: ToolDefinition) -> Any:
        if self.custom_result_args is None:
            return self.gen_tool_args(tool)
        if tool.outer_typed_dict_key is not None:
            return {tool.outer_typed_dict_key: self.custom_result_args}
        return self.custom_result_args

    def _response(self, parts: list[ModelResponsePart]) -> ModelResponse:
        finish: FinishReason = 'tool_call' if any(isinstance(part, ToolCallPart) for part in parts) else 'stop'
        return ModelResponse(parts=parts, model_name='test', provider_name='test', finish_reason=finish)


@dataclass(kw_only=True)
class TestStreamedResponse(StreamedResponse):
    """`TestModel`'s stream: text in word-sized deltas, tool calls as whole parts."""

    __test__ = False

    response: ModelResponse
    """The answer to stream."""
    messages: list[ModelMessage]
    """The conversation, for the usage estimate."""
    model_name: str = 'test'
    provider_name: str | None = 'test'
    _estimate: Usage = field(default_factory=Usage, init=False, repr=False)

    def __post_init__(self) -> None:
        # The request's tokens; the response's are counted as its events are taken.
        request_tokens = estimate_usage(self.messages).request_tokens
        self._estimate = Usage(request_tokens=request_tokens, total_tokens=request_tokens)
        self.report_usage(self._estimate)

    async def iter_events(self) -> AsyncIterator[ModelResponseStreamEvent]:
        """The answer's text word by word, and its tool calls whole, counting tokens as they go.

        A word's tokens are counted once its event has been taken, so the usage seen while an event is handled
        covers the events before it (as the original API's `TestModel` counts).
        """
        for index, part in enumerate(self.response.parts):
            if isinstance(part, TextPart):
                for word in _words(part.content):
                    for event in self.parts_manager.handle_text_delta(vendor_part_id=index, content=word):
                        yield event
                    self._add_response_tokens(estimate_string_tokens(word))
            elif isinstance(part, ToolCallPart):
                self._add_response_tokens(1 + estimate_string_tokens(part.args_as_json_str()))
                for event in self.parts_manager.handle_tool_call_part(
                    vendor_part_id=index, tool_name=part.tool_name, args=part.args, tool_call_id=part.tool_call_id
                ):
                    yield event
        self.finish_reason = self.response.finish_reason

    def _add_response_tokens(self, tokens: int) -> None:
        # The estimate is the response's running total: reported whole each time (the latest report wins).
        self._estimate.incr(Usage(response_tokens=tokens, total_tokens=tokens))
        self.report_usage(self._estimate)


def _words(text: str) -> list[str]:
    """`text` split after each space; a single long word is split in two, so a stream has at least two deltas."""
    *words, last = text.split(' ')
    pieces = [f'{word} ' for word in words] + [last]
    if len(pieces) == 1 and len(text) > 2:
        middle = len(text) // 2
        pieces = [text[:middle], text[middle:]]
    return pieces


_LETTERS = 'abcdefghijklmnopqrstuvwxyz'


class _SchemaData:
    """Generates a value matching a JSON schema, deterministically from a seed."""

    def __init__(self, schema: dict[str, Any], seed: int) -> None:
        self.defs: dict[str, Any] = schema.get('$defs', {})
        self.schema = schema
        self.seed = seed

    def generate(self) -> Any:
        return self._any(self.schema)

    def _any(self, schema: dict[str, Any]) -> Any:  # noqa: C901 (one branch per JSON schema keyword)
        if 'const' in schema:
            return schema['const']
        if enum := schema.get('enum'):
            return enum[self.seed % len(enum)]
        if examples := schema.get('examples'):
            return examples[self.seed % len(examples)]
        if ref := schema.get('$ref'):
            return self._any(self.defs[re.sub(r'^#/\$defs/', '', ref)])
        if options := schema.get('anyOf') or schema.get('oneOf'):
            return self._any(options[self.seed % len(options)])
        if options := schema.get('allOf'):
            return self._any(options[0])
        kind = schema.get('type')
        if isinstance(kind, list):
            kind = kind[self.seed % len(kind)]
        if kind == 'object':
            return self._object(schema)
        if kind == 'string':
            return self._string(schema)
        if kind == 'integer':
            return self._integer(schema)
        if kind == 'number':
            return float(self._integer(schema))
        if kind == 'boolean':
            return bool(self.seed % 2)
        if kind == 'array':
            return self._array(schema)
        if kind == 'null':
            return None
        return self._letters()

    def _object(self, schema: dict[str, Any]) -> dict[str, Any]:
        required = set(schema.get('required', ()))
        data = {key: self._any(value) for key, value in schema.get('properties', {}).items() if key in required}
        extra = schema.get('additionalProperties')
        if extra:
            key = 'additionalProperty'
            while key in data:
                key += '_'
            data[key] = self._letters() if extra is True else self._any(extra)
        return data

    def _string(self, schema: dict[str, Any]) -> str:
        min_length = schema.get('minLength')
        if min_length is not None:
            return self._letters() * int(min_length)
        if schema.get('maxLength') == 0:
            return ''
        fmt = schema.get('format')
        if fmt == 'date':
            return (date(2024, 1, 1) + timedelta(days=self.seed)).isoformat()
        if fmt == 'date-time':
            return (datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(days=self.seed)).isoformat()
        return self._letters()

    def _integer(self, schema: dict[str, Any]) -> int:
        maximum = schema.get('maximum')
        if maximum is None and schema.get('exclusiveMaximum') is not None:
            maximum = schema['exclusiveMaximum'] - 1
        minimum = schema.get('minimum')
        if minimum is None and schema.get('exclusiveMinimum') is not None:
            minimum = schema['exclusiveMinimum'] + 1
        if minimum is not None and maximum is not None:
            return int(minimum + self.seed % (maximum - minimum + 1))
        if minimum is not None:
            return int(minimum + self.seed)
        if maximum is not None:
            return int(maximum - self.seed)
        return self.seed

    def _array(self, schema: dict[str, Any]) -> list[Any]:
        unique = schema.get('uniqueItems')
        data: list[Any] = []
        for item in schema.get('prefixItems', ()):
            data.append(self._any(item))
            self.seed += 1 if unique else 0
        items = schema.get('items', {})
        wanted = max(schema.get('minItems', 0), len(data) + (1 if items else 0))
        maximum = schema.get('maxItems')
        if maximum is not None:
            wanted = min(wanted, maximum)
        while len(data) < wanted:
            data.append(self._any(items))
            self.seed += 1 if unique else 0
        return data

    def _letters(self) -> str:
        # Spreadsheet-column style: a..z, then aa, ab, ...
        n = self.seed
        text: str = ''
        while True:
            text = _LETTERS[n % 26] + text
            n = n // 26 - 1
            if n < 0:
                return text
