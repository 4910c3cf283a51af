"""Settings that tune a model request, shared by every provider."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypedDict

if TYPE_CHECKING:
    import httpx

__all__ = ('ModelSettings', 'merge_model_settings')


class ModelSettings(TypedDict, total=False):
    """Settings for one model request; every key is optional.

    Providers extend this with their own keys, each prefixed with the provider's name (for example
    `acme_reasoning_effort`), by subclassing it as another `TypedDict`. A key a provider cannot honour is
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
    stop_sequences: list[str]
    """Sequences that end the generation when the model produces them (not included in the text)."""
    extra_headers: dict[str, str]
    """Extra HTTP headers sent with the request; the dict you pass is never modified."""
    extra_body: dict[str, Any]
    """Extra fields merged into the JSON request body, for API options this library has no setting for yet."""
    tool_choice: Literal['auto', 'none', 'required'] | list[str]
    """Which tools the model may call: `'auto'` (it decides), `'none'`, `'required'` (at least one), or a list of
    tool names it must choose from. Without this setting: `'auto'`, or `'required'` when text may not end the run.
    All tools are still sent, so the model knows them; providers that can force only one named tool use
    `'required'` when the list has several names."""


def merge_model_settings(base: ModelSettings | None, overrides: ModelSettings | None) -> ModelSettings | None:
    """Merge two settings dicts; keys in `overrides` win. Neither argument is modified."""
    if base and overrides:
        merged: ModelSettings = {**base, **overrides}
        return merged
    return overrides or base
