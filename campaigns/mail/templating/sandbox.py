"""The sandbox templates render in, and the budget that stops a runaway render.

Jinja2's `ImmutableSandboxedEnvironment` refuses private attributes (`__class__`,
`__globals__`, ...) and mutating methods; on top of it:

- Undefined names fail loudly (`StrictUndefined`) instead of printing nothing.
- Only filters whose output grows at most linearly with their input are available
  (no `center(10**9)`, `replace`, `format`, `safe` or `attr`), and no globals
  (`range`, `lipsum`, `cycler`, ... are gone; calls are refused before compiling anyway).
- Every render spends from a `Budget`: each loop iteration and each attribute or item
  lookup costs a step, and each step also checks a deadline. A thread with a timeout
  cannot be stopped, so instead the render stops itself: the code generator routes
  every `{% for %}` iterable through `count_loop`, which raises `RenderLimit` when the
  steps or the time run out. Output is counted as it is produced, so it stops at its
  cap instead of after building something huge.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, Template, nodes, pass_eval_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import FILTERS
from jinja2.nodes import EvalContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_STEPS = 20_000
MAX_SECONDS = 1.0
MAX_JOIN_CHARS = 64 * 1024

# Filters a template may use: each is cheap and cannot multiply its input.
ALLOWED_FILTERS = (
    "abs",
    "capitalize",
    "count",
    "d",
    "default",
    "e",
    "escape",
    "first",
    "float",
    "int",
    "items",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "reverse",
    "round",
    "string",
    "striptags",
    "title",
    "trim",
    "truncate",
    "upper",
    "urlencode",
    "wordcount",
)


class RenderLimit(Exception):
    """A render went over its steps, its time or its output size."""


@dataclass
class Budget:
    steps_left: int
    deadline: float

    def spend(self) -> None:
        self.steps_left -= 1
        if self.steps_left < 0:
            raise RenderLimit(
                f"the template does too much work (over {MAX_STEPS:,} loop steps and "
                "lookups); remove large or nested loops"
            )
        if time.monotonic() > self.deadline:
            raise RenderLimit(f"the template took longer than {MAX_SECONDS:g} s to render")


_budget: ContextVar[Budget | None] = ContextVar("template_budget", default=None)


@contextmanager
def budget(steps: int = MAX_STEPS, seconds: float = MAX_SECONDS) -> Iterator[Budget]:
    """One budget for everything rendered inside the block (one email's parts and layout)."""
    current = Budget(steps_left=steps, deadline=time.monotonic() + seconds)
    token = _budget.set(current)
    try:
        yield current
    finally:
        _budget.reset(token)


def _spend() -> None:
    current = _budget.get()
    if current is None:  # rendering without a budget would be rendering without limits
        raise RenderLimit("templates render only through campaigns.mail.templating")
    current.spend()


@pass_eval_context
def _bounded_join(
    eval_ctx: EvalContext, value: Iterable[Any], d: str = "", attribute: str | int | None = None
) -> str:
    """`join` is the one allowed filter whose output can exceed its input many times (a
    long separator between many items); refuse that before building it."""
    items = list(value)
    if len(d) * len(items) > MAX_JOIN_CHARS:
        raise RenderLimit(f"|join would build over {MAX_JOIN_CHARS // 1024} KB of text")
    return FILTERS["join"](eval_ctx, items, d, attribute)


class _CountingCodeGenerator(CodeGenerator):
    """Compiles `{% for x in items %}` as `for x in environment.count_loop(items)`."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        counted = nodes.Call(
            nodes.EnvironmentAttribute("count_loop"),
            [node.iter],
            [],
            None,
            None,
            lineno=node.lineno,
        )
        super().visit_For(
            nodes.For(
                node.target,
                counted,
                node.body,
                node.else_,
                node.test,
                node.recursive,
                lineno=node.lineno,
            ),
            frame,
        )


class EmailSandbox(ImmutableSandboxedEnvironment):
    code_generator_class = _CountingCodeGenerator

    def __init__(self, *, html: bool) -> None:
        super().__init__(
            autoescape=html,
            undefined=StrictUndefined,
            auto_reload=False,
            keep_trailing_newline=True,
        )
        self.filters = {name: FILTERS[name] for name in ALLOWED_FILTERS}
        self.filters["join"] = _bounded_join
        self.globals.clear()

    def count_loop(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            _spend()
            yield item

    def getattr(self, obj: Any, attribute: str) -> Any:
        _spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _spend()
        return super().getitem(obj, argument)


HTML_ENV = EmailSandbox(html=True)
TEXT_ENV = EmailSandbox(html=False)


def render_capped(template: Template, variables: dict[str, Any], max_chars: int) -> str:
    """Render inside the current budget, stopping as soon as the output passes `max_chars`."""
    chunks: list[str] = []
    size = 0
    for chunk in template.generate(variables):
        size += len(chunk)
        if size > max_chars:
            raise RenderLimit(f"the output is over the {max_chars // 1024} KB limit")
        _spend()
        chunks.append(chunk)
    return "".join(chunks)
