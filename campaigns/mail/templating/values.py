"""The values passed to a template: exactly the declared variables, each a plain value
of bounded size, so a template can never be handed a row (and everything on it) or a
value big enough to make a render expensive."""

from __future__ import annotations

from typing import Any

from campaigns.mail.templating.catalog import TemplateSpec
from campaigns.mail.templating.errors import TemplateError

MAX_VALUE_CHARS = 2_000
MAX_ITEMS = 100
_SCALARS = (str, int, float, bool, type(None))


def check_values(spec: TemplateSpec, variables: dict[str, Any]) -> None:
    missing = sorted(set(spec.variables) - set(variables))
    if missing:
        raise TemplateError(f"{spec.title} needs a value for {', '.join(missing)}")
    unknown = sorted(set(variables) - set(spec.variables))
    if unknown:
        raise TemplateError(
            f"{spec.title} does not declare {', '.join(unknown)}; "
            f"it takes: {', '.join(sorted(spec.variables))}"
        )
    for name, value in variables.items():
        problem = _problem(value)
        if problem:
            raise TemplateError(f"the value of {name} {problem}")


def _problem(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            return f"has over {MAX_ITEMS} items"
        return next((p for p in map(_scalar_problem, value) if p), None)
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            return f"has over {MAX_ITEMS} items"
        return next((p for p in map(_scalar_problem, [*value, *value.values()]) if p), None)
    return _scalar_problem(value)


def _scalar_problem(value: Any) -> str | None:
    if not isinstance(value, _SCALARS):
        return f"is a {type(value).__name__}; templates take text, numbers, or small lists and dicts of them"
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return f"is over {MAX_VALUE_CHARS:,} characters"
    return None
