"""The architecture rules of docs/architecture.md, checked on the source (no app needed).

- no import cycles among ``rmt`` modules (module-level imports; ``TYPE_CHECKING`` blocks and
  imports inside functions do not count);
- the shared packages ``audit``, ``access``, ``process`` and ``auth`` import no feature;
- a feature never imports another feature's views, forms, schemas, services, API or CLI (its
  models, yes, and the hooks a feature offers others, such as ``rmt.privacy``'s registry);
  the core ``rmt.cases`` may be used by every feature;
- no ``try: import ... except ImportError`` (every feature is always installed).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "rmt"
FEATURES = ("cases", "employers", "vouchers", "praktijkverklaring", "stats", "privacy",
            "imports", "documents", "notifications")
SHARED = ("audit", "access", "process", "auth")
#: Modules of a feature that no other feature may import (the core ``rmt.cases`` is open).
PRIVATE_MODULES = ("views", "forms", "schemas", "service", "api", "cli")

#: Known offenders outside the platform area, removed by the cases/employers/vouchers branches.
#: Each entry is (importing module, imported module). Delete entries as they are fixed.
ALLOWED_FEATURE_IMPORTS: set[tuple[str, str]] = set()
#: Import cycles outside the platform area (sorted module names of the cycle), removed by the
#: cases/employers/vouchers branches.
ALLOWED_CYCLES: set[tuple[str, ...]] = set()
#: Modules with ``try: import ... except ImportError``, removed by the other branches.
ALLOWED_OPTIONAL_IMPORTS: set[str] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run at import time: the module body, its if/try/with blocks and class
    bodies; not functions, not ``if TYPE_CHECKING:``."""
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if isinstance(node, ast.If):
            test = ast.unparse(node.test)
            if test.endswith("TYPE_CHECKING"):
                yield from _module_level(node.orelse)
                continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                yield from _module_level(
                    [c for c in children if isinstance(c, ast.stmt | ast.ExceptHandler)]
                    if field != "handlers" else [s for h in children for s in h.body])


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The ``rmt`` modules ``name`` imports at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _module_level(tree.body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    return {module for module in found if module in known and module != name}


def import_graph() -> dict[str, set[str]]:
    known = modules()
    names = set(known)
    return {name: imports_of(name, path, names) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[tuple[str, ...]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(tuple(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(result)


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in FEATURES else None


def shared_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in SHARED else None


def test_no_import_cycles() -> None:
    found = set(cycles(import_graph()))
    assert found <= ALLOWED_CYCLES, sorted(found - ALLOWED_CYCLES)


def test_shared_packages_import_no_feature() -> None:
    offenders = sorted(
        (source, target) for source, targets in import_graph().items() if shared_of(source)
        for target in targets if feature_of(target))
    assert offenders == [], offenders


def test_features_use_no_views_forms_schemas_or_services_of_other_features() -> None:
    offenders = set()
    for source, targets in import_graph().items():
        own = feature_of(source)
        if own is None:
            continue
        for target in targets:
            other = feature_of(target)
            if other in (None, own, "cases"):
                continue
            if target.rpartition(".")[2] in PRIVATE_MODULES:
                offenders.add((source, target))
    assert offenders <= ALLOWED_FEATURE_IMPORTS, sorted(offenders - ALLOWED_FEATURE_IMPORTS)


def test_no_optional_imports() -> None:
    offenders = set()
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Try):
                continue
            guards_import = any(isinstance(s, ast.Import | ast.ImportFrom) for s in node.body)
            catches = {ast.unparse(h.type) for h in node.handlers if h.type is not None}
            if guards_import and catches & {"ImportError", "ModuleNotFoundError"}:
                offenders.add(name)
    assert offenders <= ALLOWED_OPTIONAL_IMPORTS, sorted(offenders - ALLOWED_OPTIONAL_IMPORTS)
