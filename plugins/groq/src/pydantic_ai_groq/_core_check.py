"""Fail at import, clearly, when the `pydantic_ai` package Python finds is not pydantic-ai-core's.

`pydantic-ai-core` owns the `pydantic_ai` import name, as the original API's import paths require, and so do
`pydantic-ai` and `pydantic-ai-slim`. Installing one of those into the same environment silently replaces the
core's files (`pip check` sees nothing), and this plugin would then fail deep inside with a message from the other
project. `pydantic_ai_groq` imports this module first: it checks the core's marker, `pydantic_ai.CORE_DISTRIBUTION`
(one attribute lookup), and only when that is missing or the core's version is outside the range this plugin was
built for does it look at the installed distributions to say which one owns `pydantic_ai` now and what to do.
"""

from __future__ import annotations

from typing import NoReturn

__all__ = ('check_core',)

_CORE = 'pydantic-ai-core'
_SUPPORTED = ('0.1.',)
"""Core versions this plugin works with (its `pydantic-ai-core>=0.1.0,<0.2` requirement)."""


def _owners(package: str) -> list[str]:
    """Installed distributions other than the core that ship files of `package`, as `name version`."""
    from importlib import metadata

    found: set[str] = set()
    for dist in metadata.distributions():
        name = dist.metadata['Name'] or ''
        if name.lower().replace('_', '-') != _CORE and any(f.parts[:1] == (package,) for f in dist.files or ()):
            found.add(f'{name} {dist.version}')
    return sorted(found)


def _fail(where: str, cause: BaseException | None) -> NoReturn:
    owners = _owners('pydantic_ai')
    if owners:
        names = ' '.join(owner.split(' ')[0] for owner in owners)
        message = (
            f"The `pydantic_ai` package Python imports ({where}) is not pydantic-ai-core's: {', '.join(owners)} "
            "also installs the `pydantic_ai` import name and has replaced the core's files. pydantic-ai-groq needs "
            f'pydantic-ai-core. Use a separate virtual environment for {names}, or run `pip uninstall -y {names}` '
            'and then `pip install --force-reinstall pydantic-ai-core`.'
        )
    else:
        message = (
            f"The `pydantic_ai` package Python imports ({where}) is not pydantic-ai-core's, or not a version this "
            'pydantic-ai-groq works with (pydantic-ai-core>=0.1.0,<0.2). Run '
            '`pip install --force-reinstall "pydantic-ai-core>=0.1.0,<0.2"`.'
        )
    raise ImportError(message, name='pydantic_ai') from cause


def check_core() -> None:
    """Raise `ImportError` saying what to do when `pydantic_ai` is not a pydantic-ai-core this plugin supports."""
    try:
        import pydantic_ai
    except Exception as exc:  # the other project's package may fail to import in any way
        _fail('it fails to import', exc)
    where = str(getattr(pydantic_ai, '__file__', None) or 'a namespace package')
    if getattr(pydantic_ai, 'CORE_DISTRIBUTION', None) != _CORE:
        _fail(where, None)
    if not str(getattr(pydantic_ai, '__version__', '')).startswith(_SUPPORTED):
        _fail(f'{where}, version {pydantic_ai.__version__}', None)


check_core()
