from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pydantic
import pytest

import pydantic_ai.messages as messages_module
from pydantic_ai.exceptions import UnexpectedModelBehavior
from pydantic_ai.messages import (
    BinaryContent,
    ErrorDetails,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    TextPartDelta,
    ToolCallPart,
    ToolCallPartDelta,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.usage import Usage

TS = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
NON_UTF8 = b'\xff\x00\xfe'


class _Model(pydantic.BaseModel):
    x: int
    y: pydantic.PositiveInt


def _real_errors(n: int) -> list[ErrorDetails]:
    if n == 1:
        data: dict[str, Any] = {'x': 1, 'y': -5}
    else:
        data = {'x': 'not a number', 'y': -5}
    with pytest.raises(pydantic.ValidationError) as exc_info:
        _Model.model_validate(data)
    errors = exc_info.value.errors()
    assert len(errors) == n
    return errors  # type: ignore[return-value]


def _adapter() -> pydantic.TypeAdapter[list[ModelMessage]]:
    # Accessed lazily (it is built on first access), so a failure to build it fails the tests, not collection.
    return messages_module.ModelMessagesTypeAdapter


def _roundtrip_json(messages: list[ModelMessage]) -> list[ModelMessage]:
    return _adapter().validate_json(_adapter().dump_json(messages))


def _roundtrip_python(messages: list[ModelMessage]) -> list[ModelMessage]:
    return _adapter().validate_python(_adapter().dump_python(messages, mode='json'))


REQUEST_PARTS: dict[str, Any] = {
    'system_prompt': SystemPromptPart('You are helpful.'),
    'system_prompt_dynamic_ref': SystemPromptPart('Dynamic', dynamic_ref='ref-1'),
    'user_prompt_str': UserPromptPart('Hello, wörld ✓', timestamp=TS),
    'user_prompt_list': UserPromptPart(
        [
            'Describe these:',
            ImageUrl('https://example.com/cat.png'),
            BinaryContent(NON_UTF8, media_type='application/octet-stream'),
            BinaryContent(b'\x89PNG\r\n\x1a\n\x00\x00', media_type='image/png'),
        ],
        timestamp=TS,
    ),
    'tool_return_str': ToolReturnPart('get_weather', 'sunny', tool_call_id='call_1', timestamp=TS),
    'tool_return_dict': ToolReturnPart(
        'get_weather', {'temp': 21.5, 'conditions': ['sunny', 'windy'], 'ok': True, 'none': None}, timestamp=TS
    ),
    'tool_return_list': ToolReturnPart('list_things', [1, 'two', {'three': 3}], tool_call_id='call_2', timestamp=TS),
    'retry_str_no_tool': RetryPromptPart('Please answer in French.', timestamp=TS),
    'retry_str_with_tool': RetryPromptPart('bad', tool_name='get_weather', tool_call_id='call_3', timestamp=TS),
    'retry_errors_with_tool': RetryPromptPart(
        _real_errors(2), tool_name='get_weather', tool_call_id='call_4', timestamp=TS
    ),
    'retry_errors_no_tool': RetryPromptPart(_real_errors(1), timestamp=TS),
}

RESPONSE_PARTS: dict[str, Any] = {
    'text': TextPart('The answer is 42 ✓'),
    'tool_call_str_args': ToolCallPart('get_weather', '{"city": "Zürich"}', tool_call_id='call_1'),
    'tool_call_dict_args': ToolCallPart('get_weather', {'city': 'Paris', 'days': [1, 2]}, tool_call_id='call_2'),
    'tool_call_no_id': ToolCallPart('noop', ''),
}


@pytest.mark.parametrize('roundtrip', [_roundtrip_json, _roundtrip_python], ids=['json', 'python'])
@pytest.mark.parametrize('name', list(REQUEST_PARTS))
def test_request_part_roundtrips_through_type_adapter_unchanged(name: str, roundtrip: Any) -> None:
    messages: list[ModelMessage] = [ModelRequest(parts=[REQUEST_PARTS[name]])]
    result = roundtrip(messages)
    assert result == messages
    assert type(result[0].parts[0]) is type(REQUEST_PARTS[name])


@pytest.mark.parametrize('roundtrip', [_roundtrip_json, _roundtrip_python], ids=['json', 'python'])
@pytest.mark.parametrize('name', list(RESPONSE_PARTS))
def test_response_part_roundtrips_through_type_adapter_unchanged(name: str, roundtrip: Any) -> None:
    messages: list[ModelMessage] = [ModelResponse(parts=[RESPONSE_PARTS[name]], model_name='llama-x', timestamp=TS)]
    result = roundtrip(messages)
    assert result == messages
    assert type(result[0].parts[0]) is type(RESPONSE_PARTS[name])


@pytest.mark.parametrize('roundtrip', [_roundtrip_json, _roundtrip_python], ids=['json', 'python'])
def test_full_conversation_roundtrips_with_all_part_kinds(roundtrip: Any) -> None:
    messages: list[ModelMessage] = [
        ModelRequest(parts=list(REQUEST_PARTS.values())),
        ModelResponse(parts=list(RESPONSE_PARTS.values()), model_name='llama-x', timestamp=TS),
        ModelResponse(parts=[TextPart('no model name')], timestamp=TS),
    ]
    result = roundtrip(messages)
    assert result == messages
    assert isinstance(result[0], ModelRequest)
    assert isinstance(result[1], ModelResponse)
    assert result[1].model_name == 'llama-x'
    assert result[1].timestamp == TS
    assert result[2].model_name is None


def test_binary_content_non_utf8_bytes_survive_json_as_base64() -> None:
    messages: list[ModelMessage] = [ModelRequest(parts=[REQUEST_PARTS['user_prompt_list']])]
    dumped = json.loads(_adapter().dump_json(messages))
    content = dumped[0]['parts'][0]['content']
    binary = content[2]
    assert binary['kind'] == 'binary'
    # pydantic's `base64` mode writes the URL-safe alphabet.
    assert base64.urlsafe_b64decode(binary['data']) == NON_UTF8
    restored = _adapter().validate_json(json.dumps(dumped))
    restored_part = restored[0].parts[0]
    assert isinstance(restored_part, UserPromptPart)
    assert not isinstance(restored_part.content, str)
    restored_binary = restored_part.content[2]
    assert isinstance(restored_binary, BinaryContent)
    assert restored_binary.data == NON_UTF8


def test_dumped_json_contains_discriminator_fields() -> None:
    messages: list[ModelMessage] = [
        ModelRequest(parts=list(REQUEST_PARTS.values())),
        ModelResponse(parts=list(RESPONSE_PARTS.values()), model_name='m', timestamp=TS),
    ]
    dumped = json.loads(_adapter().dump_json(messages))
    assert [m['kind'] for m in dumped] == ['request', 'response']
    assert [p['part_kind'] for p in dumped[0]['parts']] == [
        'system-prompt',
        'system-prompt',
        'user-prompt',
        'user-prompt',
        'tool-return',
        'tool-return',
        'tool-return',
        'retry-prompt',
        'retry-prompt',
        'retry-prompt',
        'retry-prompt',
    ]
    assert [p['part_kind'] for p in dumped[1]['parts']] == ['text', 'tool-call', 'tool-call', 'tool-call']
    user_list_content = dumped[0]['parts'][3]['content']
    assert [c if isinstance(c, str) else c['kind'] for c in user_list_content] == [
        'Describe these:',
        'image-url',
        'binary',
        'binary',
    ]


def test_type_adapter_rejects_unknown_message_kind() -> None:
    with pytest.raises(pydantic.ValidationError):
        _adapter().validate_python([{'kind': 'bogus', 'parts': []}])


def test_type_adapter_builds_on_this_python_version() -> None:
    # ErrorDetails is a TypedDict inside RetryPromptPart; pydantic requires typing_extensions.TypedDict before 3.12.
    adapter = messages_module.ModelMessagesTypeAdapter
    assert isinstance(adapter, pydantic.TypeAdapter)


def test_type_adapter_is_cached_module_attribute() -> None:
    assert messages_module.ModelMessagesTypeAdapter is messages_module.ModelMessagesTypeAdapter
    with pytest.raises(AttributeError):
        messages_module.DoesNotExist  # noqa: B018


# ToolCallPart args


def test_args_as_dict_parses_json_string() -> None:
    part = ToolCallPart('t', '{"a": 1, "b": [true, null]}')
    assert part.args_as_dict() == {'a': 1, 'b': [True, None]}


def test_args_as_dict_returns_dict_args_as_is() -> None:
    args = {'a': 1}
    part = ToolCallPart('t', args)
    assert part.args_as_dict() == {'a': 1}


def test_args_as_dict_empty_string_is_empty_dict() -> None:
    assert ToolCallPart('t', '').args_as_dict() == {}


def test_args_as_json_str_keeps_string_args() -> None:
    assert ToolCallPart('t', '{"a":  1}').args_as_json_str() == '{"a":  1}'


def test_args_as_json_str_empty_string_is_empty_object() -> None:
    assert ToolCallPart('t', '').args_as_json_str() == '{}'


def test_args_as_json_str_serializes_dict_args_without_ascii_escaping() -> None:
    result = ToolCallPart('t', {'city': 'Zürich', 'n': 2}).args_as_json_str()
    assert json.loads(result) == {'city': 'Zürich', 'n': 2}
    assert 'Zürich' in result


def test_args_as_dict_invalid_json_raises_unexpected_model_behavior_naming_tool() -> None:
    part = ToolCallPart('get_weather', '{"city": ')
    with pytest.raises(UnexpectedModelBehavior) as exc_info:
        part.args_as_dict()
    assert 'get_weather' in str(exc_info.value)
    assert 'not valid JSON' in str(exc_info.value)
    assert exc_info.value.body == '{"city": '
    assert isinstance(exc_info.value.__cause__, ValueError)


@pytest.mark.parametrize('args', ['[1, 2]', '"a string"', '42', 'null'])
def test_args_as_dict_non_object_json_raises_unexpected_model_behavior_naming_tool(args: str) -> None:
    part = ToolCallPart('get_weather', args)
    with pytest.raises(UnexpectedModelBehavior, match='get_weather') as exc_info:
        part.args_as_dict()
    assert 'not an object' in str(exc_info.value)


def test_tool_call_and_text_has_content() -> None:
    assert ToolCallPart('t', '{}').has_content()
    assert not ToolCallPart('t', '').has_content()
    assert not ToolCallPart('t', {}).has_content()
    assert TextPart('x').has_content()
    assert not TextPart('').has_content()


# ToolReturnPart


@dataclass
class _Point:
    x: int
    y: int


def test_tool_return_model_response_str_keeps_string_unchanged() -> None:
    assert ToolReturnPart('t', '{"not": "parsed"} ✓').model_response_str() == '{"not": "parsed"} ✓'


@pytest.mark.parametrize(
    ('content', 'expected'),
    [
        ({'a': 1, 'b': [1, 2]}, {'a': 1, 'b': [1, 2]}),
        ([1, 'two', None], [1, 'two', None]),
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), '2024-01-02T03:04:05Z'),
        (_Point(1, 2), {'x': 1, 'y': 2}),
        (42, 42),
    ],
    ids=['dict', 'list', 'datetime', 'dataclass', 'int'],
)
def test_tool_return_model_response_str_serializes_non_strings_as_json(content: Any, expected: Any) -> None:
    result = ToolReturnPart('t', content).model_response_str()
    assert isinstance(result, str)
    assert json.loads(result) == expected


