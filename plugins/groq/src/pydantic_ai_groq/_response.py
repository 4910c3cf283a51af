"""The response side: Groq's chat-completion JSON (as parsed dicts) as a `ModelResponse` with its metadata.

Groq's answer is read defensively: a field of the wrong shape raises `UnexpectedModelBehavior` naming the field,
never a raw `KeyError`/`TypeError`. Shared by the non-streamed path and the streamed one (`streaming.py`).

What a response keeps, besides its parts (server-side tool runs: `_server_tools`; citations: `_citations`):

- `usage`: Groq's token counts; `prompt_tokens_details.cached_tokens` as `Usage.cache_read_tokens` (and, as
  before, `details['cached_tokens']`); `reasoning_tokens` and Groq's finer cache counters (`x_groq.usage`'s
  `dram_cached_tokens`, `sram_cached_tokens`) in `details`; the timings (`queue_time`, `prompt_time`,
  `completion_time`, `total_time`, seconds) in `timings`.
- `provider_details`: the raw `finish_reason`, `groq_request_id` (`x_groq.id`), `system_fingerprint`,
  `service_tier` (the tier Groq used), `timings` (as in the usage), `usage_breakdown` (a compound answer's usage per
  model, as Groq sent it), and `annotations` Groq sent that cite no text or are of a kind we do not know.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from pydantic_ai.messages import (
    FinishReason,
    ModelResponse,
    ModelResponsePart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
)
from pydantic_ai.usage import Usage

from ._citations import apply_citations, place_citations
from ._errors import malformed
from ._server_tools import executed_tool_parts, interleave
from ._utils import JSON

__all__ = (
    'THINK_TAGS',
    'map_completion',
    'map_finish_reason',
    'map_usage',
    'map_timings',
    'map_executed_tools',
    'failed_generation_parts',
    'generated_tool_call_id',
    'split_thinking',
    'timestamp',
)

THINK_TAGS = ('<think>', '</think>')
"""The tags reasoning models put around their reasoning in the content (`reasoning_format='raw'`)."""

_FINISH_REASONS: dict[str, FinishReason] = {
    'stop': 'stop',
    'length': 'length',
    'tool_calls': 'tool_call',
    'function_call': 'tool_call',
    'content_filter': 'content_filter',
}
_TIMINGS = ('queue_time', 'prompt_time', 'completion_time', 'total_time')
# Groq's finer cache counters (`x_groq.usage` of a non-streamed answer), kept in `Usage.details`.
_CACHE_COUNTERS = ('dram_cached_tokens', 'sram_cached_tokens')


def map_finish_reason(raw: Any) -> FinishReason | None:
    """Groq's finish reason as the core's; `None` for none or one this library does not know."""
    return _FINISH_REASONS.get(raw) if isinstance(raw, str) else None


def timestamp(created: Any) -> datetime:
    """A Groq `created` value (seconds since the epoch) as an aware UTC datetime; now when absent or invalid."""
    if isinstance(created, (int, float)) and not isinstance(created, bool):
        try:
            return datetime.fromtimestamp(created, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            pass
    return datetime.now(tz=timezone.utc)


def map_usage(usage: Any, *, requests: int, cache: Any = None) -> Usage:
    """Groq's `usage` object (token counts, token details, timings) as a `Usage`; unknown shapes count as absent.

    `cache` is a non-streamed answer's `x_groq.usage`, which holds Groq's finer cache counters (a stream's
    `x_groq.usage` is the usage itself).
    """
    if not isinstance(usage, dict):
        return Usage(requests=requests)
    details: dict[str, int] = {}
    for container, key in (
        ('prompt_tokens_details', 'cached_tokens'),
        ('completion_tokens_details', 'reasoning_tokens'),
    ):
        section = usage.get(container)
        value = _int(section.get(key)) if isinstance(section, dict) else None
        if value is not None:
            details[key] = value
    for source in (usage, cache):
        if isinstance(source, dict):
            for key in _CACHE_COUNTERS:
                value = _int(source.get(key))
                if value is not None:
                    details[key] = value
    return Usage(
        requests=requests,
        request_tokens=_int(usage.get('prompt_tokens')),
        response_tokens=_int(usage.get('completion_tokens')),
        total_tokens=_int(usage.get('total_tokens')),
        details=details or None,
        timings=map_timings(usage),
        cache_read_tokens=details.get('cached_tokens'),
    )


def map_timings(usage: Any) -> dict[str, float] | None:
    """Groq's timings of a `usage` object (`queue_time`, `prompt_time`, `completion_time`, `total_time`), as floats."""
    if not isinstance(usage, dict):
        return None
    timings = {
        key: float(usage[key])
        for key in _TIMINGS
        if isinstance(usage.get(key), (int, float)) and not isinstance(usage.get(key), bool)
    }
    return timings or None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def split_thinking(content: str, provider_name: str) -> list[ModelResponsePart]:
    """Text with `<think>...</think>` blocks as thinking and text parts, in order; empty text is left out."""
    start, end = THINK_TAGS
    parts: list[ModelResponsePart] = []
    position = 0
    while True:
        opening = content.find(start, position)
        if opening < 0:
            break
        closing = content.find(end, opening + len(start))
        if opening > position:
            parts.append(TextPart(content[position:opening]))
        if closing < 0:
            # An unclosed block (the answer was cut off): everything after the tag is reasoning.
            parts.append(ThinkingPart(content[opening + len(start) :], provider_name=provider_name))
            return parts
        parts.append(ThinkingPart(content[opening + len(start) : closing], provider_name=provider_name))
        position = closing + len(end)
    if position < len(content):
        parts.append(TextPart(content[position:]))
    return parts


