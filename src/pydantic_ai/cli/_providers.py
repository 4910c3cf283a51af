"""Which provider and model `pai` uses, what it knows about that provider, and how it creates it.

`pai` names no provider. Everything provider-specific comes from the provider itself, through the registry:

- the provider's `pydantic_ai.providers.ProviderProfile` (its key variable and key page, base-URL variable, default
  model and model-list path), which the registry reads from the provider's factory;
- the plugin's `pydantic_ai_model_names` hook, for `pai models` offline;
- the plugin's `pydantic_ai_model` hook, to build a model on a provider `pai` configured (its own HTTP client
  for `--timeout` and `--replay`).

The provider of a command (decided): `--provider`, else the `provider:` prefix of `--model`, else that of the
`PAI_MODEL` environment variable, else the only installed provider. With several installed and none chosen, `pai`
asks the user to choose rather than preferring one: the core ranks no vendor above another.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic_ai.exceptions import UserError
from pydantic_ai.providers import Provider, ProviderProfile
from pydantic_ai.registry import current_registry

from ._errors import EXIT_USAGE, CliError

if TYPE_CHECKING:
    import httpx

    from pydantic_ai.models import Model

__all__ = (
    'MODEL_ENV_VAR',
    'ModelChoice',
    'build_model',
    'build_provider',
    'choose_model',
    'choose_provider',
    'default_provider',
    'installed_distributions',
    'profile',
    'safe_profile',
    'split_model',
)

MODEL_ENV_VAR = 'PAI_MODEL'
"""The environment variable holding the default `provider:model-name` when `--model` is not given."""


def profile(name: str) -> ProviderProfile:
    """The profile of provider `name`, from the registry (loading its plugin, not creating the provider).

    Raises:
        UnknownProviderError: no provider is registered under `name`.
        ProviderPluginError: its plugin is broken.
    """
    return current_registry().profile(name)


def safe_profile(name: str) -> ProviderProfile:
    """The profile of provider `name`, or an empty one when it cannot be loaded (for error messages)."""
    try:
        return profile(name)
    except Exception:  # the lookup's own error is reported where the provider is used
        return ProviderProfile()


def default_provider() -> str:
    """The only installed provider.

    Raises:
        CliError: none is installed, or several are (the user must choose; exit status 2).
    """
    names = current_registry().names()
    if len(names) == 1:
        return names[0]
    if not names:
        raise CliError(
            'no provider is installed: install a provider plugin, a `pydantic-ai-<provider>` distribution '
            '(`pai providers` lists what is installed)',
            EXIT_USAGE,
        )
    raise CliError(
        f'several providers are installed ({", ".join(names)}): choose one with `--model provider:model-name` or '
        f'`--provider NAME`, or set {MODEL_ENV_VAR}=provider:model-name',
        EXIT_USAGE,
    )


def split_model(spec: str, default: Callable[[], str]) -> tuple[str, str]:
    """Split `provider:model-name` into its provider and model name; a bare name belongs to `default()`.

    Raises:
        CliError: the provider or the model name is empty.
    """
    provider, sep, name = spec.partition(':')
    if not sep:
        provider, name = '', spec
        if name.strip():
            provider = default()
    if not provider or not name.strip():
        raise CliError(
            f'cannot use model {spec!r}: write it as `provider:model-name` or a model name of the default provider '
            '(`pai providers` lists the installed providers)',
            EXIT_USAGE,
        )
    return provider, name.strip()


@dataclass(frozen=True)
class ModelChoice:
    """What `--model`, `--provider` and `PAI_MODEL` ask for."""

    model: str | None
    """`--model` as given."""
    provider: str | None
    """`--provider` as given."""


def choose_provider(choice: ModelChoice) -> str:
    """The provider a command uses (see the module docs), without needing a model name.

    Raises:
        CliError: the options contradict each other, or no provider can be chosen.
    """
    if choice.provider is not None:
        return choice.provider
    spec = choice.model if choice.model is not None else os.environ.get(MODEL_ENV_VAR) or None
    if spec is not None and ':' in spec:
        provider = spec.partition(':')[0]
        if provider:
            return provider
    return default_provider()


def choose_model(choice: ModelChoice) -> tuple[str, str]:
    """The provider and model name a prompt goes to: options first, then `PAI_MODEL`, then the provider's default.

    Raises:
        CliError: `--model` names a provider that contradicts `--provider`, is malformed, or no model is named and
            the provider has no `default_model`.
    """
    spec = choice.model
    if spec is None and choice.provider is None:
        spec = os.environ.get(MODEL_ENV_VAR) or None
    if spec is None:
        provider = choose_provider(choice)
        default_model = profile(provider).default_model
        if default_model is None:
            raise CliError(
                f'provider {provider!r} has no default model: name one with `--model {provider}:model-name` '
                f'(`pai models --provider {provider}` lists the known ones)',
                EXIT_USAGE,
            )
        return provider, default_model
    provider, name = split_model(spec, lambda: choose_provider(choice))
    if choice.provider is not None and provider != choice.provider:
        raise CliError(
            f'--model {spec!r} names provider {provider!r} but --provider says {choice.provider!r}: '
            'give the model name alone, or drop --provider',
            EXIT_USAGE,
        )
    return provider, name


def _accepts(factory: Callable[..., Any], keyword: str) -> bool:
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # a builtin or C callable without a signature
        return False
    return keyword in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def build_provider(
    name: str,
    *,
    api_key: str | None = None,
    http_client: httpx.AsyncClient | None = None,
    no_retries: bool = False,
) -> Provider[Any]:
    """Create provider `name` through its registered factory, with the keyword arguments given.

    Raises:
        CliError: no API key is configured for it (exit status 2), naming its own variable.
        UnknownProviderError, ProviderPluginError, UserError: from the registry and the provider.
    """
    registry = current_registry()
    factory: Callable[..., Any] = registry.factory(name)
    try:
        if no_retries and _accepts(factory, 'max_retries'):
            # Replaying: a retried request would take the next recorded answer, so the provider must not retry.
            provider: object = factory(
                **{k: v for k, v in (('api_key', api_key), ('http_client', http_client)) if v is not None},
                max_retries=0,
            )
        else:
            provider = registry.infer_provider(name, api_key=api_key, http_client=http_client)
    except UserError as exc:
        about = profile(name)
        if api_key is None and about.api_key_env_var and not os.environ.get(about.api_key_env_var):
            raise CliError(_no_key_message(name, about), EXIT_USAGE) from exc
        raise
    if not isinstance(provider, Provider):
        raise CliError(f'provider {name!r}: its factory returned {type(provider).__name__}, not a Provider', 1)
    return provider


def _no_key_message(name: str, about: ProviderProfile) -> str:
    where = f' (create one at {about.api_key_url})' if about.api_key_url else ''
    return (
        f'no API key for provider {name!r}: set the {about.api_key_env_var} environment variable{where}, '
        f'e.g. `export {about.api_key_env_var}=...`'
    )


def build_model(provider_name: str, model_name: str, provider: Provider[Any]) -> Model:
    """Model `model_name` of provider `provider_name`, built by its plugin on `provider`."""
    return current_registry().model(provider_name, model_name, provider=provider)


def installed_distributions() -> Sequence[tuple[str, str]]:
    """The distributions that register providers, with their versions, sorted (read from metadata only)."""
    found = {
        (info.distribution, info.version or '?')
        for info in current_registry().providers()
        if info.distribution is not None
    }
    return sorted(found)
