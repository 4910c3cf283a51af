"""Groq's server-side tools: offering them in a request, and reading their runs (`executed_tools`) from an answer.

Request side. The core's built-in tools (`pydantic_ai.builtin_tools`) map by model family:

- gpt-oss (`openai/gpt-oss-*`): `WebSearchTool` is Groq's `{"type": "browser_search"}` tool and `CodeExecutionTool`
  its `{"type": "code_interpreter"}` tool, in the request's `tools`. Groq documents browser search as incompatible
  with structured output (a JSON schema or JSON object response format), and code execution only for gpt-oss-20b and
  -120b (not the safeguard model); both are refused before sending.
- compound systems (`groq/compound`, `groq/compound-mini`): the tools select what the system may run,
  `compound_custom.tools.enabled_tools` (`web_search`, `code_interpreter`), next to any the
  `groq_compound_custom` setting enables; a `WebSearchTool`'s domain filters go to `search_settings`.
- any other model runs no server-side tool: offering one raises `UserError`, naming the models that do.

Response side. Every entry of `executed_tools` becomes a `BuiltinToolCallPart` (the tool's name in the core's
vocabulary, its JSON arguments parsed) and a `BuiltinToolReturnPart` whose content is the entry without its
`index` and `arguments`: Groq's `type` and everything the run produced (`output`, `search_results`, `code_results`,
`browser_results`, and any field Groq adds), so nothing is dropped. A kind we do not know becomes a pair under its own
`type`. Both parts carry the id `groq_executed_tool_<index>`.

Where the parts go. Groq streams a run in two steps, at the point of the reasoning where the model called the tool
(after `<tool>name(arguments)`): the entry with its arguments (and an empty `search_results`), then the same entry
again with its output. A non-streamed answer holds the whole reasoning in one string, with each run written inline
as `<tool>...</tool>` and `<output>...</output>`: `interleave()` puts the n-th run's parts just before the n-th
`</tool>` (and the whitespace before it), where a stream puts them, so both give the same parts. Runs beyond the
reasoning's `</tool>` tags follow the reasoning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from typing_extensions import TypedDict

from pydantic_ai.builtin_tools import AbstractBuiltinTool, CodeExecutionTool, WebSearchTool
from pydantic_ai.exceptions import UserError
from pydantic_ai.messages import BuiltinToolCallPart, BuiltinToolReturnPart, ModelResponsePart, ThinkingPart
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.secrets import declare_secret

from .model_names import is_compound_model, is_gpt_oss_model
from .settings import GroqModelSettings

__all__ = (
    'GroqToolResult',
    'COMPOUND_TOOLS',
    'LATEST_ONLY_TOOLS',
    'add_server_tools',
    'model_version',
    'executed_tool_parts',
    'has_result',
    'interleave',
    'tool_call_id',
)

from ._utils import JSON


class GroqToolResult(TypedDict, total=False):
    """The content of the `BuiltinToolReturnPart` of a tool Groq ran, keys as Groq sent them.

    It is the `executed_tools` entry, less its `index` and `arguments` (those are in the call part).
    """

    type: str
    """Groq's name for the kind of run: `search`, `python`, `visit`, `browser_automation`, `wolfram`, ..."""
    output: str | None
    """The run's output as text (what the model read)."""
    search_results: JSON
    """A search's results: `{"results": [{"title", "url", "content", "score"}], "images": [url, ...]}`."""
    code_results: list[JSON]
    """Code execution results: `[{"text", "png" (base64), "chart", "charts"}]`."""
    browser_results: list[JSON]
    """Browser runs: `[{"title", "url", "content", "live_view_url"}]`."""


COMPOUND_TOOLS: tuple[str, ...] = (
    'web_search',
    'visit_website',
    'code_interpreter',
    'browser_automation',
    'wolfram_alpha',
)
"""The tools a compound system can be allowed to run (`compound_custom.tools.enabled_tools`)."""
LATEST_ONLY_TOOLS = frozenset({'visit_website', 'browser_automation', 'wolfram_alpha'})
"""Compound tools that exist only in Groq's latest compound version (`Groq-Model-Version: latest`)."""

