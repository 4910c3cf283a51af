"""The request switch: whether models that make real requests may send them (`pydantic_ai.models.ALLOW_MODEL_REQUESTS`).

Its public home is `pydantic_ai.models`. It lives in a module of its own so that `Model`'s request duties
(`pydantic_ai.models.base`) can check it without importing the package facade above them.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from ..exceptions import UserError

__all__ = ('check_allow_model_requests', 'override_allow_model_requests')

_allow_override: contextvars.ContextVar[bool | None] = contextvars.ContextVar('allow_model_requests', default=None)


def check_allow_model_requests() -> None:
    """Raise if model requests are currently disabled.

    `Model.request()` and `Model.request_stream()` call it for every model that is not `is_local`; a model that
    overrides those methods itself calls it before sending.

    Raises:
        UserError: requests are disabled by `ALLOW_MODEL_REQUESTS = False` or `override_allow_model_requests(False)`.
    """
    allowed = _allow_override.get()
    if allowed is None:
        # The switch users set is the attribute of the package `pydantic_ai.models`, always imported before this
        # module; it is read by name, so that this module does not import the facade that imports it.
        allowed = sys.modules[__package__].ALLOW_MODEL_REQUESTS
    if not allowed:
        raise UserError(
            'Model requests are disabled: `pydantic_ai.models.ALLOW_MODEL_REQUESTS` is False or an '
            '`override_allow_model_requests(False)` block is active. Use `override_allow_model_requests(True)` '
            'around code that may make real requests.'
        )


@contextmanager
def override_allow_model_requests(allow_model_requests: bool) -> Iterator[None]:
    """Allow or forbid model requests within the block, whatever `ALLOW_MODEL_REQUESTS` says.

    The override is held in a context variable, so concurrent tasks and threads are not affected.
    """
    token = _allow_override.set(allow_model_requests)
    try:
        yield
    finally:
        _allow_override.reset(token)
