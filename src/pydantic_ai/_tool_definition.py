"""`ToolDefinition`: a tool as the model sees it (name, description, JSON schema of its arguments).

A leaf module (it imports nothing of the core), so that models can describe tools without importing the agent's
`Tool` machinery; `pydantic_ai.tools` re-exports it, the original API's path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ('ToolDefinition',)


@dataclass
class ToolDefinition:
    """A tool the model may call, described in the form model APIs take."""

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
