"""The one place where errors of the groq SDK and httpx become this library's exceptions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import groq
import httpx

from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelConnectionError,
    ModelHTTPError,
    ModelTimeoutError,
    UnexpectedModelBehavior,
)

__all__ = ('map_api_errors',)


@contextmanager
def map_api_errors(model_name: str) -> Iterator[None]:
    """Translate errors raised inside the block into the `pydantic_ai.exceptions` tree, chained with `from`.

    Covers the request itself and the iteration of a stream (where httpx errors and bad frames surface raw).
    """
    try:
        yield
    except groq.APIStatusError as exc:
        raise ModelHTTPError(
            status_code=exc.status_code, model_name=model_name, body=exc.body, headers=exc.response.headers
        ) from exc
    except (groq.APITimeoutError, httpx.TimeoutException) as exc:
        raise ModelTimeoutError(
            model_name, f'The request to Groq for model {model_name!r} timed out ({type(exc).__name__}).'
        ) from exc
    except (groq.APIConnectionError, httpx.RequestError) as exc:
        cause = exc.__cause__ if isinstance(exc, groq.APIConnectionError) and exc.__cause__ else exc
        raise ModelConnectionError(
            model_name,
            f'The connection to Groq for model {model_name!r} failed or was lost: {type(cause).__name__}: {cause}',
        ) from exc
    except groq.APIError as exc:
        # Raised by the SDK for an `event: error` frame in the middle of a stream (the HTTP status was 200).
        raise ModelAPIError(
            model_name, f'Groq reported an error for model {model_name!r}: {exc.message}', exc.body
        ) from exc
    except json.JSONDecodeError as exc:
        raise UnexpectedModelBehavior(
            f'Groq sent data that is not valid JSON for model {model_name!r}: {exc.msg} at position {exc.pos}',
            exc.doc[:1000],
        ) from exc
