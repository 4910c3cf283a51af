"""`pai providers` and `pai models`: what is installed, and which models a provider offers."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Sequence

from pydantic_ai.providers import ProviderProfile
from pydantic_ai.registry import current_registry, list_providers

from ._errors import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from ._models import ModelListing, ModelsEndpointError, listing_from_api, listing_from_names
from ._providers import build_provider, profile
from ._render import Output

__all__ = ('load_listing', 'model_suggester', 'show_models', 'show_providers')


def model_suggester(provider: str) -> Callable[[str], Sequence[str]]:
    """A function giving the name of `provider`'s built-in list closest to a model name, if one is close."""

    def suggest(model_name: str) -> Sequence[str]:
        try:
            names = current_registry().model_names(provider)
        except Exception:  # a suggestion must never hide the error it decorates
            return []
        return difflib.get_close_matches(model_name, names, n=1, cutoff=0.5)

    return suggest


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
        output.line('No providers are installed: install a provider plugin, a `pydantic-ai-<provider>` distribution.')
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


def load_listing(provider: str, *, timeout: float | None = None) -> ModelListing:
    """The models of `provider`: from its API when its key is set and it has a `models_path`, else built-in.

    Either way each name carries the plugin's note for it, if any (`pydantic_ai_model_notes`).
    """
    about = profile(provider)
    registry = current_registry()
    names = registry.model_names(provider)
    notes = registry.model_notes(provider)
    built_in = f"built-in list of {provider}'s models"
    if about.models_path is None:
        return listing_from_names(provider, names, (), notes)
    key = os.environ.get(about.api_key_env_var) if about.api_key_env_var else None
    if not key:
        return listing_from_names(provider, names, (built_in, f'set {_key_name(about)} to ask the API'), notes)
    try:
        base_url = build_provider(provider).base_url
        return listing_from_api(provider, about, base_url, key, timeout=timeout, notes=notes)
    except ModelsEndpointError as exc:
        return listing_from_names(
            provider, names, (built_in, f'the API could not be asked: {exc}'), notes, failure=str(exc)
        )


def _key_name(about: ProviderProfile) -> str:
    return about.api_key_env_var or 'its API key'


def _nothing_listed(provider: str, about: ProviderProfile, listing: ModelListing) -> tuple[str, int]:
    """What to say, and the exit status, when a provider's listing holds no model at all."""
    if listing.source == 'api':
        return f'the API of provider {provider!r} lists no model your key can use', EXIT_OK
    if listing.failure is not None:
        return (
            f'provider {provider!r} lists no model names, and its models endpoint could not be asked: '
            f'{listing.failure}',
            EXIT_FAILURE,
        )
    if about.models_path is not None:
        return (
            f'provider {provider!r} lists no model names: set {_key_name(about)} to ask its API for the models your '
            'key can use',
            EXIT_USAGE,
        )
    return (
        f'provider {provider!r} offers no model list (no built-in names, no models endpoint); name a model it serves '
        f'with `pai -m {provider}:<name>`',
        EXIT_OK,
    )


def show_models(output: Output, provider: str, *, as_json: bool, timeout: float | None = None) -> int:
    """List `provider`'s models, chat models first, each with the plugin's note (status, replacement) when it has one.

    JSON: one object with the provider, the source and the models. Piped: one `name<TAB>kind` line per model
    (`cut -f1` gives the names), with a third field, the note, when the plugin gives notes; and a note on stderr when
    the list is the built-in one. On a terminal: a table.
    """
    listing = load_listing(provider, timeout=timeout)
    noted = any(m.note for m in listing.models)
    empty, status = _nothing_listed(provider, profile(provider), listing) if not listing.models else (None, EXIT_OK)
    if as_json:
        output.json(
            {
                'provider': listing.provider,
                'source': listing.source,
                'note': empty or ': '.join(listing.note) or None,
                'models': [
                    {'name': m.name, 'kind': m.kind, 'chat': m.chats, 'note': m.note or None} for m in listing.models
                ],
            }
        )
        return status
    if empty is not None:
        output.error(empty)
        return status
    if not output.is_tty:
        for model in listing.models:
            output.line(f'{model.name}\t{model.kind}\t{model.note}' if noted else f'{model.name}\t{model.kind}')
        if listing.note:
            output.error(': '.join(listing.note))
        return EXIT_OK
    default = profile(provider).default_model
    served = [m for m in listing.models if m.kind != 'inactive']
    gone = [m for m in listing.models if m.kind == 'inactive']
    if served:
        rows = [[m.name, m.kind + (' (default)' if m.name == default else ''), m.note] for m in served]
        noted = any(m.note for m in served)
        output.table(
            ['MODEL', 'KIND', 'NOTE'] if noted else ['MODEL', 'KIND'], rows if noted else [r[:2] for r in rows]
        )
    if gone:
        # A table of their own: the kind is the same for all, and the notes (what to use instead) need the room.
        if served:
            output.line('')
        output.table(['NO LONGER SERVED', 'NOTE'], [[m.name, m.note] for m in gone])
    phrases = list(listing.note) if listing.note else ['from the API: the models your key can use']
    output.note([*phrases, f'other names {provider} serves work too: `pai -m {provider}:<name>`'])
    return EXIT_OK
