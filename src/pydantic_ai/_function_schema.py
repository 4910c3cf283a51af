"""A tool's argument schema and validator, built from a Python function's signature and docstring.

The schema is the one the original API (pydantic-ai v0.0.40) builds, so that code and tests written for it see the
same tool definitions:

- Each parameter after a leading `RunContext` one is a property: its annotation is the type (`Any` when there is
  none), its title the parameter's name in title case, its description from an `Annotated[..., Field(...)]`
  annotation or else from the docstring. Parameters without a default are `required`; a default is not shown.
  The object has `additionalProperties: false`, or `true` when the function takes `**kwargs`.
- `*args: T` is a property named like the parameter, an array of `T`, passed by position.
- A function whose only parameter is a pydantic model, dataclass or `TypedDict` takes that type's schema as its
  own (title included): the model's arguments are its fields. The type's docstring becomes the tool's description
  when the function has none.
- Docstrings are read with griffe in the style given (`'google'`, `'numpy'`, `'sphinx'`), or in the style `'auto'`
  detects from the section markers (Google when it finds none). The description is the docstring's first text
  section; parameter descriptions come from its parameters section.

Fields are validated under internal names with the parameter's name as alias, so any parameter name works (`json`,
`_private` and `model_config` would otherwise clash with pydantic's own attributes).
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import re
import sys
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema
from typing_extensions import is_typeddict

from .exceptions import UserError

__all__ = (
    'FunctionSchema',
    'build_function_schema',
    'first_param_is_run_context',
    'doc_descriptions',
    'is_model_like',
    'json_schema_of',
)

DocstringStyle = Literal['google', 'numpy', 'sphinx']


class _SchemaWithoutFieldTitles(GenerateJsonSchema):
    """Field titles only repeat the parameter names; models read the names, so the titles are left out."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def json_schema_of(source: type[BaseModel] | TypeAdapter[Any]) -> dict[str, Any]:
    """The JSON schema (by alias) of a model class or type adapter, without its own title or field titles.

    For the `'native'`/`'prompted'` output modes' schemas; tool and result-tool schemas keep pydantic's titles.
    """
    if isinstance(source, TypeAdapter):
        schema = source.json_schema(by_alias=True, schema_generator=_SchemaWithoutFieldTitles)
    else:
        schema = source.model_json_schema(by_alias=True, schema_generator=_SchemaWithoutFieldTitles)
    schema.pop('title', None)
    return schema


_GENERIC_ALIAS: type[Any] = type(list[int])


def is_model_like(annotation: Any) -> bool:
    """Whether `annotation` is a pydantic model, dataclass or `TypedDict` class: a type with an object schema."""
    return (
        isinstance(annotation, type)
        and not isinstance(annotation, _GENERIC_ALIAS)
        and (issubclass(annotation, BaseModel) or dataclasses.is_dataclass(annotation) or is_typeddict(annotation))
    )


