"""Every exception this library raises on purpose.

```text
RuntimeError
 └── PydanticAIError                   base class: catch this to catch everything below
      ├── UserError                    the caller asked for something that cannot work; fix the call
      │    ├── UnknownProviderError    no provider is registered under the name asked for
      │    ├── BatchItemError          a batch item cannot become a request (`pydantic_ai.batch`)
      │    ├── PromptFileError         a line of a `pai batch` prompt file cannot become a request
      │    ├── InvalidArgumentsError   a call's arguments cannot work together; also a TypeError
      │    ├── EmptyStreamError        a FunctionModel's stream function yielded nothing; also a ValueError
      │    └── TestSetupError          a TestModel is set up against the agent it answers; also an AssertionError
      ├── ProviderPluginError          an installed provider plugin is broken (import fails, not a provider, ...)
      │    └── DuplicateProviderError  two distributions register the same provider name
      ├── UnexpectedModelBehavior      the model's API answered with something this library cannot use
      ├── UsageLimitExceeded           an agent run would go past its `UsageLimits`
      ├── CliError                     the `pai` command cannot do what it was asked; the message is its one line
      ├── CassetteError                a vcrpy cassette cannot be used (`pydantic_ai.testing`)
      │    ├── CassetteReadError       the file is not a readable vcrpy cassette
      │    ├── CassetteExhaustedError  a replay asked for more answers than the cassette holds
      │    └── CassetteSecretError     a cassette about to be written holds a credential; it is not written
      └── ModelAPIError                a request to the model's API failed
           ├── ModelHTTPError          the API answered with an HTTP error status (4xx/5xx)
           │    └── ModelRetiredError  the provider no longer serves the model; `replacement` names one it does
           ├── ModelConnectionError    no answer: the connection failed or was lost
           │    └── ModelTimeoutError  no answer within the configured timeout
           └── BatchItemUnfinished     a batch ended before this item ran (`pydantic_ai.batch`)

ModelRetry (an Exception, not an error)  raised by a tool or result validator to ask the model to try again
CassetteMismatchError                    a recorded test sent a request its cassette does not hold; a pytest failure
                                         (a `BaseException`), defined in `pydantic_ai.testing` beside pytest
```

Every error is a `RuntimeError`, as in the original pydantic-ai API, where `UserError` and the run errors
(`UnexpectedModelBehavior`, `ModelHTTPError`) were: code written against it with `except RuntimeError` keeps
catching them. Where the original raised a builtin instead (`TypeError`, `ValueError`, `AssertionError`), the
error here is a `UserError` that is also that builtin, so both `except UserError` and the original's `except`
catch it.

Every class in the drawing but `CassetteMismatchError` is defined here (it derives from pytest's failure outcome, and
this module imports nothing); the modules that raise them re-export them where their users look (`BatchItemError`
from `pydantic_ai.batch`, say). A test checks the drawing against the classes and against every `raise` in the
project.

Errors raised by vendor SDKs are translated into this tree in one place per plugin and chained with
`raise ... from exc`, so the original is always available as `__cause__`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

__all__ = (
    'PydanticAIError',
    'UserError',
    'UnknownProviderError',
    'BatchItemError',
    'PromptFileError',
    'InvalidArgumentsError',
    'EmptyStreamError',
    'TestSetupError',
    'ProviderPluginError',
    'DuplicateProviderError',
    'UnexpectedModelBehavior',
    'UsageLimitExceeded',
    'CliError',
    'CassetteError',
    'CassetteReadError',
    'CassetteExhaustedError',
    'CassetteSecretError',
    'ModelRetry',
    'ModelAPIError',
    'ModelHTTPError',
    'ModelRetiredError',
    'ModelConnectionError',
    'ModelTimeoutError',
    'BatchItemUnfinished',
)


class PydanticAIError(RuntimeError):
    """Base class of every exception raised by `pydantic_ai` and its provider plugins."""

    message: str
    """The human-readable message, also the exception's `str()`."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take different constructor arguments; rebuild from the attributes so every one pickles.
        return (_restore, (type(self), self.args, self.__dict__))


class UserError(PydanticAIError):
    """The library was used in a way that cannot work; the message says what to change.

    Raised before anything is sent over the network.
    """


class UnknownProviderError(UserError):
    """No provider is registered under the requested name."""

    name: str
    """The name that was asked for."""
    available: tuple[str, ...]
    """The provider names that are registered, sorted."""

    def __init__(self, name: str, available: tuple[str, ...]) -> None:
        self.name = name
        self.available = available
        listing = ', '.join(repr(n) for n in available) if available else 'none'
        super().__init__(
            f'Unknown provider {name!r}. Available providers: {listing}. '
            'Install the plugin distribution that provides it, or register one with '
            '`pydantic_ai.providers.register_provider()`.'
        )


