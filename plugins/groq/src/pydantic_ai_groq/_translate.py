"""Translation between the core's message types and Groq's chat-completions wire format.

Request side: `map_messages`, `map_tools`, `map_tool_choice`, `map_settings` build the keyword arguments of
`chat.completions.create`. Response side: `map_response` and `map_usage` read what Groq answered.
Every translator runs in time linear in its input and raises `UserError` for content Groq cannot take,
naming the part; nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pydantic_ai.exceptions import UnexpectedModelBehavior, UserError
from pydantic_ai.messages import (
    BinaryContent,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ModelResponsePart,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import Usage

if TYPE_CHECKING:
    from groq.types import CompletionUsage
    from groq.types.chat import (
        ChatCompletion,
        ChatCompletionContentPartParam,
        ChatCompletionMessageParam,
        ChatCompletionMessageToolCallParam,
        ChatCompletionToolParam,
    )

__all__ = ('map_messages', 'map_tools', 'map_tool_choice', 'map_settings', 'map_response', 'map_usage', 'timestamp')

# ModelSettings keys sent in the request body under the same name; `timeout` and `parallel_tool_calls` are
# handled apart (a request option, and a key only valid with tools).
_BODY_SETTINGS: tuple[str, ...] = (
    'max_tokens',
    'temperature',
    'top_p',
    'seed',
    'presence_penalty',
    'frequency_penalty',
    'logit_bias',
)


def map_messages(messages: Sequence[ModelMessage]) -> list[ChatCompletionMessageParam]:
    """The conversation as Groq chat messages, in order.

    Raises:
        UserError: the list is empty, or holds something that is not a message or part Groq can take.
    """
    if not messages:
        raise UserError('Cannot send an empty conversation: pass at least one ModelRequest with a prompt.')
    out: list[ChatCompletionMessageParam] = []
    for message in messages:
        if isinstance(message, ModelRequest):
            _map_request(message, out)
        elif isinstance(message, ModelResponse):
            out.append(_map_response_message(message))
        else:
            raise UserError(
                f'Cannot send {type(message).__name__} as a message: a conversation holds ModelRequest and '
                'ModelResponse objects.'
            )
    return out


def _map_request(message: ModelRequest, out: list[ChatCompletionMessageParam]) -> None:
    for part in message.parts:
        if isinstance(part, SystemPromptPart):
            out.append({'role': 'system', 'content': part.content})
        elif isinstance(part, UserPromptPart):
            out.append(_map_user_prompt(part))
        elif isinstance(part, ToolReturnPart):
            out.append(
                {
                    'role': 'tool',
                    'tool_call_id': _require_tool_call_id(part.tool_call_id, part),
                    'content': part.model_response_str(),
                }
            )
        elif isinstance(part, RetryPromptPart):
            if part.tool_name is None:
                out.append({'role': 'user', 'content': part.model_response()})
            else:
                out.append(
                    {
                        'role': 'tool',
                        'tool_call_id': _require_tool_call_id(part.tool_call_id, part),
                        'content': part.model_response(),
                    }
                )
        else:
            _unsupported_part(part, 'a ModelRequest')


def _map_user_prompt(part: UserPromptPart) -> ChatCompletionMessageParam:
    if isinstance(part.content, str):
        return {'role': 'user', 'content': part.content}
    content: list[ChatCompletionContentPartParam] = [_map_user_content(item) for item in part.content]
    return {'role': 'user', 'content': content}


def _map_user_content(item: UserContent) -> ChatCompletionContentPartParam:
    if isinstance(item, str):
        return {'type': 'text', 'text': item}
    if isinstance(item, ImageUrl):
        return {'type': 'image_url', 'image_url': {'url': item.url}}
    if isinstance(item, BinaryContent):
        if not item.is_image:
            raise UserError(
                f'Groq chat models accept only images as binary content; got BinaryContent with media type '
                f'{item.media_type!r} in a UserPromptPart. Send text instead, or an image.'
            )
        return {'type': 'image_url', 'image_url': {'url': item.data_uri}}
    _unsupported_part(item, 'a UserPromptPart')


def _map_response_message(message: ModelResponse) -> ChatCompletionMessageParam:
    texts: list[str] = []
    tool_calls: list[ChatCompletionMessageToolCallParam] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            texts.append(part.content)
        elif isinstance(part, ToolCallPart):
            tool_calls.append(
                {
                    'id': _require_tool_call_id(part.tool_call_id, part),
                    'type': 'function',
                    'function': {'name': part.tool_name, 'arguments': part.args_as_json_str()},
                }
            )
        else:
            _unsupported_part(part, 'a ModelResponse')
    # Responses of one model hold at most one text part; text from several (after switching models) is joined.
    assistant: dict[str, Any] = {'role': 'assistant', 'content': '\n\n'.join(texts) if texts else None}
    if tool_calls:
        assistant['tool_calls'] = tool_calls
    elif not texts:
        assistant['content'] = ''
    return assistant  # type: ignore[return-value]


def _require_tool_call_id(tool_call_id: str | None, part: ToolCallPart | ToolReturnPart | RetryPromptPart) -> str:
    if tool_call_id:
        return tool_call_id
    raise UserError(
        f'{type(part).__name__} for tool {part.tool_name!r} has no tool_call_id, and Groq needs one to pair tool '
        'calls with their results. Set `tool_call_id` to the id of the ToolCallPart it answers.'
    )


def _unsupported_part(part: object, where: str) -> Any:
    raise UserError(f'Groq cannot take a {type(part).__name__} in {where}; remove it or convert it first.')


def map_tools(params: ModelRequestParameters) -> list[ChatCompletionToolParam]:
    """The function and result tools as Groq tool definitions."""
    return [_map_tool(t) for t in params.function_tools] + [_map_tool(t) for t in params.result_tools]


def _map_tool(tool: ToolDefinition) -> ChatCompletionToolParam:
    function: dict[str, Any] = {'name': tool.name, 'parameters': tool.parameters_json_schema}
    if tool.description is not None:
        function['description'] = tool.description
    if tool.strict is not None:
        function['strict'] = tool.strict
    return {'type': 'function', 'function': function}  # type: ignore[typeddict-item]


def map_tool_choice(params: ModelRequestParameters, has_tools: bool) -> str | None:
    """`None` without tools, `'required'` when text may not end the run, else `'auto'`."""
    if not has_tools:
        return None
    return 'auto' if params.allow_text_result else 'required'


def map_settings(settings: ModelSettings, has_tools: bool) -> dict[str, Any]:
    """The settings as `create()` keyword arguments: body fields, and `timeout` as a request option."""
    kwargs: dict[str, Any] = {key: settings[key] for key in _BODY_SETTINGS if key in settings}  # type: ignore[literal-required]
    if 'timeout' in settings:
        kwargs['timeout'] = settings['timeout']
    if has_tools and 'parallel_tool_calls' in settings:
        kwargs['parallel_tool_calls'] = settings['parallel_tool_calls']
    return kwargs


def timestamp(created: int | float | None) -> datetime:
    """A Groq `created` value (seconds since the epoch) as an aware UTC datetime; now when absent."""
    if created is None:
        return datetime.now(tz=timezone.utc)
    return datetime.fromtimestamp(created, tz=timezone.utc)


def map_usage(usage: CompletionUsage | None, *, requests: int) -> Usage:
    """Groq's token counts as a `Usage`."""
    if usage is None:
        return Usage(requests=requests)
    return Usage(
        requests=requests,
        request_tokens=usage.prompt_tokens,
        response_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
    )


def map_response(completion: ChatCompletion, requested_model: str) -> tuple[ModelResponse, Usage]:
    """A non-streamed completion as a `ModelResponse` and its `Usage`.

    Raises:
        UnexpectedModelBehavior: the completion has no choice or no message.
    """
    choices = completion.choices
    if not choices or choices[0].message is None:
        raise UnexpectedModelBehavior(
            f'Groq answered without a choice or message for model {requested_model!r}',
            completion.model_dump_json()[:1000],
        )
    message = choices[0].message
    parts: list[ModelResponsePart] = []
    if message.content:
        parts.append(TextPart(message.content))
    for call in message.tool_calls or ():
        parts.append(ToolCallPart(tool_name=call.function.name, args=call.function.arguments, tool_call_id=call.id))
    response = ModelResponse(
        parts=parts, model_name=completion.model or requested_model, timestamp=timestamp(completion.created)
    )
    return response, map_usage(completion.usage, requests=1)
