"""Small helpers every other module of the plugin may use; a leaf: it imports nothing of the plugin."""

from __future__ import annotations

from typing import Any, TypeAlias

from pydantic_ai.exceptions import UserError

__all__ = ('JSON', 'check_exclusive')

JSON: TypeAlias = dict[str, Any]
"""A JSON object as the wire carries it (request bodies, chunks, responses), parsed."""


def check_exclusive(owner: str, given: str, why: str, **others: object) -> None:
    """Raise `UserError` if any of `others` is set alongside the argument `given` (which excludes them)."""
    conflicting = [f'`{name}`' for name, value in others.items() if value is not None]
    if conflicting:
        raise UserError(f'Pass either `{given}` or {", ".join(conflicting)} to {owner}, not both: {why}')
