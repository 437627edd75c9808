"""Every audit action code and object type that the code in ``rmt/`` can record, read from the
source (AST): calls of ``audit.record``/``record_list_view`` and of the functions that pass
their ``action`` parameter on to them (``_record(voucher, user, action, ...)``, say).

A code is built from string literals, ``+``, f-strings and ``a if c else b``; an expression
that is none of these must be listed in ``DYNAMIC`` with the values it can take, so a new kind
of code cannot slip past the test.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rmt.vouchers.lifecycle import VoucherStatus

ROOT = Path(__file__).resolve().parents[2] / "rmt"

#: Expressions (as ``ast.unparse`` spells them) whose values are not literals.
DYNAMIC: dict[str, list[str]] = {
    "target.value": [status.value for status in VoucherStatus],  # rmt/vouchers/service.py
}


@dataclass(frozen=True)
class Call:
    where: str
    action: ast.expr | None
    object_type: ast.expr | None


class Unresolved(Exception):
    pass


def values(node: ast.expr) -> set[str]:
    """Every string the expression can evaluate to."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Constant) and node.value is None:
        return set()  # an entry without that part (e.g. no kind of record)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return {a + b for a, b in itertools.product(values(node.left), values(node.right))}
    if isinstance(node, ast.IfExp):
        return values(node.body) | values(node.orelse)
    if isinstance(node, ast.JoinedStr):
        parts = [values(v.value) if isinstance(v, ast.FormattedValue) else values(v)
                 for v in node.values]
        return {"".join(p) for p in itertools.product(*parts)}
    text = ast.unparse(node)
    if text in DYNAMIC:
        return set(DYNAMIC[text])
    raise Unresolved(text)


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if len(call.args) > position else None


@dataclass(frozen=True)
class Wrapper:
    """A function that hands one of its parameters to the audit as the action code."""

    position: int
    default: ast.expr | None


def _trees() -> list[tuple[str, ast.Module]]:
    return [(str(path.relative_to(ROOT.parent)), ast.parse(path.read_text()))
            for path in sorted(ROOT.rglob("*.py"))]


def _parameters(function: ast.FunctionDef) -> tuple[list[str], dict[str, ast.expr]]:
    args = function.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    defaults = dict(zip(positional[len(positional) - len(args.defaults):], args.defaults,
                        strict=True))
    defaults |= {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                 if d is not None}
    return positional + [a.arg for a in args.kwonlyargs], defaults


def calls() -> Iterator[Call]:
    """Every call that records an audit entry with a code that is not a parameter."""
    trees = _trees()
    wrappers: dict[str, tuple[str, Wrapper]] = {"record": ("action", Wrapper(0, None)),
                                                "record_list_view": ("action", Wrapper(0, None))}
    changed = True
    while changed:  # functions that pass their parameter on to a wrapper are wrappers too
        changed = False
        for _where, tree in trees:
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef) or function.name in wrappers:
                    continue
                names, defaults = _parameters(function)
                for node in ast.walk(function):
                    if not isinstance(node, ast.Call) or _callee(node) not in wrappers:
                        continue
                    param, wrapper = wrappers[_callee(node)]
                    action = _argument(node, wrapper.position, param)
                    if isinstance(action, ast.Name) and action.id in names:
                        wrappers[function.name] = (action.id, Wrapper(
                            names.index(action.id), defaults.get(action.id)))
                        changed = True
                        break
    for where, tree in trees:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _callee(node) not in wrappers:
                continue
            param, wrapper = wrappers[_callee(node)]
            action = _argument(node, wrapper.position, param)
            if action is None:
                action = wrapper.default
            if isinstance(action, ast.Name):
                continue  # inside a wrapper: its callers are found themselves
            yield Call(f"{where}:{node.lineno}", action,
                       _argument(node, 99, "object_type"))


def action_codes() -> dict[str, str]:
    """code → where it is recorded (the first place)."""
    found: dict[str, str] = {}
    for call in calls():
        assert call.action is not None, f"{call.where}: no action code"
        for code in values(call.action):
            found.setdefault(code, call.where)
    return found


def object_types() -> dict[str, str]:
    found: dict[str, str] = {}
    for call in calls():
        if call.object_type is not None and not (
                isinstance(call.object_type, ast.Constant) and call.object_type.value is None):
            for kind in values(call.object_type):
                found.setdefault(kind, call.where)
    return found
