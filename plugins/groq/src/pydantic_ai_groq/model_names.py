"""Names of Groq models, and the catalogue of what Groq serves, has retired, and recommends instead.

Any string is accepted as a model name: Groq adds and retires models often, and the API is the authority
(`GET /openai/v1/models` lists what your key can use). The literal lists help editors complete names; the catalogue
(`GROQ_MODELS`, looked up with `groq_model_info`) gives each known model's status, shutdown date and replacement, so
that a retired model fails with an error naming the model to use instead (see `retired_model_hint`), a deprecated one
logs a warning when a `GroqModel` is created for it (`warn_if_deprecated`), and `pai models` shows both offline.

Sources, read on 2026-12-07 (no live page can be reached from where this was written):

- Groq's "Model Deprecation" page (https://console.groq.com/docs/deprecations), the copy whose newest entry is
  "September 21, 2026: groq/compound and groq/compound-mini": every shutdown date and recommended replacement below.
- Groq's "Supported Models" page (https://console.groq.com/docs/models), as clipped on 2026-10-01: which models are
  production and which preview; `llama-3.1-8b-instant` and `llama-3.3-70b-versatile` are still listed there, marked
  "Enterprise", priced "Contact Sales".
- The errors Groq sends for a retired model: HTTP 400 `model_decommissioned` ("The model `X` has been decommissioned
  and is no longer supported. Please refer to https://console.groq.com/docs/deprecations ...", reported for every
  retirement from 2025-01 on, e.g. github.com/atiilla/sqlmap-ai/issues/3), and, for the 2026-08-16 retirements,
  HTTP 404 `model_not_found` ("The model `llama-3.3-70b-versatile` does not exist or you do not have access to it.",
  github.com/ITSpecialist111/ai_automation_suggester/issues/187, 2026-08-18).

Decisions, where the sources disagree or are silent:

- The 2026 retirements of `llama-3.1-8b-instant`, `llama-3.3-70b-versatile`, `qwen/qwen3-32b`,
  `meta-llama/llama-4-scout-17b-16e-instruct` and `qwen/qwen3.6-27b` apply to free and developer tiers only
  (enterprise committed-spend contracts keep them). They are recorded as `decommissioned`, with
  `enterprise_keeps=True`: what almost every user of this library gets is the error. The models page's "Enterprise"
  rows for the two Llama models are read the same way.
- A replacement Groq named that was itself retired later is kept as Groq wrote it (`replacements`); the model to
  use today is found by following the chain to a model still served (`replacement_for`): `gemma2-9b-it` ->
  `llama-3.1-8b-instant` -> `openai/gpt-oss-20b`. Where Groq names two (`openai/gpt-oss-120b or qwen/qwen3.6-27b`),
  the first is the one named.
- `moonshotai/kimi-k2-instruct`: the 2025 page named `moonshotai/kimi-k2-instruct-0905`, the 2026 page
  `openai/gpt-oss-120b` (after the 0905 model was retired too); the newer page wins. Likewise
  `qwen-2.5-coder-32b`.
- `deepseek-r1-distill-llama-70b-specdec` appears twice (03/24/25 in its own entry, 04/14/25 in the April table);
  its own entry's date wins. `llava-v1.5-7b-4096-preview` and `llama-3.2-11b-text-preview`: the heading says
  October 18, 2024, the table 10/28/24; the table wins.
- `groq/compound` and `groq/compound-mini`: Groq names no replacement ("—"); so `replacements` is empty and the
  note points at `openai/gpt-oss-120b`, whose built-in browser search and code execution the models page lists.
- `compound-beta` and `compound-beta-mini` (the earlier names of the Compound systems, in the recordings) are not on
  the deprecations page: recorded as decommissioned with no date, since the systems they named are.
- Speech, text-to-speech and moderation models are in the catalogue too (they share the API and the model list).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Literal, TypeAlias

__all__ = (
    'LatestGroqModelNames',
    'GroqModelName',
    'ProductionGroqModelNames',
    'PreviewGroqModelNames',
    'GroqModelStatus',
    'GroqModelInfo',
    'GROQ_MODELS',
    'groq_model_info',
    'served_models',
    'replacement_for',
    'listing_note',
    'retired_model_hint',
    'warn_if_deprecated',
    'is_compound_model',
    'is_gpt_oss_model',
    'reasoning_efforts',
)

ProductionGroqModelNames = Literal[
    'openai/gpt-oss-120b',
    'openai/gpt-oss-20b',
    'whisper-large-v3',
    'whisper-large-v3-turbo',
]
"""Groq's production models on 2026-12-07: stable, for production use (the catalogue's `production` entries)."""

PreviewGroqModelNames = Literal[
    'qwen/qwen3.8-27b',
    'minimaxai/minimax-m2.7',
    'openai/gpt-oss-safeguard-20b',
    'meta-llama/llama-prompt-guard-2-22m',
    'meta-llama/llama-prompt-guard-2-86m',
    'canopylabs/orpheus-v1-english',
    'canopylabs/orpheus-arabic-saudi',
]
"""Groq's preview models on 2026-12-07: for evaluation, and may be retired at short notice."""