@dataclass
class FunctionSchema:
    """What the agent needs to call a function as a tool: its schema, its validator and how to pass arguments."""

    function: Callable[..., Any]
    """The function."""
    takes_ctx: bool
    """Whether the first argument is the `RunContext`."""
    is_async: bool
    """Whether calling the function returns an awaitable."""
    description: str | None
    """The docstring's description, `''` without one; `None` for a single-model tool with no description at all."""
    json_schema: dict[str, Any]
    """The arguments' JSON schema, an object schema."""
    validator: type[BaseModel] | TypeAdapter[Any]
    """Validates the arguments: a model whose fields are named `p0`, `p1`, ... with the parameters' names as
    aliases, or (a single-model tool) the parameter's type."""
    positional: tuple[str, ...] = ()
    """Internal field names of positional-only parameters, passed by position in this order."""
    keywords: dict[str, str] = dataclasses.field(default_factory=dict)
    """Internal field name to parameter name, for the parameters passed by keyword."""
    var_positional: str | None = None
    """The internal field name of `*args`, whose items are passed by position after the others."""
    var_keyword: TypeAdapter[Any] | None = None
    """Validates the extra arguments `**kwargs` takes (a `dict[str, T]`)."""
    single_arg: str | None = None
    """The parameter a single-model tool passes the validated model to."""
    single_arg_positional: bool = False
    """Whether that parameter is positional-only."""

    def validate(self, args: str | dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """Validate the model's arguments (a JSON string or a dict) into positional and keyword arguments.

        Raises:
            pydantic.ValidationError: the arguments do not match the signature.
        """
        if isinstance(self.validator, TypeAdapter):
            if isinstance(args, str):
                value = self.validator.validate_json(args or '{}')
            else:
                value = self.validator.validate_python(args)
            if self.single_arg_positional:
                return [value], {}
            return [], {typing.cast(str, self.single_arg): value}
        if isinstance(args, str):
            model = self.validator.model_validate_json(args or '{}')
        else:
            model = self.validator.model_validate(args)
        values = model.__dict__
        fields_set = model.model_fields_set
        positional = [values[name] for name in self.positional]
        if self.var_positional is not None:
            positional.extend(values[self.var_positional])
        keywords = {param: values[name] for name, param in self.keywords.items() if name in fields_set}
        if self.var_keyword is not None and model.__pydantic_extra__:
            keywords.update(self.var_keyword.validate_python(model.__pydantic_extra__))
        return positional, keywords


def build_function_schema(  # noqa: C901 (one branch per parameter kind, as the original reports them)
    function: Callable[..., Any],
    *,
    takes_ctx: bool | None,
    docstring_format: str = 'auto',
    require_parameter_descriptions: bool = False,
) -> FunctionSchema:
    """Build the schema of `function`'s arguments.

    Args:
        function: The tool function.
        takes_ctx: Whether its first parameter is the `RunContext`; detected from the annotation when `None`.
        docstring_format: `'google'`, `'numpy'`, `'sphinx'` or `'auto'`.
        require_parameter_descriptions: Fail when a parameter (other than the `RunContext`) has no description
            in the docstring.

    Raises:
        UserError: the signature cannot be a tool's: the message lists every problem, worded as the original API
            words them (`Error generating schema for <qualname>:` and one line per problem).
    """
    qualname = getattr(function, '__qualname__', getattr(function, '__name__', type(function).__name__))
    name = getattr(function, '__name__', type(function).__name__)
    signature = inspect.signature(function)
    hints = _type_hints(function)
    params = list(signature.parameters.values())
    if takes_ctx is None:
        takes_ctx = bool(params) and _is_run_context(hints.get(params[0].name, params[0].annotation))

    description, param_docs = doc_descriptions(function, docstring_format)
    errors: list[str] = []
    kept: list[tuple[inspect.Parameter, Any]] = []
    for index, param in enumerate(params):
        raw = param.annotation
        if raw is inspect.Parameter.empty:
            if takes_ctx and index == 0:
                continue  # the context, unannotated
            annotation: Any = Any
        else:
            annotation = hints.get(param.name, raw)
            is_ctx = _is_run_context(annotation)
            if index == 0 and takes_ctx:
                if not is_ctx:
                    errors.append('First parameter of tools that take context must be annotated with RunContext[...]')
                continue
            if is_ctx:
                errors.append(
                    'RunContext annotations can only be used with tools that take context'
                    if not takes_ctx
                    else 'RunContext annotations can only be used as the first argument'
                )
                continue
        kept.append((param, annotation))
    if require_parameter_descriptions:
        # The `RunContext` parameter needs none (the original API asked for one): the model never sees it.
        missing = [param.name for param, _ in kept if param.name not in param_docs]
        if missing:
            errors.append(f'Missing parameter descriptions for {", ".join(missing)}')
    if errors:
        error = UserError(f'Error generating schema for {qualname}:\n  ' + '\n  '.join(errors))
        # The message is the original API's, word for word (tests compare it); what to do goes in a note.
        if sys.version_info >= (3, 11):
            error.add_note(_SCHEMA_ERROR_HELP)
        else:  # the same attribute, which pytest and the `exceptiongroup` backport print
            vars(error)['__notes__'] = [_SCHEMA_ERROR_HELP]
        raise error

    plain = [(param, annotation) for param, annotation in kept if param.kind is not inspect.Parameter.VAR_KEYWORD]
    if len(kept) == 1 and len(plain) == 1 and plain[0][1] is not Any and is_model_like(plain[0][1]):
        param, annotation = plain[0]
        return _single_model_schema(function, takes_ctx, description, param, annotation, name)

    fields: dict[str, Any] = {}
    positional: list[str] = []
    keywords: dict[str, str] = {}
    var_positional: str | None = None
    var_keyword: TypeAdapter[Any] | None = None
    for index, (param, annotation) in enumerate(kept):
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            var_keyword = _build(name, lambda annotation=annotation: TypeAdapter(dict[str, annotation]))  # type: ignore[valid-type,misc]
            continue
        field_name = f'p{index}'
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            annotation = list[annotation]
        doc = param_docs.get(param.name)
        if doc is not None and not _has_description(annotation):
            annotation = Annotated[annotation, Field(description=doc)]
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[field_name] = (annotation, Field(default, alias=param.name))
        if param.kind is inspect.Parameter.POSITIONAL_ONLY:
            positional.append(field_name)
        elif param.kind is inspect.Parameter.VAR_POSITIONAL:
            var_positional = field_name
        else:
            keywords[field_name] = param.name

    config = ConfigDict(
        protected_namespaces=(),
        populate_by_name=False,
        arbitrary_types_allowed=False,
        extra='allow' if var_keyword is not None else 'forbid',
    )
    validator = _build(name, lambda: create_model(f'{name}_args', __config__=config, **fields))
    schema = _build(name, lambda: validator.model_json_schema(by_alias=True))
    schema.pop('title', None)
    schema.setdefault('properties', {})
    for prop in schema['properties'].values():
        prop.pop('default', None)  # the original shows which parameters are required, not their defaults
    schema['additionalProperties'] = var_keyword is not None
    return FunctionSchema(
        function=function,
        takes_ctx=takes_ctx,
        is_async=inspect.iscoroutinefunction(function),
        description=description,
        json_schema=schema,
        validator=validator,
        positional=tuple(positional),
        keywords=keywords,
        var_positional=var_positional,
        var_keyword=var_keyword,
    )


_SCHEMA_ERROR_HELP = (
    'A tool taking the RunContext has it as its first parameter, annotated `RunContext[...]`, and is registered '
    'with `@agent.tool` (or `Tool(f, takes_ctx=True)`); any other tool is registered with `@agent.tool_plain`. '
    'With `require_parameter_descriptions=True`, describe every other parameter in the docstring.'
)


def _single_model_schema(
    function: Callable[..., Any],
    takes_ctx: bool,
    description: str,
    param: inspect.Parameter,
    annotation: Any,
    name: str,
) -> FunctionSchema:
    adapter: TypeAdapter[Any] = _build(name, lambda: TypeAdapter(annotation))
    schema = _build(name, lambda: adapter.json_schema(by_alias=True))
    if '$ref' in schema and schema.get('type') != 'object':
        schema = {**schema.get('$defs', {}).get(schema['$ref'].rsplit('/', 1)[-1], schema)}
    tool_description: str | None = description
    if not description:
        tool_description = schema.pop('description', None)
    return FunctionSchema(
        function=function,
        takes_ctx=takes_ctx,
        is_async=inspect.iscoroutinefunction(function),
        description=tool_description,
        json_schema=schema,
        validator=adapter,
        single_arg=param.name,
        single_arg_positional=param.kind is inspect.Parameter.POSITIONAL_ONLY,
    )


_T = typing.TypeVar('_T')


def _build(name: str, make: Callable[[], _T]) -> _T:
    try:
        return make()
    except Exception as exc:  # pydantic's schema errors, for annotations it cannot validate
        raise UserError(f'Cannot build the argument schema of tool {name!r}: {exc}') from exc


def first_param_is_run_context(function: Callable[..., Any]) -> bool:
    """Whether the first parameter of `function` is annotated `RunContext` or `RunContext[...]`."""
    params = list(inspect.signature(function).parameters.values())
    if not params:
        return False
    return _is_run_context(_type_hints(function).get(params[0].name, params[0].annotation))


def doc_descriptions(function: Callable[..., Any], docstring_format: str = 'auto') -> tuple[str, dict[str, str]]:
    """The docstring's description (its first text section) and each documented parameter's description.

    Parsed with griffe, imported here so that importing the core does not load it.

    Raises:
        UserError: `docstring_format` is not one of `'google'`, `'numpy'`, `'sphinx'`, `'auto'`.
    """
    if docstring_format not in ('google', 'numpy', 'sphinx', 'auto'):
        raise UserError(f"`docstring_format` must be 'google', 'numpy', 'sphinx' or 'auto', got {docstring_format!r}.")
    doc = getattr(function, '__doc__', None)
    if not doc:
        return '', {}
    from griffe import Docstring, DocstringSectionKind

    style: DocstringStyle = (
        _infer_docstring_style(doc) if docstring_format == 'auto' else typing.cast(DocstringStyle, docstring_format)
    )
    with _quiet_griffe():
        sections = Docstring(doc, lineno=1, parser=style).parse()  # griffe dedents it
    params: dict[str, str] = {}
    description = ''
    for section in sections:
        if section.kind is DocstringSectionKind.parameters and not params:
            params = {p.name: p.description for p in section.value}
        elif section.kind is DocstringSectionKind.text and not description:
            description = section.value
    return description, params


# What marks each style, tried in this order; Google when none matches (the original API's inference).
_SPHINX_WORDS = (
    'param parameter arg argument key keyword type var ivar cvar vartype returns return rtype raises raise except '
    'exception'
).split()
_GOOGLE_WORDS = [
    'args',
    'arguments',
    'params',
    'parameters',
    'keyword args',
    'keyword arguments',
    'other args',
    'other arguments',
    'other params',
    'other parameters',
    'raises',
    'exceptions',
    'returns',
    'yields',
    'receives',
    'examples',
    'attributes',
    'functions',
    'methods',
    'classes',
    'modules',
    'warns',
    'warnings',
]
_NUMPY_WORDS = [
    'deprecated',
    'parameters',
    'other parameters',
    'returns',
    'yields',
    'receives',
    'raises',
    'warns',
    'attributes',
    'functions',
    'methods',
    'classes',
    'modules',
]
_STYLE_PATTERNS: list[tuple[re.Pattern[str], DocstringStyle]] = [
    (re.compile(r'\n[ \t]*:(?:' + '|'.join(_SPHINX_WORDS) + r')([ \t]+\w+)*:([ \t]+.+)?\n', re.I | re.M), 'sphinx'),
    (re.compile(r'\n[ \t]*(?:' + '|'.join(_GOOGLE_WORDS) + r'):([ \t]+.+)?\n[ \t]+.+', re.I | re.M), 'google'),
    (re.compile(r'\n[ \t]*(?:' + '|'.join(_NUMPY_WORDS) + r')\n[ \t]*---+\n', re.I | re.M), 'numpy'),
]


def _infer_docstring_style(doc: str) -> DocstringStyle:
    for pattern, style in _STYLE_PATTERNS:
        if pattern.search(doc):
            return style
    return 'google'


@contextmanager
def _quiet_griffe() -> Iterator[None]:
    # griffe warns about what a tool's docstring leaves out (a return type, say): not the tool author's problem.
    logger = logging.getLogger('griffe')
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _type_hints(function: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(function, include_extras=True)
    except Exception:
        # An annotation naming something only imported under TYPE_CHECKING: fall back to the raw annotations.
        return {}


def _is_run_context(annotation: Any) -> bool:
    from ._run_context import RunContext

    if annotation is RunContext or get_origin(annotation) is RunContext:
        return True
    if isinstance(annotation, str):
        return annotation == 'RunContext' or annotation.startswith('RunContext[')
    return False


def _has_description(annotation: Any) -> bool:
    if get_origin(annotation) is not Annotated:
        return False
    return any(isinstance(meta, FieldInfo) and meta.description for meta in annotation.__metadata__)
