"""What a template may contain, checked before it is compiled.

Email templates need variables, `{% if %}`, `{% for %}` and a few filters; everything
else a marketer's edit could use to reach outside the template or to do unbounded work
(calls, `{% set %}`, macros, includes, arithmetic, `{% autoescape false %}`, private
attributes) is refused here with a sentence saying what and where, before any of it
runs. The sandbox and the render budget are the second line behind this one.
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Template, TemplateSyntaxError, meta, nodes

from campaigns.mail.templating.errors import TemplateError
from campaigns.mail.templating.sandbox import ALLOWED_FILTERS, HTML_ENV, TEXT_ENV

MAX_SOURCE_CHARS = {"Subject": 1_000, "HTML": 100_000, "Text": 50_000}
_DEFAULT_MAX_SOURCE = 100_000

_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Const,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Slice,
    nodes.Filter,
    nodes.Test,
    nodes.If,
    nodes.CondExpr,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Neg,
    nodes.Pos,
    nodes.Compare,
    nodes.Operand,
    nodes.For,
    nodes.Tuple,
    nodes.List,
    nodes.Dict,
    nodes.Pair,
    nodes.Keyword,
    nodes.Concat,
    nodes.Add,
    nodes.Sub,
)

_REFUSED_WHY: dict[type[nodes.Node], str] = {
    nodes.Assign: "setting variables ({% set %}) is not available in email templates",
    nodes.AssignBlock: "setting variables ({% set %}) is not available in email templates",
    nodes.With: "{% with %} is not available in email templates",
    nodes.Macro: "macros are not available in email templates",
    nodes.CallBlock: "{% call %} is not available in email templates",
    nodes.FilterBlock: "{% filter %} blocks are not available; use a filter on a variable instead",
    nodes.Block: "blocks are not available: the layout (header and footer) is added for you",
    nodes.Extends: "a template cannot extend another: the layout is added for you",
    nodes.Include: "a template cannot include another",
    nodes.Import: "a template cannot import another",
    nodes.FromImport: "a template cannot import another",
    nodes.Scope: "{% autoescape %} is not available: values are always escaped in HTML",
    nodes.ScopedEvalContextModifier: "{% autoescape %} is not available: values are always escaped in HTML",
    nodes.EvalContextModifier: "{% autoescape %} is not available: values are always escaped in HTML",
    nodes.Mul: "arithmetic (*, /, //, %, **) is not available in email templates",
    nodes.Div: "arithmetic (*, /, //, %, **) is not available in email templates",
    nodes.FloorDiv: "arithmetic (*, /, //, %, **) is not available in email templates",
    nodes.Mod: "arithmetic (*, /, //, %, **) is not available in email templates",
    nodes.Pow: "arithmetic (*, /, //, %, **) is not available in email templates",
}

# Names Jinja resolves by itself, which the declared-variable check would not see.
_SPECIAL_NAMES = frozenset({"self", "caller", "varargs", "kwargs"})


@lru_cache(maxsize=128)
def compile_checked(source: str, part: str, allowed: frozenset[str], html: bool) -> Template:
    """Parse, check and compile one part (cached: the same override renders many emails)."""
    limit = MAX_SOURCE_CHARS.get(part, _DEFAULT_MAX_SOURCE)
    if len(source) > limit:
        raise TemplateError(
            f"is {len(source):,} characters long; the limit is {limit:,}", part=part
        )
    env = HTML_ENV if html else TEXT_ENV
    try:
        tree = env.parse(source)
        check_tree(tree, part, allowed)
        return env.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"syntax error: {exc.message}", part=part, line=exc.lineno) from None
    except RecursionError:
        raise TemplateError("is nested too deeply to read", part=part) from None


def check_tree(tree: nodes.Template, part: str, allowed: frozenset[str]) -> None:
    for node in tree.find_all(nodes.Node):
        _check_node(node, part)
    unknown = sorted(meta.find_undeclared_variables(tree) - allowed)
    if unknown:
        line = _first_line(tree, unknown[0])
        raise TemplateError(
            f"unknown variable {unknown[0]!r}; this template can use: {', '.join(sorted(allowed))}",
            part=part,
            line=line,
        )


def _check_node(node: nodes.Node, part: str) -> None:
    line = getattr(node, "lineno", None)
    private = _private_name(node)
    if private is not None:
        raise TemplateError(
            f"refused: {private!r} is a private attribute, which templates cannot reach; "
            "use only the listed variables",
            part=part,
            line=line,
        )
    if isinstance(node, nodes.Name) and node.name in _SPECIAL_NAMES:
        raise TemplateError(
            f"{node.name!r} is not available in email templates", part=part, line=line
        )
    if isinstance(node, nodes.Call):
        raise TemplateError(
            f"calling {_callee(node)} is not available in email templates; "
            "use a filter such as |upper or |default instead",
            part=part,
            line=line,
        )
    if isinstance(node, nodes.For) and node.recursive:
        raise TemplateError(
            "recursive loops are not available in email templates", part=part, line=line
        )
    if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
        raise TemplateError(
            f"the filter {node.name!r} is not available; you can use: {', '.join(ALLOWED_FILTERS)}",
            part=part,
            line=line,
        )
    if not isinstance(node, _ALLOWED_NODES):
        why = _REFUSED_WHY.get(
            type(node), f"{type(node).__name__} is not available in email templates"
        )
        raise TemplateError(why, part=part, line=line)


def _private_name(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
        return node.attr
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        if isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
            return node.arg.value
    return None


def _callee(call: nodes.Call) -> str:
    target = call.node
    if isinstance(target, nodes.Name):
        return f"{target.name}()"
    if isinstance(target, nodes.Getattr):
        return f".{target.attr}()"
    return "functions or methods"


def _first_line(tree: nodes.Template, name: str) -> int | None:
    for node in tree.find_all(nodes.Name):
        if node.name == name:
            return node.lineno
    return None