LatestGroqModelNames = Literal[
    ProductionGroqModelNames,
    PreviewGroqModelNames,
    # Names this list carried before, kept so code that names them still type-checks; Groq has retired them all
    # (see `GROQ_MODELS` for when, and what to use instead). The original API's list comes first.
    'llama-3.3-70b-versatile',
    'llama-3.3-70b-specdec',
    'llama-3.1-8b-instant',
    'llama-3.2-1b-preview',
    'llama-3.2-3b-preview',
    'llama-3.2-11b-vision-preview',
    'llama-3.2-90b-vision-preview',
    'llama3-70b-8192',
    'llama3-8b-8192',
    'mixtral-8x7b-32768',
    'gemma2-9b-it',
    'deepseek-r1-distill-llama-70b',
    'meta-llama/llama-guard-4-12b',
    'meta-llama/llama-4-maverick-17b-128e-instruct',
    'meta-llama/llama-4-scout-17b-16e-instruct',
    'moonshotai/kimi-k2-instruct',
    'moonshotai/kimi-k2-instruct-0905',
    'playai-tts',
    'playai-tts-arabic',
    'qwen/qwen3-32b',
    'groq/compound',
    'groq/compound-mini',
    'compound-beta',
    'compound-beta-mini',
]
"""Every Groq model name this release names: production, preview, and the earlier names it kept (all retired)."""

GroqModelName: TypeAlias = str | LatestGroqModelNames
"""A Groq model name: one of `LatestGroqModelNames`, or any other string Groq accepts."""

GroqModelStatus = Literal['production', 'preview', 'deprecated', 'decommissioned']
"""A model's place in Groq's lifecycle: served (`production`, `preview`), announced for shutdown (`deprecated`, still
served until its shutdown date), or no longer served (`decommissioned`)."""


@dataclass(frozen=True)
class GroqModelInfo:
    """What the catalogue knows of one Groq model."""

    name: str
    """The model ID, as requests name it."""
    status: GroqModelStatus
    """Its status when the catalogue was last compared with Groq's pages (2026-12-07); see `status_on`."""
    shutdown: date | None = None
    """The day Groq stops (or stopped) serving it, for `deprecated` and `decommissioned` models, when known."""
    replacements: tuple[str, ...] = ()
    """The models Groq recommends instead, in Groq's order (some since retired themselves: see `replacement_for`)."""
    enterprise_keeps: bool = False
    """Whether the retirement applies to free and developer tiers only: enterprise committed-spend contracts keep it."""
    note: str = ''
    """A short remark, such as what to use when Groq names no replacement."""

    def status_on(self, day: date) -> GroqModelStatus:
        """The status on `day`: a `deprecated` model is `decommissioned` from its shutdown date on."""
        if self.status == 'deprecated' and self.shutdown is not None and day >= self.shutdown:
            return 'decommissioned'
        return self.status

    def is_served_on(self, day: date) -> bool:
        """Whether Groq serves it on `day` (production, preview, or deprecated before its shutdown)."""
        return self.status_on(day) != 'decommissioned'


def _served(name: str, status: GroqModelStatus, note: str = '') -> GroqModelInfo:
    return GroqModelInfo(name, status, note=note)


def _retired(
    name: str, shutdown: str | None, *replacements: str, enterprise_keeps: bool = False, note: str = ''
) -> GroqModelInfo:
    day = date.fromisoformat(shutdown) if shutdown else None
    return GroqModelInfo(name, 'decommissioned', day, replacements, enterprise_keeps, note)


_TIERS = 'free and developer tiers (enterprise contracts keep it)'
_COMPOUND = 'openai/gpt-oss-120b has built-in browser search and code execution'
# Groq's first replacement for its vision models is text-only; the multimodal one is Qwen 3.8 27B.
_IMAGES = 'for images: qwen/qwen3.8-27b'

