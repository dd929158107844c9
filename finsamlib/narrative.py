"""Report building blocks for the notebooks: headings, the synthetic-data banner, tables that
respect suppression, embedded figures, key figures and the sources section.

Each function returns an :class:`Html` object that a notebook cell displays as it ends, so the
notebooks stay one call per output. Numbers are formatted the Swedish way
(:func:`finsamlib.plots.style.sv_number`). Figures are embedded as inline SVG (text stays text
and scales with the page), so a report is one self-contained file.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from datetime import UTC, datetime

import pandas as pd

from . import privacy
from .plots.style import sv_number, sv_percent

#: The banner on every page whose inputs include synthetic data (issue 7).
BANNER_TEXT = "Syntetiska demonstrationsdata – inte verkliga uppgifter"
BANNER_CLASS = "finsam-banner"
#: Output metadata key the runner reads (title of the page, whether synthetic data went in).
METADATA_KEY = "finsam"
MISSING = "–"


class Html:
    """An HTML fragment that Jupyter displays (``text/html``), with optional output metadata."""

    def __init__(self, body: str, metadata: Mapping[str, object] | None = None) -> None:
        self.body = body
        self.metadata = dict(metadata or {})

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/html": self.body, "text/plain": _plain_text(self.body)}
        meta = {METADATA_KEY: self.metadata} if self.metadata else {}
        return data, meta

    def __str__(self) -> str:
        return self.body

    def __add__(self, other: Html) -> Html:
        return Html(self.body + other.body, {**self.metadata, **other.metadata})


def _plain_text(body: str) -> str:
    text = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()[:2000]


def esc(text: object) -> str:
    """HTML-escape a value."""
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------- number formats


def fmt_count(v: object) -> str:
    """A count: ``1234`` → ``1 234``."""
    return sv_number(float(v), 0)


def fmt_number(decimals: int = 1) -> Callable[[object], str]:
    """A number with fixed decimals, Swedish style."""
    return lambda v: sv_number(float(v), decimals)


def fmt_share(decimals: int = 0) -> Callable[[object], str]:
    """A share 0–1 as a percentage: ``0.342`` → ``34 %``."""
    return lambda v: sv_percent(float(v), decimals)


def fmt_percent(decimals: int = 0) -> Callable[[object], str]:
    """A value already in percent: ``34.2`` → ``34 %``."""
    return lambda v: sv_percent(float(v) / 100, decimals)


def fmt_kr(v: object) -> str:
    """Kronor: ``117084`` → ``117 084 kr``."""
    return f"{sv_number(float(v), 0)}\u00a0kr"


def fmt_mkr(decimals: int = 1) -> Callable[[object], str]:
    """Kronor shown as millions: ``8520000`` → ``8,5 mnkr``."""
    return lambda v: f"{sv_number(float(v) / 1e6, decimals)}\u00a0mnkr"


def fmt_text(v: object) -> str:
    return str(v)


def _default_format(v: object) -> str:
    if isinstance(v, bool):
        return "ja" if v else "nej"
    if isinstance(v, int | float) and not isinstance(v, bool):
        f = float(v)
        return sv_number(f, 0) if f.is_integer() else sv_number(f, 1)
    return str(v)


# --------------------------------------------------------------------------- blocks


def banner() -> Html:
    """The synthetic-data banner."""
    return Html(
        f'<div class="{BANNER_CLASS}" role="note"><strong>{esc(BANNER_TEXT)}</strong></div>'
    )


def breadcrumbs(trail: Sequence[tuple[str, str | None]]) -> Html:
    """A breadcrumb trail ``[(text, href), ..., (current page, None)]``."""
    items = []
    for text, href in trail:
        if href is None:
            items.append(f'<li><span aria-current="page">{esc(text)}</span></li>')
        else:
            items.append(f'<li><a href="{esc(href)}">{esc(text)}</a></li>')
    return Html(
        f'<nav class="finsam-breadcrumbs" aria-label="Brödsmulor"><ol>{"".join(items)}</ol></nav>'
    )


def header(
    title: str,
    subtitle: str = "",
    *,
    synthetic: bool,
    trail: Sequence[tuple[str, str]] = (),
) -> Html:
    """The page heading, with the banner when ``synthetic`` and, when ``trail`` names the pages
    above this one (``(text, href)``, the top first), breadcrumbs; tells the runner the page
    title."""
    parts = [f'<h1 class="finsam-title">{esc(title)}</h1>']
    if subtitle:
        parts.append(f'<p class="finsam-subtitle">{esc(subtitle)}</p>')
    body = "".join(parts)
    if synthetic:
        body = banner().body + body
    if trail:
        body = breadcrumbs([*trail, (title, None)]).body + body
    return Html(body, {"title": title, "synthetic": bool(synthetic)})


def paragraph(text: str) -> Html:
    """A paragraph of plain text (escaped)."""
    return Html(f"<p>{esc(text)}</p>")


def bullets(items: Iterable[str]) -> Html:
    """A bulleted list of plain-text items."""
    lis = "".join(f"<li>{esc(i)}</li>" for i in items)
    return Html(f"<ul>{lis}</ul>")


def notice(text: str) -> Html:
    """A highlighted note, e.g. when an input is missing for a section."""
    return Html(f'<p class="finsam-notice">{esc(text)}</p>')


def link_list(links: Sequence[tuple[str, str]]) -> Html:
    """A list of links ``(text, href)`` (relative links inside the reports folder)."""
    lis = "".join(f'<li><a href="{esc(href)}">{esc(text)}</a></li>' for text, href in links)
    return Html(f'<ul class="finsam-links">{lis}</ul>')


def key_figures(items: Sequence[tuple[str, str]]) -> Html:
    """Key figures as boxes: ``[(label, formatted value), ...]``."""
    boxes = "".join(
        f'<div class="finsam-kf"><div class="finsam-kf-value">{esc(v)}</div>'
        f'<div class="finsam-kf-label">{esc(label)}</div></div>'
        for label, v in items
    )
    return Html(f'<div class="finsam-kfs">{boxes}</div>')


def table(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    source: str | None = None,
    formatters: Mapping[Hashable, Callable[[object], str]] | None = None,
    default: Callable[[object], str] | None = None,
    index: bool = True,
    index_label: str | None = None,
    classes: Mapping[Hashable, str] | None = None,
    text_columns: Sequence[Hashable] | None = None,
) -> Html:
    """A table as HTML; a suppressed table (:func:`finsamlib.privacy.suppress`) shows "<5" and
    ".." for its hidden cells, and the note says why. ``classes`` adds a CSS class to the cells
    of some columns (e.g. ``finsam-hash`` for checksums); ``text_columns`` names the
    left-aligned columns (default: the non-numeric ones)."""
    shown = privacy.display_values(
        df, formatters, default=default or _default_format, missing=MISSING
    )
    head_cells = []
    if index:
        head_cells.append(f'<th scope="col">{esc(index_label or (df.index.name or ""))}</th>')
    extra = dict(classes or {})
    attrs = []
    for c in df.columns:
        names = []
        is_text = (
            c in text_columns
            if text_columns is not None
            else not pd.api.types.is_numeric_dtype(df[c].dtype)
            or pd.api.types.is_bool_dtype(df[c].dtype)
        )
        if is_text:
            names.append("finsam-text")
        if c in extra:
            names.append(extra[c])
        attrs.append(f' class="{" ".join(names)}"' if names else "")
    head_cells += [
        f'<th scope="col"{a}>{esc(c)}</th>' for c, a in zip(shown.columns, attrs, strict=True)
    ]
    body_rows = []
    for label, row in shown.iterrows():
        cells = [f'<th scope="row">{esc(label)}</th>'] if index else []
        cells += [f"<td{a}>{esc(v)}</td>" for v, a in zip(row.tolist(), attrs, strict=True)]
        body_rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    parts = [
        f'<table class="finsam-table">{cap}<thead><tr>{"".join(head_cells)}</tr></thead>'
        f"<tbody>{''.join(body_rows)}</tbody></table>"
    ]
    notes = []
    if source:
        notes.append(f"Källa: {source}" + ("" if source.endswith(".") else "."))
    if privacy.suppressed_cells(df):
        limit = privacy.threshold_of(df)
        notes.append(
            f"{privacy.primary_mark(limit)} = färre än {limit + 1} personer; "
            f"{privacy.SECONDARY_MARK} = dolt för att skydda ett litet tal."
        )
    if notes:
        parts.append(f'<p class="finsam-source">{esc(" ".join(notes))}</p>')
    # a labelled, focusable region: if the table is wider than a phone it scrolls in here (by
    # keyboard too), never the page
    name = esc(caption or "Tabell")
    return Html(
        f'<div class="finsam-table-wrap" role="region" aria-label="{name}" tabindex="0">'
        + "".join(parts)
        + "</div>"
    )


def figure(fig: object, alt: str) -> Html:
    """Embed a matplotlib Figure as inline SVG (and close it, so it shows once).

    The accessible name is ``alt`` followed by the summary of the data the chart function
    attached (:func:`finsamlib.plots.style.describe`)."""
    import matplotlib.pyplot as plt

    from .plots.style import summary_of
    from .plots.svg import inline_svg

    summary = summary_of(fig)
    label = alt.rstrip(".") + ". " + summary if summary else alt
    markup = inline_svg(fig, label)
    plt.close(fig)  # type: ignore[arg-type]
    return Html(f'<figure class="finsam-figure">{markup}</figure>')


# --------------------------------------------------------------------------- provenance


def generation_time(generated_at: str | None = None) -> str:
    """The time of generation as ISO 8601 UTC: ``generated_at`` if given (the runner passes one
    time for a whole run), else ``SOURCE_DATE_EPOCH`` if set, else now."""
    import os

    if generated_at:
        return str(generated_at)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return when.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def parameters_table(parameters: Mapping[str, object]) -> Html:
    """The parameters a report was run with."""
    df = pd.DataFrame(
        {"Värde": [MISSING if v in (None, "") else str(v) for v in parameters.values()]},
        index=pd.Index(list(parameters), name="Parameter"),
    )
    return table(df, default=fmt_text)


#: Swedish month names, for dates in the reports ("2 december 2026").
MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def sv_date(when: str | datetime) -> str:
    """A date the Swedish way: ``2026-12-02T13:52:00Z`` → ``2 december 2026``."""
    if isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def sv_datetime(when: str | datetime) -> str:
    """Date and time the Swedish way: ``2 december 2026 kl. 13.52 UTC`` (UTC when the time has
    a zone, else as given); a string that is no ISO 8601 time is returned as it is."""
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            return when
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    zone = " UTC" if when.tzinfo is not None else ""
    return f"{sv_date(when)} kl. {when.hour:02d}.{when.minute:02d}{zone}"


#: Order of the provenances in the source list: the published figures first.
PROVENANCE_ORDER = ("Publicerad", "Härledd", "Antagande", "Syntetisk", "Användarens")


def _source_documents(sources: pd.DataFrame) -> Html:
    """The source documents by title, as a list."""
    cited = dict.fromkeys(c for v in sources["Källa"] for c in str(v).split("; ") if c)
    if not cited:
        return paragraph("Inga publicerade källdokument; bara användarens egna filer.")
    items = "".join(f"<li><cite>{esc(c)}</cite></li>" for c in sorted(cited))
    return Html(f'<ul class="finsam-source-documents">{items}</ul>')


def sources_section(
    sources: pd.DataFrame,
    parameters: Mapping[str, object],
    *,
    threshold: int,
    version: str,
    generated_at: str | None = None,
) -> Html:
    """ "Datakällor och metod" for a board: the source documents by Swedish title, every input
    in Swedish with its provenance and source document, then the parameters, the
    suppression method, the finsamlib version and the date; file names and SHA-256 checksums in
    a collapsed appendix (``<details>``).

    ``sources`` has the columns of :meth:`finsamlib.reports.inputs.ReportInputs.sources_table`:
    Fil, Ursprung, Källa (document citations joined by "; "), Beskrivning, SHA-256.
    """
    when = generation_time(generated_at)
    rank = {p: i for i, p in enumerate(PROVENANCE_ORDER)}
    order = sorted(
        range(len(sources)),
        key=lambda i: (
            rank.get(str(sources["Ursprung"].iloc[i]).split(" ")[0], len(rank)),
            str(sources["Fil"].iloc[i]),
        ),
    )
    listed = sources.iloc[order]
    inputs = pd.DataFrame(
        {
            "Uppgift": listed["Beskrivning"].to_numpy(),
            "Ursprung": listed["Ursprung"].to_numpy(),
            "Källa": [c or MISSING for c in listed["Källa"]],
        }
    )
    files = pd.DataFrame({"Fil": sources["Fil"], "SHA-256": sources["SHA-256"]})
    parts = [
        Html("<h3>Källdokument</h3>"),
        _source_documents(sources),
        Html("<h3>Underlag i rapporten</h3>"),
        Html('<div class="finsam-source-list">')
        + table(inputs, index=False, default=fmt_text)
        + Html("</div>"),
        Html("<h3>Parametrar</h3>"),
        parameters_table(parameters),
        Html("<h3>Röjandekontroll</h3>"),
        paragraph(privacy.method_text(threshold)),
        Html(
            '<p class="finsam-generated">Framställd med finsamlib '
            f'{esc(version)} den <time class="finsam-generated-at" datetime="{esc(when)}">'
            f"{esc(sv_datetime(when))}</time>.</p>"
        ),
        Html(
            '<details class="finsam-files"><summary>Filer och kontrollsummor</summary>'
            + paragraph(
                "Filerna som rapporten läste, i datamappen, med kontrollsumma (SHA-256): samma "
                "summa betyder samma fil, byte för byte."
            ).body
        )
        + table(files, index=False, default=fmt_text, classes={"SHA-256": "finsam-hash"})
        + Html("</details>"),
    ]
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out
