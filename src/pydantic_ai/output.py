"""Structured output: how a request asks the model for a JSON result instead of free text.

Three modes, chosen with `ModelRequestParameters.output_mode`:

- `'tool'` (the default): the result schema is offered as a tool (`ModelRequestParameters.result_tools`) and the
  model answers by calling it. Works with every model that calls tools.
- `'native'`: the schema in `output_object` is sent as the provider's native JSON-schema response format, and the
  model answers with text that is JSON matching it (in a chat-completions API: `response_format={'type':
  'json_schema', ...}`).
- `'json_object'`: the model is only told to answer with a JSON object (in a chat-completions API:
  `response_format={'type': 'json_object'}`); put the schema in the prompt. For models without JSON-schema support.
- `'prompted'`: the schema in `output_object` goes into the instructions, as a system prompt built by
  `prompted_output_instructions()` from `ModelRequestParameters.prompted_output_template` (default
  `PROMPTED_OUTPUT_TEMPLATE`); no response format and no output tool is sent, and the answer is the JSON text. For
  models with neither tool calling nor JSON-schema support. `prompted_output_template=False` adds no instructions at
  all, for conversations whose own messages already ask for the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from .exceptions import UserError

__all__ = ('OutputMode', 'OutputObjectDefinition', 'PROMPTED_OUTPUT_TEMPLATE', 'prompted_output_instructions')

OutputMode: TypeAlias = Literal['tool', 'native', 'json_object', 'prompted']
"""How structured output is requested; see the module's documentation."""


@dataclass
class OutputObjectDefinition:
    """The JSON schema of a structured result, for the `'native'` and `'prompted'` output modes."""

    json_schema: dict[str, Any]
    """The JSON schema the answer must match."""
    name: str | None = None
    """The schema's name, shown to the model; a provider that requires one sends `'final_result'` when it is `None`."""
    description: str | None = None
    """What the result is, shown to the model."""
    strict: bool | None = None
    """Whether the provider must enforce the schema exactly; `None` leaves the provider's default."""


PROMPTED_OUTPUT_TEMPLATE = (
    'Reply with one JSON object and nothing else: no explanation, no Markdown code fence. '
    'The object must be valid against this JSON schema:\n\n{schema}'
)
"""The default instructions of the `'prompted'` output mode; `{schema}` is replaced by the schema as JSON."""


def prompted_output_instructions(output: OutputObjectDefinition, template: str | None = None) -> str:
    """The system prompt that asks for `output` as JSON text, for the `'prompted'` output mode.

    Args:
        output: The result's schema, dumped as JSON (keys in their order) where the template says `{schema}`. To
            show the model a title or description, put them in the schema, as `model_json_schema()` does.
        template: The instructions, with one `{schema}` placeholder (other braces are kept as written);
            `PROMPTED_OUTPUT_TEMPLATE` when `None`.

    Raises:
        UserError: the template has no `{schema}` placeholder.
    """
    import json

    text = PROMPTED_OUTPUT_TEMPLATE if template is None else template
    if not isinstance(text, str) or '{schema}' not in text:
        raise UserError(
            f'`prompted_output_template` must be a string with a `{{schema}}` placeholder, got {template!r}.'
        )
    return text.replace('{schema}', json.dumps(output.json_schema, ensure_ascii=False))
