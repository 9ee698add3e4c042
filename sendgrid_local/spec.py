"""SendGrid's own OpenAPI 3.1 description, loaded once and compiled into validators.

The spec is the contract: request bodies and parameters are checked against the
schemas exactly as published (OpenAPI 3.1 schemas are JSON Schema 2020-12), so a
payload the project builds is judged by SendGrid's schema, not by our idea of it.
Compiling once keeps each request cheap (a few hundred microseconds)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_DIR_ENV = "LIAISON_SENDGRID_SPEC_DIR"
SPEC_FILES = ("tsg_mail_v3.json", "tsg_suppressions_v3.json")
_MESSAGE_LIMIT = 300  # an error echoes the offending value; keep a huge one readable

# The operations this server answers; every other path is a 404 like SendGrid's.
SERVED = (
    ("post", "/v3/mail/send"),
    ("get", "/v3/suppression/bounces"),
    ("get", "/v3/suppression/blocks"),
    ("get", "/v3/suppression/spam_reports"),
    ("get", "/v3/suppression/invalid_emails"),
    ("get", "/v3/suppression/unsubscribes"),
    ("get", "/v3/asm/suppressions"),
)


def spec_dir() -> Path:
    """`../shared/sendgrid-openapi` beside the repository (CI clones it there too),
    unless the environment points elsewhere."""
    override = os.environ.get(SPEC_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1].parent / "shared" / "sendgrid-openapi"


@dataclass(frozen=True)
class FieldError:
    """One entry of SendGrid's error list: the field at fault (None for the whole
    request) and what is wrong with it."""

    field: str | None
    message: str


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    json_type: str | None
    validator: Draft202012Validator


@dataclass(frozen=True)
class Operation:
    """One served operation: its parameters, body schema and security, from the spec."""

    method: str
    path: str
    parameters: tuple[Parameter, ...]
    body: Draft202012Validator | None
    needs_bearer: bool

    def read_parameters(
        self, query: Mapping[str, str], headers: Mapping[str, str]
    ) -> tuple[dict[str, Any], list[FieldError]]:
        """Parse query and header text by the declared type and validate it; headers
        arrive with lower-case names."""
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        for parameter in self.parameters:
            source = query if parameter.location == "query" else headers
            key = parameter.name if parameter.location == "query" else parameter.name.lower()
            if key not in source:
                if parameter.required:
                    errors.append(FieldError(parameter.name, f"{parameter.name} is required"))
                continue
            value, problem = _parse(source[key], parameter.json_type)
            problems = (
                [problem]
                if problem
                else [e.message for e in parameter.validator.iter_errors(value)]
            )
            errors.extend(FieldError(parameter.name, _short(p)) for p in problems)
            if not problems:
                values[parameter.name] = value
        return values, errors

    def body_errors(self, body: Any) -> list[FieldError]:
        if self.body is None:
            return []
        return field_errors(self.body.iter_errors(body))


class Contract:
    """All served operations of the loaded spec documents, compiled once."""

    def __init__(self, documents: Mapping[str, dict[str, Any]]) -> None:
        self._documents = {_uri(name): doc for name, doc in documents.items()}
        self._registry = Registry().with_resources(
            (uri, Resource.from_contents(doc, default_specification=DRAFT202012))
            for uri, doc in self._documents.items()
        )
        self._operations = {(method, path): self._compile(method, path) for method, path in SERVED}

    def operation(self, method: str, path: str) -> Operation | None:
        return self._operations.get((method.lower(), path))

    def knows_path(self, path: str) -> bool:
        return any(served == path for _, served in self._operations)

    def response_validator(self, method: str, path: str, status: int) -> Draft202012Validator:
        """The spec's schema for one response, for checking what this server answers."""
        uri, _ = self._find(path, method)
        pointer = _pointer(
            "paths", path, method, "responses", str(status), "content", "application/json", "schema"
        )
        return self._validator(uri, pointer)

    def _compile(self, method: str, path: str) -> Operation:
        uri, operation = self._find(path, method)
        base = _pointer("paths", path, method)
        parameters = tuple(
            self._parameter(uri, param, f"{base}/parameters/{i}")
            for i, param in enumerate(operation.get("parameters", []))
        )
        body = None
        if "requestBody" in operation:
            ref = operation["requestBody"].get("$ref", "#" + base + "/requestBody")
            body = self._validator(
                uri, ref.removeprefix("#") + _pointer("content", "application/json", "schema")
            )
        security = operation.get("security", self._documents[uri].get("security", []))
        return Operation(method, path, parameters, body, any("BearerAuth" in s for s in security))

    def _parameter(self, uri: str, param: dict[str, Any], pointer: str) -> Parameter:
        if "$ref" in param:
            pointer = param["$ref"].removeprefix("#")
            param = self._registry.resolver(uri).lookup(param["$ref"]).contents
        return Parameter(
            name=param["name"],
            location=param["in"],
            required=bool(param.get("required", False)),
            json_type=param.get("schema", {}).get("type"),
            validator=self._validator(uri, pointer + "/schema"),
        )

    def _find(self, path: str, method: str) -> tuple[str, dict[str, Any]]:
        for uri, doc in self._documents.items():
            operation = doc.get("paths", {}).get(path, {}).get(method)
            if operation is not None:
                return uri, operation
        raise KeyError(f"{method.upper()} {path} is not in the loaded SendGrid spec")

    def _validator(self, uri: str, pointer: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": f"{uri}#{pointer}"}, registry=self._registry, format_checker=FormatChecker()
        )


def missing_spec(directory: Path | None = None) -> str | None:
    """What to do when the spec files are not there, or None when they are: said up
    front, since nothing about SendGrid can be checked without them."""
    folder = directory or spec_dir()
    missing = [name for name in SPEC_FILES if not (folder / name).is_file()]
    if not missing:
        return None
    return (
        f"SendGrid's OpenAPI description is not in {folder} (missing {', '.join(missing)}). Put the "
        f"shared folder beside the repository (../shared/sendgrid-openapi) or set {SPEC_DIR_ENV} to the "
        "folder that holds it."
    )


@cache
def load_contract(directory: Path | None = None) -> Contract:
    """Read and compile the spec once per process; every request reuses it."""
    folder = directory or spec_dir()
    problem = missing_spec(folder)
    if problem:
        raise FileNotFoundError(problem)
    return Contract({name: json.loads((folder / name).read_text()) for name in SPEC_FILES})


def field_errors(errors: Iterable[ValidationError]) -> list[FieldError]:
    """SendGrid names the field at fault with a dotted path (`personalizations.0.to`);
    a missing property is named itself rather than its parent object."""
    found: dict[FieldError, None] = {}
    for error in errors:
        path = list(error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    found.setdefault(
                        FieldError(_dotted([*path, name]), f"{name!r} is a required property")
                    )
            continue
        found.setdefault(FieldError(_dotted(path), _short(error.message)))
    return list(found)


def _parse(text: str, json_type: str | None) -> tuple[Any, str | None]:
    """Query and header values are text; the schema speaks of integers and numbers."""
    try:
        if json_type == "integer":
            return int(text), None
        if json_type == "number":
            return float(text), None
    except ValueError:
        return text, f"{text!r} is not of type {json_type!r}"
    if json_type == "boolean":
        return text.lower() == "true", None
    return text, None


def _dotted(path: list[Any]) -> str | None:
    return ".".join(str(part) for part in path) or None


def _short(message: str) -> str:
    return message if len(message) <= _MESSAGE_LIMIT else message[: _MESSAGE_LIMIT - 1] + "…"


def _uri(name: str) -> str:
    return f"urn:sendgrid-openapi:{name}"


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)
