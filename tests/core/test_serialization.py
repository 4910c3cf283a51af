"""Newer fields whose default is `None` are left out of the JSON while `None`, and round trips stay exact.

`ToolDefinition.strict`, `ImageUrl`/`BinaryContent.vendor_metadata` and a response's `provider_name`,
`provider_response_id`, `finish_reason` and `provider_details` came after the original API; `None` is their default,
so leaving them out is lossless. A set value (`False` included) is always written.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import datetime, timezone
from typing import Any

import pydantic
import pytest
from pydantic_core import to_json, to_jsonable_python

from pydantic_ai.messages import (
    BinaryContent,
    ImageUrl,
    ModelMessage,
    ModelMessagesTypeAdapter,
    ModelRequest,
    ModelResponse,
    TextPart,
    UserPromptPart,
)
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import Usage

TS = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_to_json_leaves_out_strict_while_none_and_keeps_true_and_false() -> None:
    tools = [ToolDefinition('a'), ToolDefinition('b', strict=True), ToolDefinition('c', strict=False)]
    dumped = json.loads(to_json(tools))
    assert dumped[0] == {
        'name': 'a',
        'description': None,
        'parameters_json_schema': {'type': 'object', 'properties': {}},
        'outer_typed_dict_key': None,
    }
    assert [tool.get('strict', 'absent') for tool in dumped] == ['absent', True, False]
    assert to_jsonable_python(ToolDefinition('a')) == dumped[0]


def test_tool_definition_type_adapter_round_trip_is_exact() -> None:
    adapter = pydantic.TypeAdapter(list[ToolDefinition])
    tools = [ToolDefinition('a', 'does a', {'type': 'object'}, 'x'), ToolDefinition('b', strict=False)]
    assert adapter.validate_json(adapter.dump_json(tools)) == tools
    assert 'strict' not in adapter.dump_python(tools)[0]


def test_tool_definition_stays_a_plain_dataclass() -> None:
    tool = ToolDefinition('a', strict=True)
    changed = dataclasses.replace(tool, strict=None)
    assert changed == ToolDefinition('a') != tool
    assert repr(changed) == (
        "ToolDefinition(name='a', description=None, parameters_json_schema={'type': 'object', 'properties': {}}, "
        'outer_typed_dict_key=None, strict=None)'
    )
    assert [f.name for f in dataclasses.fields(ToolDefinition)][-1] == 'strict'


def test_using_tool_definitions_without_serializing_loads_no_pydantic() -> None:
    code = (
        'import sys, dataclasses\n'
        'from pydantic_ai.tools import ToolDefinition\n'
        "tool = dataclasses.replace(ToolDefinition('a'), strict=True)\n"
        "assert tool != ToolDefinition('a') and 'strict=True' in repr(tool)\n"
        "assert not {'pydantic', 'pydantic_core'} & set(sys.modules), sorted(sys.modules)\n"
    )
    completed = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr


def _dump(messages: list[ModelMessage]) -> Any:
    return json.loads(ModelMessagesTypeAdapter.dump_json(messages))


def test_message_json_leaves_out_none_vendor_metadata_and_keeps_a_set_one() -> None:
    prompt = UserPromptPart(
        [
            ImageUrl('https://example.com/a.png'),
            ImageUrl('https://example.com/b.png', vendor_metadata={'detail': 'low'}),
            BinaryContent(b'hi', media_type='text/plain'),
            BinaryContent(b'hi', media_type='image/png', vendor_metadata={}),
        ],
        timestamp=TS,
    )
    content = _dump([ModelRequest([prompt])])[0]['parts'][0]['content']
    assert content == [
        {'url': 'https://example.com/a.png', 'kind': 'image-url'},
        {'url': 'https://example.com/b.png', 'vendor_metadata': {'detail': 'low'}, 'kind': 'image-url'},
        {'data': 'aGk=', 'media_type': 'text/plain', 'kind': 'binary'},
        {'data': 'aGk=', 'media_type': 'image/png', 'vendor_metadata': {}, 'kind': 'binary'},
    ]
    restored = ModelMessagesTypeAdapter.validate_json(ModelMessagesTypeAdapter.dump_json([ModelRequest([prompt])]))
    assert restored == [ModelRequest([prompt])]


def test_response_json_leaves_out_none_metadata_but_always_keeps_usage() -> None:
    bare = ModelResponse([TextPart('x')], model_name='m', timestamp=TS)
    assert _dump([bare]) == [
        {
            'parts': [{'content': 'x', 'part_kind': 'text'}],
            'model_name': 'm',
            'timestamp': '2025-01-02T03:04:05Z',
            'usage': {
                'requests': 0,
                'request_tokens': None,
                'response_tokens': None,
                'total_tokens': None,
                'details': None,
                'timings': None,
                'cache_read_tokens': None,
            },
            'kind': 'response',
        }
    ]


def _full_response() -> ModelResponse:
    return ModelResponse(
        [TextPart('x')],
        model_name='m',
        timestamp=TS,
        usage=Usage(requests=1, request_tokens=3, response_tokens=2, total_tokens=5),
        provider_name='p',
        provider_response_id='resp-1',
        finish_reason='stop',
        provider_details={'finish_reason': 'stop'},
    )


@pytest.mark.parametrize('mode', ['json', 'python'])
@pytest.mark.parametrize('response', [_full_response(), ModelResponse([TextPart('x')], timestamp=TS)])
def test_response_round_trip_is_exact_field_by_field(response: ModelResponse, mode: str) -> None:
    adapter = ModelMessagesTypeAdapter
    if mode == 'json':
        (restored,) = adapter.validate_json(adapter.dump_json([response]))
    else:
        (restored,) = adapter.validate_python(adapter.dump_python([response], mode='json'))
    # Field by field: `ModelResponse.__eq__` skips the newer fields one side leaves unset, so it would hide a loss.
    assert isinstance(restored, ModelResponse)
    assert vars(restored) == vars(response)
