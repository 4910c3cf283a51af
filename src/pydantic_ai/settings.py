"""Settings that tune a model request, shared by every provider."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    import httpx

__all__ = ('ModelSettings', 'merge_model_settings')


class ModelSettings(TypedDict, total=False):
    """Settings for one model request; every key is optional.

    Providers extend this with their own keys, each prefixed with the provider's name (for example
    `groq_reasoning_format`), by subclassing it as another `TypedDict`. A key a provider cannot honour is
    ignored by that provider rather than sent.
    """

    max_tokens: int
    """The maximum number of tokens to generate."""
    temperature: float
    """Sampling temperature: lower is more deterministic."""
    top_p: float
    """Nucleus sampling: only tokens within this cumulative probability are considered."""
    timeout: float | httpx.Timeout
    """Request timeout in seconds, or an `httpx.Timeout` for separate connect/read/write/pool limits."""
    parallel_tool_calls: bool
    """Whether the model may call several tools in one response. Sent only when tools are offered."""
    seed: int
    """Random seed, for providers that support reproducible sampling."""
    presence_penalty: float
    """Penalise tokens that already appeared, encouraging new topics."""
    frequency_penalty: float
    """Penalise tokens in proportion to how often they already appeared."""
    logit_bias: dict[str, int]
    """Bias the likelihood of specific token ids (keys are token ids as strings)."""


def merge_model_settings(base: ModelSettings | None, overrides: ModelSettings | None) -> ModelSettings | None:
    """Merge two settings dicts; keys in `overrides` win. Neither argument is modified."""
    if base and overrides:
        merged: ModelSettings = {**base, **overrides}
        return merged
    return overrides or base
