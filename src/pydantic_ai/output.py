"""Structured output: how a request asks the model for a JSON result instead of free text.

Three modes, chosen with `ModelRequestParameters.output_mode`:

- `'tool'` (the default): the result schema is offered as a tool (`ModelRequestParameters.result_tools`) and the
  model answers by calling it. Works with every model that calls tools.
- `'native'`: the schema in `output_object` is sent as the provider's native JSON-schema response format, and the
  model answers with text that is JSON matching it (Groq: `response_format={'type': 'json_schema', ...}`).
- `'json_object'`: the model is only told to answer with a JSON object (Groq: `response_format={'type':
  'json_object'}`); put the schema in the prompt. For models without JSON-schema support.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

__all__ = ('OutputMode', 'OutputObjectDefinition')

OutputMode: TypeAlias = Literal['tool', 'native', 'json_object']
"""How structured output is requested; see the module's documentation."""


@dataclass
class OutputObjectDefinition:
    """The JSON schema of a structured result, for the `'native'` output mode."""

    json_schema: dict[str, Any]
    """The JSON schema the answer must match."""
    name: str | None = None
    """The schema's name, shown to the model; a provider that requires one (Groq does) sends `'final_result'` when it is
    `None`."""
    description: str | None = None
    """What the result is, shown to the model."""
    strict: bool | None = None
    """Whether the provider must enforce the schema exactly; `None` leaves the provider's default."""
