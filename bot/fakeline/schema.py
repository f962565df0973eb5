"""Validate Messaging API requests against LINE's official OpenAPI spec (shared/line-openapi/).

The spec's ``discriminator``s are annotations only: plain JSON-schema validation lets
``{"type": "text"}`` without ``text`` through (shared/domain/LINE.md, "Checking requests against the
official schema"). So every discriminated base schema ``B`` is rewritten into a ``oneOf`` over its
mapped subtypes, each subtype pinned to its discriminator value. Subtypes inherit from the base via
``allOf: [$ref B, ...]``; those references are pointed at ``B__base`` (the original base without the
expansion), otherwise ``B -> oneOf[S] -> allOf[B] -> ...`` would never terminate.
"""

from __future__ import annotations

import copy
import functools
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import jsonschema
import referencing
import referencing.jsonschema
import yaml

__all__ = [
    "SpecNotFoundError",
    "find_spec_dir",
    "messaging_schema",
    "preload",
    "spec_document",
    "validate_request",
    "validate_request_details",
    "webhook_event_schema",
    "webhook_schema",
]

MESSAGING_SPEC = "messaging-api.yml"
WEBHOOK_SPEC = "webhook.yml"
_SCHEMAS = "#/components/schemas/"
_BASE_SUFFIX = "__base"
_DISCRIMINATOR_KEY = "x-discriminator"  # our annotation on expanded bases, for readable errors
_MAX_MESSAGE = 200


_load_lock = threading.RLock()


P = ParamSpec("P")
R = TypeVar("R")


def _cached(fn: Callable[P, R]) -> Callable[P, R]:
    """functools.cache, serialised: many server threads hitting a cold cache must parse once."""
    cached = functools.cache(fn)

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with _load_lock:
            return cached(*args, **kwargs)

    return wrapper


class SpecNotFoundError(RuntimeError):
    """The LINE OpenAPI spec directory could not be located."""


def find_spec_dir() -> Path:
    """Return the directory holding LINE's OpenAPI files.

    ``$LINE_OPENAPI_DIR`` wins; otherwise walk up from this file and take the first
    ``<ancestor>/shared/line-openapi/`` that contains ``messaging-api.yml`` (the repository and
    ``shared/`` are siblings, both locally and in CI). Raises :class:`SpecNotFoundError` naming every
    place searched: a missing spec must fail tests loudly, never silently skip validation.
    """
    env = os.environ.get("LINE_OPENAPI_DIR")
    if env:
        path = Path(env)
        if (path / MESSAGING_SPEC).is_file():
            return path
        raise SpecNotFoundError(f"LINE_OPENAPI_DIR={env!r} does not contain {MESSAGING_SPEC}")
    searched = []
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "line-openapi"
        searched.append(str(candidate))
        if (candidate / MESSAGING_SPEC).is_file():
            return candidate
    raise SpecNotFoundError(
        f"LINE OpenAPI spec ({MESSAGING_SPEC}) not found; set LINE_OPENAPI_DIR or place "
        f"shared/line-openapi/ beside the repository. Searched: {', '.join(searched)}"
    )


@_cached
def spec_document(name: str = MESSAGING_SPEC) -> dict[str, Any]:
    """Load one spec file with discriminators expanded (cached; treat the result as read-only)."""
    with open(find_spec_dir() / name, encoding="utf-8") as fh:
        doc = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loaders
    _expand_discriminators(doc["components"]["schemas"], source=name)
    _convert_nullable(doc)
    return doc


def _ref_name(ref: str) -> str:
    if not ref.startswith(_SCHEMAS):
        raise ValueError(f"unsupported $ref {ref!r} (only local component schemas are used)")
    return ref[len(_SCHEMAS) :]


