"""The JSONL files of `pai batch`: prompt lines in, result lines out.

Each input line is one JSON object:

```text
{"custom_id": "q1", "prompt": "What is 2+2?"}
{"custom_id": "q2", "messages": [{"role": "user", "content": "Hi"}], "system": "Be brief.", "settings": {"seed": 1}}
{"prompt": "No id: this line gets custom_id line-3", "model": "openai/gpt-oss-20b"}
```

`prompt` (a string) or `messages` (chat messages in the widely used chat-completions shape: `system`, `user` with a
string or `text`/`image_url` parts, `assistant` with `content` and `tool_calls`, `tool` with `tool_call_id`) is
required; `custom_id`, `system` (a system prompt put first), `model` and `settings` (`ModelSettings`) are optional.
Blank lines are skipped. Each output line is `{"custom_id": ..., "response": <the ModelResponse as JSON>}` or
`{"custom_id": ..., "error": {"type": ..., "status_code": ..., "message": ..., "body": ...}}`.

Everything is checked before anything is sent; a problem raises `PromptFileError` naming the line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from ..batch import BatchResult
from ..exceptions import ModelHTTPError, PromptFileError, UserError
from ..messages import (
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    ModelResponsePart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from ..settings import ModelSettings

__all__ = ('PromptLine', 'PromptFileError', 'parse_prompt_line', 'read_prompt_lines', 'chat_messages', 'result_line')

_KEYS = frozenset({'custom_id', 'prompt', 'messages', 'system', 'model', 'settings'})


@dataclass(frozen=True)
class PromptLine:
    """One input line, read and checked."""

    line_number: int
    """Where it was in the file (1-based)."""
    custom_id: str
    """Its custom id: the line's own, or `line-<number>`."""
    messages: list[ModelMessage]
    """The conversation to send."""
    model: str | None
    """The line's `model`, when it names one."""
    settings: ModelSettings | None
    """The line's `settings`, when it has some."""


def read_prompt_lines(lines: Iterable[str | bytes]) -> list[PromptLine]:
    """Every non-blank line, parsed and checked; custom ids are unique (missing ones are `line-<number>`).

    Raises:
        PromptFileError: a line is not a valid prompt, or its custom id repeats another line's.
        UserError: there is no prompt at all.
    """
    parsed: list[PromptLine] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.decode('utf-8', 'replace') if isinstance(raw, bytes) else raw
        if text.strip():
            parsed.append(parse_prompt_line(text, number))
    if not parsed:
        raise UserError('The prompt file has no prompts: write one JSON object per line, such as {"prompt": "Hi"}.')
    given = {line.custom_id for line in parsed}
    seen: dict[str, int] = {}
    settled: list[PromptLine] = []
    for line in parsed:
        custom_id = line.custom_id
        if not custom_id:
            custom_id = f'line-{line.line_number}'
            while custom_id in given:
                custom_id += '-'
            line = PromptLine(line.line_number, custom_id, line.messages, line.model, line.settings)
        if custom_id in seen:
            raise PromptFileError(
                line.line_number, f'custom_id {custom_id!r} is already used on line {seen[custom_id]}; make it unique.'
            )
        seen[custom_id] = line.line_number
        settled.append(line)
    return settled


