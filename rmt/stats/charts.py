"""Charts as inline SVG, drawn on the server: no JavaScript, no third-party service.

Every chart has a ``<title>`` and ``<desc>`` (``role="img"``), carries its numbers as text labels
next to the bars (so nothing depends on colour; the second series is also hatched), and is
shown with the same numbers in a table beside it. Only SVG presentation attributes are used,
never ``style`` attributes, so the page's Content-Security-Policy needs no exception.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

INK = "#1b1b1b"
MUTED = "#595959"  # 7:1 on white
SERIES = ("#1f4e8c", "#8a3b00", "#2f6b2f", "#5b2c83")  # each at least 3:1 on white


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: hidden (shown as text, no bar)
    text: str  # the value as shown next to the bar


@dataclass(frozen=True)
class Group:
    label: str
    bars: list[Bar]


def _e(text: object) -> str:
    return str(escape(str(text)))


def _frame(uid: str, width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    # Every piece of text in ``body`` went through _e(); numbers are formatted here.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rmt-chart__svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{uid}-t {uid}-d" font-family="sans-serif" font-size="13">'
        f'<title id="{uid}-t">{_e(title)}</title><desc id="{uid}-d">{_e(desc)}</desc>'
        + "".join(body) + "</svg>")


def _hatch(uid: str, colour: str) -> str:
    return (f'<defs><pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            f'<rect width="3" height="6" fill="{colour}"/></pattern></defs>')


def horizontal_bars(uid: str, title: str, groups: list[Group], *, unit_max: float | None = None,
                    label_width: int = 150, width: int = 640) -> Markup:
    """Horizontal bars, grouped (one bar per series in a group), each labelled with its series
    name and value. One group with one bar per step gives a funnel."""
    series = max((len(g.bars) for g in groups), default=1)
    bar_h, gap = 18, 10
    group_h = series * (bar_h + 2) + gap
    height = max(40, len(groups) * group_h + 10)
    top = max([b.value for g in groups for b in g.bars if b.value is not None] or [0])
    scale_max = unit_max or top or 1
    plot_w = width - label_width - 150
    body = []
    desc_parts = []
    y = 5
    for group in groups:
        body.append(f'<text x="{label_width - 8}" y="{y + (series * (bar_h + 2)) / 2 + 4:.0f}" '
                    f'text-anchor="end" fill="{INK}">{_e(group.label)}</text>')
        parts = []
        for index, bar in enumerate(group.bars):
            by = y + index * (bar_h + 2)
            name = f"{bar.label} " if bar.label else ""
            if bar.value is None:
                body.append(f'<text x="{label_width}" y="{by + 13}" fill="{MUTED}">'
                            f'{_e(name)}{_e(bar.text)}</text>')
            else:
                w = max(1.0, plot_w * bar.value / scale_max)
                body.append(f'<rect x="{label_width}" y="{by}" width="{w:.1f}" height="{bar_h}" '
                            f'fill="{SERIES[index % len(SERIES)]}"/>')
                body.append(f'<text x="{label_width + w + 6:.1f}" y="{by + 13}" fill="{INK}">'
                            f'{_e(name)}{_e(bar.text)}</text>')
            parts.append(f"{name}{bar.text}".strip())
        desc_parts.append(f"{group.label}: {', '.join(parts)}")
        y += group_h
    body.insert(0, f'<line x1="{label_width}" y1="0" x2="{label_width}" y2="{height}" '
                   f'stroke="{INK}" stroke-width="1"/>')
    return _frame(uid, width, height, title, "; ".join(desc_parts) + ".", body)


def monthly_columns(uid: str, title: str, months: list[str], series: list[tuple[str, list[int]]],
                    width: int | None = None) -> Markup:
    """Grouped columns per month (instroom solid, uitstroom hatched), values above each column,
    with a legend that names both series."""
    slot = 64
    left, bottom, top_pad = 40, 40, 46
    width = width or max(360, left + slot * len(months) + 20)
    plot_h = 180
    height = top_pad + plot_h + bottom
    top = max([v for _, values in series for v in values] or [0]) or 1
    body = [_hatch(uid, SERIES[1])]
    # Legend: swatch + name for each series (solid, hatched).
    for index, (name, _) in enumerate(series):
        x = left + index * 150
        fill = SERIES[0] if index == 0 else f"url(#{uid}-hatch)"
        body.append(f'<rect x="{x}" y="8" width="16" height="16" fill="{fill}" stroke="{INK}" '
                    f'stroke-width="1"/><text x="{x + 22}" y="21" fill="{INK}">{_e(name)}</text>')
    base = top_pad + plot_h
    body.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{INK}" '
                f'stroke-width="1"/>')
    bar_w = (slot - 14) / max(1, len(series))
    for m_index, month in enumerate(months):
        x0 = left + m_index * slot + 6
        for s_index, (_, values) in enumerate(series):
            value = values[m_index]
            h = plot_h * value / top
            x = x0 + s_index * bar_w
            fill = SERIES[0] if s_index == 0 else f"url(#{uid}-hatch)"
            body.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w - 2:.1f}" '
                        f'height="{max(h, 0):.1f}" fill="{fill}" stroke="{INK}" '
                        f'stroke-width="0.5"/>')
            body.append(f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{base - h - 4:.1f}" '
                        f'text-anchor="middle" font-size="11" fill="{INK}">{value}</text>')
        body.append(f'<text x="{x0 + (slot - 14) / 2:.1f}" y="{base + 18}" text-anchor="middle" '
                    f'font-size="11" fill="{INK}">{_e(month)}</text>')
    desc = "; ".join(
        f"{month}: " + ", ".join(f"{name} {values[i]}" for name, values in series)
        for i, month in enumerate(months))
    return _frame(uid, width, height, title, desc + ".", body)


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    value: float | None  # None: the total is hidden (drawn thin, its text says why)
    text: str


def flow_chart(uid: str, title: str, origins: list[Node], targets: list[Node],
               flows: list[tuple[str, str, float]], *, width: int = 960) -> Markup:
    """A flow chart (Sankey-like): origins on the left, targets on the right, a band per flow
    whose width is its number. Only published flows are drawn (a hidden one is not: drawing it
    would tell it is not zero); every node and band carries its number as text or in the
    description, and the same figures are in the table beside the chart."""
    label_w, node_w, gap, top = 310, 14, 12, 10
    plot_h = max(220, 44 * max(len(origins), len(targets), 1))
    left_sum = sum(n.value or 0 for n in origins)
    right_sum = sum(n.value or 0 for n in targets)
    scale = (plot_h - (gap + 8) * max(len(origins), len(targets))) / max(left_sum, right_sum, 1)
    height = plot_h + 2 * top

    def place(nodes: list[Node]) -> dict[str, tuple[float, float]]:
        y, result = float(top), {}
        for node in nodes:
            h = max(3.0, (node.value or 0) * scale)
            result[node.key] = (y, h)
            y += max(h, 8.0) + gap  # room for the label of a thin node
        return result

    left, right = place(origins), place(targets)
    x_left, x_right = label_w, width - label_w - node_w
    colour = {n.key: SERIES[i % len(SERIES)] for i, n in enumerate(origins)}
    body: list[str] = []
    used_left = {k: 0.0 for k in left}
    used_right = {k: 0.0 for k in right}
    described = []
    names = {n.key: n.label for n in [*origins, *targets]}
    for origin, target, value in flows:
        if origin not in left or target not in right or not value:
            continue
        h = value * scale
        y0 = left[origin][0] + used_left[origin]
        y1 = right[target][0] + used_right[target]
        used_left[origin] += h
        used_right[target] += h
        xa, xb = x_left + node_w, x_right
        mid = (xa + xb) / 2
        body.append(
            f'<path d="M{xa:.1f},{y0:.1f} C{mid:.1f},{y0:.1f} {mid:.1f},{y1:.1f} {xb:.1f},{y1:.1f} '
            f'L{xb:.1f},{y1 + h:.1f} C{mid:.1f},{y1 + h:.1f} {mid:.1f},{y0 + h:.1f} '
            f'{xa:.1f},{y0 + h:.1f} Z" fill="{colour.get(origin, SERIES[0])}" '
            f'fill-opacity="0.45" stroke="{colour.get(origin, SERIES[0])}" stroke-width="0.5"/>')
        described.append(f"{names[origin]} naar {names[target]}: {value:g}")
    for nodes, places, x, anchor, tx in ((origins, left, x_left, "end", x_left - 6),
                                         (targets, right, x_right, "start",
                                          x_right + node_w + 6)):
        for node in nodes:
            y, h = places[node.key]
            body.append(f'<rect x="{x}" y="{y:.1f}" width="{node_w}" height="{h:.1f}" '
                        f'fill="{colour.get(node.key, MUTED) if nodes is origins else INK}"/>')
            body.append(f'<text x="{tx}" y="{y + h / 2 + 4:.1f}" text-anchor="{anchor}" '
                        f'fill="{INK}">{_e(node.label)} ({_e(node.text)})</text>')
    desc = ("Links de sector van herkomst, rechts de doelsector. "
            + ("; ".join(described) + "." if described else "Geen stromen om te tekenen.")
            + " Kleine en afgeschermde stromen zijn niet getekend.")
    return _frame(uid, width, height, title, desc, body)