class BatchItemError(UserError):
    """An item of a batch cannot become a request; raised before anything is uploaded.

    Re-exported by `pydantic_ai.batch`, where batches are sent.
    """

    index: int
    """The item's position in the input (0-based)."""
    custom_id: str | None
    """The item's custom id, when it has one."""
    problem: str
    """What is wrong with the item, without the item's position."""

    def __init__(self, index: int, custom_id: str | None, problem: str) -> None:
        self.index = index
        self.custom_id = custom_id
        self.problem = problem
        named = f' (custom_id {custom_id!r})' if custom_id is not None else ''
        super().__init__(f'Batch item {index}{named}: {problem}')


class PromptFileError(UserError):
    """A line of a `pai batch` prompt file cannot become a request (or repeats another line's custom id)."""

    line_number: int
    """The 1-based line number."""

    def __init__(self, line_number: int, problem: str) -> None:
        self.line_number = line_number
        super().__init__(f'line {line_number}: {problem}')


class InvalidArgumentsError(UserError, TypeError):
    """A function or class was called with arguments that cannot work together.

    A required one of several is missing, or two exclusive ones are given; the message names what to pass. Also a
    `TypeError`, as Python raises for a call with wrong arguments (and as the original API raised).
    """


class EmptyStreamError(UserError, ValueError):
    """A `FunctionModel`'s stream function yielded nothing.

    A streamed response needs at least one text delta or `DeltaToolCalls`. Also a `ValueError`, as the original
    API raised.
    """


class TestSetupError(UserError, AssertionError):
    """A `TestModel` is set up in a way the agent it answers cannot use.

    For example `custom_result_text` for an agent whose result type is not text. Also an `AssertionError`, as the
    original API raised: a test set up wrongly fails as a failed assertion does.
    """

    __test__ = False  # not a pytest test class


class ProviderPluginError(PydanticAIError):
    """A provider plugin could not be loaded, or does not provide what it claims.

    Only lookups of this plugin's name fail; other providers keep working.
    """

    provider_name: str
    """The provider name the plugin registered."""
    distribution: str | None
    """The distribution that declares the plugin's entry point (`None` for plugins registered at run time)."""
    entry_point: str | None
    """The entry point's value, such as `'my_package.plugin'` (`None` for plugins registered at run time)."""

    def __init__(self, message: str, *, provider_name: str, distribution: str | None, entry_point: str | None) -> None:
        self.provider_name = provider_name
        self.distribution = distribution
        self.entry_point = entry_point
        super().__init__(message)


class DuplicateProviderError(ProviderPluginError):
    """Two or more installed distributions register the same provider name.

    The registry refuses to pick one silently. Uninstall one of them, or choose explicitly with
    `register_provider(name, factory, replace=True)`.
    """

    distributions: tuple[str, ...]
    """Every distribution that claims the name, sorted."""

    def __init__(self, provider_name: str, distributions: tuple[str, ...]) -> None:
        self.distributions = distributions
        claimants = ', '.join(distributions)
        super().__init__(
            f'Provider name {provider_name!r} is registered by more than one installed distribution ({claimants}). '
            'Uninstall all but one of them, or choose one explicitly with '
            f'`pydantic_ai.providers.register_provider({provider_name!r}, factory, replace=True)`.',
            provider_name=provider_name,
            distribution=None,
            entry_point=None,
        )


class UnexpectedModelBehavior(PydanticAIError):
    """The model's API answered with something this library cannot turn into a response."""

    body: str | None
    """The offending payload (or an excerpt of it), when there is one."""

    def __init__(self, message: str, body: str | None = None) -> None:
        self.body = body
        super().__init__(message)

    def __str__(self) -> str:
        if self.body is None:
            return self.message
        return f'{self.message}, body:\n{self.body}'


class UsageLimitExceeded(PydanticAIError):
    """An agent run stopped because its next request, or the tokens used so far, would exceed its `UsageLimits`."""


class CliError(PydanticAIError):
    """The `pai` command line cannot do what it was asked; `str()` is the one line it prints, after `pai: `.

    A command a plugin adds (`pydantic_ai.cli.Command`) raises it to end with its own message and exit status.
    """

    exit_code: int
    """The exit status: 2 for a usage or configuration error (nothing was sent), 1 for a failure."""

    def __init__(self, message: str, exit_code: int) -> None:
        self.exit_code = exit_code
        super().__init__(message)


