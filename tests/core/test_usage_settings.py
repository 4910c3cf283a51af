from __future__ import annotations

import copy

import pytest

from pydantic_ai.settings import ModelSettings, merge_model_settings
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import Usage

# Usage


def test_usage_defaults_are_zero_requests_and_unknown_tokens() -> None:
    usage = Usage()
    assert usage.requests == 0
    assert usage.request_tokens is None
    assert usage.response_tokens is None
    assert usage.total_tokens is None
    assert usage.details is None


def test_usage_add_returns_new_object_and_leaves_originals_unchanged() -> None:
    a = Usage(requests=1, request_tokens=10, response_tokens=20, total_tokens=30, details={'cached': 1})
    b = Usage(requests=2, request_tokens=5, response_tokens=6, total_tokens=11, details={'cached': 2, 'reasoning': 3})
    a_before, b_before = copy.deepcopy(a), copy.deepcopy(b)
    total = a + b
    assert total == Usage(
        requests=3, request_tokens=15, response_tokens=26, total_tokens=41, details={'cached': 3, 'reasoning': 3}
    )
    assert total is not a
    assert total is not b
    assert a == a_before
    assert b == b_before


def test_usage_add_does_not_share_details_dict_with_operands() -> None:
    a = Usage(details={'cached': 1})
    total = a + Usage(details={'cached': 1})
    assert total.details is not a.details
    total2 = a + Usage()
    assert total2.details == {'cached': 1}
    total2.incr(Usage(details={'cached': 5}))
    assert a.details == {'cached': 1}


def test_usage_copy_is_equal_and_shares_nothing() -> None:
    usage = Usage(2, 10, 5, 15, details={'cached': 1}, timings={'total_time': 0.5})
    copy = usage.copy()
    assert copy == usage and copy is not usage
    assert copy.details is not usage.details and copy.timings is not usage.timings
    copy.details['cached'] = 9  # type: ignore[index]
    copy.timings['total_time'] = 9.0  # type: ignore[index]
    copy.incr(Usage(requests=1))
    assert usage == Usage(2, 10, 5, 15, details={'cached': 1}, timings={'total_time': 0.5})
    assert (usage + Usage()).details is not usage.details
    assert Usage().copy() == Usage()


def test_usage_add_with_non_usage_is_type_error() -> None:
    with pytest.raises(TypeError):
        Usage() + 1  # type: ignore[operator]


def test_usage_incr_adds_in_place_with_extra_requests() -> None:
    usage = Usage(requests=1, request_tokens=10)
    other = Usage(requests=2, request_tokens=5, response_tokens=7)
    result = usage.incr(other, requests=4)
    assert result is None
    assert usage == Usage(requests=7, request_tokens=15, response_tokens=7)
    assert other == Usage(requests=2, request_tokens=5, response_tokens=7)


@pytest.mark.parametrize(
    ('a', 'b', 'expected'),
    [(None, None, None), (None, 5, 5), (5, None, 5), (3, 4, 7), (0, None, 0), (None, 0, 0)],
)
def test_usage_none_is_unknown_not_zero(a: int | None, b: int | None, expected: int | None) -> None:
    total = Usage(request_tokens=a, response_tokens=a, total_tokens=a) + Usage(
        request_tokens=b, response_tokens=b, total_tokens=b
    )
    assert total.request_tokens == expected
    assert total.response_tokens == expected
    assert total.total_tokens == expected


def test_usage_details_summed_key_by_key() -> None:
    usage = Usage(details={'cached': 1, 'audio': 2})
    usage.incr(Usage(details={'cached': 10, 'reasoning': 5}))
    assert usage.details == {'cached': 11, 'audio': 2, 'reasoning': 5}


def test_usage_details_from_none() -> None:
    assert (Usage() + Usage(details={'cached': 3})).details == {'cached': 3}
    assert (Usage(details={'cached': 3}) + Usage()).details == {'cached': 3}
    assert (Usage() + Usage()).details is None


def test_usage_incr_does_not_mutate_callers_details_dict() -> None:
    details = {'cached': 1}
    usage = Usage(details=details)
    usage.incr(Usage(details={'cached': 1}))
    assert usage.details == {'cached': 2}
    assert details == {'cached': 1}


def test_usage_sum_of_many() -> None:
    total = Usage()
    for _ in range(5):
        total = total + Usage(requests=1, request_tokens=2, details={'x': 1})
    assert total == Usage(requests=5, request_tokens=10, details={'x': 5})


# merge_model_settings


def test_merge_model_settings_overrides_win_and_inputs_not_mutated() -> None:
    base: ModelSettings = {'temperature': 0.5, 'max_tokens': 100}
    overrides: ModelSettings = {'temperature': 0.9, 'seed': 1}
    base_before, overrides_before = dict(base), dict(overrides)
    merged = merge_model_settings(base, overrides)
    assert merged == {'temperature': 0.9, 'max_tokens': 100, 'seed': 1}
    assert merged is not base
    assert merged is not overrides
    assert base == base_before
    assert overrides == overrides_before


def test_merge_model_settings_result_is_independent_of_inputs() -> None:
    base: ModelSettings = {'temperature': 0.5}
    overrides: ModelSettings = {'seed': 1}
    merged = merge_model_settings(base, overrides)
    assert merged is not None
    merged['max_tokens'] = 5
    assert base == {'temperature': 0.5}
    assert overrides == {'seed': 1}


def test_merge_model_settings_none_handling() -> None:
    settings: ModelSettings = {'temperature': 0.1}
    assert merge_model_settings(None, None) is None
    assert merge_model_settings(settings, None) == {'temperature': 0.1}
    assert merge_model_settings(None, settings) == {'temperature': 0.1}


def test_merge_model_settings_empty_dicts() -> None:
    settings: ModelSettings = {'temperature': 0.1}
    assert merge_model_settings(settings, {}) == {'temperature': 0.1}
    assert merge_model_settings({}, settings) == {'temperature': 0.1}
    assert not merge_model_settings({}, {})


def test_merge_model_settings_keeps_provider_specific_keys() -> None:
    base = {'acme_reasoning_format': 'raw', 'temperature': 0.1}
    merged = merge_model_settings(base, {'temperature': 0.2})  # type: ignore[arg-type]
    assert merged == {'acme_reasoning_format': 'raw', 'temperature': 0.2}


# ToolDefinition


def test_tool_definition_defaults() -> None:
    tool = ToolDefinition('get_weather')
    assert tool.name == 'get_weather'
    assert tool.description is None
    assert tool.parameters_json_schema == {'type': 'object', 'properties': {}}
    assert tool.outer_typed_dict_key is None
    assert tool.strict is None


def test_tool_definition_default_schema_is_not_shared() -> None:
    a = ToolDefinition('a')
    b = ToolDefinition('b')
    assert a.parameters_json_schema is not b.parameters_json_schema
    a.parameters_json_schema['properties']['x'] = {'type': 'integer'}
    assert b.parameters_json_schema == {'type': 'object', 'properties': {}}
    assert ToolDefinition('c').parameters_json_schema == {'type': 'object', 'properties': {}}


def test_tool_definition_accepts_all_fields() -> None:
    schema = {'type': 'object', 'properties': {'city': {'type': 'string'}}, 'required': ['city']}
    tool = ToolDefinition('t', description='desc', parameters_json_schema=schema, outer_typed_dict_key='k', strict=True)
    assert tool.description == 'desc'
    assert tool.parameters_json_schema is schema
    assert tool.outer_typed_dict_key == 'k'
    assert tool.strict is True
