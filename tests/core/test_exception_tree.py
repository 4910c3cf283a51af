"""The drawing at the top of `pydantic_ai.exceptions` is the truth: every class in it has the parent drawn, every
exception class the module defines is drawn, and every exception class the project raises (core and Groq plugin,
found in the source with `ast`) is drawn, or is one of the few internal ones that never leave the module raising it.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import pydantic_ai
import pydantic_ai.exceptions
import pydantic_ai_groq

SOURCES = (Path(pydantic_ai.__file__).parent, Path(pydantic_ai_groq.__file__).parent)

OUTSIDE_THE_TREE = {'ModelRetry', 'CassetteMismatchError'}
"""Drawn below the tree: not errors of this library (`ModelRetry`), or not a `PydanticAIError` on purpose."""

INTERNAL = {
    'ParserExit': 'pai: argparse asked to exit after --help; caught by the command line',
    'ModelsEndpointError': "pai models: the provider's model list could not be fetched; caught, the built-in list",
    '_LineError': 'pai batch: a batch item error re-told with its line number; caught, printed',
    '_HTTPError': "the Groq test server's Files and Batches endpoints: becomes an HTTP error response",
    'BadRequest': "the Groq test server's HTTP reader: becomes a 400 response",
}
"""Raised and caught inside one module of the project; never seen by a caller. Name: where it is caught."""

_TREE_LINE = re.compile(r'^(?P<prefix>[ │├└─]*)(?P<name>[A-Z]\w+)')


DOC_LINES = (pydantic_ai.exceptions.__doc__ or '').splitlines()


def drawing() -> dict[str, str | None]:
    """Each class drawn in the tree, with its drawn parent (`None` for the root and the classes below the tree)."""
    doc = pydantic_ai.exceptions.__doc__ or ''
    block = doc.split('```text\n', 1)[1].split('```', 1)[0]
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in block.splitlines():
        match = _TREE_LINE.match(line)
        if match is None:
            continue
        name, depth = match['name'], len(match['prefix'])
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack and match['prefix'] else None
        if match['prefix'] or name == 'RuntimeError':
            stack.append((depth, name))
    return parents


def raised_exception_classes() -> dict[str, type[BaseException]]:
    """Every project-defined exception class named by a `raise` statement in the core or the Groq plugin."""
    found: dict[str, type[BaseException]] = {}
    for root in SOURCES:
        for path in sorted(root.rglob('*.py')):
            parts = [root.name, *path.relative_to(root).with_suffix('').parts]
            if parts[-1] == '__main__':
                continue
            if parts[-1] == '__init__':
                parts.pop()
            module = importlib.import_module('.'.join(parts))
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.Raise) or node.exc is None:
                    continue
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if not isinstance(target, ast.Name):
                    continue
                value = getattr(module, target.id, None)
                if (
                    isinstance(value, type)
                    and issubclass(value, BaseException)
                    and value.__module__.split('.')[0] in ('pydantic_ai', 'pydantic_ai_groq')
                ):
                    found[value.__name__] = value
    return found


def test_the_drawing_is_parsed_as_a_tree() -> None:
    parents = drawing()
    assert parents['PydanticAIError'] == 'RuntimeError'
    assert parents['ModelTimeoutError'] == 'ModelConnectionError'
    assert parents['BatchItemUnfinished'] == 'ModelAPIError'
    assert parents['CassetteSecretError'] == 'CassetteError'
    assert parents['ModelRetry'] is None and parents['CassetteMismatchError'] is None


def test_every_drawn_class_has_the_drawn_parent() -> None:
    for name, parent in drawing().items():
        if name == 'RuntimeError' or name in OUTSIDE_THE_TREE:
            continue
        cls = getattr(pydantic_ai.exceptions, name)
        assert parent is not None, name
        expected = RuntimeError if parent == 'RuntimeError' else getattr(pydantic_ai.exceptions, parent)
        assert cls.__bases__[0] is expected, name
        # A second base is only ever the builtin the original API raised, and the drawing says so ("also a ...").
        for extra in cls.__bases__[1:]:
            assert extra.__module__ == 'builtins', name
            line = next(line for line in DOC_LINES if f' {name} ' in line)
            assert line.rstrip().endswith(f' {extra.__name__}') and ' also a' in line, name


def test_every_exception_class_of_the_exceptions_module_is_drawn_and_exported() -> None:
    defined = {
        name
        for name, value in vars(pydantic_ai.exceptions).items()
        if isinstance(value, type) and issubclass(value, BaseException) and value.__module__ == 'pydantic_ai.exceptions'
    }
    assert defined <= set(drawing())
    assert defined == set(pydantic_ai.exceptions.__all__)


def test_the_class_drawn_outside_the_module_is_the_pytest_failure_of_the_cassette_plugin() -> None:
    from pydantic_ai.testing._vcr import CassetteMismatchError

    assert issubclass(CassetteMismatchError, pytest.fail.Exception)
    assert not issubclass(CassetteMismatchError, Exception)  # not retried by SDKs that retry on any Exception


def test_every_raised_project_exception_is_drawn_or_internal() -> None:
    raised = raised_exception_classes()
    drawn = set(drawing())

    assert {'CliError', 'BatchItemError', 'PromptFileError', 'CassetteSecretError'} <= set(raised)
    assert set(raised) - drawn == set(INTERNAL)


def test_internal_exceptions_are_not_public() -> None:
    for name, cls in raised_exception_classes().items():
        if name not in INTERNAL:
            continue
        module = importlib.import_module(cls.__module__)
        private = name.startswith('_') or any(part.startswith('_') for part in cls.__module__.split('.'))
        assert private or name not in getattr(module, '__all__', ()), name
