"""Tiny server-side SVG charts: horizontal stacked bars and lines, readable without script.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that says the
figures in words; every bar and point carries its number as text, and every series is named
in a legend, so colour is never the only carrier of meaning. Labels are escaped.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from markupsafe import Markup

Number = int | float | Decimal | None
Say = Callable[[Number], str]

# Distinct, and at least 3:1 against white (WCAG non-text contrast).
PALETTE = ("#1d5fa8", "#c2410c", "#4d7c0f", "#7e22ce", "#0f766e", "#a16207")
WIDTH = 640
_ids = itertools.count(1)


def _num(value: Number) -> float:
    return float(value) if value is not None else 0.0


def _text(value: Number) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    return f"{value:,}" if isinstance(value, int | Decimal) else f"{int(value):,}"


def _open(title: str, desc: str, height: int) -> list[str]:
    uid = f"chart{next(_ids)}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{uid}-t {uid}-d" font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<desc id="{uid}-d">{escape(desc)}</desc>',
    ]


def _legend(names: Sequence[str], y: int) -> list[str]:
    parts, x = [], 8
    for index, name in enumerate(names):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y}" fill="#1f2937">{escape(name)}</text>')
        x += 24 + 8 * len(name)
    return parts


def _describe(
    labels: Sequence[str], series: Mapping[str, Sequence[Number]], empty: str, number: Say
) -> str:
    rows = []
    for index, name in enumerate(labels):
        values = ", ".join(f"{s} {number(v[index])}" for s, v in series.items())
        rows.append(f"{name}: {values}")
    return "; ".join(rows) or empty


def bar_chart(
    labels: Sequence[str], series: Mapping[str, Sequence[Number]], *, title: str,
    empty: str = "No cases", number: Say = _text,
) -> Markup:  # fmt: skip
    """One horizontal bar per label, its series stacked, the total written at its end
    (``empty``: what an empty chart says; ``number`` writes a figure)."""
    label_w, row_h, top = 170, 26, 30
    height = top + row_h * max(len(labels), 1) + 10
    parts = _open(title, _describe(labels, series, empty, number), height)
    parts += _legend(list(series), 16)
    totals = [sum(_num(v[i]) for v in series.values()) for i in range(len(labels))]
    scale = (WIDTH - label_w - 60) / max(max(totals, default=0), 1)
    for row, name in enumerate(labels):
        y = top + row * row_h
        shown = name if len(name) <= 24 else name[:23] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" fill="#1f2937">'
            f"{escape(shown)}</text>"
        )
        x = float(label_w)
        for index, values in enumerate(series.values()):
            w = _num(values[row]) * scale
            if w > 0:
                colour = PALETTE[index % len(PALETTE)]
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                    f'fill="{colour}"/>'
                )
            x += w
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + 16}" fill="#1f2937">{number(totals[row])}</text>'
        )
    if not labels:
        parts.append(f'<text x="{label_w}" y="{top + 16}" fill="#4b5563">{escape(empty)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text in it is escaped above)


def _x_labels(labels: Sequence[str], left: float, step: float, y: float) -> list[str]:
    """About six labels along the x axis, the first and last kept inside the chart."""
    parts, every = [], max(1, -(-len(labels) // 6))
    for index, name in enumerate(labels):
        if index % every == 0 or index == len(labels) - 1:
            anchor = "start" if index == 0 else "end" if index == len(labels) - 1 else "middle"
            parts.append(
                f'<text x="{left + index * step:.1f}" y="{y}" text-anchor="{anchor}" '
                f'fill="#1f2937">{escape(name)}</text>'
            )
    return parts


def line_chart(
    labels: Sequence[str], series: Mapping[str, Sequence[Number]], *, title: str,
    empty: str = "no data", number: Say = _text,
) -> Markup:  # fmt: skip
    """One line per series over ``labels`` (evenly spaced), each point with its value."""
    left, right, top, bottom, height = 44, 16, 30, 40, 240
    parts = _open(title, _describe(labels, series, empty, number), height)
    parts += _legend(list(series), 16)
    peak = max((_num(v) for values in series.values() for v in values), default=0) or 1
    plot_h, plot_w = height - top - bottom, WIDTH - left - right
    step = plot_w / max(len(labels) - 1, 1)

    def y_of(value: Number) -> float:
        return top + plot_h - _num(value) / peak * plot_h

    for tick in (0, peak / 2, peak):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d1d5db"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#4b5563">'
            f"{number(round(tick, 2))}</text>"
        )
    parts += _x_labels(labels, left, step, height - bottom + 16)
    for index, values in enumerate(series.values()):
        colour = PALETTE[index % len(PALETTE)]
        points = " ".join(f"{left + i * step:.1f},{y_of(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
        )
        for i, value in enumerate(values):
            x, y = left + i * step, y_of(value)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(labels[i])}: {number(value)}</title></circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text in it is escaped above)


def table_chart(
    title: str, kind: str | None, labels: Sequence[str], series: Mapping[str, Sequence[Number]],
    *, empty: str = "No cases", number: Say = _text,
) -> Markup | None:  # fmt: skip
    """The chart a table asks for (``bar`` keeps its 12 biggest rows), or ``None``."""
    if kind == "line" and labels:
        return line_chart(labels, series, title=title, empty=empty, number=number)
    if kind == "bar":
        top12 = {k: v[:12] for k, v in series.items()}
        return bar_chart(labels[:12], top12, title=title, empty=empty, number=number)
    return None
