"""`ToolDefinition`: a tool as the model sees it (name, description, JSON schema of its arguments).

A leaf module (it imports only the leaf `_serialization`), so that models can describe tools without importing the
agent's `Tool` machinery; `pydantic_ai.tools` re-exports it, the original API's path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._serialization import LazySerializer, schema_omitting_none

__all__ = ('ToolDefinition',)


@dataclass
class ToolDefinition:
    """A tool the model may call, described in the form model APIs take.

    Serialized (by `pydantic_core.to_json`, a `TypeAdapter`, or a model holding it) without `strict` while that is
    `None`, its default: the form the original API's `ToolDefinition`, which had no `strict`, serialized to.
    """

    name: str
    """The tool's name; the model uses it to call the tool."""
    description: str | None = None
    """What the tool does, for the model. `None` means no description is sent."""
    parameters_json_schema: dict[str, Any] = field(default_factory=lambda: {'type': 'object', 'properties': {}})
    """The JSON schema of the tool's arguments (an object schema)."""
    outer_typed_dict_key: str | None = None
    """When set, the arguments are wrapped in an object under this key before validation."""
    strict: bool | None = None
    """Ask the provider to enforce the schema strictly, where it supports that. `None` leaves it unset."""

    # Not annotated: a ClassVar annotation would make `@dataclass` read (and so build) it while making the class.
    __pydantic_serializer__ = LazySerializer()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        return schema_omitting_none(handler(source), 'strict')
