"""A tool's argument schema and validator, built from a Python function's signature and docstring.

Each parameter (after a leading `RunContext` one) becomes a field of a pydantic model: its annotation is the type
(`Any` when there is none), its default the default, and its description comes from an `Annotated[..., Field(...)]`
annotation or else from the docstring (Google, NumPy or Sphinx style, parsed with `docstring_parser`). Fields are
stored under internal names with the parameter's name as alias, so any parameter name works (`json`, `_private`,
`model_config` would otherwise clash with pydantic's own attributes).
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model
from pydantic.fields import FieldInfo
from pydantic.json_schema import GenerateJsonSchema

from .exceptions import UserError

__all__ = (
    'FunctionSchema',
    'build_function_schema',
    'first_param_is_run_context',
    'doc_descriptions',
    'json_schema_of',
)


class _SchemaWithoutFieldTitles(GenerateJsonSchema):
    """Field titles only repeat the parameter names; models read the names, so the titles are left out."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def json_schema_of(source: type[BaseModel] | TypeAdapter[Any]) -> dict[str, Any]:
    """The JSON schema (by alias) of a model class or type adapter, without its own title or field titles."""
    if isinstance(source, TypeAdapter):
        schema = source.json_schema(by_alias=True, schema_generator=_SchemaWithoutFieldTitles)
    else:
        schema = source.model_json_schema(by_alias=True, schema_generator=_SchemaWithoutFieldTitles)
    schema.pop('title', None)
    return schema


@dataclass
class FunctionSchema:
    """What the agent needs to call a function as a tool: its schema, its validator and how to pass arguments."""

    function: Callable[..., Any]
    """The function."""
    takes_ctx: bool
    """Whether the first argument is the `RunContext`."""
    is_async: bool
    """Whether calling the function returns an awaitable."""
    description: str
    """The docstring's description (summary and body), or `''`."""
    json_schema: dict[str, Any]
    """The arguments' JSON schema, an object schema."""
    validator: type[BaseModel]
    """Validates the arguments; its fields are named `p0`, `p1`, ... with the parameters' names as aliases."""
    positional: tuple[str, ...]
    """Internal field names of positional-only parameters, passed by position in this order."""
    keywords: dict[str, str]
    """Internal field name to parameter name, for the parameters passed by keyword."""

    def validate(self, args: str | dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        """Validate the model's arguments (a JSON string or a dict) into positional and keyword arguments.

        Raises:
            pydantic.ValidationError: the arguments do not match the signature.
        """
        if isinstance(args, str):
            model = self.validator.model_validate_json(args or '{}')
        else:
            model = self.validator.model_validate(args)
        values = model.__dict__
        fields_set = model.model_fields_set
        positional = [values[name] for name in self.positional]
        keywords = {param: values[name] for name, param in self.keywords.items() if name in fields_set}
        return positional, keywords


def build_function_schema(
    function: Callable[..., Any],
    *,
    takes_ctx: bool | None,
    docstring_format: str = 'auto',
    require_parameter_descriptions: bool = False,
) -> FunctionSchema:
    """Build the schema of `function`'s arguments.

    Raises:
        UserError: the function takes `*args`/`**kwargs`, `takes_ctx` contradicts the first parameter's
            annotation, or (with `require_parameter_descriptions`) a parameter has no description.
    """
    name = getattr(function, '__name__', type(function).__name__)
    signature = inspect.signature(function)
    hints = _type_hints(function)
    params = list(signature.parameters.values())
    detected = bool(params) and _is_run_context(hints.get(params[0].name, params[0].annotation))
    if takes_ctx is None:
        takes_ctx = detected
    elif takes_ctx and not params:
        raise UserError(f'Tool {name!r} is declared to take a RunContext but has no parameters.')
    elif not takes_ctx and detected:
        raise UserError(
            f'The first parameter of {name!r} is a RunContext: register it with `@agent.tool` (or '
            '`Tool(..., takes_ctx=True)`), not `@agent.tool_plain`.'
        )
    if takes_ctx:
        params = params[1:]
    for param in params:
        if _is_run_context(hints.get(param.name, param.annotation)):
            raise UserError(f'RunContext must be the first parameter of {name!r}, found it on {param.name!r}.')

    description, param_docs = doc_descriptions(function, docstring_format)
    fields: dict[str, Any] = {}
    positional: list[str] = []
    keywords: dict[str, str] = {}
    for index, param in enumerate(params):
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            raise UserError(
                f'Tool {name!r} takes *{param.name} or **{param.name}: give it named parameters instead, '
                'so the model can be told their types.'
            )
        field_name = f'p{index}'
        annotation = hints.get(param.name, Any if param.annotation is inspect.Parameter.empty else param.annotation)
        doc = param_docs.get(param.name)
        if doc is None and require_parameter_descriptions and not _has_description(annotation):
            raise UserError(f'Parameter {param.name!r} of tool {name!r} has no description in the docstring.')
        default = ... if param.default is inspect.Parameter.empty else param.default
        if doc is not None and not _has_description(annotation):
            annotation = Annotated[annotation, Field(description=doc)]
        fields[field_name] = (annotation, Field(default, alias=param.name))
        if param.kind is inspect.Parameter.POSITIONAL_ONLY:
            positional.append(field_name)
        else:
            keywords[field_name] = param.name

    config = ConfigDict(protected_namespaces=(), populate_by_name=False, arbitrary_types_allowed=False)
    try:
        validator = create_model(f'{name}_args', __config__=config, **fields)
        schema = json_schema_of(validator)
    except Exception as exc:  # pydantic's schema errors, for annotations it cannot validate
        raise UserError(f'Cannot build the argument schema of tool {name!r}: {exc}') from exc
    schema.setdefault('properties', {})
    return FunctionSchema(
        function=function,
        takes_ctx=takes_ctx,
        is_async=inspect.iscoroutinefunction(function),
        description=description,
        json_schema=schema,
        validator=validator,
        positional=tuple(positional),
        keywords=keywords,
    )


def first_param_is_run_context(function: Callable[..., Any]) -> bool:
    """Whether the first parameter of `function` is annotated `RunContext` or `RunContext[...]`."""
    params = list(inspect.signature(function).parameters.values())
    if not params:
        return False
    return _is_run_context(_type_hints(function).get(params[0].name, params[0].annotation))


def doc_descriptions(function: Callable[..., Any], docstring_format: str = 'auto') -> tuple[str, dict[str, str]]:
    """The docstring's description and each parameter's description, in any of the supported styles."""
    doc = inspect.getdoc(function)
    if not doc:
        return '', {}
    import docstring_parser

    styles = {
        'google': docstring_parser.DocstringStyle.GOOGLE,
        'numpy': docstring_parser.DocstringStyle.NUMPYDOC,
        'sphinx': docstring_parser.DocstringStyle.REST,
        'auto': docstring_parser.DocstringStyle.AUTO,
    }
    style = styles.get(docstring_format)
    if style is None:
        raise UserError(f"`docstring_format` must be 'google', 'numpy', 'sphinx' or 'auto', got {docstring_format!r}.")
    try:
        parsed = docstring_parser.parse(doc, style)
    except docstring_parser.ParseError:
        return doc, {}
    description = '\n\n'.join(text for text in (parsed.short_description, parsed.long_description) if text)
    params = {p.arg_name: p.description for p in parsed.params if p.description}
    return description, params


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
