"""Replay all 121 real Groq recordings through `GroqModel`: what we parse, and what we send.

The recordings live in `../shared/cassettes/groq-recorded/` (vcrpy cassettes recorded by public projects' test
suites against api.groq.com) with `EXPECTED.json`, the parse a correct integration produces from each recorded
interaction. They are read in place, never copied; the module skips when the folder is absent.

One test per recording (id = file stem). For each Groq interaction, in recorded order (vcrpy plays each interaction
once, in order, so a multi-turn recording needs its calls in that order):

1. The call is rebuilt from the *recorded request body*: the messages become our `ModelRequest`/`ModelResponse`
   history, the tools `ToolDefinition`s, `tool_choice`/`response_format`/`search_settings` the request parameters,
   and the other body fields settings (see `_rebuild_call`). A body field we cannot map fails the test.
2. The call is replayed through `GroqModel` (streamed when the recording streamed), against the recorded answer.
3. (b) The body we sent (captured with an httpx request hook) is compared semantically, as parsed JSON, with the
   recorded body on every field the recordings are about (`COMPARED_FIELDS`); other differences (such as `n`) are
   ignored and printed.
4. (a) The parse is compared with `EXPECTED.json`: parts, usage, finish reason (mapped and raw), model name,
   response id and timestamp; for HTTP errors the `ModelHTTPError`'s status, body and headers.

`EXPECTED.json` and this project's documented behaviour disagree on four points, and the behaviour wins; each
deviation is documented and confined where it is applied (`_check_parts`, `_check_response`): the tool call id of a
failed generation, the finish reason of a stream that ended with `event: error`, where a compound answer's tool runs
sit among its reasoning, and runs of kinds other than web search, which `EXPECTED.json` leaves out.
"""

from __future__ import annotations

import base64
import json
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr
import yaml
from groq import AsyncGroq