GROQ_MODELS: tuple[GroqModelInfo, ...] = (
    # Served on 2026-12-07 (models page, 2026-10-01).
    _served('openai/gpt-oss-120b', 'production'),
    _served('openai/gpt-oss-20b', 'production'),
    _served('whisper-large-v3', 'production'),
    _served('whisper-large-v3-turbo', 'production'),
    _served('qwen/qwen3.8-27b', 'preview'),
    _served('minimaxai/minimax-m2.7', 'preview', note='enterprise only'),
    _served('openai/gpt-oss-safeguard-20b', 'preview'),
    _served('meta-llama/llama-prompt-guard-2-22m', 'preview'),
    _served('meta-llama/llama-prompt-guard-2-86m', 'preview'),
    _served('canopylabs/orpheus-v1-english', 'preview'),
    _served('canopylabs/orpheus-arabic-saudi', 'preview'),
    # Retired, newest first (deprecations page).
    _retired('groq/compound', '2026-09-21', note=_COMPOUND),
    _retired('groq/compound-mini', '2026-09-21', note=_COMPOUND),
    _retired('qwen/qwen3.6-27b', '2026-09-14', 'qwen/qwen3.8-27b', enterprise_keeps=True),
    _retired('llama-3.1-8b-instant', '2026-08-16', 'openai/gpt-oss-20b', enterprise_keeps=True),
    _retired('llama-3.3-70b-versatile', '2026-08-16', 'openai/gpt-oss-120b', 'qwen/qwen3.6-27b', enterprise_keeps=True),
    _retired('qwen/qwen3-32b', '2026-07-17', 'openai/gpt-oss-120b', enterprise_keeps=True),
    _retired(
        'meta-llama/llama-4-scout-17b-16e-instruct',
        '2026-07-17',
        'openai/gpt-oss-120b',
        'qwen/qwen3.6-27b',
        enterprise_keeps=True,
        note=_IMAGES,
    ),
    _retired('moonshotai/kimi-k2-instruct-0905', '2026-04-15', 'openai/gpt-oss-120b'),
    _retired('meta-llama/llama-4-maverick-17b-128e-instruct', '2026-03-09', 'openai/gpt-oss-120b', note=_IMAGES),
    _retired('meta-llama/llama-guard-4-12b', '2026-03-05', 'openai/gpt-oss-safeguard-20b'),
    _retired('playai-tts', '2025-12-31', 'canopylabs/orpheus-v1-english'),
    _retired('playai-tts-arabic', '2025-12-31', 'canopylabs/orpheus-arabic-saudi'),
    _retired('moonshotai/kimi-k2-instruct', '2025-10-10', 'openai/gpt-oss-120b'),
    _retired('gemma2-9b-it', '2025-10-08', 'llama-3.1-8b-instant'),
    _retired('deepseek-r1-distill-llama-70b', '2025-10-02', 'llama-3.3-70b-versatile', 'openai/gpt-oss-120b'),
    _retired('llama3-70b-8192', '2025-08-30', 'llama-3.3-70b-versatile'),
    _retired('llama3-8b-8192', '2025-08-30', 'llama-3.1-8b-instant'),
    _retired('distil-whisper-large-v3-en', '2025-08-23', 'whisper-large-v3-turbo'),
    _retired('mistral-saba-24b', '2025-07-30', 'qwen/qwen3-32b'),
    _retired('qwen-qwq-32b', '2025-07-14', 'qwen/qwen3-32b'),
    _retired('llama-guard-3-8b', '2025-06-06', 'meta-llama/llama-guard-4-12b'),
    _retired('llama-3.2-1b-preview', '2025-04-14', 'llama-3.1-8b-instant'),
    _retired('llama-3.2-3b-preview', '2025-04-14', 'llama-3.1-8b-instant'),
    _retired('llama-3.2-11b-vision-preview', '2025-04-14', 'meta-llama/llama-4-scout-17b-16e-instruct', note=_IMAGES),
    _retired('llama-3.2-90b-vision-preview', '2025-04-14', 'meta-llama/llama-4-scout-17b-16e-instruct', note=_IMAGES),
    _retired('deepseek-r1-distill-qwen-32b', '2025-04-14', 'qwen-qwq-32b'),
    _retired('qwen-2.5-32b', '2025-04-14', 'qwen-qwq-32b', 'meta-llama/llama-4-scout-17b-16e-instruct'),
    _retired('qwen-2.5-coder-32b', '2025-04-14', 'qwen-qwq-32b', 'openai/gpt-oss-120b'),
    _retired(
        'llama-3.3-70b-specdec', '2025-04-14', 'meta-llama/llama-4-scout-17b-16e-instruct', 'llama-3.3-70b-versatile'
    ),
    _retired(
        'deepseek-r1-distill-llama-70b-specdec',
        '2025-03-24',
        'deepseek-r1-distill-llama-70b',
        'deepseek-r1-distill-qwen-32b',
    ),
    _retired('mixtral-8x7b-32768', '2025-03-20', 'mistral-saba-24b', 'llama-3.3-70b-versatile'),
    _retired('llama-3.1-70b-versatile', '2025-01-24', 'llama-3.3-70b-versatile'),
    _retired('llama-3.1-70b-specdec', '2025-01-24', 'llama-3.3-70b-specdec'),
    _retired('llama3-groq-8b-8192-tool-use-preview', '2025-01-06', 'llama-3.3-70b-versatile'),
    _retired('llama3-groq-70b-8192-tool-use-preview', '2025-01-06', 'llama-3.3-70b-versatile'),
    _retired('gemma-7b-it', '2024-12-18', 'gemma2-9b-it'),
    _retired('llama-3.2-90b-text-preview', '2024-11-25', 'llama-3.2-90b-vision-preview', 'llama-3.1-70b-versatile'),
    _retired('llava-v1.5-7b-4096-preview', '2024-10-28', 'llama-3.2-11b-vision-preview'),
    _retired('llama-3.2-11b-text-preview', '2024-10-28', 'llama-3.2-11b-vision-preview', 'llama-3.1-8b-instant'),
    # Not on the deprecations page: the earlier names of the Compound systems (see the module docs).
    _retired('compound-beta', None, note=_COMPOUND),
    _retired('compound-beta-mini', None, note=_COMPOUND),
)
"""Every model the catalogue knows, served ones first; compared with Groq's pages on 2026-12-07 (module docs)."""

