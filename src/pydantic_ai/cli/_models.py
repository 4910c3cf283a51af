"""The models a provider offers, for `pai models` and for suggestions: from its API, or from its built-in list.

With the provider's API key set and a `models_path` on the provider class, `pai models` asks the API
(`GET {base_url}{models_path}`, an OpenAI-compatible list: `{"data": [{"id": ..., "active": ...}, ...]}`), which
knows exactly what the key may use today. Without a key, or when that request fails, it falls back to the names the
provider's plugin lists (the `pydantic_ai_model_names` hook) and says so.

Which models chat (decided): model lists say nothing about what a model does, so the kind is read from the name,
by rules that hold across the model lists of OpenAI-compatible APIs:

| the name contains | kind |
| --- | --- |
| `whisper`, `transcribe` | speech-to-text |
| `tts`, `orpheus` | text-to-speech |
| `guard` (llama-guard, prompt-guard, safeguard) | safety classifier |
| `embed` | embeddings |
| anything else | chat |

and a model the API marks `"active": false` is `inactive` (retired). Only `chat` models answer `pai` prompts
usefully; the others are listed apart.

Beside each name goes the note the plugin gives for it (the `pydantic_ai_model_notes` hook: its status, or when it
was retired and what to use instead). A noted name the plugin does not list among its models is one the provider
no longer serves: the built-in listing shows it last, as `inactive`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import httpx

    from pydantic_ai.providers import ProviderProfile

__all__ = (
    'ModelKind',
    'ModelListing',
    'ListedModel',
    'ModelsEndpointError',
    'model_kind',
    'listing_from_api',
    'listing_from_names',
)

ModelKind = Literal['chat', 'speech-to-text', 'text-to-speech', 'safety classifier', 'embeddings', 'inactive']
"""What a listed model does."""

_KIND_RULES: tuple[tuple[tuple[str, ...], ModelKind], ...] = (
    (('whisper', 'transcribe'), 'speech-to-text'),
    (('tts', 'orpheus'), 'text-to-speech'),
    (('guard',), 'safety classifier'),
    (('embed',), 'embeddings'),
)

_MODELS_TIMEOUT = 10.0
"""Seconds `pai models` waits for the models endpoint before falling back to the built-in list."""


def model_kind(name: str, *, active: bool = True) -> ModelKind:
    """The kind of model `name`, by the rules in the module docs."""
    if not active:
        return 'inactive'
    lowered = name.lower()
    for needles, kind in _KIND_RULES:
        if any(needle in lowered for needle in needles):
            return kind
    return 'chat'


@dataclass(frozen=True)
class ListedModel:
    """One model of a listing."""

    name: str
    """The model name, as `--model provider:name` takes it."""
    kind: ModelKind
    """What it does."""
    note: str = ''
    """What the provider's plugin says of it in a few words (status, retirement, replacement); empty if nothing."""

    @property
    def chats(self) -> bool:
        """Whether it answers chat prompts."""
        return self.kind == 'chat'


@dataclass(frozen=True)
class ModelListing:
    """The models of one provider, chat models first, and where the list came from."""

    provider: str
    """The provider's name."""
    models: tuple[ListedModel, ...]
    """Chat models first, then the others; each group in the order the source gave."""
    source: Literal['api', 'built-in']
    """`api`: the provider's models endpoint answered; `built-in`: the plugin's own list."""
    note: tuple[str, ...] = ()
    """Phrases saying why the built-in list is shown (no key, or the request failed); empty from the API."""
    failure: str | None = None
    """Why the models endpoint could not be asked, when it was asked and failed."""


def _ordered(
    provider: str,
    models: list[ListedModel],
    source: Literal['api', 'built-in'],
    note: tuple[str, ...],
    failure: str | None = None,
) -> ModelListing:
    chat = [m for m in models if m.chats]
    others = [m for m in models if not m.chats]
    return ModelListing(provider, tuple(chat + others), source, note, failure)


def listing_from_names(
    provider: str,
    names: list[str],
    note: tuple[str, ...],
    notes: Mapping[str, str] | None = None,
    *,
    failure: str | None = None,
) -> ModelListing:
    """The built-in listing: the plugin's names, each kind read from the name, then the retired names it notes."""
    notes = notes or {}
    unique = list(dict.fromkeys(names))
    served = [ListedModel(n, model_kind(n), notes.get(n, '')) for n in unique]
    listed = set(unique)
    retired = [ListedModel(n, 'inactive', text) for n, text in notes.items() if n not in listed]
    listing = _ordered(provider, served, 'built-in', note, failure)
    return dataclasses.replace(listing, models=listing.models + tuple(retired))


class ModelsEndpointError(Exception):
    """The models endpoint could not be asked or gave no usable list; `str()` says why, without the key."""


def listing_from_api(
    provider: str,
    about: ProviderProfile,
    base_url: str,
    api_key: str,
    *,
    timeout: float | None = None,
    transport: httpx.BaseTransport | None = None,
    notes: Mapping[str, str] | None = None,
) -> ModelListing:
    """The listing from the provider's models endpoint, with the plugin's `notes` beside the names it lists.

    Raises:
        ModelsEndpointError: the request failed, or the answer is not a model list.
    """
    import httpx

    assert about.models_path is not None, 'callers check models_path first'
    url = base_url.rstrip('/') + '/' + about.models_path.lstrip('/')
    try:
        with httpx.Client(timeout=timeout or _MODELS_TIMEOUT, transport=transport) as client:
            response = client.get(url, headers={'Authorization': f'Bearer {api_key}', 'Accept': 'application/json'})
    except httpx.HTTPError as exc:
        raise ModelsEndpointError(f'{url} could not be reached: {type(exc).__name__}: {exc}') from exc
    if response.status_code != 200:
        raise ModelsEndpointError(f'{url} answered HTTP {response.status_code}')
    try:
        data = response.json()
    except ValueError as exc:
        raise ModelsEndpointError(f'{url} answered with a body that is not JSON') from exc
    entries = data.get('data') if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ModelsEndpointError(f'{url} answered without a `data` list of models')
    notes = notes or {}
    models = [
        ListedModel(
            entry['id'], model_kind(entry['id'], active=entry.get('active') is not False), notes.get(entry['id'], '')
        )
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get('id'), str) and entry['id']
    ]
    models.sort(key=lambda m: m.name)
    return _ordered(provider, models, 'api', ())