def _expand_discriminators(schemas: dict[str, Any], *, source: str) -> None:
    bases = {name: s for name, s in schemas.items() if isinstance(s.get("discriminator"), dict)}
    for base_name, base in bases.items():
        disc = base["discriminator"]
        prop = disc["propertyName"]
        mapping: dict[str, str] = disc.get("mapping") or {}
        if not mapping:
            continue
        raw = {k: v for k, v in base.items() if k != "discriminator"}
        schemas[base_name + _BASE_SUFFIX] = raw
        values_by_subtype: dict[str, list[str]] = {}
        for value, ref in mapping.items():
            sub = _ref_name(ref)
            if sub not in schemas:
                raise ValueError(f"{source}: {base_name} maps {value!r} to missing schema {sub}")
            values_by_subtype.setdefault(sub, []).append(value)
        branches: list[dict[str, Any]] = []
        branch_index: dict[str, int] = {}
        for sub, values in values_by_subtype.items():
            sub_schema = schemas[sub]
            all_of = sub_schema.setdefault("allOf", [])
            for part in all_of:
                if part.get("$ref") == _SCHEMAS + base_name:
                    part["$ref"] = _SCHEMAS + base_name + _BASE_SUFFIX
            # Pin the subtype to its discriminator value(s), wherever it is referenced from.
            all_of.append({"required": [prop], "properties": {prop: {"enum": values}}})
            for value in values:
                branch_index[value] = len(branches)
            branches.append({"$ref": _SCHEMAS + sub})
        schemas[base_name] = {
            "oneOf": branches,
            _DISCRIMINATOR_KEY: {"propertyName": prop, "branches": branch_index},
        }


def _convert_nullable(node: Any) -> None:
    """OpenAPI 3.0 ``nullable: true`` -> JSON-schema ``type: [t, "null"]``."""
    if isinstance(node, dict):
        if node.pop("nullable", False) is True:
            if isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            if isinstance(node.get("enum"), list) and None not in node["enum"]:
                node["enum"] = [*node["enum"], None]
        for value in node.values():
            _convert_nullable(value)
    elif isinstance(node, list):
        for value in node:
            _convert_nullable(value)


_URI = "urn:line-openapi:"


@_cached
def _registry() -> referencing.Registry:
    spec = referencing.jsonschema.DRAFT4  # OpenAPI 3.0 schema objects follow draft 4/5 semantics
    return referencing.Registry().with_resources(
        (_URI + name, referencing.Resource(contents=spec_document(name), specification=spec))
        for name in (MESSAGING_SPEC, WEBHOOK_SPEC)
    )


@_cached
def _validator(spec: str, schema_name: str) -> jsonschema.Draft4Validator:
    if schema_name not in spec_document(spec)["components"]["schemas"]:
        raise KeyError(f"{spec} has no schema {schema_name!r}")
    # No format checker: the spec's formats (int64, uri, even a regex in `format`) are hints.
    return jsonschema.Draft4Validator({"$ref": f"{_URI}{spec}{_SCHEMAS}{schema_name}"}, registry=_registry())


def preload() -> None:
    """Load and compile both specs now (fails fast with :class:`SpecNotFoundError`)."""
    _registry()
    _path_table()


def messaging_schema(schema_name: str) -> jsonschema.Draft4Validator:
    """A validator for one component schema of messaging-api.yml (e.g. ``"Message"``)."""
    return _validator(MESSAGING_SPEC, schema_name)


# -- paths ---------------------------------------------------------------------------------------


@_cached
def _path_table() -> list[tuple[re.Pattern[str], int, str]]:
    table = []
    for template in spec_document(MESSAGING_SPEC)["paths"]:
        segments = template.strip("/").split("/")
        literal = sum(1 for s in segments if not s.startswith("{"))
        regex = "/" + "/".join("[^/]+" if s.startswith("{") else re.escape(s) for s in segments)
        table.append((re.compile(regex + "/?"), literal, template))
    return table


def match_path(path: str) -> str | None:
    """Map a concrete path (``/v2/bot/richmenu/list``) to its spec template, literals first."""
    path = path.split("?", 1)[0]
    hits = [(literal, template) for regex, literal, template in _path_table() if regex.fullmatch(path)]
    return max(hits)[1] if hits else None


def _request_schema_name(method: str, path: str) -> tuple[str | None, list[tuple[str, str]]]:
    template = match_path(path)
    if template is None:
        return None, [("", f"unknown path {path.split('?', 1)[0]!r} (not in {MESSAGING_SPEC})")]
    operation = spec_document(MESSAGING_SPEC)["paths"][template].get(method.lower())
    if not isinstance(operation, dict):
        return None, [("", f"method {method.upper()} not allowed on {template}")]
    content = (operation.get("requestBody") or {}).get("content") or {}
    json_body = content.get("application/json")
    if json_body is None:
        return None, []  # no body, or a binary one (rich-menu image): nothing to validate
    return _ref_name(json_body["schema"]["$ref"]), []