_CATALOGUE = MappingProxyType({info.name: info for info in GROQ_MODELS})

_DEPRECATIONS_URL = 'https://console.groq.com/docs/deprecations'

logger = logging.getLogger(__name__)

_warned: set[str] = set()
"""Model names a deprecation warning was logged for in this process (one warning per name)."""


def groq_model_info(model_name: str) -> GroqModelInfo | None:
    """What the catalogue knows of `model_name`, or `None` for a name it does not know."""
    return _CATALOGUE.get(model_name)


def served_models(today: date | None = None) -> tuple[GroqModelInfo, ...]:
    """The catalogue's models Groq serves on `today` (default: the current date): production, preview, deprecated."""
    day = today or date.today()
    return tuple(info for info in GROQ_MODELS if info.is_served_on(day))


def replacement_for(model_name: str, today: date | None = None) -> str | None:
    """The model to use instead of `model_name`: the first of its replacements Groq serves on `today`.

    Replacements that were retired in turn are followed to theirs, nearest first (`llama3-70b-8192` ->
    `llama-3.3-70b-versatile` -> `openai/gpt-oss-120b`). `None` when the name is unknown, or no replacement of it
    is served.
    """
    info = _CATALOGUE.get(model_name)
    return _first_served(info, today or date.today()) if info is not None else None


def _first_served(info: GroqModelInfo, day: date) -> str | None:
    seen = {info.name}
    pending = list(info.replacements)
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.add(name)
        known = _CATALOGUE.get(name)
        if known is None or known.is_served_on(day):
            # A name Groq recommends but the catalogue does not know is taken as served: Groq named it.
            return name
        pending.extend(known.replacements)
    return None


def listing_note(info: GroqModelInfo, today: date | None = None) -> str:
    """A few words for model listings: the status, and for a model Groq retires, when and what to use instead.

    For example `production`, `preview: enterprise only` or `retired 2026-08-16: use openai/gpt-oss-120b`. Kept short
    so a listing fits a terminal: which tiers a retirement applies to, and replacements for images, are left to the
    error message (`retired_model_hint`).
    """
    day = today or date.today()
    status = info.status_on(day)
    if status in ('production', 'preview'):
        return f'{status}: {info.note}' if info.note else status
    instead = _first_served(info, day)
    use = f'use {instead}' if instead else 'no replacement named'
    when = f' {info.shutdown.isoformat()}' if info.shutdown else ''
    return f'deprecated, shuts down{when}: {use}' if status == 'deprecated' else f'retired{when}: {use}'


