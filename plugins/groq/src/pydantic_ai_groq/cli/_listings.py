"""`pai providers` and `pai models`: what is installed, and which Groq model names are known."""

from __future__ import annotations

import difflib
from typing import get_args

from pydantic_ai.providers import list_providers

from ..model_names import LatestGroqModelNames, PreviewGroqModelNames, ProductionGroqModelNames
from ._args import DEFAULT_MODEL
from ._errors import EXIT_OK
from ._render import Output

__all__ = ('known_model_names', 'suggest_models', 'show_models', 'show_providers')


def known_model_names() -> list[str]:
    """The Groq model names this version knows (any other name Groq accepts works too)."""
    return [str(name) for name in get_args(LatestGroqModelNames)]


def _current_model_names() -> list[str]:
    return [str(name) for name in (*get_args(ProductionGroqModelNames), *get_args(PreviewGroqModelNames))]


def suggest_models(model_name: str) -> list[str]:
    """The known name closest to `model_name`, if one is close: a current model first, else an earlier name."""
    return difflib.get_close_matches(model_name, _current_model_names(), n=1, cutoff=0.5) or (
        difflib.get_close_matches(model_name, known_model_names(), n=1, cutoff=0.5)
    )


def show_providers(output: Output, *, as_json: bool) -> int:
    """List every registered provider, loading each plugin; a broken one is shown with its error."""
    providers = list_providers(load=True)
    if as_json:
        output.json(
            [
                {
                    'name': p.name,
                    'distribution': p.distribution,
                    'version': p.version,
                    'status': p.status,
                    'error': p.error,
                }
                for p in providers
            ]
        )
        return EXIT_OK
    if not providers:
        output.line('No providers are installed: install a provider plugin, such as pydantic-ai-groq.')
        return EXIT_OK
    rows = [
        [
            p.name,
            p.distribution or '(registered at run time)',
            p.version or '',
            p.status if p.error is None else f'{p.status}: {p.error}',
        ]
        for p in providers
    ]
    output.table(['NAME', 'DISTRIBUTION', 'VERSION', 'STATUS'], rows)
    return EXIT_OK


def show_models(output: Output, *, as_json: bool) -> int:
    """List the known Groq model names: one per line, or on a terminal a table saying which are current."""
    names = known_model_names()
    if as_json:
        output.json(names)
        return EXIT_OK
    if not output.is_tty:
        for name in names:
            output.line(name)
        return EXIT_OK
    production = set(get_args(ProductionGroqModelNames))
    preview = set(get_args(PreviewGroqModelNames))
    default = DEFAULT_MODEL.partition(':')[2]
    rows = [
        [
            name,
            ('production' if name in production else 'preview' if name in preview else 'earlier name, may be retired')
            + (' (default)' if name == default else ''),
        ]
        for name in names
    ]
    output.table(['MODEL', 'STATUS'], rows)
    output.line(
        'Any other name Groq serves works too: `pai -m <name>`. See https://console.groq.com/docs/models', style='dim'
    )
    return EXIT_OK
