"""Messages and answers in the GenAI semantic conventions' JSON form, for the content attributes of a span.

Every part type of `pydantic_ai.messages` has its case here, and each translator ends in `assert_never`: a new part
type fails the type check until it is given its form, instead of vanishing from traces.
"""

from __future__ import annotations

import json
from typing import Any

from typing_extensions import assert_never

from ..messages import (
    AudioUrl,
    BinaryContent,
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    ModelResponsePart,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from . import _semconv as sc

__all__ = ('add_input_content', 'output_messages')


def dumps(value: Any) -> str:
    """JSON for an attribute value; what JSON cannot hold is written as its `str()`."""
    return json.dumps(value, ensure_ascii=False, default=str)


def add_input_content(attributes: dict[str, Any], messages: list[ModelMessage]) -> None:
    """Set the input messages attribute, and the system instructions attribute when there are instructions."""
    instructions: list[dict[str, Any]] = []
    converted: list[dict[str, Any]] = []
    for message in messages:
        if isinstance(message, ModelRequest):
            for part in message.parts:
                _map_request_part(part, instructions, converted)
        elif isinstance(message, ModelResponse):
            converted.append({'role': 'assistant', 'parts': [_map_response_part(p) for p in message.parts]})
        else:
            assert_never(message)
    attributes[sc.GEN_AI_INPUT_MESSAGES] = dumps(converted)
    if instructions:
        attributes[sc.GEN_AI_SYSTEM_INSTRUCTIONS] = dumps(instructions)


def output_messages(response: ModelResponse) -> str:
    """The output messages attribute's value for `response`."""
    parts = [_map_response_part(part) for part in response.parts]
    return dumps([{'role': 'assistant', 'parts': parts, 'finish_reason': response.finish_reason or ''}])


def _map_request_part(
    part: ModelRequestPart, instructions: list[dict[str, Any]], converted: list[dict[str, Any]]
) -> None:
    if isinstance(part, SystemPromptPart):
        instructions.append({'type': 'text', 'content': part.content})
    elif isinstance(part, UserPromptPart):
        items = [part.content] if isinstance(part.content, str) else part.content
        converted.append({'role': 'user', 'parts': [_map_user_content(item) for item in items]})
    elif isinstance(part, ToolReturnPart):
        converted.append({'role': 'tool', 'parts': [_tool_response(part.tool_call_id, part.content)]})
    elif isinstance(part, RetryPromptPart):
        content = part.content if isinstance(part.content, str) else dumps(part.content)
        if part.tool_name is not None:
            converted.append({'role': 'tool', 'parts': [_tool_response(part.tool_call_id, content)]})
        else:
            converted.append({'role': 'user', 'parts': [{'type': 'text', 'content': content}]})
    else:
        assert_never(part)


def _map_user_content(item: UserContent) -> dict[str, Any]:
    if isinstance(item, str):
        return {'type': 'text', 'content': item}
    if isinstance(item, ImageUrl):
        return {'type': 'uri', 'modality': 'image', 'uri': item.url}
    if isinstance(item, AudioUrl):
        return {'type': 'uri', 'modality': 'audio', 'uri': item.url}
    if isinstance(item, BinaryContent):
        # The bytes themselves are not recorded: spans are no place for images.
        return {'type': 'blob', 'modality': item.media_type.partition('/')[0], 'mime_type': item.media_type}
    assert_never(item)


def _map_response_part(part: ModelResponsePart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {'type': 'text', 'content': part.content}
    if isinstance(part, ThinkingPart):
        return {'type': 'reasoning', 'content': part.content}
    if isinstance(part, (ToolCallPart, BuiltinToolCallPart)):
        return {'type': 'tool_call', 'id': part.tool_call_id, 'name': part.tool_name, 'arguments': _args(part.args)}
    if isinstance(part, BuiltinToolReturnPart):
        return _tool_response(part.tool_call_id, part.content)
    assert_never(part)


def _tool_response(tool_call_id: str | None, content: Any) -> dict[str, Any]:
    return {'type': 'tool_call_response', 'id': tool_call_id, 'response': content}


def _args(args: str | dict[str, Any] | None) -> Any:
    if isinstance(args, str):
        try:
            return json.loads(args)
        except ValueError:
            return args
    return args
