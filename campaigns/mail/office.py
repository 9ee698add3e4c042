"""The mail room's side of the post box (campaigns/post.py): what the programs may
ask of it, connected at start by liaison.wiring."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Template

from campaigns.mail import outbox, preview
from campaigns.mail.compose import compose
from campaigns.mail.templating import TEMPLATES, effective_template
from campaigns.mail.templating.catalog import TEMPLATE_DIR
from campaigns.mail.templating.sandbox import HTML_ENV, TEXT_ENV, budget, render_capped


class MailRoom:
    compose = staticmethod(compose)
    enqueue_many = staticmethod(outbox.enqueue_many)
    effective_template = staticmethod(effective_template)
    preview = staticmethod(preview.preview)

    def template_variables(self, name: str) -> list[str]:
        return list(TEMPLATES[name].variables)

    def template_names(self, *, audience: str, kind: str, in_cadences: bool = False) -> list[str]:
        return sorted(
            name
            for name, spec in TEMPLATES.items()
            if spec.audience == audience
            and spec.kind == kind
            and (spec.in_cadences or not in_cadences)
        )

    def render_document(
        self, name: str, context: dict[str, Any], *, max_chars: int, steps: int, seconds: float
    ) -> tuple[str, str]:
        with budget(steps=steps, seconds=seconds):
            return (
                render_capped(_document(name, "html"), context, max_chars),
                render_capped(_document(name, "txt"), context, max_chars),
            )


@lru_cache(maxsize=8)
def _document(name: str, suffix: str) -> Template:
    source = (TEMPLATE_DIR / f"{name}.{suffix}").read_text(encoding="utf-8")
    return (HTML_ENV if suffix == "html" else TEXT_ENV).from_string(source)
