"""Email templates: the built-in catalog, sandboxed rendering inside the practice's
layout, and marketers' validated overrides.

Modules: `catalog` (each template's variables and sample data), `checks` (what a
template may contain), `sandbox` (the environment and the render budget), `values`
(what may be passed in), `render`, `store` (which version is in effect) and
`overrides` (saving and deleting edits)."""

from campaigns.mail.templating.catalog import (
    TEMPLATES,
    TemplateSource,
    TemplateSpec,
    builtin_source,
)
from campaigns.mail.templating.errors import TemplateError
from campaigns.mail.templating.overrides import delete_override, save_override, validate_override
from campaigns.mail.templating.render import (
    PracticeInfo,
    RenderedEmail,
    render_email,
    render_source,
)
from campaigns.mail.templating.store import effective_template, get_override, list_overrides

__all__ = [
    "TEMPLATES",
    "PracticeInfo",
    "RenderedEmail",
    "TemplateError",
    "TemplateSource",
    "TemplateSpec",
    "builtin_source",
    "delete_override",
    "effective_template",
    "get_override",
    "list_overrides",
    "render_email",
    "render_source",
    "save_override",
    "validate_override",
]
