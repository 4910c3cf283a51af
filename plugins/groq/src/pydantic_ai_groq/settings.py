"""Settings for Groq requests."""

from __future__ import annotations

from pydantic_ai.settings import ModelSettings

__all__ = ('GroqModelSettings',)


class GroqModelSettings(ModelSettings, total=False):
    """Settings used for a Groq model request.

    Every key of `ModelSettings` is forwarded to Groq. Groq-only keys are added here, each prefixed `groq_`.
    """