# Groq's `executed_tools[].type` -> the tool name of the parts: the core's built-in tool kinds where there is one,
# else Groq's compound tool name. Several spellings are accepted: not every kind has been seen in a recording.
_TOOL_NAMES: dict[str, str] = {
    'search': WebSearchTool.kind,
    'web_search': WebSearchTool.kind,
    'browser_search': WebSearchTool.kind,
    'browser.search': WebSearchTool.kind,
    'browser.open': WebSearchTool.kind,
    'browser.find': WebSearchTool.kind,
    'python': CodeExecutionTool.kind,
    'code_interpreter': CodeExecutionTool.kind,
    'code_execution': CodeExecutionTool.kind,
    'visit': 'visit_website',
    'visit_website': 'visit_website',
    'browser_automation': 'browser_automation',
    'wolfram': 'wolfram_alpha',
    'wolfram_alpha': 'wolfram_alpha',
}
_GPT_OSS_TOOLS = {WebSearchTool.kind: 'browser_search', CodeExecutionTool.kind: 'code_interpreter'}
_COMPOUND_KINDS = {WebSearchTool.kind: 'web_search', CodeExecutionTool.kind: 'code_interpreter'}
_STRUCTURED_MODES = ('native', 'json_object')
_SEARCH_KEYS = {'country': str, 'include_domains': list, 'exclude_domains': list, 'include_images': bool}
_CLOSE_TAG = '</tool>'


# -- request side ---------------------------------------------------------------------------------------------------


def add_server_tools(
    body: JSON, model_name: str, params: ModelRequestParameters, settings: GroqModelSettings
) -> list[JSON]:
    """Add the request's server-side tools to `body` and return the gpt-oss tool entries to offer in `tools`.

    Sets `compound_custom` and `search_settings` for a compound system (from the built-in tools and the
    `groq_compound_custom`/`groq_search_settings` settings); the returned entries (gpt-oss only) are for the caller
    to put in `tools`, next to the function tools.

    Raises:
        UserError: a built-in tool the model cannot run, one Groq documents as incompatible with the request, or a
            compound or search setting of the wrong shape (or for a model that does not take it).
    """
    kinds = _builtin_kinds(params.builtin_tools)
    compound_custom = settings.get('groq_compound_custom')
    search = settings.get('groq_search_settings')
    if not kinds and compound_custom is None and search is None:
        return []
    if is_gpt_oss_model(model_name):
        _refuse_setting(compound_custom, 'groq_compound_custom', model_name)
        _refuse_setting(search, 'groq_search_settings', model_name)
        return _gpt_oss_tools(kinds, params, model_name)
    if is_compound_model(model_name):
        custom = _compound_custom(compound_custom)
        enabled = custom.get('tools', {}).get('enabled_tools')
        for kind in kinds:
            wire = _COMPOUND_KINDS[kind]
            enabled = [wire] if enabled is None else enabled if wire in enabled else [*enabled, wire]
        if enabled is not None:
            custom.setdefault('tools', {})['enabled_tools'] = enabled
            _check_enabled(enabled, custom)
        if custom:
            body['compound_custom'] = custom
        search_settings = _search_settings(search, kinds.get(WebSearchTool.kind))
        if search_settings is not None:
            body['search_settings'] = search_settings
        return []
    _refuse_setting(compound_custom, 'groq_compound_custom', model_name)
    _refuse_setting(search, 'groq_search_settings', model_name)
    names = ', '.join(type(tool).__name__ for tool in kinds.values())
    raise UserError(
        f'Model {model_name!r} cannot run the built-in tool {names}: on Groq, web search (WebSearchTool) runs on '
        "'groq/compound', 'groq/compound-mini' and 'openai/gpt-oss-*' (browser search), code execution "
        "(CodeExecutionTool) on 'groq/compound', 'groq/compound-mini', 'openai/gpt-oss-20b' and -120b. Use one of "
        'them, or offer a function tool instead.'
    )


def model_version(settings: GroqModelSettings) -> str | None:
    """The `Groq-Model-Version` a request needs: `'latest'` when it enables a compound tool only that version has."""
    custom = settings.get('groq_compound_custom')
    tools = custom.get('tools') if isinstance(custom, Mapping) else None
    enabled = tools.get('enabled_tools') if isinstance(tools, Mapping) else None
    if isinstance(enabled, (list, tuple)) and LATEST_ONLY_TOOLS.intersection(enabled):
        return 'latest'
    return None


def _builtin_kinds(tools: Sequence[AbstractBuiltinTool]) -> dict[str, AbstractBuiltinTool]:
    kinds: dict[str, AbstractBuiltinTool] = {}
    for tool in tools:
        if not isinstance(tool, (WebSearchTool, CodeExecutionTool)):
            raise UserError(
                f'Groq cannot run the built-in tool {type(tool).__name__}; it runs WebSearchTool and CodeExecutionTool '
                '(on compound and gpt-oss models).'
            )
        if tool.kind in kinds:
            raise UserError(f'`builtin_tools` holds {type(tool).__name__} twice; offer each built-in tool once.')
        kinds[tool.kind] = tool
    return kinds