def test_tool_return_model_response_object_keeps_dict() -> None:
    content = {'a': 1}
    assert ToolReturnPart('t', content).model_response_object() == {'a': 1}


@pytest.mark.parametrize('content', ['text', [1, 2], 3, None])
def test_tool_return_model_response_object_wraps_non_dict(content: Any) -> None:
    assert ToolReturnPart('t', content).model_response_object() == {'return_value': content}


# RetryPromptPart


def test_retry_model_response_for_string() -> None:
    assert RetryPromptPart('Answer in French.').model_response() == 'Answer in French.\n\nFix the errors and try again.'


def test_retry_model_response_words_errors_as_the_original_and_drops_url() -> None:
    errors = _real_errors(1)
    assert 'url' in errors[0]
    text = RetryPromptPart(errors, tool_name='t').model_response()
    assert text.startswith('1 validation errors: ')
    assert text.endswith('\n\nFix the errors and try again.')
    assert 'url' not in text
    assert 'https://errors.pydantic.dev' not in text
    payload = json.loads(text[len('1 validation errors: ') : -len('\n\nFix the errors and try again.')])
    assert payload == [
        {
            'type': 'greater_than',
            'loc': ['y'],
            'msg': 'Input should be greater than 0',
            'input': -5,
            'ctx': {'gt': 0},
        }
    ]