def map_executed_tools(executed: Any, provider_name: str) -> list[ModelResponsePart]:
    """Groq's `executed_tools` as built-in tool call and return parts, two per run, in the order Groq ran them.

    Every entry that is an object becomes a pair, whatever its kind (see `_server_tools`).
    """
    parts: list[ModelResponsePart] = []
    if not isinstance(executed, list):
        return parts
    for position, tool in enumerate(executed):
        if isinstance(tool, dict):
            parts.extend(executed_tool_parts(tool, position, provider_name))
    return parts


def generated_tool_call_id() -> str:
    """An id for a tool call Groq gave none (a failed generation), so it can be answered in the next request."""
    return f'pyd_ai_{uuid.uuid4().hex}'


def failed_generation_parts(error: Any) -> list[ModelResponsePart]:
    """What the model generated before Groq rejected it (`tool_use_failed`), as parts.

    A JSON `{"name": ..., "arguments": ...}` (or a list of them) becomes `ToolCallPart`s with generated ids; any
    other text a `TextPart`. Nothing (no `failed_generation`) gives no parts.
    """
    generation = error.get('failed_generation') if isinstance(error, dict) else None
    if not isinstance(generation, str) or not generation:
        return []
    try:
        parsed = json.loads(generation)
    except ValueError:
        return [TextPart(generation)]
    calls = parsed if isinstance(parsed, list) else [parsed]
    parts: list[ModelResponsePart] = []
    for call in calls:
        if not (isinstance(call, dict) and isinstance(call.get('name'), str)):
            return [TextPart(generation)]
        arguments = call.get('arguments', call.get('parameters', {}))
        args = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
        parts.append(ToolCallPart(call['name'], args, generated_tool_call_id()))
    return parts


def map_completion(data: Any, requested_model: str, provider_name: str) -> ModelResponse:
    """A non-streamed chat completion (parsed JSON) as a `ModelResponse`, usage included.

    Raises:
        UnexpectedModelBehavior: the completion has no choice or no message, or a field has the wrong shape.
    """
    if not isinstance(data, dict):
        raise malformed(requested_model, 'JSON that is not an object', data, provider_name=provider_name)
    choices = data.get('choices')
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise malformed(requested_model, 'no choice (`choices` is missing or empty)', data, provider_name=provider_name)
    choice = choices[0]
    message = choice.get('message')
    if not isinstance(message, dict):
        raise malformed(requested_model, 'a choice that has no `message`', data, provider_name=provider_name)
    reasoning = message.get('reasoning')
    executed = message.get('executed_tools')
    if executed is not None and not (isinstance(executed, list) and all(isinstance(t, dict) for t in executed)):
        raise malformed(
            requested_model, '`executed_tools` that is not a list of objects', data, provider_name=provider_name
        )
    runs = map_executed_tools(executed, provider_name)
    if isinstance(reasoning, str) and reasoning:
        parts = interleave(reasoning, runs, provider_name)
    else:
        parts = runs
    content = message.get('content')
    if content is not None and not isinstance(content, str):
        raise malformed(requested_model, '`message.content` that is not a string', data, provider_name=provider_name)
    if content:
        parts.extend(split_thinking(content, provider_name) if THINK_TAGS[0] in content else [TextPart(content)])
    parts.extend(_tool_calls(message.get('tool_calls'), requested_model, data, provider_name))
    raw_finish = choice.get('finish_reason')
    details: JSON = {'finish_reason': raw_finish}
    x_groq = data.get('x_groq')
    if isinstance(x_groq, dict) and x_groq.get('id') is not None:
        details['groq_request_id'] = x_groq['id']
    for key in ('system_fingerprint', 'service_tier', 'usage_breakdown'):
        if data.get(key) is not None:
            details[key] = data[key]
    timings = map_timings(data.get('usage'))
    if timings:
        details['timings'] = timings
    annotations = message.get('annotations')
    if annotations:
        if not isinstance(annotations, list):
            raise malformed(
                requested_model, '`message.annotations` that is not a list', data, provider_name=provider_name
            )
        placed, left = place_citations(parts, annotations, requested_model, provider_name=provider_name)
        apply_citations(parts, placed)
        if left:
            details['annotations'] = left
    model_name = data.get('model')
    response_id = data.get('id')
    return ModelResponse(
        parts=parts,
        model_name=model_name if isinstance(model_name, str) and model_name else requested_model,
        timestamp=timestamp(data.get('created')),
        usage=map_usage(data.get('usage'), requests=1, cache=x_groq.get('usage') if isinstance(x_groq, dict) else None),
        provider_name=provider_name,
        provider_response_id=response_id if isinstance(response_id, str) else None,
        finish_reason=map_finish_reason(raw_finish),
        provider_details=details,
    )


def _tool_calls(calls: Any, requested_model: str, data: Any, provider_name: str) -> list[ToolCallPart]:
    if calls is None:
        return []
    if not isinstance(calls, list):
        raise malformed(requested_model, '`tool_calls` that is not a list', data, provider_name=provider_name)
    parts: list[ToolCallPart] = []
    for call in calls:
        function = call.get('function') if isinstance(call, dict) else None
        name = function.get('name') if isinstance(function, dict) else None
        if not isinstance(call, dict) or not isinstance(function, dict) or not isinstance(name, str) or not name:
            raise malformed(requested_model, 'a tool call that has no function name', data, provider_name=provider_name)
        arguments = function.get('arguments')
        if arguments is None:
            arguments = ''
        elif not isinstance(arguments, (str, dict)):
            raise malformed(
                requested_model,
                f'arguments of tool {name!r} that are not a JSON string',
                data,
                provider_name=provider_name,
            )
        call_id = call.get('id')
        parts.append(ToolCallPart(name, arguments, call_id if isinstance(call_id, str) else None))
    return parts
