"""Walking ``app.url_map``: example URLs for every rule."""

from __future__ import annotations

from werkzeug.routing import Rule

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def example_url(rule: Rule, value: str = "1") -> str:
    """A URL for ``rule`` with dummy values: ids ``value``, strings ``x``, ``any`` its first."""
    values = {}
    for name, converter in rule._converters.items():
        items = getattr(converter, "items", None)
        if items:
            values[name] = sorted(items)[0]
        elif type(converter).__name__ in ("UnicodeConverter", "PathConverter"):
            values[name] = "x"
        else:
            values[name] = value
    return rule.build(values, append_unknown=False)[1]


def html_rules(app, methods: set[str]):
    """(rule, method) for every non-API, non-static rule that accepts one of ``methods``."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.rule.startswith("/api/"):
            continue
        for method in sorted((rule.methods or set()) & methods):
            yield rule, method