def test_retry_model_response_multiple_errors_is_plural() -> None:
    errors = _real_errors(2)
    text = RetryPromptPart(errors).model_response()
    assert text.startswith('2 validation errors: ')
    assert text.endswith('Fix the errors and try again.')
    assert 'url' not in text
    payload = json.loads(text[len('2 validation errors: ') : -len('\n\nFix the errors and try again.')])
    assert [e['loc'] for e in payload] == [['x'], ['y']]
    assert all('url' not in e for e in payload)


def test_retry_model_response_does_not_mutate_errors() -> None:
    errors = _real_errors(1)
    RetryPromptPart(errors).model_response()
    assert 'url' in errors[0]


# Deltas


def test_text_part_delta_apply_appends() -> None:
    part = TextPart('héllo')
    result = TextPartDelta(' wörld').apply(part)
    assert result == TextPart('héllo wörld')
    assert part == TextPart('héllo')


def test_text_part_delta_apply_to_tool_call_raises() -> None:
    with pytest.raises(UnexpectedModelBehavior, match='ToolCallPart'):
        TextPartDelta('x').apply(ToolCallPart('t', ''))


def test_tool_call_part_delta_apply_appends_name_and_string_args() -> None:
    part = ToolCallPart('get_', '{"a"')
    result = ToolCallPartDelta(tool_name_delta='weather', args_delta=': 1}', tool_call_id='id1').apply(part)
    assert result == ToolCallPart('get_weather', '{"a": 1}', tool_call_id='id1')
    assert part == ToolCallPart('get_', '{"a"')