def _gpt_oss_tools(
    kinds: Mapping[str, AbstractBuiltinTool], params: ModelRequestParameters, model_name: str
) -> list[JSON]:
    entries: list[JSON] = []
    for kind, tool in kinds.items():
        if isinstance(tool, WebSearchTool):
            if tool.allowed_domains or tool.blocked_domains:
                raise UserError(
                    f"Browser search on {model_name!r} cannot filter domains; WebSearchTool's allowed_domains and "
                    "blocked_domains work with the compound systems ('groq/compound', 'groq/compound-mini')."
                )
            if params.output_mode in _STRUCTURED_MODES:
                raise UserError(
                    f'Groq documents browser search as incompatible with structured output: model {model_name!r} '
                    f"cannot use WebSearchTool with output_mode={params.output_mode!r}. Use the 'tool' or 'prompted' "
                    'output mode, or drop the built-in tool.'
                )
        elif 'safeguard' in model_name:
            raise UserError(
                f"Model {model_name!r} cannot run code (CodeExecutionTool); 'openai/gpt-oss-20b' and "
                "'openai/gpt-oss-120b' can, and so can the compound systems."
            )
        entries.append({'type': _GPT_OSS_TOOLS[kind]})
    return entries


def _refuse_setting(value: object, name: str, model_name: str) -> None:
    if value is not None:
        raise UserError(
            f"Setting `{name}` is for Groq's compound systems ('groq/compound', 'groq/compound-mini'); model "
            f'{model_name!r} does not take it.'
        )


def _compound_custom(value: object) -> JSON:
    """A checked copy of the `groq_compound_custom` setting (never echoing its values: the Wolfram key is a secret)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not set(value) <= {'models', 'tools'}:
        raise UserError(
            "Setting `groq_compound_custom` must be a dict with 'models' and/or 'tools' "
            f'(see GroqCompoundCustom), got {_shape(value)}.'
        )
    custom: JSON = {}
    models = value.get('models')
    if models is not None:
        if not isinstance(models, Mapping) or not set(models) <= {'answering_model', 'reasoning_model'}:
            raise UserError(
                "`groq_compound_custom['models']` must be a dict with 'answering_model' and/or 'reasoning_model', "
                f'got {_shape(models)}.'
            )
        for key, name in models.items():
            if not isinstance(name, str) or not name:
                raise UserError(f"`groq_compound_custom['models'][{key!r}]` must be a model name, got {name!r}.")
        custom['models'] = dict(models)
    tools = value.get('tools')
    if tools is not None:
        if not isinstance(tools, Mapping) or not set(tools) <= {'enabled_tools', 'wolfram_settings'}:
            raise UserError(
                "`groq_compound_custom['tools']` must be a dict with 'enabled_tools' and/or 'wolfram_settings', "
                f'got {_shape(tools)}.'
            )
        checked: JSON = {}
        enabled = tools.get('enabled_tools')
        if enabled is not None:
            if isinstance(enabled, str) or not isinstance(enabled, Iterable):
                raise UserError(f"`groq_compound_custom['tools']['enabled_tools']` must be a list, got {enabled!r}.")
            enabled = list(enabled)
            unknown = [name for name in enabled if name not in COMPOUND_TOOLS]
            if unknown:
                raise UserError(
                    f"Unknown compound tool(s) {unknown} in `groq_compound_custom`; Groq's compound tools are "
                    f'{", ".join(COMPOUND_TOOLS)}.'
                )
            checked['enabled_tools'] = enabled
        wolfram = tools.get('wolfram_settings')
        if wolfram is not None:
            key = wolfram.get('authorization') if isinstance(wolfram, Mapping) else None
            if not isinstance(wolfram, Mapping) or set(wolfram) != {'authorization'} or not isinstance(key, str):
                raise UserError(
                    "`groq_compound_custom['tools']['wolfram_settings']` must be {'authorization': <your Wolfram "
                    'Alpha API key>} (the value is not shown here: it is a secret).'
                )
            declare_secret(key)
            checked['wolfram_settings'] = {'authorization': key}
        custom['tools'] = checked
    return custom


def _check_enabled(enabled: Sequence[str], custom: JSON) -> None:
    if 'browser_automation' in enabled and 'web_search' not in enabled:
        raise UserError(
            "Groq's browser automation needs web search enabled too: add 'web_search' to "
            "`groq_compound_custom['tools']['enabled_tools']` (or offer WebSearchTool)."
        )
    if 'wolfram_alpha' in enabled and 'wolfram_settings' not in custom.get('tools', {}):
        raise UserError(
            "Groq's Wolfram Alpha tool needs your own Wolfram Alpha API key: set "
            "`groq_compound_custom['tools']['wolfram_settings'] = {'authorization': ...}`."
        )


def _search_settings(value: object, tool: AbstractBuiltinTool | None) -> JSON | None:
    settings: JSON = {}
    if value is not None:
        if not isinstance(value, Mapping) or not set(value) <= set(_SEARCH_KEYS):
            raise UserError(
                f'Setting `groq_search_settings` must be a dict with keys among {", ".join(_SEARCH_KEYS)}, '
                f'got {_shape(value)}.'
            )
        for key, item in value.items():
            expected = _SEARCH_KEYS[key]
            ok = isinstance(item, expected) and not (expected is not bool and isinstance(item, bool))
            if expected is list:
                ok = isinstance(item, (list, tuple)) and all(isinstance(d, str) for d in item)
                item = list(item) if ok else item
            if not ok:
                raise UserError(f"`groq_search_settings['{key}']` must be a {expected.__name__}, got {item!r}.")
            settings[key] = item
    if isinstance(tool, WebSearchTool):
        for key, domains in (('include_domains', tool.allowed_domains), ('exclude_domains', tool.blocked_domains)):
            if not domains:
                continue
            if key in settings and settings[key] != list(domains):
                raise UserError(
                    f"`groq_search_settings['{key}']` and WebSearchTool's domain filter disagree; set the domains "
                    'in one place.'
                )
            settings[key] = list(domains)
    if value is None and not settings:
        return None
    return settings


def _shape(value: object) -> str:
    """What a setting value is, without its content (it may hold a secret)."""
    if isinstance(value, Mapping):
        return f'a dict with keys {sorted(map(str, value))}'
    return f'a {type(value).__name__}'


# -- response side --------------------------------------------------------------------------------------------------


def tool_call_id(tool: Mapping[str, Any], position: int) -> str:
    """The id of a run's parts: `groq_executed_tool_<index>` (the position in the list when Groq gave no index)."""
    return f'groq_executed_tool_{tool.get("index", position)}'


