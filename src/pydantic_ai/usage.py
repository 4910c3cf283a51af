"""Token and request accounting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

__all__ = ('Usage', 'UsageLimits')


@dataclass
class Usage:
    """How much one or more requests to a model used.

    Two usages add up with `+` (returning a new object) or `incr()` (in place); `None` counts are treated as
    unknown, so unknown plus a number is the number. `copy()` gives an independent copy.
    """

    requests: int = 0
    """Number of requests made to the model's API."""
    request_tokens: int | None = None
    """Tokens in the request (the prompt), as counted by the provider."""
    response_tokens: int | None = None
    """Tokens in the response (the completion), as counted by the provider."""
    total_tokens: int | None = None
    """Total tokens, as counted by the provider."""
    details: dict[str, int] | None = None
    """Further provider-specific counts (for example `cached_tokens`, `reasoning_tokens`), summed key by key."""
    timings: dict[str, float] | None = None
    """Provider-side durations in seconds (for example `queue_time`, `total_time`), summed key by key."""
    cache_read_tokens: int | None = None
    """Tokens of the request served from the provider's prompt cache (part of `request_tokens`), when it says."""

    def incr(self, incr_usage: Usage, *, requests: int = 0) -> None:
        """Add `incr_usage` (and `requests` extra requests) to this usage in place."""
        self.requests += requests + incr_usage.requests
        self.request_tokens = _add(self.request_tokens, incr_usage.request_tokens)
        self.response_tokens = _add(self.response_tokens, incr_usage.response_tokens)
        self.total_tokens = _add(self.total_tokens, incr_usage.total_tokens)
        self.cache_read_tokens = _add(self.cache_read_tokens, incr_usage.cache_read_tokens)
        if incr_usage.details:
            self.details = _add_by_key(self.details, incr_usage.details)
        if incr_usage.timings:
            self.timings = _add_by_key(self.timings, incr_usage.timings)

    def copy(self) -> Usage:
        """An independent copy: changing it (with `incr()`, or its `details` and `timings`) leaves this one as is."""
        return Usage(
            self.requests,
            self.request_tokens,
            self.response_tokens,
            self.total_tokens,
            dict(self.details) if self.details is not None else None,
            dict(self.timings) if self.timings is not None else None,
            self.cache_read_tokens,
        )

    def __add__(self, other: Usage) -> Usage:
        """Return a new usage that is the sum of both (sharing no dict with either)."""
        if not isinstance(other, Usage):
            return NotImplemented
        total = self.copy()
        total.incr(other)
        return total


_N = TypeVar('_N', int, float)


def _add_by_key(base: dict[str, _N] | None, more: dict[str, _N]) -> dict[str, _N]:
    # A new dict: a usage never shares (and so never mutates) another usage's dicts.
    total = dict(base) if base else {}
    for key, value in more.items():
        total[key] = total.get(key, 0) + value
    return total


def _add(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


@dataclass
class UsageLimits:
    """Limits on what one agent run may use; the run raises `UsageLimitExceeded` rather than go past them.

    The request limit is checked before each request, the token limits after each response (a response cannot be
    stopped half-way, so a token limit is noticed once the response that crosses it has arrived).
    """

    request_limit: int | None = 50
    """The most requests a run may make; `None` for no limit."""
    request_tokens_limit: int | None = None
    """The most request (prompt) tokens a run may use, summed over its requests."""
    response_tokens_limit: int | None = None
    """The most response (completion) tokens a run may use."""
    total_tokens_limit: int | None = None
    """The most tokens in total a run may use."""

    def has_token_limits(self) -> bool:
        """Whether any token limit is set."""
        return any(
            limit is not None
            for limit in (self.request_tokens_limit, self.response_tokens_limit, self.total_tokens_limit)
        )

    def check_before_request(self, usage: Usage) -> None:
        """Raise if one more request would go past `request_limit`.

        Raises:
            UsageLimitExceeded: `usage.requests` has already reached the limit.
        """
        if self.request_limit is not None and usage.requests >= self.request_limit:
            from .exceptions import UsageLimitExceeded

            raise UsageLimitExceeded(
                f'The next request would exceed the request_limit of {self.request_limit} '
                f'({usage.requests} requests made so far); raise `UsageLimits.request_limit` if the run needs more.'
            )

    def check_tokens(self, usage: Usage) -> None:
        """Raise if the tokens used so far exceed a token limit.

        Raises:
            UsageLimitExceeded: a token count is above its limit.
        """
        for name, used, limit in (
            ('request_tokens_limit', usage.request_tokens, self.request_tokens_limit),
            ('response_tokens_limit', usage.response_tokens, self.response_tokens_limit),
            ('total_tokens_limit', usage.total_tokens, self.total_tokens_limit),
        ):
            if limit is not None and used is not None and used > limit:
                from .exceptions import UsageLimitExceeded

                raise UsageLimitExceeded(f'Exceeded the {name} of {limit} ({name[:-6]}={used}).')
