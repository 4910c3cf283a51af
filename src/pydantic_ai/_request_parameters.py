"""`ModelRequestParameters`: what a request offers the model besides the conversation.

Request data, like the messages and the settings: it sits below the models and the lifecycle hooks, which both
carry it. Its public home is `pydantic_ai.models`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ._tool_definition import ToolDefinition
from .builtin_tools import AbstractBuiltinTool
from .output import OutputMode, OutputObjectDefinition

__all__ = ('ModelRequestParameters',)


@dataclass
class ModelRequestParameters:
    """What a request offers the model besides the conversation: tools, built-in tools and the output it wants.

    Structured output (see `pydantic_ai.output`) is requested with tools (`result_tools`, the default), with the
    provider's native JSON schema (`output_mode='native'` and `output_object`), as any JSON object
    (`output_mode='json_object'`), or by instructions alone (`output_mode='prompted'` and `output_object`).
    """

    function_tools: list[ToolDefinition] = field(default_factory=list)
    """Tools the model may call to get information or act."""
    allow_text_result: bool = True
    """Whether the model may answer with plain text. When `False` it must call a tool."""
    result_tools: list[ToolDefinition] = field(default_factory=list)
    """Tools whose call is the final, structured result (the `'tool'` output mode)."""
    output_mode: OutputMode = 'tool'
    """How structured output is requested: `'tool'`, `'native'`, `'json_object'` or `'prompted'`."""
    output_object: OutputObjectDefinition | None = None
    """The result's JSON schema, required by the `'native'` and `'prompted'` output modes."""
    prompted_output_template: str | Literal[False] | None = None
    """The `'prompted'` mode's instructions, with a `{schema}` placeholder; `None` for
    `pydantic_ai.output.PROMPTED_OUTPUT_TEMPLATE`; `False` for none at all: the caller's own messages already ask
    for the JSON (the meaning pydantic-ai gives this field), so the model adds no schema instructions."""
    builtin_tools: list[AbstractBuiltinTool] = field(default_factory=list)
    """Tools the provider runs itself, such as `WebSearchTool` and `CodeExecutionTool` (see
    `pydantic_ai.builtin_tools`)."""