def retired_model_hint(model_name: str, today: date | None = None) -> str | None:
    """What to tell a user whose request for `model_name` failed because Groq retired it; `None` if it is not retired.

    One sentence naming the model to use instead (see `replacement_for`), for `ModelHTTPError`'s message and `pai`:
    `Model 'llama-3.3-70b-versatile' is retired: Groq shut it down on 2026-08-16 for free and developer tiers
    (enterprise contracts keep it); use 'openai/gpt-oss-120b' instead.`
    """
    day = today or date.today()
    info = _CATALOGUE.get(model_name)
    if info is None or info.status_on(day) != 'decommissioned':
        return None
    return f'Model {model_name!r} is retired: Groq shut it down{_when_and_whom(info)}{_instead(info, day)}.'


def _when_and_whom(info: GroqModelInfo) -> str:
    when = f' on {info.shutdown.isoformat()}' if info.shutdown else ''
    return when + (f' for {_TIERS}' if info.enterprise_keeps else '')


def _instead(info: GroqModelInfo, day: date) -> str:
    instead = _first_served(info, day)
    if instead is not None:
        return f'; use {instead!r} instead' + (f' ({info.note})' if info.note else '')
    remark = f'; {info.note}' if info.note else ''
    return f'; Groq names no replacement{remark} (see {_DEPRECATIONS_URL})'


def warn_if_deprecated(model_name: str, today: date | None = None) -> bool:
    """Log one warning (per model name, per process) if Groq has announced a shutdown date for `model_name`.

    Called when a `GroqModel` is created (decided: at creation rather than at the first request, so the warning
    comes before any traffic and nothing is added per request). A model already retired gets no warning: its
    requests fail with an error naming the replacement (and an enterprise contract may still serve it).

    Returns:
        Whether this call logged the warning.
    """
    day = today or date.today()
    info = _CATALOGUE.get(model_name)
    if info is None or info.status_on(day) != 'deprecated' or model_name in _warned:
        return False
    _warned.add(model_name)
    instead = _first_served(info, day)
    then = f'; move to {instead!r} before then' if instead is not None else _instead(info, day)
    logger.warning('Groq model %r is deprecated: Groq shuts it down%s%s.', model_name, _when_and_whom(info), then)
    return True


_REASONING_FAMILIES = ('gpt-oss', 'qwen3', 'qwq', 'deepseek-r1', 'compound')
"""Model families on Groq that reason (their names after any `vendor/` prefix start with one of these)."""


def is_reasoning_model(model_name: str) -> bool:
    """Whether `model_name` is a model that reasons, and so takes its earlier reasoning back in `reasoning`.

    Decided from the name (`openai/gpt-oss-*`, `qwen/qwen3-*`, `qwen-qwq-*`, `deepseek-r1-*`, `groq/compound*`,
    `compound-beta*`), because the API does not say; an unknown name counts as not reasoning.
    """
    base = _base_name(model_name)
    return base.startswith(_REASONING_FAMILIES) or base.startswith('qwen-qwq')


def _base_name(model_name: str) -> str:
    """The name after any `vendor/` prefix, lowercased: what the family checks below look at."""
    return model_name.rpartition('/')[2].lower()


def is_compound_model(model_name: str) -> bool:
    """Whether `model_name` is one of Groq's compound systems (`groq/compound`, `groq/compound-mini`, `compound-beta*`).

    Compound systems run Groq's server-side tools on their own and take `compound_custom`.
    """
    return _base_name(model_name).startswith('compound')


def is_gpt_oss_model(model_name: str) -> bool:
    """Whether `model_name` is one of OpenAI's gpt-oss models on Groq (`openai/gpt-oss-120b`, `-20b`, `-safeguard-20b`).

    They run Groq's `browser_search` and (except the safeguard model) `code_interpreter` tools when offered.
    """
    return _base_name(model_name).startswith('gpt-oss')


def reasoning_efforts(model_name: str) -> tuple[str, ...] | None:
    """The `reasoning_effort` values Groq documents for the model's family; `None` for a family it says nothing of.

    gpt-oss: `low`, `medium`, `high`. qwen3: `none`, `default` (qwen3.8 also `low`, `medium`, `high`). Decided from
    the name, as `is_reasoning_model`.
    """
    base = _base_name(model_name)
    if base.startswith('gpt-oss'):
        return ('low', 'medium', 'high')
    if base.startswith('qwen3.8'):
        return ('none', 'default', 'low', 'medium', 'high')
    if base.startswith('qwen3'):
        return ('none', 'default')
    return None
