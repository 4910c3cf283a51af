"""`pai --replay`: what a recorded conversation asked, turn by turn, and which installed provider recorded it.

The cassette is read and replayed by `pydantic_ai.testing` (`load_cassette`, `ReplayTransport`). What to ask (the
model, the system prompt, each turn's prompt or tool results) is read from the recorded requests, which are in the
chat-completions shape that `pai batch` reads too (`_jsonl.chat_messages`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from pydantic_ai.exceptions import CliError, UserError
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelRequestPart,
    SystemPromptPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.providers import Provider
from pydantic_ai.registry import current_registry
from pydantic_ai.testing import Interaction

from ._errors import EXIT_USAGE
from ._jsonl import chat_messages
from ._providers import ModelChoice, build_provider, choose_provider

__all__ = ('RecordedTurn', 'recorded_turns', 'replay_provider_name')


@dataclass(frozen=True)
class RecordedTurn:
    """What one recorded request added to the conversation: a user prompt, or the results of tool calls."""

    parts: tuple[UserPromptPart | ToolReturnPart, ...]
    """The user prompt (one part), or the tool results the request ends with."""
    stream: bool = False
    """Whether the recorded request was streamed."""

    @property
    def prompt(self) -> str | None:
        """The user prompt's text (its text parts, one per line); `None` for a turn that sends tool results."""
        first = self.parts[0]
        if not isinstance(first, UserPromptPart):
            return None
        content = first.content
        return content if isinstance(content, str) else '\n'.join(item for item in content if isinstance(item, str))

    @property
    def tool_returns(self) -> tuple[ToolReturnPart, ...]:
        """The tool results this turn sends back."""
        return tuple(part for part in self.parts if isinstance(part, ToolReturnPart))

    def request(self, system_prompt: str | None) -> ModelRequest:
        """This turn as the request to send; `system_prompt` is added for the first turn of a conversation."""
        parts: list[ModelRequestPart] = [SystemPromptPart(system_prompt)] if system_prompt else []
        return ModelRequest(parts=[*parts, *self.parts])


def _system_prompt(conversation: Sequence[ModelMessage]) -> str | None:
    first = conversation[0]
    if isinstance(first, ModelRequest):
        return next((part.content for part in first.parts if isinstance(part, SystemPromptPart)), None)
    return None


def _turn(conversation: Sequence[ModelMessage], stream: bool) -> RecordedTurn | None:
    """The turn the conversation's last request adds: its last user prompt, or the tool results it ends with."""
    last = conversation[-1]
    if not isinstance(last, ModelRequest) or not last.parts:
        return None
    final = last.parts[-1]
    if isinstance(final, UserPromptPart):
        return RecordedTurn((final,), stream)
    trailing: list[ToolReturnPart] = []
    for part in reversed(last.parts):
        if not isinstance(part, ToolReturnPart):
            break
        trailing.append(part)
    return RecordedTurn(tuple(reversed(trailing)), stream) if trailing else None


def recorded_turns(interactions: Sequence[Interaction]) -> tuple[str, str | None, list[RecordedTurn]]:
    """The model name, the system prompt and the turns of the recorded conversation.

    Raises:
        CliError: a request is not a chat completion, or ends with neither a user message nor tool results.
    """
    turns: list[RecordedTurn] = []
    model_name: str | None = None
    system_prompt: str | None = None
    for number, interaction in enumerate(interactions, start=1):
        body = interaction.request_body
        messages = body.get('messages') if body else None
        if not body or not isinstance(messages, list) or not messages:
            raise CliError(f'interaction {number} of the recording is not a chat-completion request', EXIT_USAGE)
        try:
            conversation = chat_messages(messages)
        except UserError as exc:
            raise CliError(f'interaction {number} of the recording: {exc.message}', EXIT_USAGE) from exc
        if model_name is None:
            model_name = str(body.get('model') or '')
            system_prompt = _system_prompt(conversation)
        turn = _turn(conversation, interaction.is_stream)
        if turn is None:
            raise CliError(
                f'interaction {number} of the recording ends with neither a user message nor tool results',
                EXIT_USAGE,
            )
        turns.append(turn)
    if not model_name:
        raise CliError('the recording does not say which model it used', EXIT_USAGE)
    return model_name, system_prompt, turns


def replay_provider_name(
    provider: str | None, interactions: Sequence[Interaction], *, api_key: str, http_client: Any
) -> str:
    """The provider that replays the recording: chosen as for `pai`, else the one whose base URL it was sent to.

    With several providers installed and none chosen (`--provider`, `PAI_MODEL`), the recording's first URL decides:
    the provider whose base URL it starts with (the longest, when base URLs nest) replays it. Each candidate is
    created with `api_key` and `http_client` to read its base URL (its `*_BASE_URL` variable applies).

    Raises:
        CliError: no provider is installed, or several are and the recording's URL matches none or several equally.
    """
    try:
        return choose_provider(ModelChoice(model=None, provider=provider))
    except CliError:
        names = current_registry().names()
        if provider is not None or len(names) < 2 or not interactions:
            raise
        matches = _serving(interactions[0].url, names, api_key=api_key, http_client=http_client)
        if len(matches) == 1 or (len(matches) > 1 and matches[0][0] > matches[1][0]):
            return matches[0][1]
        raise


def _serving(url: str, names: Sequence[str], *, api_key: str, http_client: Any) -> list[tuple[int, str]]:
    """The providers whose base URL `url` starts with, as (length of the base URL, name), longest first."""
    try:
        recorded = httpx.URL(url)
    except httpx.InvalidURL:
        return []
    found: list[tuple[int, str]] = []
    for name in names:
        try:
            candidate: Provider[Any] = build_provider(name, api_key=api_key, http_client=http_client)
            base = httpx.URL(str(candidate.base_url))
        except Exception:  # a provider that cannot be created here cannot have recorded it; its own error shows on use
            continue
        if _under(recorded, base):
            found.append((len(base.path.rstrip('/')), name))
    return sorted(found, reverse=True)


def _under(url: httpx.URL, base: httpx.URL) -> bool:
    """Whether `url` is `base` or below it: same scheme, host and port, and a path under the base's path."""
    if (url.scheme, url.host, url.port) != (base.scheme, base.host, base.port) or not base.host:
        return False
    prefix = base.path.rstrip('/')
    return url.path == prefix or url.path.startswith(prefix + '/')