from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.messages import (
    BinaryContent,
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    ModelResponse,
    ModelResponsePart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.output import OutputObjectDefinition
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import Usage
from pydantic_ai_groq import GroqModel

RECORDINGS_DIR = Path(__file__).resolve().parents[3] / 'shared' / 'cassettes' / 'groq-recorded'
EXPECTED_FILE = RECORDINGS_DIR / 'EXPECTED.json'
FAKE_KEY = 'gsk-test-fake-key-0123456789'
RECORDING_COUNT = 121
"""How many recordings the shared folder holds; every one of them is replayed."""

EXCLUDED: dict[str, str] = {}
"""Recordings that are not replayed, with the reason. None: every recording replays."""

FAILED_GENERATION_ID = re.compile(r'pyd_ai_[0-9a-f]{32}')
"""The id we give the tool call recovered from a `tool_use_failed` error's `failed_generation` (Groq gives none)."""


def _load_expected() -> dict[str, Any]:
    if not EXPECTED_FILE.exists():
        return {}
    data: dict[str, Any] = json.loads(EXPECTED_FILE.read_text())
    return data


EXPECTED = _load_expected()
RECORDINGS = sorted(name for name in EXPECTED if name not in EXCLUDED)

pytestmark = [
    pytest.mark.skipif(not EXPECTED_FILE.exists(), reason=f'real Groq recordings not found at {RECORDINGS_DIR}'),
]


def test_every_recording_is_replayed() -> None:
    stems = sorted(p.stem for p in RECORDINGS_DIR.glob('*.yaml'))
    assert len(stems) == RECORDING_COUNT
    assert sorted(EXPECTED) == stems
    assert set(EXCLUDED) <= set(stems)
    assert len(RECORDINGS) + len(EXCLUDED) == RECORDING_COUNT
    assert len(RECORDINGS) == RECORDING_COUNT, f'not replayed: {EXCLUDED}'


# ---------------------------------------------------------------------------------------------------------------
# Rebuilding our call from the recorded request body
# ---------------------------------------------------------------------------------------------------------------

MAPPED_FIELDS = frozenset(
    {
        'messages',  # -> the conversation
        'model',  # -> GroqModel(model)
        'stream',  # -> request_stream() or request()
        'n',  # always 1, sent by us unasked: not an input
        'tools',  # -> function_tools (result_tools for `final_result*`)
        'tool_choice',  # -> allow_text_result ('auto'/'required') or the `tool_choice` setting ('none', named)
        'response_format',  # -> output_mode/output_object
        'search_settings',  # -> groq_search_settings
        'reasoning_format',  # -> groq_reasoning_format
        'reasoning_effort',  # -> groq_reasoning_effort
        'service_tier',  # -> groq_service_tier
        'user',  # -> groq_user
        'stop',  # -> stop_sequences
        'temperature',  # -> temperature
    }
)
"""Request body fields we rebuild an input from."""

EXTRA_BODY_FIELDS: frozenset[str] = frozenset()
"""Body fields no setting covers, replayed through the `extra_body` setting. None of the recordings has one; a
field that is neither here nor in `MAPPED_FIELDS` fails the test, so a new one is seen and decided on."""

COMPARED_FIELDS = (
    'model',
    'stream',
    'messages',
    'tools',
    'tool_choice',
    'response_format',
    'reasoning_format',
    'reasoning_effort',
    'search_settings',
    'stop',
    'user',
    'service_tier',
    'temperature',
)
"""Fields of the body we send that must equal the recorded body's (semantically); `extra_body` fields are added."""


@dataclass
class RebuiltCall:
    """Our inputs for one recorded request."""

    model: str
    stream: bool
    messages: list[ModelMessage]
    settings: dict[str, Any]
    params: ModelRequestParameters
    extra_body_fields: list[str] = field(default_factory=list)


def _rebuild_call(body: dict[str, Any]) -> RebuiltCall:
    unknown = sorted(set(body) - MAPPED_FIELDS - EXTRA_BODY_FIELDS)
    assert not unknown, f'recorded request has fields this test cannot map to an input: {unknown}'

    settings: dict[str, Any] = {}
    params = ModelRequestParameters()

    for tool in body.get('tools') or ():
        assert tool.get('type') == 'function' and set(tool) == {'type', 'function'}, tool
        function = tool['function']
        assert set(function) <= {'name', 'description', 'parameters', 'strict'}, function
        assert 'parameters' in function, function
        definition = ToolDefinition(
            name=function['name'],
            # An empty recorded description is rebuilt as None: we must send it as '' (never null, never absent).
            description=function.get('description') or None,
            parameters_json_schema=function['parameters'],
            strict=function.get('strict'),
        )
        # pydantic-ai names its output tools `final_result` (`final_result_<Type>` for unions).
        if definition.name.startswith('final_result'):
            params.result_tools.append(definition)
        else:
            params.function_tools.append(definition)

    tool_choice = body.get('tool_choice')
    if tool_choice is None or tool_choice == 'auto':
        params.allow_text_result = True
    elif tool_choice == 'required':
        params.allow_text_result = False
    elif tool_choice == 'none':
        settings['tool_choice'] = 'none'
    elif isinstance(tool_choice, dict) and tool_choice.get('type') == 'function':
        settings['tool_choice'] = [tool_choice['function']['name']]
    else:
        raise AssertionError(f'cannot map recorded tool_choice {tool_choice!r}')

    response_format = body.get('response_format')
    if response_format is not None:
        if response_format == {'type': 'json_object'}:
            params.output_mode = 'json_object'
        elif response_format.get('type') == 'json_schema':
            schema = response_format['json_schema']
            assert set(schema) <= {'name', 'schema', 'description', 'strict'}, schema
            params.output_mode = 'native'
            params.output_object = OutputObjectDefinition(
                json_schema=schema['schema'],
                name=schema.get('name'),
                description=schema.get('description'),
                strict=schema.get('strict'),
            )
        else:
            raise AssertionError(f'cannot map recorded response_format {response_format!r}')

    search_settings = body.get('search_settings')
    if search_settings is not None:
        # The recorded clients sent only `search_settings` (compound models search by default): the setting says
        # exactly that; a WebSearchTool would also restrict the compound system to web search (`enabled_tools`).
        assert set(search_settings) <= {'include_domains', 'exclude_domains', 'country'}, search_settings
        settings['groq_search_settings'] = dict(search_settings)

    for wire, setting in (
        ('reasoning_format', 'groq_reasoning_format'),
        ('reasoning_effort', 'groq_reasoning_effort'),
        ('service_tier', 'groq_service_tier'),
        ('user', 'groq_user'),
        ('temperature', 'temperature'),
    ):
        if wire in body:
            settings[setting] = body[wire]
    if 'stop' in body:
        stop = body['stop']
        settings['stop_sequences'] = [stop] if isinstance(stop, str) else list(stop)

    extra = sorted(set(body) & EXTRA_BODY_FIELDS)
    if extra:
        settings['extra_body'] = {key: body[key] for key in extra}

    return RebuiltCall(
        model=body['model'],
        stream=bool(body.get('stream', False)),
        messages=_rebuild_messages(body['messages']),
        settings=settings,
        params=params,
        extra_body_fields=extra,
    )


_DATA_URI = re.compile(r'data:(?P<media_type>[^;,]+);base64,(?P<data>.*)', re.DOTALL)


def _rebuild_user_content(content: Any) -> str | list[UserContent]:
    if isinstance(content, str):
        return content
    assert isinstance(content, list), content
    items: list[UserContent] = []
    for item in content:
        if item['type'] == 'text':
            assert set(item) == {'type', 'text'}, item
            items.append(item['text'])
        elif item['type'] == 'image_url':
            image = item['image_url']
            assert set(image) <= {'url', 'detail'}, image
            metadata = {'detail': image['detail']} if 'detail' in image else None
            if match := _DATA_URI.fullmatch(image['url']):
                data = base64.b64decode(match['data'], validate=True)
                items.append(BinaryContent(data, match['media_type'], vendor_metadata=metadata))
            else:
                items.append(ImageUrl(image['url'], vendor_metadata=metadata))
        else:
            raise AssertionError(f'cannot map recorded user content item of type {item["type"]!r}')
    return items


def _rebuild_messages(raw: list[dict[str, Any]]) -> list[ModelMessage]:
    messages: list[ModelMessage] = []
    pending: list[ModelRequestPart] = []
    call_names: dict[str, str] = {}

    def flush() -> None:
        if pending:
            messages.append(ModelRequest(list(pending)))
            pending.clear()

    for message in raw:
        role = message['role']
        if role == 'system':
            assert isinstance(message['content'], str), message
            pending.append(SystemPromptPart(message['content']))
        elif role == 'user':
            pending.append(UserPromptPart(_rebuild_user_content(message['content'])))
        elif role == 'tool':
            call_id = message['tool_call_id']
            assert call_id in call_names, f'tool message answers unknown call {call_id!r}'
            assert isinstance(message['content'], str), message
            pending.append(ToolReturnPart(call_names[call_id], message['content'], tool_call_id=call_id))
        elif role == 'assistant':
            flush()
            assert set(message) <= {'role', 'content', 'tool_calls'}, message
            parts: list[ModelResponsePart] = []
            if message.get('content'):
                parts.append(TextPart(message['content']))
            for call in message.get('tool_calls') or ():
                assert call.get('type', 'function') == 'function', call
                name = call['function']['name']
                parts.append(ToolCallPart(name, call['function']['arguments'], tool_call_id=call['id']))
                call_names[call['id']] = name
            assert parts, f'empty assistant message: {message}'
            messages.append(ModelResponse(parts=parts))
        else:
            raise AssertionError(f'cannot map recorded message role {role!r}')
    flush()
    return messages


# ---------------------------------------------------------------------------------------------------------------
# (b) Comparing the request we sent with the recorded one
# ---------------------------------------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    """Arguments as parsed JSON (a string that is not JSON is kept, marked, so the comparison shows it)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return ('not JSON', value)
    return value


def _normalize_content_item(item: dict[str, Any]) -> dict[str, Any]:
    if item.get('type') == 'image_url':
        image = item.get('image_url') or {}
        return {'type': 'image_url', 'url': image.get('url'), 'detail': image.get('detail')}
    return dict(item)


def _normalize_message(message: dict[str, Any]) -> dict[str, Any]:
    role = message.get('role')
    out: dict[str, Any] = {'role': role}
    content = message.get('content')
    if isinstance(content, list):
        content = [_normalize_content_item(item) for item in content]
    if role == 'assistant':
        # A missing assistant `content`, `null` and `''` all mean "no text".
        out['content'] = content or None
        out['tool_calls'] = [
            {
                'id': call.get('id'),
                'type': call.get('type'),
                'name': call['function'].get('name'),
                'args': _json_value(call['function'].get('arguments')),
            }
            for call in message.get('tool_calls') or ()
        ]
    else:
        out['content'] = content
    if role == 'tool':
        out['tool_call_id'] = message.get('tool_call_id')
    return out


def _normalized_field(body: dict[str, Any], key: str) -> Any:
    if key == 'stream':
        return bool(body.get('stream', False))
    if key == 'messages':
        return [_normalize_message(m) for m in body.get('messages') or ()]
    if key == 'tools':
        return body.get('tools') or None
    return body.get(key)


def _message_extras(body: dict[str, Any]) -> list[str]:
    """Message keys the comparison does not look at (none are recorded; we report any we send)."""
    known = {'role', 'content', 'tool_calls', 'tool_call_id'}
    return sorted({f'messages[].{k}' for m in body.get('messages') or () for k in m if k not in known})


def _check_request(sent: dict[str, Any], recorded: dict[str, Any], call: RebuiltCall) -> list[str]:
    """Assert that `sent` equals `recorded` on the compared fields; return the ignored differences."""
    compared = (*COMPARED_FIELDS, *call.extra_body_fields)
    ours = {key: _normalized_field(sent, key) for key in compared}
    theirs = {key: _normalized_field(recorded, key) for key in compared}
    # Message by message first, so a failure names the message rather than dumping the whole conversation.
    assert len(ours['messages']) == len(theirs['messages']), (
        f'sent {len(ours["messages"])} messages, recorded {len(theirs["messages"])}: '
        f'{[m["role"] for m in ours["messages"]]} vs {[m["role"] for m in theirs["messages"]]}'
    )
    for index, (a, b) in enumerate(zip(ours['messages'], theirs['messages'], strict=True)):
        assert a == b, f'messages[{index}] differs'
    for key in compared:
        assert ours[key] == theirs[key], f'request field {key!r} differs'

    ignored = [
        f'{key}: sent {_short(sent.get(key, "<absent>"))}, recorded {_short(recorded.get(key, "<absent>"))}'
        for key in sorted((set(sent) | set(recorded)) - set(compared))
        if sent.get(key, '<absent>') != recorded.get(key, '<absent>')
    ]
    ignored += [f'{key}: sent, not recorded' for key in _message_extras(sent)]
    return ignored


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + '...'


# ---------------------------------------------------------------------------------------------------------------
# (a) Comparing our parse with EXPECTED.json
# ---------------------------------------------------------------------------------------------------------------


def _summarize_builtin_return(content: Any) -> str:
    """`EXPECTED.json`'s `content_summary` of a web search return, derived from our part's content.

    In the raw recordings, an executed search carries `search_results` (`{"results": [...]}`) in the newer files and
    only the `output` text in the oldest (`--2025-08-07`); EXPECTED summarises the first as `'<n> results'` and the
    second as `'output str (<n> chars)'`. The part's content is the whole run as Groq sent it (less its index and
    arguments): `search_results` and `output` both, when Groq sent both.
    """
    if not isinstance(content, dict):
        return f'unrecognised content: {type(content).__name__} {_short(content)}'
    results = (content.get('search_results') or {}).get('results')
    if isinstance(results, list) and results:
        return f'{len(results)} results'
    if isinstance(content.get('output'), str):
        return f'output str ({len(content["output"])} chars)'
    return f'unrecognised content: {_short(content)}'


def _part_view(part: ModelResponsePart) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {'type': 'text', 'content': part.content}
    if isinstance(part, ThinkingPart):
        return {'type': 'thinking', 'content': part.content}
    if isinstance(part, ToolCallPart):
        return {
            'type': 'tool_call',
            'tool_name': part.tool_name,
            'args': _json_value(part.args),
            'tool_call_id': part.tool_call_id,
        }
    if isinstance(part, BuiltinToolCallPart):
        return {'type': 'native_tool_call', 'tool_name': part.tool_name, 'args': _json_value(part.args)}
    if isinstance(part, BuiltinToolReturnPart):
        return {
            'type': 'native_tool_return',
            'tool_name': part.tool_name,
            'content_summary': _summarize_builtin_return(part.content),
        }
    return {'type': f'unexpected {type(part).__name__}', 'repr': repr(part)[:300]}


def _expected_part_view(part: dict[str, Any]) -> dict[str, Any]:
    view = dict(part)
    if 'args' in view:
        view['args'] = _json_value(view['args'])
    return view


def _is_failed_generation(entry: dict[str, Any]) -> bool:
    """A `tool_use_failed` error: an HTTP 400 answer, or an `event: error` frame that ended a stream."""
    stream_error = entry.get('stream_error') or {}
    return entry['kind'] == 'tool_use_failed_response' or stream_error.get('code') == 'tool_use_failed'


def _collapse_interleaved_reasoning(views: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Our parts of a compound answer in EXPECTED.json's layout: all reasoning first, then the tool runs.

    Deviation 3 (issue 21 over EXPECTED.json): EXPECTED puts a compound answer's whole reasoning in one thinking
    part before the tool runs; we put each run where it happened, just before the `</tool>` that closes its call in
    the reasoning, so the reasoning is two thinking parts around the run (what a stream gives). This checks that
    each run sits exactly there, then joins the reasoning back, so the comparison with EXPECTED stays exact.
    """
    out: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []  # runs waiting for the reasoning that follows them
    for view in views:
        if view['type'] in ('native_tool_call', 'native_tool_return'):
            pending.append(view)
        elif view['type'] == 'thinking' and pending and out and out[0]['type'] == 'thinking':
            assert view['content'].lstrip().startswith('</tool>'), 'a tool run is not just before a `</tool>`'
            out[0] = {**out[0], 'content': out[0]['content'] + view['content']}
            out.extend(pending)
            pending = []
        else:
            out.extend(pending)
            pending = []
            out.append(view)
    return out + pending


def _check_parts(response: ModelResponse, entry: dict[str, Any]) -> None:
    actual = [_part_view(p) for p in response.parts]
    expected = [_expected_part_view(p) for p in entry['parts']]
    if any(p['type'] == 'native_tool_call' for p in actual):
        actual = _collapse_interleaved_reasoning(actual)
        # Deviation 4 (issue 21 over EXPECTED.json): EXPECTED knows only web search runs (pydantic-ai, which it
        # follows, maps no other kind); we map every run Groq made, such as compound's `visit` of a page. Those
        # are checked to be call/return pairs with their output, and left out of the comparison.
        others = [p for p in actual if p['type'].startswith('native_tool') and p['tool_name'] != 'web_search']
        for call, result in zip(others[::2], others[1::2], strict=True):
            assert (call['type'], result['type']) == ('native_tool_call', 'native_tool_return'), others
            assert call['tool_name'] == result['tool_name'] and result['content_summary'].startswith('output str')
        actual = [p for p in actual if not (p['type'].startswith('native_tool') and p['tool_name'] != 'web_search')]
    if _is_failed_generation(entry):
        for a, e in zip(actual, expected, strict=False):
            if e['type'] == 'tool_call' and e['tool_call_id'] is None and a['type'] == 'tool_call':
                # Deviation 1 (our behaviour over EXPECTED.json): Groq gives a failed generation's tool call no id and
                # EXPECTED says `tool_call_id: null`; we generate `pyd_ai_<32 hex>`, since a retry prompt must
                # answer the call by id. Only the id's pattern is asserted; the rest of the part is compared.
                assert isinstance(a['tool_call_id'], str) and FAILED_GENERATION_ID.fullmatch(a['tool_call_id']), (
                    f'failed generation tool call id {a["tool_call_id"]!r} is not pyd_ai_<32 hex>'
                )
                e['tool_call_id'] = a['tool_call_id']
    assert [p['type'] for p in actual] == [p['type'] for p in expected], 'part types differ'
    for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
        for key in sorted(set(a) | set(e)):
            assert a.get(key) == e.get(key), f'parts[{index}].{key} differs{_first_difference(a.get(key), e.get(key))}'


def _first_difference(actual: Any, expected: Any) -> str:
    """Where two long strings part, so a failure on a 3,000-character answer shows the spot."""
    if not (isinstance(actual, str) and isinstance(expected, str)):
        return ''
    at = next(
        (i for i, (x, y) in enumerate(zip(actual, expected, strict=False)) if x != y), min(len(actual), len(expected))
    )
    return (
        f' at offset {at} (lengths {len(actual)} vs {len(expected)}): '
        f'ours {actual[max(0, at - 30) : at + 30]!r}, expected {expected[max(0, at - 30) : at + 30]!r}'
    )


def _check_usage(usage: Usage, entry: dict[str, Any], which: str) -> None:
    expected = entry['usage']
    tokens = (usage.request_tokens, usage.response_tokens)
    if _is_failed_generation(entry) and tokens == (None, None):
        # Groq reported no usage for a failed generation (no `usage` in the HTTP 400 error, none before the
        # `event: error` frame): EXPECTED writes 0 and 0, `Usage` may say None (unknown). Only here.
        tokens = (0, 0)
    assert tokens == (expected['input_tokens'], expected['output_tokens']), f'{which}: input/output tokens differ'
    for key in ('reasoning_tokens', 'cached_tokens'):
        if key in expected:
            assert (usage.details or {}).get(key) == expected[key], f'{which}: {key} differ'


def _check_response(response: ModelResponse, usage: Usage, entry: dict[str, Any]) -> None:
    _check_parts(response, entry)
    _check_usage(response.usage, entry, 'response.usage')
    _check_usage(usage, entry, 'returned usage')
    assert response.usage == usage, 'response.usage differs from the returned usage'
    assert response.model_name == entry['model_name']

    expected_finish = entry['finish_reason']
    expected_raw = entry.get('finish_reason_raw')  # absent for an HTTP 400 tool_use_failed: Groq gave none
    if entry['kind'] == 'stream' and _is_failed_generation(entry):
        # Deviation 2 (our behaviour over EXPECTED.json): a stream ended by an `event: error` tool_use_failed frame has
        # `finish_reason: null` in EXPECTED; we say 'error' (the parts are what could be recovered). Groq sent no
        # finish reason, so the raw one stays None.
        assert expected_finish is None and expected_raw is None, entry
        expected_finish = 'error'
    assert response.finish_reason == expected_finish, 'finish_reason differs'
    assert (response.provider_details or {}).get('finish_reason') == expected_raw, 'raw finish reason differs'

    if entry['kind'] == 'tool_use_failed_response':
        # Groq's error answer has no id, timestamp or finish reason; the error itself is kept.
        details = json.dumps(response.provider_details, default=str)
        assert entry['error_message'] in details, f'the error is not in provider_details: {details[:500]}'
        return
    assert response.provider_response_id == entry['provider_response_id']
    assert response.timestamp == datetime.fromisoformat(entry['timestamp'])


async def _call(model: GroqModel, call: RebuiltCall) -> tuple[ModelResponse, Usage]:
    settings: Any = call.settings or None
    if call.stream:
        async with model.request_stream(call.messages, settings, call.params) as stream:
            async for _ in stream:
                pass
            return stream.get(), stream.usage()
    return await model.request(call.messages, settings, call.params)


async def _replay_and_check_parse(model: GroqModel, call: RebuiltCall, entry: dict[str, Any]) -> None:
    if entry['kind'] == 'http_error':
        with pytest.raises(ModelHTTPError) as exc_info:
            await _call(model, call)
        error = exc_info.value
        assert error.status_code == entry['status_code']
        assert error.body == entry['body']
        assert error.model_name == entry['model_name']
        assert dict(error.headers), 'ModelHTTPError.headers is empty'
        return
    response, usage = await _call(model, call)
    _check_response(response, usage, entry)


# ---------------------------------------------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------------------------------------------


def _recorded_interactions(name: str) -> list[dict[str, Any]]:
    # libyaml: the pure-Python loader takes seconds for the biggest files.
    data = yaml.load((RECORDINGS_DIR / f'{name}.yaml').read_text(), Loader=yaml.CSafeLoader)
    interactions: list[dict[str, Any]] = data['interactions']
    return interactions


def _recorded_body(interaction: dict[str, Any]) -> dict[str, Any]:
    body = interaction['request']['body']
    if isinstance(body, bytes):
        body = body.decode()
    parsed: dict[str, Any] = json.loads(body)
    return parsed


def _request_recorder() -> tuple[list[dict[str, Any]], list[str], Callable[[httpx.Request], Any]]:
    sent: list[dict[str, Any]] = []
    other: list[str] = []

    async def hook(request: httpx.Request) -> None:
        if request.method == 'POST' and request.url.path.endswith('/chat/completions'):
            await request.aread()
            sent.append(json.loads(request.content))
        else:
            other.append(f'{request.method} {request.url}')

    return sent, other, hook


@pytest.mark.asyncio
@pytest.mark.parametrize('name', RECORDINGS)
async def test_recording(name: str) -> None:
    entries = sorted(
        (e for e in EXPECTED[name]['expected'] if e['kind'] != 'non_groq'),  # image downloads we never make
        key=lambda e: e['interaction'],
    )
    interactions = _recorded_interactions(name)
    sent, other, hook = _request_recorder()
    ignored: list[str] = []
    cassette = RECORDINGS_DIR / f'{name}.yaml'
    with vcr.use_cassette(str(cassette), record_mode='none', allow_playback_repeats=False):
        async with httpx.AsyncClient(event_hooks={'request': [hook]}) as http_client:
            # No SDK retries: a recorded 429 or 5xx must reach us as the error it is, not be retried.
            client = AsyncGroq(api_key=FAKE_KEY, http_client=http_client, max_retries=0)
            for entry in entries:
                index = entry['interaction']
                recorded = _recorded_body(interactions[index])
                where = f'{name} interaction {index} ({entry["kind"]})'
                call = _rebuild_call(recorded)
                assert call.model == entry['request_model'] and call.stream == entry['request_stream'], where
                model = GroqModel(call.model, groq_client=client)

                failures: list[str] = []
                sent_before = len(sent)
                try:
                    await _replay_and_check_parse(model, call, entry)
                except (AssertionError, pytest.fail.Exception) as exc:  # the latter: `pytest.raises` saw no error
                    failures.append(f'(a) parse: {exc}')
                except Exception as exc:
                    trace = ''.join(traceback.format_exception(exc, limit=-3))
                    failures.append(f'(a) parse: raised {type(exc).__name__}: {str(exc)[:1000]}\n{trace[-3000:]}')
                try:
                    assert len(sent) == sent_before + 1, f'expected 1 request, {len(sent) - sent_before} sent'
                    ignored += [f'interaction {index}: {d}' for d in _check_request(sent[-1], recorded, call)]
                except AssertionError as exc:
                    failures.append(f'(b) request: {exc}')
                if failures:
                    pytest.fail(f'{where}:\n' + '\n'.join(failures), pytrace=False)

    assert len(sent) == len(entries)
    assert not other, f'requests other than Groq chat completions: {other}'
    if ignored:
        print(f'{name}: ignored request differences:\n  ' + '\n  '.join(ignored))
