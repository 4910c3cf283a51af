"""How the core's plain dataclasses serialize: a newer field is left out while it holds its default `None`.

Several dataclasses gained fields after the original API (pydantic-ai v0.0.40) whose default is `None`
(`ToolDefinition.strict`, `BinaryContent.vendor_metadata`, a response's `provider_response_id`, ...). Writing them
as `null` tells a reader nothing (reading the JSON back without the key gives `None` again, so leaving it out is
lossless) and makes the JSON differ from what code written for the original API expects. A value that is set,
`False` included, is always written.

A leaf module: pydantic is imported only when a schema or serializer is built, never when this module is imported
(`import pydantic_ai` stays free of pydantic).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ('schema_omitting_none', 'LazySerializer')


def schema_omitting_none(schema: Any, *fields: str) -> Any:
    """`schema` (a dataclass's pydantic-core schema), serialized without each of `fields` whose value is `None`.

    For a dataclass's `__get_pydantic_core_schema__`: `return schema_omitting_none(handler(source), 'strict')`.
    Every way pydantic serializes the class then leaves those fields out while they are `None`: a `TypeAdapter`
    (`dump_json`, `dump_python`), a model or dataclass that holds one, and `LazySerializer` for
    `pydantic_core.to_json`.
    """
    from pydantic_core import core_schema

    schema['serialization'] = core_schema.wrap_serializer_function_ser_schema(
        _omit_none(frozenset(fields)), info_arg=False
    )
    return schema


def _omit_none(fields: frozenset[str]) -> Callable[[Any, Callable[[Any], Any]], Any]:
    def serialize(value: Any, handler: Callable[[Any], Any]) -> Any:
        data = handler(value)
        if isinstance(data, dict):
            for name in fields:
                if name in data and data[name] is None:
                    del data[name]
        return data

    return serialize


class LazySerializer:
    """A class's `__pydantic_serializer__`, built from a `TypeAdapter` of the class on first access.

    `pydantic_core.to_json` (and `to_jsonable_python`) serialize any object that has a `__pydantic_serializer__`
    with it, and a plain dataclass field by field otherwise; so this makes them honour the class's
    `__get_pydantic_core_schema__` (a field left out while `None`, for example). Built once per class, replacing
    this descriptor on the class; nothing is imported before the first access.
    """

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    def __get__(self, instance: object, owner: type[Any]) -> Any:
        from pydantic import TypeAdapter

        serializer = TypeAdapter(owner).serializer
        setattr(owner, self._name, serializer)
        return serializer