class CassetteError(PydanticAIError):
    """A vcrpy cassette cannot be read, replayed or written (see `pydantic_ai.testing`)."""


class CassetteReadError(CassetteError):
    """The file cannot be read as a vcrpy cassette: missing, unreadable, not YAML, or not shaped as vcrpy writes."""


class CassetteExhaustedError(CassetteError):
    """A replay asked for more answers than the cassette holds (the code now sends more requests than recorded)."""


class CassetteSecretError(CassetteError):
    """A cassette about to be written still holds a credential; it is not written."""


class ModelRetry(Exception):
    """Raised by a tool or a result validator to send `message` back to the model and let it try again.

    Not an error of this library: the agent catches it and answers the model with a `RetryPromptPart`. After the
    tool's (or the result's) retries are used up, the run fails with `UnexpectedModelBehavior`.
    """

    message: str
    """What the model is told, so it can correct its call or answer."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class ModelAPIError(PydanticAIError):
    """A request to the model's API failed."""

    model_name: str
    """The name of the model the request was for."""
    body: object | None
    """What the API said about the failure (parsed JSON where possible), when it said anything."""

    def __init__(self, model_name: str, message: str, body: object | None = None) -> None:
        self.model_name = model_name
        self.body = body
        super().__init__(message)


class ModelHTTPError(ModelAPIError):
    """The model's API answered with an HTTP error status (4xx or 5xx)."""

    status_code: int
    """The HTTP status code."""
    headers: Mapping[str, str]
    """The response headers, names lowercased (for example `retry-after` on a 429). Never request credentials."""
    hint: str | None
    """What to do about the error, when the provider's plugin knows (also the message's last line); else `None`."""

    def __init__(
        self,
        status_code: int,
        model_name: str,
        body: object | None = None,
        headers: Mapping[str, str] | None = None,
        hint: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.headers = {key.lower(): value for key, value in headers.items()} if headers is not None else {}
        self.hint = hint
        message = f'status_code: {status_code}, model_name: {model_name}, body: {body}'
        super().__init__(model_name, f'{message}\n{hint}' if hint else message, body)

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait before retrying, from the `retry-after` header (in seconds), when the API sent one."""
        value = self.headers.get('retry-after')
        if value is None:
            return None
        try:
            seconds = float(value)
        except ValueError:
            return None
        return seconds if seconds >= 0 else None


class ModelRetiredError(ModelHTTPError):
    """The provider no longer serves the model: it was retired (decommissioned), so every request for it fails.

    Raised by a provider's plugin when the API says so, or when the API answers "model not found" for a name the
    plugin knows was retired. `hint` says what to do, naming the model to use instead when one is known.
    """

    retired_on: date | None
    """The day the provider stopped serving the model, when known."""
    replacement: str | None
    """The model to use instead (a name the same provider serves), when one is known."""

    def __init__(
        self,
        status_code: int,
        model_name: str,
        body: object | None = None,
        headers: Mapping[str, str] | None = None,
        hint: str | None = None,
        *,
        retired_on: date | None = None,
        replacement: str | None = None,
    ) -> None:
        self.retired_on = retired_on
        self.replacement = replacement
        super().__init__(status_code, model_name, body, headers, hint)


class ModelConnectionError(ModelAPIError):
    """The model's API could not be reached, or the connection was lost before the answer was complete."""


class ModelTimeoutError(ModelConnectionError):
    """The model's API did not answer within the configured timeout."""


class BatchItemUnfinished(ModelAPIError):
    """The batch ended (expired, was cancelled or failed) before this item ran; nothing came back for it.

    Re-exported by `pydantic_ai.batch`.
    """

    reason: str
    """Why: `'expired'`, `'cancelled'`, `'failed'`, or `'missing'` (the batch completed without a line for it)."""
    batch_id: str
    """The batch the item was part of."""

    def __init__(
        self, model_name: str, batch_id: str, reason: str, detail: str = '', body: object | None = None
    ) -> None:
        self.reason = reason
        self.batch_id = batch_id
        what = {
            'expired': 'the batch expired before this item ran (its completion window passed)',
            'cancelled': 'the batch was cancelled before this item ran',
            'failed': 'the batch failed before this item ran',
        }.get(reason, 'the batch finished without returning a result for this item')
        message = f'Batch {batch_id} for model {model_name!r}: {what}'
        super().__init__(model_name, f'{message}: {detail}' if detail else message, body)


def _restore(cls: type[PydanticAIError], args: tuple[Any, ...], state: dict[str, Any]) -> PydanticAIError:
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(state)
    return exc
