"""Settings for Groq requests, and the typed shapes of the Groq-only ones (documents, compound, search)."""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

from typing_extensions import Required, TypedDict

from pydantic_ai.settings import ModelSettings

__all__ = (
    'GroqModelSettings',
    'ThinkingHistory',
    'GroqServiceTier',
    'GroqCompoundToolName',
    'GroqCompoundCustom',
    'GroqCompoundModels',
    'GroqCompoundTools',
    'GroqWolframSettings',
    'GroqSearchSettings',
    'GroqDocument',
    'GroqTextSource',
    'GroqJsonSource',
)

ThinkingHistory: TypeAlias = Literal['field', 'tags', 'drop']
"""What happens to `ThinkingPart`s of earlier responses: see `GroqModelSettings.groq_thinking_history`."""

GroqServiceTier: TypeAlias = Literal['on_demand', 'flex', 'auto', 'performance']
"""Groq's service tiers: `on_demand` (the default), `flex` (higher limits, fails fast with HTTP 498 when Groq has no
capacity), `auto` (on-demand limits, then flex), `performance` (enterprise)."""

GroqCompoundToolName: TypeAlias = Literal[
    'web_search', 'visit_website', 'code_interpreter', 'browser_automation', 'wolfram_alpha'
]
"""The tools a compound system can be allowed to run (`compound_custom.tools.enabled_tools`).

`visit_website`, `browser_automation` and `wolfram_alpha` exist only in Groq's latest compound version: a request
enabling one is sent with the header `Groq-Model-Version: latest`. `browser_automation` needs `web_search` enabled
too, and `wolfram_alpha` your Wolfram Alpha key (`wolfram_settings`)."""


class GroqWolframSettings(TypedDict):
    """The Wolfram Alpha tool's settings: your own Wolfram Alpha API key."""

    authorization: str
    """Your Wolfram Alpha API key. It is a secret: declared with `pydantic_ai.secrets` when a request carries it (so
    the cassette plugin refuses to record it) and never shown in an error message."""


class GroqCompoundModels(TypedDict, total=False):
    """Which models a compound system uses."""

    answering_model: str
    """The model that writes the answer."""
    reasoning_model: str
    """The model that reasons and decides which tools to run."""


class GroqCompoundTools(TypedDict, total=False):
    """Which tools a compound system may run, and their settings."""

    enabled_tools: list[GroqCompoundToolName]
    """The tools it may run; Groq's default set when absent."""
    wolfram_settings: GroqWolframSettings
    """The Wolfram Alpha tool's key, required when `wolfram_alpha` is enabled."""


class GroqCompoundCustom(TypedDict, total=False):
    """Groq's `compound_custom`: the models and tools of a compound system (`groq/compound`, `groq/compound-mini`)."""

    models: GroqCompoundModels
    """The models it uses."""
    tools: GroqCompoundTools
    """The tools it may run."""


class GroqSearchSettings(TypedDict, total=False):
    """Groq's `search_settings` for the web search of compound systems."""

    country: str
    """Boost results from this country (a lowercase name, such as `'germany'`)."""
    include_domains: list[str]
    """Search only these domains (wildcards such as `'*.edu'` allowed)."""
    exclude_domains: list[str]
    """Never search these domains."""
    include_images: bool
    """Also return image URLs found by the search."""


class GroqTextSource(TypedDict):
    """A document given as text."""

    type: Literal['text']
    text: str


class GroqJsonSource(TypedDict):
    """A document given as a JSON object."""

    type: Literal['json']
    data: dict[str, Any]


class GroqDocument(TypedDict, total=False):
    """A document the model may use and cite (`documents` in Groq's request)."""

    id: str
    """The id a citation of this document names (`DocumentCitation.document_id`); Groq assigns one when absent."""
    source: Required[GroqTextSource | GroqJsonSource]
    """The document's content."""


class GroqModelSettings(ModelSettings, total=False):
    """Settings used for a Groq model request.

    Every key of `ModelSettings` is forwarded to Groq (`stop_sequences` as `stop`). Groq-only keys are added here,
    each prefixed `groq_`. Values are checked before anything is sent: a wrong type, a value the model's family does
    not take, or an unknown `groq_` key raises `UserError` naming the setting; other providers' keys are ignored.
    """

    groq_reasoning_format: Literal['hidden', 'raw', 'parsed']
    """How reasoning models return their reasoning: `'parsed'` in a separate field (a `ThinkingPart`), `'raw'`
    inside the text between `<think>` tags (split into a `ThinkingPart` too), `'hidden'` not at all. Exclusive with
    `groq_include_reasoning`."""
    groq_include_reasoning: bool
    """Whether the answer includes the model's reasoning (gpt-oss: in the `reasoning` field, a `ThinkingPart`).
    Exclusive with `groq_reasoning_format`: set one or the other."""
    groq_reasoning_effort: Literal['none', 'default', 'low', 'medium', 'high'] | str
    """How hard a reasoning model thinks, checked against the model's family before sending: `'low'`/`'medium'`/
    `'high'` for gpt-oss, `'none'`/`'default'` for qwen3 (qwen3.8 takes all five). Passed through for models whose
    family Groq documents nothing for."""
    groq_service_tier: GroqServiceTier
    """Groq's service tier for the request (see `GroqServiceTier`); the tier Groq used is in
    `provider_details['service_tier']`. With `'flex'`, Groq's HTTP 498 `capacity_exceeded` raises `ModelHTTPError` at
    once (it is not retried, nor paced as a rate limit): send with `'auto'` or `'on_demand'` instead."""
    groq_user: str
    """An id of your end user, for Groq's abuse monitoring."""
    groq_thinking_history: ThinkingHistory
    """What happens to `ThinkingPart`s of earlier responses sent back in the history.

    `'field'` (the default): in the assistant message's `reasoning` field, Groq's own place for them, all thinking
    parts of the response in order; left out when they came from another provider (`ThinkingPart.provider_name`)
    or when the model asked does not reason. `'tags'`: inside the assistant text between `<think>` tags, to any
    model. `'drop'`: left out."""
    groq_compound_custom: GroqCompoundCustom
    """The models and tools of a compound system (Groq's `compound_custom`); compound models only. Built-in tools
    offered with `ModelRequestParameters.builtin_tools` are added to `tools.enabled_tools`."""
    groq_search_settings: GroqSearchSettings
    """Groq's `search_settings` for a compound system's web search (country, domains, images); compound models only.
    A `WebSearchTool`'s domain filters are merged in (the same key set both ways raises `UserError`)."""
    groq_documents: list[GroqDocument]
    """Documents the model may use and cite (Groq's `documents`); the answer's citations of them become
    `DocumentCitation`s on its `TextPart`."""
    groq_citation_options: Literal['enabled', 'disabled']
    """Whether the answer carries citations (Groq's `citation_options`; Groq's default is `'enabled'`)."""
    groq_disable_tool_validation: bool
    """Return tool calls without checking that the tool was offered (Groq's `disable_tool_validation`)."""
