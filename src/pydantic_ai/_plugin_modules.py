"""Import paths that plugins add under `pydantic_ai.models` and `pydantic_ai.providers`.

A plugin distribution can make `pydantic_ai.models.<name>` and `pydantic_ai.providers.<name>` importable
without the core shipping (or naming) any such module, by declaring entry points in the `pydantic_ai.modules`
group whose names are the path below `pydantic_ai` and whose values are the module to expose::

    [project.entry-points."pydantic_ai.modules"]
    "models.mygateway" = "mygateway_provider.model"

Importing `pydantic_ai.models.mygateway` then gives a module re-exporting that module's public names (its
`__all__`). When no installed distribution declares the path, the import fails with a `ModuleNotFoundError`
that says which plugin distribution to install. Real submodules of the core always win: this finder is
consulted last.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from importlib.abc import Loader

__all__ = ('MODULES_ENTRY_POINT_GROUP', 'install')

MODULES_ENTRY_POINT_GROUP = 'pydantic_ai.modules'
"""The entry-point group where plugins declare the import paths they add."""

_PREFIXES = ('pydantic_ai.models.', 'pydantic_ai.providers.')


# Duck-typed finder and loader: subclassing `importlib.abc` would import `importlib.resources` (~18 ms).
class _ReexportLoader:
    def __init__(self, target: str) -> None:
        self._target = target

    def create_module(self, spec: ModuleSpec) -> None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        target = importlib.import_module(self._target)
        names = getattr(target, '__all__', None)
        if names is None:
            names = [n for n in vars(target) if not n.startswith('_')]
        module.__dict__.update({n: getattr(target, n) for n in names})
        module.__all__ = list(names)  # type: ignore[attr-defined]
        module.__doc__ = target.__doc__


class _PluginModuleFinder:
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not fullname.startswith(_PREFIXES):
            return None
        relative = fullname[len('pydantic_ai.') :]
        if relative.count('.') != 1:
            return None
        found = _declared(relative)
        if not found:
            provider = relative.split('.', 1)[1]
            raise ModuleNotFoundError(
                f'No module named {fullname!r}: this import path is added by the plugin of the {provider!r} provider, '
                f'and no installed distribution provides it. Install that plugin (by convention '
                f'`pip install pydantic-ai-{provider.replace("_", "-")}`), or import from the plugin package directly.',
                name=fullname,
            )
        return ModuleSpec(fullname, cast('Loader', _ReexportLoader(found[0])))


def _declared(relative: str) -> list[str]:
    """The modules the installed distributions declare for `relative`, in `sys.path` order.

    Only the few distributions whose `entry_points.txt` names the group are parsed: this runs while the user's
    `import pydantic_ai.models.<name>` runs, and `metadata.entry_points()` would parse every distribution's
    entry points (twice as long in a development environment of some eighty distributions).
    """
    from importlib import metadata

    found: list[str] = []
    for distribution in metadata.distributions():
        text = distribution.read_text('entry_points.txt')
        if text and MODULES_ENTRY_POINT_GROUP in text:
            found.extend(
                ep.value
                for ep in distribution.entry_points
                if ep.group == MODULES_ENTRY_POINT_GROUP and ep.name == relative
            )
    return found


_finder = _PluginModuleFinder()


def install() -> None:
    """Put the finder at the end of `sys.meta_path` (once); `import pydantic_ai` does this."""
    if _finder not in sys.meta_path:
        sys.meta_path.append(_finder)