def test_tool_call_part_delta_apply_merges_dict_args() -> None:
    part = ToolCallPart('t', {'a': 1, 'b': 2}, tool_call_id='id1')
    result = ToolCallPartDelta(args_delta={'b': 3, 'c': 4}).apply(part)
    assert result == ToolCallPart('t', {'a': 1, 'b': 3, 'c': 4}, tool_call_id='id1')
    assert part.args == {'a': 1, 'b': 2}


def test_tool_call_part_delta_apply_to_empty_args_takes_either_kind() -> None:
    assert ToolCallPartDelta(args_delta={'a': 1}).apply(ToolCallPart('t', '')).args == {'a': 1}
    assert ToolCallPartDelta(args_delta='{"a"').apply(ToolCallPart('t', {})).args == '{"a"'


def test_tool_call_part_delta_without_changes_keeps_part() -> None:
    part = ToolCallPart('t', '{}', tool_call_id='id1')
    assert ToolCallPartDelta().apply(part) == part


def test_tool_call_part_delta_mixing_str_and_dict_args_raises() -> None:
    with pytest.raises(UnexpectedModelBehavior, match="'t'"):
        ToolCallPartDelta(args_delta={'a': 1}).apply(ToolCallPart('t', '{"b"'))
    with pytest.raises(UnexpectedModelBehavior, match="'t'"):
        ToolCallPartDelta(args_delta='"x"').apply(ToolCallPart('t', {'b': 1}))


def test_tool_call_part_delta_apply_to_text_raises() -> None:
    with pytest.raises(UnexpectedModelBehavior, match='TextPart'):
        ToolCallPartDelta(args_delta='x').apply(TextPart('hello'))


# BinaryContent, ImageUrl, ModelRequest


@pytest.mark.parametrize(
    ('media_type', 'is_image', 'is_audio'),
    [
        ('image/png', True, False),
        ('image/jpeg', True, False),
        ('audio/wav', False, True),
        ('application/pdf', False, False),
    ],
)
def test_binary_content_is_image_and_is_audio(media_type: str, is_image: bool, is_audio: bool) -> None:
    content = BinaryContent(b'data', media_type=media_type)
    assert content.is_image is is_image
    assert content.is_audio is is_audio


def test_binary_content_data_uri_is_base64() -> None:
    content = BinaryContent(NON_UTF8, media_type='image/png')
    assert content.data_uri == 'data:image/png;base64,/wD+'
    assert base64.b64decode(content.data_uri.split(',', 1)[1]) == NON_UTF8