def validate_request_details(method: str, path: str, body: Any) -> list[tuple[str, str]]:
    """Like :func:`validate_request` but returns ``(property, message)`` pairs, LINE-style."""
    schema_name, errors = _request_schema_name(method, path)
    if errors or schema_name is None:
        return errors
    if body is None:
        return [("", "request body must be JSON")]
    return list(_describe_all(messaging_schema(schema_name).iter_errors(body)))


def validate_request(method: str, path: str, body: Any) -> list[str]:
    """Validate one Messaging API request against messaging-api.yml.

    ``body`` is the parsed JSON body (``None`` if there was none or it was not JSON). Returns
    readable errors, ``[]`` when valid. An unknown path or method is an error; operations whose
    body is not JSON (the rich-menu image upload) are not checked here.
    """
    return [f"{prop}: {msg}" if prop else msg for prop, msg in validate_request_details(method, path, body)]


# -- readable errors -------------------------------------------------------------------------------


def _property(error: jsonschema.ValidationError) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe_all(errors: Iterable[jsonschema.ValidationError]) -> Iterator[tuple[str, str]]:
    for error in errors:
        yield from _describe(error)


def _describe(error: jsonschema.ValidationError) -> Iterator[tuple[str, str]]:
    prop = _property(error)
    disc = error.schema.get(_DISCRIMINATOR_KEY) if isinstance(error.schema, dict) else None
    if error.validator == "oneOf" and disc:
        key, branches = disc["propertyName"], disc["branches"]
        value = error.instance.get(key) if isinstance(error.instance, dict) else None
        if not isinstance(error.instance, dict):
            yield prop, f"must be an object, got {_short(error.instance)}"
        elif value not in branches:
            what = "missing" if value is None else f"unknown {_short(value)}"
            yield _join(prop, key), f"{what}; expected one of {sorted(branches)}"
        else:
            chosen = [e for e in error.context or () if e.relative_schema_path[0] == branches[value]]
            yield from _describe_all(chosen) if chosen else [(prop, "does not match its type")]
        return
    if error.validator in ("maxLength", "minLength"):
        word = "longer" if error.validator == "maxLength" else "shorter"
        yield prop, f"{word} than {error.validator_value} characters"
    elif error.validator in ("maxItems", "minItems"):
        word = "more" if error.validator == "maxItems" else "fewer"
        yield prop, f"{word} than {error.validator_value} items"
    else:
        message = error.message
        yield prop, message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


def _join(prop: str, key: str) -> str:
    return f"{prop}.{key}" if prop else key


# -- webhook ------------------------------------------------------------------------------------

_ANNOTATIONS = {"description", "externalDocs", "example", "examples", "discriminator", "title"}


def _inline(node: Any, schemas: dict[str, Any], stack: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(v, schemas, stack) for v in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = _ref_name(node["$ref"])
        if name in stack:
            raise ValueError(f"recursive schema {' -> '.join((*stack, name))} cannot be inlined")
        return _inline(schemas[name], schemas, (*stack, name))
    out = {}
    for key, value in node.items():
        if key in _ANNOTATIONS or key.startswith("x-"):
            continue
        if key == "format" and value not in ("date-time", "uri", "email", "uuid"):
            continue  # int64/double etc. are storage hints, not JSON-schema formats
        if key == "properties":
            out[key] = {k: _inline(v, schemas, stack) for k, v in value.items()}
        else:
            out[key] = _inline(value, schemas, stack)
    return out


@_cached
def _webhook_schema(name: str) -> dict[str, Any]:
    schemas = spec_document(WEBHOOK_SPEC)["components"]["schemas"]
    if name not in schemas:
        raise KeyError(f"{WEBHOOK_SPEC} has no schema {name!r}")
    schema = _inline(schemas[name], schemas, (name,))
    # Draft 7, not 4: the content is the same, but hypothesis-jsonschema canonicalises single-value
    # enums to `const`, which a draft-4 validator ignores (then every oneOf branch matches).
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return schema


def webhook_schema(name: str = "CallbackRequest") -> dict[str, Any]:
    """A self-contained (``$ref``-free) draft-7 schema for one webhook.yml component.

    Discriminators are expanded, so it suits both validation and hypothesis-jsonschema's
    ``from_schema``. Returns a fresh copy each call.
    """
    return copy.deepcopy(_webhook_schema(name))


def webhook_event_schema() -> dict[str, Any]:
    """The schema of one webhook event (``components.schemas.Event``, expanded and inlined)."""
    return webhook_schema("Event")