def parse_prompt_line(text: str, line_number: int) -> PromptLine:
    """One line as a `PromptLine` (its custom id `''` when the line has none).

    Raises:
        PromptFileError: the line is not a JSON object with a `prompt` or `messages`, or a field is wrong.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PromptFileError(line_number, f'not valid JSON ({exc}).') from None
    if not isinstance(data, dict):
        raise PromptFileError(line_number, 'expected a JSON object such as {"custom_id": "q1", "prompt": "..."}.')
    line = cast(dict[str, Any], data)
    unknown = sorted(set(line) - _KEYS)
    if unknown:
        raise PromptFileError(
            line_number, f'unknown key(s) {", ".join(unknown)}; a line may have {", ".join(sorted(_KEYS))}.'
        )
    custom_id = line.get('custom_id', '')
    if not isinstance(custom_id, str) or ('custom_id' in line and not custom_id):
        raise PromptFileError(line_number, f'custom_id must be a non-empty string, got {custom_id!r}.')
    system = _optional_str(line, 'system', line_number)
    model = _optional_str(line, 'model', line_number)
    settings = line.get('settings')
    if settings is not None and not isinstance(settings, dict):
        raise PromptFileError(
            line_number, f'settings must be an object such as {{"temperature": 0}}, got {settings!r}.'
        )
    if ('prompt' in line) == ('messages' in line):
        raise PromptFileError(line_number, 'give exactly one of "prompt" (a string) and "messages" (a list).')
    if 'prompt' in line:
        prompt = line['prompt']
        if not isinstance(prompt, str) or not prompt:
            raise PromptFileError(line_number, f'prompt must be a non-empty string, got {prompt!r:.80}.')
        messages: list[ModelMessage] = [ModelRequest.user_text_prompt(prompt, system_prompt=system)]
    else:
        try:
            messages = chat_messages(line['messages'], system=system)
        except UserError as exc:
            raise PromptFileError(line_number, exc.message) from None
    return PromptLine(line_number, custom_id, messages, model, cast('ModelSettings | None', settings))


def _optional_str(line: dict[str, Any], key: str, line_number: int) -> str | None:
    value = line.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise PromptFileError(line_number, f'{key} must be a non-empty string, got {value!r:.80}.')
    return value


def chat_messages(messages: Any, *, system: str | None = None) -> list[ModelMessage]:
    """Chat-completions messages (`[{"role": ..., "content": ...}, ...]`) as a conversation.

    Raises:
        UserError: not a non-empty list of messages, or a message has an unknown role or a malformed field.
    """
    if not isinstance(messages, list) or not messages:
        raise UserError('messages must be a non-empty list such as [{"role": "user", "content": "Hi"}].')
    conversation: list[ModelMessage] = []
    request: list[ModelRequestPart] = [SystemPromptPart(system)] if system else []
    tool_names: dict[str, str] = {}
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            raise UserError(f'messages[{index}] must be an object with "role" and "content".')
        role = message.get('role')
        content = message.get('content')
        if role in ('system', 'developer'):
            request.append(SystemPromptPart(_text(content, index)))
        elif role == 'user':
            request.append(UserPromptPart(_user_content(content, index)))
        elif role == 'tool':
            call_id = message.get('tool_call_id')
            if not isinstance(call_id, str) or not call_id:
                raise UserError(f'messages[{index}] (role "tool") needs the "tool_call_id" it answers.')
            request.append(ToolReturnPart(tool_names.get(call_id, 'tool'), _text(content, index), call_id))
        elif role == 'assistant':
            if request:
                conversation.append(ModelRequest(request))
                request = []
            conversation.append(ModelResponse(_assistant_parts(message, index, tool_names)))
        else:
            raise UserError(f'messages[{index}] has role {role!r}; use "system", "user", "assistant" or "tool".')
    if request:
        conversation.append(ModelRequest(request))
    return conversation


def _text(content: Any, index: int) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p.get('text') for p in content if isinstance(p, dict) and p.get('type') == 'text']
        if all(isinstance(t, str) for t in texts):
            return ''.join(cast(list[str], texts))
    raise UserError(f'messages[{index}].content must be a string (or a list of text parts), got {content!r:.80}.')


def _user_content(content: Any, index: int) -> str | list[UserContent]:
    if isinstance(content, str):
        return content
    if not isinstance(content, list) or not content:
        raise UserError(f'messages[{index}].content must be a string or a list of parts, got {content!r:.80}.')
    parts: list[UserContent] = []
    for position, part in enumerate(content):
        kind = part.get('type') if isinstance(part, dict) else None
        if kind == 'text' and isinstance(part.get('text'), str):
            parts.append(part['text'])
        elif kind == 'image_url':
            image = part.get('image_url')
            url = image.get('url') if isinstance(image, dict) else image
            if not isinstance(url, str) or not url:
                raise UserError(f'messages[{index}].content[{position}] needs "image_url": {{"url": "..."}}.')
            detail = image.get('detail') if isinstance(image, dict) else None
            parts.append(ImageUrl(url, vendor_metadata={'detail': detail} if detail else None))
        else:
            raise UserError(
                f'messages[{index}].content[{position}] must be a "text" or "image_url" part, got {part!r:.80}.'
            )
    return parts


def _assistant_parts(message: dict[str, Any], index: int, tool_names: dict[str, str]) -> list[ModelResponsePart]:
    parts: list[ModelResponsePart] = []
    content = message.get('content')
    if content is not None and content != '':
        parts.append(TextPart(_text(content, index)))
    calls = message.get('tool_calls') or []
    if not isinstance(calls, list):
        raise UserError(f'messages[{index}].tool_calls must be a list.')
    for position, call in enumerate(calls):
        function = call.get('function') if isinstance(call, dict) else None
        name = function.get('name') if isinstance(function, dict) else None
        arguments = function.get('arguments', '{}') if isinstance(function, dict) else None
        call_id = call.get('id') if isinstance(call, dict) else None
        if not isinstance(name, str) or not isinstance(arguments, (str, dict)) or not isinstance(call_id, str):
            raise UserError(
                f'messages[{index}].tool_calls[{position}] must be {{"id", "type": "function", '
                '"function": {"name", "arguments"}}.'
            )
        tool_names[call_id] = name
        parts.append(ToolCallPart(name, cast('str | dict[str, Any]', arguments), call_id))
    if not parts:
        raise UserError(f'messages[{index}] (role "assistant") has neither content nor tool_calls.')
    return parts


def result_line(result: BatchResult) -> dict[str, Any]:
    """One output line: `{"custom_id", "response"}` (the `ModelResponse` as JSON) or `{"custom_id", "error"}`."""
    if result.response is not None:
        from ..messages import ModelMessagesTypeAdapter

        dumped: Sequence[Any] = ModelMessagesTypeAdapter.dump_python([result.response], mode='json')
        return {'custom_id': result.custom_id, 'response': dumped[0]}
    error = result.error
    status_code = error.status_code if isinstance(error, ModelHTTPError) else None
    body = getattr(error, 'body', None)
    try:
        json.dumps(body)
    except (TypeError, ValueError):
        body = repr(body)
    return {
        'custom_id': result.custom_id,
        'error': {
            'type': type(error).__name__,
            'status_code': status_code,
            'message': str(error) if error is not None else 'no response',
            'body': body,
        },
    }
