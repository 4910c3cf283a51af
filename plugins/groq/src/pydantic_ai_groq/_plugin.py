"""The Groq provider's plugin hooks, loaded through the `pydantic_ai.providers` entry point named `groq`.

This is the full plugin form (see `pydantic_ai.hookspecs`) and the plugin's composition side: the one place that
says a Groq provider's models are `GroqModel`s (`groq_model`, also named by `GroqProvider.profile` for subclasses
registered by their class). The groq SDK is imported inside the hooks, so that listing providers does not import it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic_ai.hookspecs import hookimpl

if TYPE_CHECKING:
    from pydantic_ai.providers import Provider, ProviderFactory

    from .model import GroqModel

__all__ = ('groq_model', 'pydantic_ai_model', 'pydantic_ai_model_names', 'pydantic_ai_provider')


def groq_model(model_name: str, provider: Provider[Any]) -> GroqModel:
    """The model `infer_model('<provider name>:<model name>')` builds for a Groq-compatible provider: a `GroqModel`."""
    from .model import GroqModel

    return GroqModel(model_name, provider=provider)


@hookimpl
def pydantic_ai_provider(provider_name: str) -> ProviderFactory:
    """The Groq provider: `GroqProvider()` reads `GROQ_API_KEY` and `GROQ_BASE_URL`."""
    from .provider import GroqProvider

    return GroqProvider


@hookimpl
def pydantic_ai_model(provider_name: str, model_name: str, provider: Provider[Any]) -> GroqModel:
    """A `GroqModel` for `infer_model('groq:<model name>')`."""
    return groq_model(model_name, provider)


@hookimpl
def pydantic_ai_model_names(provider_name: str) -> Sequence[str]:
    """The models Groq serves today, production first (`model_names.served_models`), for listings and suggestions."""
    from .model_names import served_models

    return [info.name for info in served_models()]


@hookimpl
def pydantic_ai_model_notes(provider_name: str) -> Mapping[str, str]:
    """A one-line status per model for `pai models`: the served ones, and the retired names of `LatestGroqModelNames`.

    The retired ones (not returned by `pydantic_ai_model_names`) are listed as inactive, each with its shutdown date
    and the model to use instead. The rest of the catalogue's retired models are left out of listings, to keep them
    short; errors and `model_names.groq_model_info` know them all.
    """
    from datetime import date
    from typing import get_args

    from .model_names import GROQ_MODELS, LatestGroqModelNames, listing_note

    today = date.today()
    named = set(get_args(LatestGroqModelNames))
    # Catalogue order: served models first, then the retired ones, most recently retired first.
    return {
        info.name: listing_note(info, today) for info in GROQ_MODELS if info.is_served_on(today) or info.name in named
    }
