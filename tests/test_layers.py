"""One house in layers: each layer imports only those below it (CONTRIBUTING.md).

domain (crm) < programs (campaigns) < mail room (campaigns.mail) < application
(liaison, scheduler.py) < UI (ui, app.py); `sendgrid_local`, the test server, stands
apart and imports none of them. Read from the source with `ast`, every
import counts, including those under TYPE_CHECKING or inside a function."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crm", "campaigns", "liaison", "ui", "sendgrid_local")
ENTRY_FILES = ("app.py", "scheduler.py")
LAYERS = {"domain": 0, "programs": 1, "mail room": 2, "application": 3, "ui": 4}


def layer_of(module: str) -> str | None:
    top, _, rest = module.partition(".")
    if top == "crm":
        return "domain"
    if top == "campaigns":
        return "mail room" if rest == "mail" or rest.startswith("mail.") else "programs"
    if top in ("liaison", "scheduler"):
        return "application"
    if top in ("ui", "app"):
        return "ui"
    return None


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    path: Path
    line: int
    in_function: bool


def project_modules(root: Path) -> dict[str, Path]:
    found = {f.removesuffix(".py"): root / f for f in ENTRY_FILES if (root / f).exists()}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")) if (root / package).is_dir() else []:
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            if ".migrations.versions" not in name:
                found[name] = path
    return found


def imports(root: Path) -> Iterator[Import]:
    modules = project_modules(root)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        in_function = {
            id(node)
            for fn in ast.walk(tree)
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(fn)
        }
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            for target in _targets(node, package):
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    yield Import(name, target, path, node.lineno, id(node) in in_function)


def _targets(node: ast.AST, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    return [f"{base}.{alias.name}" for alias in node.names]


def upward(root: Path) -> list[Import]:
    found = []
    for item in imports(root):
        low, high = layer_of(item.importer), layer_of(item.imported)
        if low is None or high is None:
            if (low is None) != (high is None):
                found.append(item)
            continue
        if LAYERS[high] > LAYERS[low]:
            found.append(item)
    return found


def cycles(root: Path) -> list[list[str]]:
    graph: dict[str, set[str]] = {}
    for item in imports(root):
        graph.setdefault(item.importer, set()).add(item.imported)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _where(item: Import) -> str:
    return (
        f"{item.path.relative_to(ROOT) if item.path.is_relative_to(ROOT) else item.path}:{item.line} "
        f"{item.importer} -> {item.imported}"
    )


def test_no_layer_imports_one_above_it() -> None:
    found = list(upward(ROOT))
    assert not found, "imports up a layer:\n" + "\n".join(map(_where, found))


def test_no_import_circles() -> None:
    assert cycles(ROOT) == []


def test_project_modules_are_imported_at_the_top_of_a_module() -> None:
    """A function-level import is how a circle hides."""
    found = [i for i in imports(ROOT) if i.in_function]
    assert not found, "\n".join(map(_where, found))


@pytest.fixture
def house(tmp_path: Path) -> Path:
    (tmp_path / "crm").mkdir()
    (tmp_path / "crm" / "__init__.py").write_text("")
    (tmp_path / "crm" / "partners.py").write_text("from crm import vocab\n")
    (tmp_path / "crm" / "vocab.py").write_text("")
    (tmp_path / "campaigns" / "events").mkdir(parents=True)
    (tmp_path / "campaigns" / "__init__.py").write_text("")
    (tmp_path / "campaigns" / "events" / "__init__.py").write_text("from crm.partners import *\n")
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "__init__.py").write_text("")
    (tmp_path / "ui" / "page.py").write_text("import campaigns.events\nfrom crm import partners\n")
    return tmp_path


def test_a_house_that_imports_downwards_passes(house: Path) -> None:
    assert upward(house) == [] and cycles(house) == []


def test_the_domain_importing_a_program_is_caught_with_its_line(house: Path) -> None:
    (house / "crm" / "partners.py").write_text(
        "from crm import vocab\n\n\ndef f():\n    from campaigns import events\n"
    )
    found = upward(house)
    assert [(i.importer, i.imported, i.line, i.in_function) for i in found] == [
        ("crm.partners", "campaigns.events", 5, True)
    ]
    assert cycles(house) == [["campaigns.events", "crm.partners"]]


def test_a_program_importing_the_ui_under_type_checking_is_caught(house: Path) -> None:
    (house / "campaigns" / "events" / "views.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ui.page import x\n"
    )
    assert [(i.importer, i.imported) for i in upward(house)] == [
        ("campaigns.events.views", "ui.page")
    ]


def test_relative_imports_are_resolved(house: Path) -> None:
    (house / "crm" / "vocab.py").write_text("from ..ui import page\n")
    (house / "crm" / "sub").mkdir()
    (house / "crm" / "sub" / "__init__.py").write_text("from ...campaigns.events import x\n")
    found = {(i.importer, i.imported) for i in upward(house)}
    assert ("crm.sub", "campaigns.events") in found


def test_a_program_importing_the_mail_room_is_caught(house: Path) -> None:
    (house / "campaigns" / "mail").mkdir()
    (house / "campaigns" / "mail" / "__init__.py").write_text("from campaigns.events import *\n")
    (house / "campaigns" / "events" / "job.py").write_text("from campaigns.mail import outbox\n")
    assert [(i.importer, i.imported) for i in upward(house)] == [
        ("campaigns.events.job", "campaigns.mail")
    ]
