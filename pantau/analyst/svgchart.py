"""A small SVG chart builder for the offline report: horizontal bars, lines and sparklines.

Hand-written on purpose: the report must be one self-contained HTML file that opens offline
and prints well, so every chart is inline SVG text with no script and no external resource.
Every label is escaped here; the functions return ``markupsafe.Markup`` for Jinja.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

from markupsafe import Markup

PALETTE = ("#1f6f8b", "#d9822b", "#4c956c", "#a23b72", "#6c757d", "#c9a227", "#3d5a80")
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _open(width: float, height: float, title: str, kind: str) -> list[str]:
    return [
        (f'<svg class="chart chart-{kind}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-label="{esc(title)}" {FONT} font-size="12">'),
        f"<title>{esc(title)}</title>",
    ]


def hbar(title: str, items: Sequence[tuple[str, float, str]], *, width: int = 760,
         label_width: int = 330, color: str = PALETTE[0], max_value: float | None = None) -> Markup:
    """One bar per item: ``(label, value, value_text)``, largest scale = ``max_value``."""
    row = 22
    height = row * len(items) + 8
    top = max([max_value or 0.0, *(v for _, v, _ in items)]) or 1.0
    bar_space = width - label_width - 170
    out = _open(width, height, title, "bar")
    for i, (label, value, text) in enumerate(items):
        y = 4 + i * row
        w = max(1.0, bar_space * max(value, 0) / top) if value else 0.0
        out.append(
            f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" fill="#222">'
            f"<title>{esc(label)}</title>{esc(_short(label, 48))}</text>"
            f'<rect class="mark" x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row - 7}" '
            f'fill="{color}" rx="2"/>'
            f'<text x="{label_width + w + 6:.1f}" y="{y + 15}" fill="#333">{esc(text)}</text>'
        )
    out.append(f'<line x1="{label_width}" y1="2" x2="{label_width}" y2="{height - 2}" '
               'stroke="#888" stroke-width="1"/>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above is escaped


def line(title: str, series: dict[str, Sequence[tuple[str, float]]], *,
         fmt: Callable[[float], str], width: int = 360, height: int = 190,
         zero_based: bool = True) -> Markup:
    """Lines over shared x labels (sorted), one colour per series, with y gridlines and a
    legend when there is more than one series."""
    xs = sorted({x for points in series.values() for x, _ in points})
    values = [v for points in series.values() for _, v in points if v is not None]
    left, right, top, bottom = 58, 14, 12, 40 + (16 if len(series) > 1 else 0)
    plot_w, plot_h = width - left - right, height - top - bottom
    lo = 0.0 if zero_based else min(values, default=0.0)
    hi = max(values, default=1.0)
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    hi = lo + nice_ceiling(hi - lo)

    def px(i: int) -> float:
        return left + (plot_w * (i / (len(xs) - 1)) if len(xs) > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    out = _open(width, height, title, "line")
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        y = py(v)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                   f'stroke="#ddd" stroke-width="1"/><text x="{left - 5}" y="{y + 4:.1f}" '
                   f'text-anchor="end" font-size="10" fill="#555">{esc(fmt(v))}</text>')
    shown = {0, len(xs) - 1, (len(xs) - 1) // 2} if xs else set()
    for i in sorted(shown):
        anchor = ("middle" if len(xs) == 1 or 0 < i < len(xs) - 1
                  else "start" if i == 0 else "end")
        out.append(f'<text x="{px(i):.1f}" y="{top + plot_h + 15}" text-anchor="{anchor}" '
                   f'font-size="10" fill="#555">{esc(xs[i])}</text>')
    index = {x: i for i, x in enumerate(xs)}
    for n, (name, points) in enumerate(series.items()):
        color = PALETTE[n % len(PALETTE)]
        coords = [(px(index[x]), py(v)) for x, v in points if v is not None]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            out.append(f'<polyline class="mark" points="{path}" fill="none" stroke="{color}" '
                       'stroke-width="2"/>')
        out += [f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>'
                for x, y in coords]
        if len(series) > 1:
            lx = left + n * 120
            out.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" '
                       f'fill="{color}"/><text x="{lx + 14}" y="{height - 5}" font-size="10">'
                       f"{esc(_short(name, 16))}</text>")
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
               f'y2="{top + plot_h}" stroke="#888"/>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above is escaped


def nice_ceiling(span: float) -> float:
    """The smallest 1, 2, 4, 5 or 8 x 10^n at or above ``span`` (so four gridlines fall on
    round numbers)."""
    exp = math.floor(math.log10(span))
    for step in (1, 2, 4, 5, 8, 10):
        if step * 10**exp >= span * (1 - 1e-9):
            return step * 10**exp
    return 10 ** (exp + 1)


def spark(title: str, values: Sequence[float], *, width: int = 110, height: int = 26) -> Markup:
    """A sparkline of a metric's snapshots (a dot alone when there is one)."""
    vals = [v for v in values if v is not None]
    out = _open(width, height, title, "spark")
    if vals:
        lo, hi = min(vals), max(vals)
        span = (hi - lo) or 1.0
        step = (width - 8) / (len(vals) - 1) if len(vals) > 1 else 0

        def pt(i: int, v: float) -> tuple[float, float]:
            x = 4 + i * step if len(vals) > 1 else width / 2
            return x, height - 4 - (height - 8) * ((v - lo) / span if hi > lo else 0.5)

        coords = [pt(i, v) for i, v in enumerate(vals)]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            out.append(f'<polyline class="mark" points="{path}" fill="none" '
                       f'stroke="{PALETTE[0]}" stroke-width="1.5"/>')
        x, y = coords[-1]
        out.append(f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="2.5" '
                   f'fill="{PALETTE[1]}"/>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above is escaped
