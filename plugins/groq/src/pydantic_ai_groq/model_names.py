"""Names of Groq models.

Any string is accepted as a model name: Groq adds and retires models often, and the API is the authority.
The literal list only helps editors complete names.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = ('LatestGroqModelNames', 'GroqModelName')

LatestGroqModelNames = Literal[
    'llama-3.3-70b-versatile',
    'llama-3.3-70b-specdec',
    'llama-3.1-8b-instant',
    'llama-3.2-1b-preview',
    'llama-3.2-3b-preview',
    'llama-3.2-11b-vision-preview',
    'llama-3.2-90b-vision-preview',
    'llama3-70b-8192',
    'llama3-8b-8192',
    'mixtral-8x7b-32768',
    'gemma2-9b-it',
]
"""Groq model names known when this list was written (the original API's list)."""

GroqModelName: TypeAlias = str | LatestGroqModelNames
"""A Groq model name: one of `LatestGroqModelNames`, or any other string Groq accepts."""
