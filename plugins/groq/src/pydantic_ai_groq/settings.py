"""Settings for Groq requests."""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic_ai.settings import ModelSettings

__all__ = ('GroqModelSettings', 'ThinkingHistory')

ThinkingHistory: TypeAlias = Literal['field', 'tags', 'drop']
"""What happens to `ThinkingPart`s of earlier responses: see `GroqModelSettings.groq_thinking_history`."""


class GroqModelSettings(ModelSettings, total=False):
    """Settings used for a Groq model request.

    Every key of `ModelSettings` is forwarded to Groq (`stop_sequences` as `stop`). Groq-only keys are added here,
    each prefixed `groq_`. Values are checked before anything is sent: a wrong type or an unknown `groq_` key raises
    `UserError` naming the setting; other providers' keys are ignored.
    """

    groq_reasoning_format: Literal['hidden', 'raw', 'parsed']
    """How reasoning models return their reasoning: `'parsed'` in a separate field (a `ThinkingPart`), `'raw'`
    inside the text between `<think>` tags (split into a `ThinkingPart` too), `'hidden'` not at all."""
    groq_reasoning_effort: Literal['none', 'default', 'low', 'medium', 'high'] | str
    """How hard a reasoning model thinks. `'none'`/`'default'` for Qwen 3, `'low'`/`'medium'`/`'high'` for
    GPT-OSS; other strings are passed through for models that accept them."""
    groq_service_tier: Literal['on_demand', 'flex', 'auto', 'performance'] | str
    """Groq's service tier for the request."""
    groq_user: str
    """An id of your end user, for Groq's abuse monitoring."""
    groq_thinking_history: ThinkingHistory
    """What happens to `ThinkingPart`s of earlier responses sent back in the history.

    `'field'` (the default): in the assistant message's `reasoning` field, Groq's own place for them, all thinking
    parts of the response in order; left out when they came from another provider (`ThinkingPart.provider_name`)
    or when the model asked does not reason. `'tags'`: inside the assistant text between `<think>` tags, to any
    model. `'drop'`: left out."""
