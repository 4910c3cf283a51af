"""Names of Groq models.

Any string is accepted as a model name: Groq adds and retires models often, and the API is the authority
(`GET /openai/v1/models` lists what your key can use). The literal list helps editors complete names and the
error for an unknown model suggest the closest one.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = (
    'LatestGroqModelNames',
    'GroqModelName',
    'ProductionGroqModelNames',
    'PreviewGroqModelNames',
    'is_compound_model',
    'is_gpt_oss_model',
    'reasoning_efforts',
)

# The lists below were last compared with Groq's "Supported Models" page (console.groq.com/docs/models) on 2026-11-21.

ProductionGroqModelNames = Literal[
    'llama-3.1-8b-instant',
    'llama-3.3-70b-versatile',
    'meta-llama/llama-guard-4-12b',
    'openai/gpt-oss-120b',
    'openai/gpt-oss-20b',
    'whisper-large-v3',
    'whisper-large-v3-turbo',
    'groq/compound',
    'groq/compound-mini',
]
"""Groq's production models and systems: stable, for production use."""

PreviewGroqModelNames = Literal[
    'meta-llama/llama-4-maverick-17b-128e-instruct',
    'meta-llama/llama-4-scout-17b-16e-instruct',
    'meta-llama/llama-prompt-guard-2-22m',
    'meta-llama/llama-prompt-guard-2-86m',
    'moonshotai/kimi-k2-instruct-0905',
    'openai/gpt-oss-safeguard-20b',
    'playai-tts',
    'playai-tts-arabic',
    'qwen/qwen3-32b',
]
"""Groq's preview models: for evaluation, and may be retired at short notice."""

LatestGroqModelNames = Literal[
    ProductionGroqModelNames,
    PreviewGroqModelNames,
    # Earlier names, from the original API's list and the recordings; Groq has retired most of them.
    'llama-3.3-70b-specdec',
    'llama-3.2-1b-preview',
    'llama-3.2-3b-preview',
    'llama-3.2-11b-vision-preview',
    'llama-3.2-90b-vision-preview',
    'llama3-70b-8192',
    'llama3-8b-8192',
    'mixtral-8x7b-32768',
    'gemma2-9b-it',
    'deepseek-r1-distill-llama-70b',
    'moonshotai/kimi-k2-instruct',
    'compound-beta',
    'compound-beta-mini',
]
"""Every Groq model name this release knows: production, preview, and earlier names still seen in the wild."""

GroqModelName: TypeAlias = str | LatestGroqModelNames
"""A Groq model name: one of `LatestGroqModelNames`, or any other string Groq accepts."""

_REASONING_FAMILIES = ('gpt-oss', 'qwen3', 'qwq', 'deepseek-r1', 'compound')
"""Model families on Groq that reason (their names after any `vendor/` prefix start with one of these)."""


def is_reasoning_model(model_name: str) -> bool:
    """Whether `model_name` is a model that reasons, and so takes its earlier reasoning back in `reasoning`.

    Decided from the name (`openai/gpt-oss-*`, `qwen/qwen3-*`, `qwen-qwq-*`, `deepseek-r1-*`, `groq/compound*`,
    `compound-beta*`), because the API does not say; an unknown name counts as not reasoning.
    """
    base = model_name.rpartition('/')[2].lower()
    return base.startswith(_REASONING_FAMILIES) or base.startswith('qwen-qwq')


def _base_name(model_name: str) -> str:
    return model_name.rpartition('/')[2].lower()


def is_compound_model(model_name: str) -> bool:
    """Whether `model_name` is one of Groq's compound systems (`groq/compound`, `groq/compound-mini`, `compound-beta*`).

    Compound systems run Groq's server-side tools on their own and take `compound_custom`.
    """
    return _base_name(model_name).startswith('compound')


def is_gpt_oss_model(model_name: str) -> bool:
    """Whether `model_name` is one of OpenAI's gpt-oss models on Groq (`openai/gpt-oss-120b`, `-20b`, `-safeguard-20b`).

    They run Groq's `browser_search` and (except the safeguard model) `code_interpreter` tools when offered.
    """
    return _base_name(model_name).startswith('gpt-oss')


def reasoning_efforts(model_name: str) -> tuple[str, ...] | None:
    """The `reasoning_effort` values Groq documents for the model's family; `None` for a family it says nothing of.

    gpt-oss: `low`, `medium`, `high`. qwen3: `none`, `default` (qwen3.8 also `low`, `medium`, `high`). Decided from
    the name, as `is_reasoning_model`.
    """
    base = _base_name(model_name)
    if base.startswith('gpt-oss'):
        return ('low', 'medium', 'high')
    if base.startswith('qwen3.8'):
        return ('none', 'default', 'low', 'medium', 'high')
    if base.startswith('qwen3'):
        return ('none', 'default')
    return None
