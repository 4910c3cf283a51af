"""The Groq provider's plugin hooks, loaded through the `pydantic_ai.providers` entry point named `groq`.

The groq SDK is imported inside the hooks, so that listing providers does not import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic_ai.providers import hookimpl

if TYPE_CHECKING:
    from pydantic_ai.models import Model
    from pydantic_ai.providers import Provider, ProviderFactory


@hookimpl
def pydantic_ai_provider() -> ProviderFactory:
    """The Groq provider: `GroqProvider()` reads `GROQ_API_KEY` and `GROQ_BASE_URL`."""
    from .provider import GroqProvider

    return GroqProvider


@hookimpl
def pydantic_ai_model(model_name: str, provider: Provider[Any]) -> Model:
    """A `GroqModel` for `infer_model('groq:<model name>')`."""
    from .model import GroqModel

    return GroqModel(model_name, provider=provider)


@hookimpl
def pydantic_ai_model_names() -> list[str]:
    """Groq's current model names (production, then preview), for `pai models` and suggestions."""
    from typing import get_args

    from .model_names import PreviewGroqModelNames, ProductionGroqModelNames

    return [str(name) for name in (*get_args(ProductionGroqModelNames), *get_args(PreviewGroqModelNames))]
