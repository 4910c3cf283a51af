"""The request side: a conversation, its tools and settings as the JSON body of a Groq chat-completions request.

The body is built as plain dicts and lists (Groq's wire format) and sent as-is, without the SDK's per-field
re-validation. Every function runs in time linear in its input and raises `UserError` for what Groq cannot take,
naming the part and what to change; nothing is dropped silently except what is documented here:

- `ThinkingPart`s in the history go back as the assistant message's `reasoning` field (`groq_thinking_history=
  'field'`, the default): all thinking parts of that response, in order, joined by a blank line, whatever
  `reasoning_format` produced them. Two cases leave them out: thinking another provider produced (its
  `provider_name` is set and is not this model's provider: another vendor's reasoning may be a summary or redacted,
  and is not this model's own), and a request to a model that does not reason (`is_reasoning_model`; Groq documents
  the field for reasoning models only). `'tags'` sends every thinking part as `<think>...</think>` text before the
  answer, to any model; `'drop'` leaves thinking out.
- `BuiltinToolCallPart`/`BuiltinToolReturnPart`s are not sent back: Groq ran those tools itself and its answer
  text already uses their results. Thinking parts that a built-in tool run split apart (see `_server_tools`) go back
  joined as the one reasoning text they were.
- A `TextPart`'s citations are not sent back: Groq's messages have no place for them.
- An image's `vendor_metadata['detail']` (`'auto'`, `'low'` or `'high'`) is sent as Groq's `image_url.detail`;
  no other key of `vendor_metadata` is read.
- `output_mode='native'` is Groq's `response_format={'type': 'json_schema', ...}`, whose schema needs a name:
  `'final_result'` when the `OutputObjectDefinition` has none; `'json_object'` is `{'type': 'json_object'}`.

Built-in tools, compound and search settings are mapped by `_server_tools`; documents and citation options by
`_citations`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NoReturn, cast

from typing_extensions import Never

from pydantic_ai.exceptions import UserError
from pydantic_ai.messages import (
    AudioUrl,
    BinaryContent,
    BuiltinToolCallPart,
    BuiltinToolReturnPart,
    ImageUrl,
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolReturnPart,
    UserContent,
    UserPromptPart,
)
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.output import prompted_output_instructions
from pydantic_ai.tools import ToolDefinition

from ._citations import map_citation_options, map_documents
from ._server_tools import add_server_tools, model_version
from ._utils import JSON
from .model_names import is_reasoning_model, reasoning_efforts
from .settings import GroqModelSettings, ThinkingHistory

__all__ = ('build_body', 'dumps', 'map_messages', 'map_tools', 'map_tool_choice', 'request_headers')

# Settings sent in the body under the same name, with the type each must have (checked before sending).
_NUMBER = (int, float)
_BODY_SETTINGS: dict[str, tuple[str, tuple[type, ...], str]] = {
    # setting: (wire name, accepted types, what to pass)
    'max_tokens': ('max_tokens', (int,), 'an integer'),
    'temperature': ('temperature', _NUMBER, 'a number'),
    'top_p': ('top_p', _NUMBER, 'a number'),
    'seed': ('seed', (int,), 'an integer'),
    'presence_penalty': ('presence_penalty', _NUMBER, 'a number'),
    'frequency_penalty': ('frequency_penalty', _NUMBER, 'a number'),
    'logit_bias': ('logit_bias', (dict,), 'a dict of token id to bias'),
    'stop_sequences': ('stop', (list, tuple), 'a list of strings'),
    'groq_reasoning_format': ('reasoning_format', (str,), "one of 'hidden', 'raw', 'parsed'"),
    'groq_reasoning_effort': ('reasoning_effort', (str,), "a string such as 'low', 'medium', 'high' or 'none'"),
    'groq_service_tier': ('service_tier', (str,), "one of 'on_demand', 'flex', 'auto', 'performance'"),
    'groq_user': ('user', (str,), 'a string identifying your end user'),
}
# Boolean settings sent in the body under Groq's name.
_BOOL_SETTINGS = {
    'groq_include_reasoning': 'include_reasoning',
    'groq_disable_tool_validation': 'disable_tool_validation',
}
_REASONING_FORMATS = ('hidden', 'raw', 'parsed')
_SERVICE_TIERS = ('on_demand', 'flex', 'auto', 'performance')
_THINKING_HISTORIES: tuple[ThinkingHistory, ...] = ('field', 'tags', 'drop')
_TOOL_CHOICES = ('auto', 'none', 'required')
# Settings read elsewhere (request options, or below) rather than copied into the body.
_OTHER_SETTINGS = frozenset(
    {
        'timeout',
        'parallel_tool_calls',
        'extra_headers',
        'extra_body',
        'tool_choice',
        'groq_thinking_history',
        'groq_compound_custom',
        'groq_search_settings',
        'groq_documents',
        'groq_citation_options',
        *_BOOL_SETTINGS,
    }
)


def build_body(
    model_name: str,
    messages: Sequence[ModelMessage],
    settings: GroqModelSettings,
    params: ModelRequestParameters,
    *,
    stream: bool,
    provider_name: str = 'groq',
) -> JSON:
    """The complete request body.

    `provider_name` is the provider the model talks to: thinking parts of another provider are not sent back.

    Raises:
        UserError: a message, part, setting or parameter Groq cannot take; the message says what to change.
    """
    if not isinstance(settings, dict):
        raise UserError(f'`model_settings` must be a dict (ModelSettings), got {type(settings).__name__}.')
    if not isinstance(params, ModelRequestParameters):
        raise UserError(f'`model_request_parameters` must be a ModelRequestParameters, got {type(params).__name__}.')
    history = _thinking_history(settings)
    if history == 'field' and not is_reasoning_model(model_name):
        history = 'drop'
    body: JSON = {
        'model': model_name,
        'messages': map_messages(messages, thinking_history=history, provider_name=provider_name),
    }
    tools = map_tools(params)
    server_tools = add_server_tools(body, model_name, params, settings)
    parallel = settings.get('parallel_tool_calls')
    if parallel is not None and not isinstance(parallel, bool):
        raise UserError(f'Setting `parallel_tool_calls` must be True or False, got {parallel!r}.')
    if tools:
        body['tools'] = [*tools, *server_tools]
        body['tool_choice'] = map_tool_choice(params, settings)
        if parallel is not None:
            body['parallel_tool_calls'] = parallel
    elif server_tools:
        body['tools'] = server_tools
        # Groq's default with tools is 'auto'; a `tool_choice` setting ('required': run a built-in tool) is sent.
        if settings.get('tool_choice') is not None:
            body['tool_choice'] = map_tool_choice(params, settings)
    elif 'tool_choice' in settings and settings['tool_choice'] not in ('auto', 'none'):
        raise UserError(
            f'Setting `tool_choice={settings["tool_choice"]!r}` needs tools, but the request offers none: '
            'add function or result tools, or drop the setting.'
        )
    if params.output_mode == 'prompted':
        _add_prompted_output(body['messages'], params)
    _add_settings(body, settings, model_name)
    response_format = _map_output(params)
    if response_format is not None:
        body['response_format'] = response_format
    body['n'] = 1
    body['stream'] = stream
    extra = settings.get('extra_body')
    if extra is not None:
        if not isinstance(extra, Mapping):
            raise UserError(f'Setting `extra_body` must be a dict of extra body fields, got {type(extra).__name__}.')
        body.update(extra)
    return body


def _thinking_history(settings: GroqModelSettings) -> ThinkingHistory:
    mode = settings.get('groq_thinking_history', 'field')
    if mode not in _THINKING_HISTORIES:
        raise UserError(f"Setting `groq_thinking_history` must be 'field', 'tags' or 'drop', got {mode!r}.")
    return mode


def _add_settings(body: JSON, settings: GroqModelSettings, model_name: str) -> None:
    for key, value in settings.items():
        if _add_groq_field(body, key, value):
            continue
        spec = _BODY_SETTINGS.get(key)
        if spec is None:
            # Another provider's keys are ignored (settings may be shared across models); a `groq_` key we do not
            # know is a typo in ours.
            if key.startswith('groq_') and key not in _OTHER_SETTINGS:
                raise UserError(
                    f'Unknown Groq setting {key!r}. Groq settings: '
                    f'{", ".join(sorted(k for k in (*_BODY_SETTINGS, *_OTHER_SETTINGS) if k.startswith("groq_")))}; '
                    'send other API fields with `extra_body`.'
                )
            continue
        wire, types, expected = spec
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, types):
            raise UserError(f'Setting `{key}` must be {expected}, got {value!r} ({type(value).__name__}).')
        _check_value(key, value, expected, model_name)
        if key == 'stop_sequences':
            sequences: list[Any] = list(cast(Sequence[Any], value))
            if not all(isinstance(s, str) for s in sequences):
                raise UserError(f'Setting `stop_sequences` must be {expected}, got {value!r}.')
            value = sequences
        body[wire] = value
    if body.get('include_reasoning') is not None and body.get('reasoning_format') is not None:
        raise UserError(
            'Settings `groq_include_reasoning` and `groq_reasoning_format` cannot be used together (Groq takes one '
            'or the other): use `groq_include_reasoning` with gpt-oss models, `groq_reasoning_format` with others.'
        )


def _add_groq_field(body: JSON, key: str, value: Any) -> bool:
    """Add a setting whose value needs more than a type check (booleans, documents); whether `key` was one."""
    if key in _BOOL_SETTINGS:
        if value is not None:
            if not isinstance(value, bool):
                raise UserError(f'Setting `{key}` must be True or False, got {value!r}.')
            body[_BOOL_SETTINGS[key]] = value
        return True
    if key == 'groq_documents':
        body['documents'] = map_documents(value)
        return True
    if key == 'groq_citation_options':
        body['citation_options'] = map_citation_options(value)
        return True
    return False


def _check_value(key: str, value: Any, expected: str, model_name: str) -> None:
    """The settings whose allowed values are a fixed set, some per model family."""
    if key == 'groq_reasoning_format' and value not in _REASONING_FORMATS:
        raise UserError(f'Setting `groq_reasoning_format` must be {expected}, got {value!r}.')
    if key == 'groq_service_tier' and value not in _SERVICE_TIERS:
        raise UserError(f'Setting `groq_service_tier` must be {expected}, got {value!r}.')
    if key == 'groq_reasoning_effort':
        efforts = reasoning_efforts(model_name)
        if efforts is not None and value not in efforts:
            raise UserError(
                f'Model {model_name!r} takes `groq_reasoning_effort` {" or ".join(map(repr, efforts))}, got {value!r}.'
            )


def request_headers(settings: GroqModelSettings, user_agent: str, client_headers: Iterable[str] = ()) -> dict[str, str]:
    """The per-request headers: our `User-Agent`, a `Groq-Model-Version` when needed, then the caller's headers.

    `Groq-Model-Version: latest` is sent when an enabled compound tool needs Groq's latest compound version (see
    `_server_tools.model_version`). The caller's `extra_headers` come last (a copy; theirs win).

    Header names are case-insensitive, but the SDK merges its default headers with ours by exact name; a caller's
    name that matches one of `client_headers` (the client's default header names) case-insensitively is
    respelled like it, so `user-agent` replaces the SDK's `User-Agent` instead of being sent alongside it.

    Raises:
        UserError: `extra_headers` is not a dict of strings.
    """
    headers = {'User-Agent': user_agent}
    version = model_version(settings)
    if version is not None:
        headers['Groq-Model-Version'] = version
    extra = settings.get('extra_headers')
    if extra is not None:
        if not isinstance(extra, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in extra.items()
        ):
            raise UserError(f'Setting `extra_headers` must be a dict of header name to string value, got {extra!r}.')
        spelling = {name.lower(): name for name in (*client_headers, *headers)}
        for name, value in extra.items():
            canonical = spelling.get(name.lower(), name)
            headers.pop(canonical, None)
            headers[canonical] = value
    return headers


def map_messages(
    messages: Sequence[ModelMessage], *, thinking_history: ThinkingHistory = 'drop', provider_name: str = 'groq'
) -> list[JSON]:
    """The conversation as Groq chat messages, in order; thinking parts as `thinking_history` says (see the module).

    Raises:
        UserError: the list is empty, or holds something that is not a message or part Groq can take.
    """
    # A run-time check for untyped callers: to mypy a str can never be the declared sequence of messages.
    if isinstance(messages, (str, bytes)) or not isinstance(messages, Sequence):  # type: ignore[unreachable]
        raise UserError(f'`messages` must be a list of ModelRequest and ModelResponse, got {type(messages).__name__}.')
    if not messages:
        raise UserError('Cannot send an empty conversation: pass at least one ModelRequest with a prompt.')
    out: list[JSON] = []
    for message in messages:
        if isinstance(message, ModelRequest):
            _map_request(message, out)
        elif isinstance(message, ModelResponse):
            out.append(_map_response_message(message, thinking_history, provider_name))
        else:
            raise UserError(
                f'Cannot send {type(message).__name__} as a message: a conversation holds ModelRequest and '
                'ModelResponse objects.'
            )
    return out


def _map_request(message: ModelRequest, out: list[JSON]) -> None:
    for part in message.parts:
        if isinstance(part, SystemPromptPart):
            out.append({'role': 'system', 'content': part.content})
        elif isinstance(part, UserPromptPart):
            out.append(_map_user_prompt(part))
        elif isinstance(part, ToolReturnPart):
            out.append(
                {
                    'role': 'tool',
                    'tool_call_id': _require_tool_call_id(part.tool_call_id, part),
                    'content': part.model_response_str(),
                }
            )
        elif isinstance(part, RetryPromptPart):
            if part.tool_name is None:
                out.append({'role': 'user', 'content': part.model_response()})
            else:
                out.append(
                    {
                        'role': 'tool',
                        'tool_call_id': _require_tool_call_id(part.tool_call_id, part),
                        'content': part.model_response(),
                    }
                )
        else:
            _unsupported_part(part, 'a ModelRequest')


def _map_user_prompt(part: UserPromptPart) -> JSON:
    if isinstance(part.content, str):
        return {'role': 'user', 'content': part.content}
    if isinstance(part.content, Sequence):
        return {'role': 'user', 'content': [_map_user_content(item) for item in part.content]}
    _unsupported_part(part.content, 'a UserPromptPart')


def _map_user_content(item: UserContent) -> JSON:
    if isinstance(item, str):
        return {'type': 'text', 'text': item}
    if isinstance(item, ImageUrl):
        return {'type': 'image_url', 'image_url': _image(item.url, item.vendor_metadata)}
    if isinstance(item, BinaryContent):
        if not item.is_image:
            raise UserError(
                f'Only images are supported for binary content in Groq; got BinaryContent with media type '
                f'{item.media_type!r} in a UserPromptPart. Send text instead (a transcript, the document as text), or '
                'an image.'
            )
        return {'type': 'image_url', 'image_url': _image(item.data_uri, item.vendor_metadata)}
    if isinstance(item, AudioUrl):
        raise UserError('Groq chat does not read audio URLs (AudioUrl) in a UserPromptPart; send a transcript instead.')
    _unsupported_part(item, 'a UserPromptPart')


def _image(url: str, vendor_metadata: dict[str, Any] | None) -> JSON:
    image: JSON = {'url': url}
    detail = (vendor_metadata or {}).get('detail')
    if detail is not None:
        if detail not in ('auto', 'low', 'high'):
            raise UserError(f"Image `vendor_metadata['detail']` must be 'auto', 'low' or 'high', got {detail!r}.")
        image['detail'] = detail
    return image


def _map_response_message(message: ModelResponse, thinking_history: ThinkingHistory, provider_name: str) -> JSON:
    texts: list[str] = []
    reasoning: list[str] = []
    tool_calls: list[JSON] = []
    # Reasoning that a built-in tool run split into two parts continues the same text (see `_server_tools`).
    after_builtin = False
    for part in message.parts:
        if isinstance(part, TextPart):
            texts.append(part.content)
        elif isinstance(part, ToolCallPart):
            tool_calls.append(
                {
                    'id': _require_tool_call_id(part.tool_call_id, part),
                    'type': 'function',
                    'function': {'name': part.tool_name, 'arguments': part.args_as_json_str()},
                }
            )
        elif isinstance(part, ThinkingPart):
            if not part.content or thinking_history == 'drop':
                continue
            if thinking_history == 'tags':
                texts.append(f'<think>\n{part.content}\n</think>')
            elif part.provider_name is None or part.provider_name == provider_name:
                if after_builtin and reasoning:
                    reasoning[-1] += part.content
                else:
                    reasoning.append(part.content)
        elif isinstance(part, (BuiltinToolCallPart, BuiltinToolReturnPart)):
            after_builtin = True
            continue
        else:
            _unsupported_part(part, 'a ModelResponse')
        after_builtin = False
    assistant: JSON = {'role': 'assistant'}
    if texts:
        # Responses of one model hold at most one text part; text from several (after switching models) is joined.
        assistant['content'] = '\n\n'.join(texts)
    if tool_calls:
        assistant['tool_calls'] = tool_calls
    elif not texts:
        assistant['content'] = ''
    if reasoning:
        assistant['reasoning'] = '\n\n'.join(reasoning)
    return assistant


def _require_tool_call_id(tool_call_id: str | None, part: ToolCallPart | ToolReturnPart | RetryPromptPart) -> str:
    if tool_call_id:
        return tool_call_id
    raise UserError(
        f'{type(part).__name__} for tool {part.tool_name!r} has no tool_call_id, and Groq needs one to pair tool '
        'calls with their results. Set `tool_call_id` to the id of the ToolCallPart it answers.'
    )


def _unsupported_part(part: Never, where: str) -> NoReturn:
    """The end of every exhaustive `isinstance` chain over part kinds: `assert_never` with a typed error.

    Typed `Never`, so that mypy rejects a call reached by a part kind the chain does not handle (as it does for
    `assert_never`); at run time (a caller without a type checker passing something else) it raises `UserError`, not
    `AssertionError`.
    """
    raise UserError(f'Groq cannot take a {type(part).__name__} in {where}; remove it or convert it first.')


def map_tools(params: ModelRequestParameters) -> list[JSON]:
    """The function tools, then the result tools (in the `'tool'` output mode), as Groq tool definitions."""
    tools = [_map_tool(t) for t in params.function_tools]
    if params.output_mode == 'tool':
        tools.extend(_map_tool(t) for t in params.result_tools)
    return tools


def _map_tool(tool: ToolDefinition) -> JSON:
    if not isinstance(tool, ToolDefinition):
        raise UserError(f'Tools must be ToolDefinition objects, got {type(tool).__name__}.')
    # Groq rejects `"description": null`; an empty string means "no description".
    function: JSON = {
        'name': tool.name,
        'description': tool.description or '',
        'parameters': tool.parameters_json_schema,
    }
    if tool.strict is not None:
        function['strict'] = tool.strict
    return {'type': 'function', 'function': function}


def map_tool_choice(params: ModelRequestParameters, settings: GroqModelSettings) -> str | JSON:
    """The `tool_choice` for a request that offers tools.

    The `tool_choice` setting wins; without it, `'auto'`, or `'required'` when text may not end the run.
    """
    choice = settings.get('tool_choice')
    if choice is None:
        return 'auto' if params.allow_text_result else 'required'
    if isinstance(choice, str):
        if choice not in _TOOL_CHOICES:
            raise UserError(
                f"Setting `tool_choice` must be 'auto', 'none', 'required' or a list of tool names, got {choice!r}."
            )
        return choice
    if not isinstance(choice, list) or not choice or not all(isinstance(name, str) for name in choice):
        raise UserError(f'Setting `tool_choice` as a list must hold one or more tool names, got {choice!r}.')
    offered = {t.name for t in params.function_tools} | {t.name for t in params.result_tools}
    unknown = [name for name in choice if name not in offered]
    if unknown:
        raise UserError(
            f'Setting `tool_choice` names tools the request does not offer: {unknown}; offered: {sorted(offered)}.'
        )
    if len(choice) == 1:
        return {'type': 'function', 'function': {'name': choice[0]}}
    # Groq can force one named tool, not a subset: with several names the model must call one of the tools.
    return 'required'


def _add_prompted_output(messages: list[JSON], params: ModelRequestParameters) -> None:
    """The `'prompted'` mode's instructions, as a system message after the conversation's own leading ones.

    With `prompted_output_template=False` there are none: the caller's messages already ask for the JSON.
    """
    if params.prompted_output_template is False:
        return
    if params.output_object is None:
        raise UserError(
            "`output_mode='prompted'` needs `output_object` (an OutputObjectDefinition with the JSON schema)."
        )
    instructions = prompted_output_instructions(params.output_object, params.prompted_output_template)
    position = 0
    while position < len(messages) and messages[position]['role'] == 'system':
        position += 1
    messages.insert(position, {'role': 'system', 'content': instructions})


def _map_output(params: ModelRequestParameters) -> JSON | None:
    mode = params.output_mode
    if mode in ('tool', 'prompted'):
        return None
    if mode == 'json_object':
        return {'type': 'json_object'}
    if mode == 'native':
        output = params.output_object
        if output is None:
            raise UserError(
                "`output_mode='native'` needs `output_object` (an OutputObjectDefinition with the JSON schema)."
            )
        schema: JSON = {'name': output.name or 'final_result', 'schema': output.json_schema}
        if output.description:
            schema['description'] = output.description
        if output.strict is not None:
            schema['strict'] = output.strict
        return {'type': 'json_schema', 'json_schema': schema}
    raise UserError(f"`output_mode` must be 'tool', 'native', 'json_object' or 'prompted', got {mode!r}.")


def dumps(body: JSON) -> bytes:
    """The body as compact UTF-8 JSON, as it goes on the wire."""
    return json.dumps(body, ensure_ascii=False, separators=(',', ':')).encode()