def executed_tool_parts(
    tool: Mapping[str, Any], position: int, provider_name: str
) -> tuple[BuiltinToolCallPart, BuiltinToolReturnPart]:
    """One `executed_tools` entry as its call and return parts (see the module)."""
    kind = tool.get('type')
    name = _TOOL_NAMES.get(kind, kind) if isinstance(kind, str) and kind else 'unknown_tool'
    arguments = tool.get('arguments')
    args: str | dict[str, Any] | None = None
    if isinstance(arguments, dict):
        args = arguments
    elif isinstance(arguments, str):
        try:
            parsed = json.loads(arguments)
        except ValueError:
            parsed = None
        args = parsed if isinstance(parsed, dict) else arguments
    call_id = tool_call_id(tool, position)
    content = {key: value for key, value in tool.items() if key not in ('index', 'arguments')}
    return (
        BuiltinToolCallPart(name, args, call_id, provider_name),
        BuiltinToolReturnPart(name, content, call_id, provider_name),
    )


def has_result(tool: Mapping[str, Any]) -> bool:
    """Whether a (streamed) run's results have arrived: an `output`, or non-empty search, code or browser results.

    Groq announces a run with its arguments and an empty `search_results` before the run has finished.
    """
    if tool.get('output') is not None or tool.get('code_results') or tool.get('browser_results'):
        return True
    search = tool.get('search_results')
    return isinstance(search, Mapping) and bool(search.get('results') or search.get('images'))


def interleave(reasoning: str, runs: Sequence[ModelResponsePart], provider_name: str) -> list[ModelResponsePart]:
    """The reasoning as thinking parts with each run's call and return parts where the run happened (see the module).

    `runs` holds the call and return part of each run, in order (two parts per run).
    """
    parts: list[ModelResponsePart] = []
    start = 0
    search_from = 0
    placed = 0
    while placed < len(runs):
        close = reasoning.find(_CLOSE_TAG, search_from)
        if close < 0:
            break
        cut = close
        while cut > start and reasoning[cut - 1].isspace():
            cut -= 1
        if cut > start:
            parts.append(ThinkingPart(reasoning[start:cut], provider_name=provider_name))
        parts.extend(runs[placed : placed + 2])
        placed += 2
        start = cut
        search_from = close + len(_CLOSE_TAG)
    if start < len(reasoning):
        parts.append(ThinkingPart(reasoning[start:], provider_name=provider_name))
    parts.extend(runs[placed:])
    return parts