def test_binary_content_repr_hides_raw_bytes() -> None:
    secret = b'SECRET-BYTES-\xff\x00'
    content = BinaryContent(secret, media_type='image/png')
    text = repr(content)
    assert 'SECRET' not in text
    assert repr(secret) not in text
    assert '\\xff' not in text
    assert 'image/png' in text
    assert '15 bytes' in text


def test_binary_content_repr_inside_message_hides_raw_bytes() -> None:
    request = ModelRequest(parts=[UserPromptPart([BinaryContent(b'SECRET-BYTES', media_type='audio/wav')])])
    assert 'SECRET' not in repr(request)


@pytest.mark.parametrize(
    ('url', 'expected'),
    [
        ('https://example.com/cat.png', 'image/png'),
        ('https://example.com/cat.jpg', 'image/jpeg'),
        ('https://example.com/cat.gif?size=large&x=1.txt', 'image/gif'),
        ('https://example.com/cat', 'image/*'),
        ('https://example.com/doc.pdf', 'image/*'),
    ],
)
def test_image_url_media_type_guessed_from_extension(url: str, expected: str) -> None:
    assert ImageUrl(url).media_type == expected


def test_user_text_prompt_without_system_prompt() -> None:
    request = ModelRequest.user_text_prompt('Hi')
    assert request.kind == 'request'
    assert len(request.parts) == 1
    part = request.parts[0]
    assert isinstance(part, UserPromptPart)
    assert part.content == 'Hi'
    assert part.timestamp.tzinfo is not None


def test_user_text_prompt_with_system_prompt_comes_first() -> None:
    request = ModelRequest.user_text_prompt('Hi', system_prompt='Be brief.')
    assert [type(p) for p in request.parts] == [SystemPromptPart, UserPromptPart]
    assert request.parts[0] == SystemPromptPart('Be brief.')
    assert request.parts[1].content == 'Hi'


def test_user_text_prompt_with_empty_system_prompt_keeps_it() -> None:
    request = ModelRequest.user_text_prompt('Hi', system_prompt='')
    assert request.parts[0] == SystemPromptPart('')


# ModelResponse equality: the original API's fields always, each newer field only when both sides set it

_NEWER_FIELDS: dict[str, tuple[Any, Any]] = {
    'usage': (Usage(requests=1, total_tokens=5), Usage(requests=1, total_tokens=6)),
    'provider_name': ('groq', 'other'),
    'provider_response_id': ('resp-1', 'resp-2'),
    'finish_reason': ('stop', 'length'),
    'provider_details': ({'finish_reason': 'stop'}, {'finish_reason': 'eos'}),
}


def _response(**fields: Any) -> ModelResponse:
    return ModelResponse([TextPart('hi')], model_name='m', timestamp=TS, **fields)


@pytest.mark.parametrize('name', list(_NEWER_FIELDS))
def test_response_equality_skips_a_newer_field_that_one_side_leaves_unset(name: str) -> None:
    value, _ = _NEWER_FIELDS[name]
    assert _response(**{name: value}) == _response()
    assert _response() == _response(**{name: value})
    assert _response(**{name: value}) == _response(**{name: value})


@pytest.mark.parametrize('name', list(_NEWER_FIELDS))
def test_responses_that_both_set_a_newer_field_differently_are_unequal(name: str) -> None:
    first, second = _NEWER_FIELDS[name]
    assert _response(**{name: first}) != _response(**{name: second})


@pytest.mark.parametrize(
    'other',
    [
        ModelResponse([TextPart('bye')], model_name='m', timestamp=TS),
        ModelResponse([TextPart('hi')], model_name='n', timestamp=TS),
        ModelResponse([TextPart('hi')], model_name='m', timestamp=datetime(2020, 1, 1, tzinfo=timezone.utc)),
    ],
    ids=['parts', 'model_name', 'timestamp'],
)
def test_responses_differing_in_an_original_field_are_unequal_whatever_else_they_set(other: ModelResponse) -> None:
    assert _response() != other
    assert _response(provider_name='p') != other


def test_response_equality_is_not_transitive_through_an_unset_field_and_responses_are_unhashable() -> None:
    # The documented price of the lenient comparison: a bare response equals two that differ from each other.
    bare, first, second = _response(), _response(provider_name='a'), _response(provider_name='b')
    assert bare == first and bare == second and first != second
    assert _response() != 'hi'
    with pytest.raises(TypeError):
        hash(bare)
