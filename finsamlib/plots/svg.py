"""Figures as inline SVG for the HTML reports: small, deterministic, accessible.

Matplotlib's SVG is made fit for embedding in a page: text stays text (``svg.fonttype: none``
in the shared style), the metadata and XML prologue go, numbers are rounded to what a screen
or printer can show, hatch patterns are cut down to their smallest repeating tile (a dotted
hatch otherwise costs 100 KB per colour), every id gets a prefix unique to the figure (several
charts share a page), and the ``<svg>`` gets ``role="img"`` with a ``<title>`` as its name.
"""

from __future__ import annotations

import hashlib
import html
import io
import re

#: How large a chart is shown at most: CSS px per SVG unit (point), so a 5-inch chart is at
#: most 600 px wide and every chart's text has the same size; narrower screens scale it down.
SCALE = 5 / 3

_HEAD = re.compile(r"\A.*?(?=<svg\b)", re.S)
_OPEN = re.compile(r"<svg\b[^>]*>")
_ID = re.compile(r'\bid="([^"]+)"')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_VIEWBOX = re.compile(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"')
_NUMBER = re.compile(r"-?\d+\.\d{3,}")
_PATTERN = re.compile(r"<pattern\b[^>]*>.*?</pattern>", re.S)
_PATH_D = re.compile(r'<path d="([^"]*)"')
_TILE = 72  # matplotlib draws a hatch as a 72 x 72 pattern tile


def _round(text: str) -> str:
    """Numbers to two decimals (a hundredth of a point is far below a pixel)."""

    def short(m: re.Match[str]) -> str:
        v = f"{float(m.group(0)):.2f}".rstrip("0").rstrip(".")
        return "0" if v == "-0" else v

    return _NUMBER.sub(short, text)


def _subpaths(d: str) -> list[tuple[str, float, float, float, float]]:
    """Each ``M ...`` subpath of a path with its bounding box (of its points)."""
    out = []
    for part in re.split(r"(?=M )", d.strip()):
        if not part.strip():
            continue
        nums = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", part)]
        xs, ys = nums[0::2], nums[1::2]
        if xs and ys:
            out.append((part, min(xs), min(ys), max(xs), max(ys)))
    return out


def _period(subpaths: list[tuple[str, float, float, float, float]]) -> int:
    """The smallest tile (a divisor of 72) the hatch repeats with, in x and in y."""
    centres = {
        (round((x0 + x1) / 2, 1) % _TILE, round((y0 + y1) / 2, 1) % _TILE)
        for _p, x0, y0, x1, y1 in subpaths
    }
    for p in (6, 8, 9, 12, 18, 24, 36):
        if all(
            (round((x + p) % _TILE, 1), y) in centres and (x, round((y + p) % _TILE, 1)) in centres
            for x, y in centres
        ):
            return p
    return _TILE


def _small_pattern(m: re.Match[str]) -> str:
    """A hatch pattern cut down to its smallest repeating tile (only when that is exact)."""
    pattern = m.group(0)
    d = _PATH_D.search(pattern)
    if d is None or 'width="72" height="72"' not in pattern:
        return pattern
    parts = _subpaths(d.group(1))
    if len(parts) < 40:  # line hatches are cheap already
        return pattern
    p = _period(parts)
    if p == _TILE:
        return pattern
    kept = [part for part, x0, y0, x1, y1 in parts if x1 >= 0 and y1 >= 0 and x0 <= p and y0 <= p]
    pattern = pattern.replace('width="72" height="72"', f'width="{p}" height="{p}"', 1)
    pattern = pattern.replace('width="73" height="73"', f'width="{p + 1}" height="{p + 1}"', 1)
    return pattern.replace(d.group(1), "".join(kept), 1)


def inline_svg(fig: object, label: str) -> str:
    """A matplotlib Figure as an ``<svg>`` element with ``label`` as its accessible name; it
    scales with the page's width up to :data:`SCALE` px per point."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})  # type: ignore[attr-defined]
    text = _METADATA.sub("", _HEAD.sub("", buf.getvalue(), count=1))
    text = _PATTERN.sub(_small_pattern, text)
    text = _round(text)
    prefix = "f" + hashlib.sha256(text.encode()).hexdigest()[:8] + "-"
    ids = set(_ID.findall(text))
    text = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', text)
    text = re.sub(
        r'(url\(#|href="#)([^)"]+)',
        lambda m: m.group(1) + (prefix + m.group(2) if m.group(2) in ids else m.group(2)),
        text,
    )
    box = _VIEWBOX.search(text)
    width = float(box.group(1)) if box else 576.0
    title_id = f"{prefix}title"
    opening = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'{box.group(0) if box else ""} class="finsam-chart" role="img" '
        f'aria-labelledby="{title_id}" preserveAspectRatio="xMinYMin meet" '
        f'style="max-width: {round(width * SCALE)}px">'
        f'<title id="{title_id}">{html.escape(label, quote=True)}</title>'
    )
    return _OPEN.sub(lambda _m: opening, text, count=1).strip()
