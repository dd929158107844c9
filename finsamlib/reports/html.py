"""Executed notebooks to self-contained Swedish HTML, and the index pages of a reports folder.

The page template (``finsamlib/templates/finsam``) is nbconvert's lab template without the
scripts it loads from a CDN (require.js, MathJax, mermaid, the widget manager): a report makes
no external request. Code cells and prompts are left out, figures are inline SVG, the page is
``<html lang="sv">`` with the report's own Swedish title, and each heading's anchor link has an
accessible name. Everything that changes from one
run to the next without the content changing (papermill's timings and paths, execution
timestamps) is stripped before conversion, so a re-run gives the same file apart from the
generation time that the report states.
"""

from __future__ import annotations

import copy
import html as htmlmod
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat

from ..narrative import BANNER_CLASS, BANNER_TEXT, METADATA_KEY
from . import paths

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
TEMPLATE_NAME = "finsam"
#: Cells with this tag (notes for researchers in the notebook) are left out of the HTML.
HIDE_TAG = "hide-in-report"
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_HEADING = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)<a class="anchor-link" href="#\2">', re.S)


@lru_cache(maxsize=1)
def exporter():
    """The HTML exporter (one per process: building it costs more than a conversion)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exp = HTMLExporter(
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        template_name=TEMPLATE_NAME,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        language_code="sv",
        anchor_link_text="",  # the ¶ is drawn by CSS, so heading text stays the heading
    )
    exp.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags={HIDE_TAG}, enabled=True), enabled=True
    )
    return exp


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without run-specific metadata (timings, paths, execution stamps)."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = f"injected-parameters-{i}"  # papermill gives it a random id
    for key in ("papermill", "widgets"):
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "execute_result":
                output["execution_count"] = None
        if cell.cell_type == "code":
            cell.execution_count = None
    return nb


def page_metadata(nb: nbformat.NotebookNode) -> dict[str, object]:
    """What the notebook told the runner through output metadata (title, synthetic, ...)."""
    found: dict[str, object] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get(METADATA_KEY)
            if isinstance(meta, dict):
                found.update(meta)
    return found


def stderr_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Text written to stderr by the notebook (warnings): it has no place in a report."""
    return [
        "".join(o.get("text", ""))
        for cell in nb.cells
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    ]


def notebook_to_html(nb: nbformat.NotebookNode, title: str) -> str:
    """One self-contained HTML page from an executed notebook."""
    clean = strip_volatile(nb)
    # code cells without output (parameters, imports) leave nothing but an empty box
    clean.cells = [c for c in clean.cells if c.cell_type != "code" or c.get("outputs")]
    clean.metadata["title"] = title
    body, _resources = exporter().from_notebook_node(clean, resources={"metadata": {"name": title}})
    return name_anchor_links(body)


def name_anchor_links(page: str) -> str:
    """Give each heading's anchor link an accessible name: "Länk till avsnittet …"."""

    def named(m: re.Match[str]) -> str:
        text = htmlmod.unescape(re.sub(r"<[^>]+>", "", m.group(3))).strip()
        label = htmlmod.escape(f"Länk till avsnittet {text}", quote=True)
        return (
            f'<h{m.group(1)} id="{m.group(2)}">{m.group(3)}'
            f'<a class="anchor-link" href="#{m.group(2)}" aria-label="{label}">'
        )

    return _HEADING.sub(named, page)


def page_title(path: Path) -> str:
    """The ``<title>`` of an HTML file (the file name if it has none)."""
    head = path.read_text(encoding="utf-8", errors="replace")[:20000]
    m = _TITLE.search(head)
    return htmlmod.unescape(m.group(1).strip()) if m else path.stem


def has_banner(path: Path) -> bool:
    """Whether an HTML page shows the synthetic-data banner (the element, not the stylesheet
    rule for it that every page has)."""
    return f'class="{BANNER_CLASS}"' in path.read_text(encoding="utf-8", errors="replace")


# --------------------------------------------------------------------------- the top index


@dataclass(frozen=True)
class IndexEntry:
    """One county of one year in the top-level index."""

    year: int
    county_dir: str  # relative to the reports root, with /
    county_title: str
    reports: tuple[tuple[str, str], ...]  # (title, href relative to the root)
    synthetic: bool
    has_overview: bool = True  # the county overview page exists (else its title is no link)


def scan(root: Path) -> list[IndexEntry]:
    """Every county overview and association report under ``root``, newest year first."""
    entries = []
    for year_dir in sorted(
        (p for p in root.iterdir() if p.is_dir() and p.name.isdigit()), key=lambda p: -int(p.name)
    ):
        for county in sorted(p for p in year_dir.iterdir() if p.is_dir()):
            index = county / paths.INDEX
            pages = sorted(p for p in county.glob("*.html") if p.name != paths.INDEX)
            if not index.is_file() and not pages:
                continue
            titles = tuple(
                (page_title(p), p.relative_to(root).as_posix())
                for p in sorted(pages, key=lambda p: page_title(p))
            )
            synthetic = any(has_banner(p) for p in [*pages, index] if p.is_file())
            entries.append(
                IndexEntry(
                    year=int(year_dir.name),
                    county_dir=county.relative_to(root).as_posix(),
                    county_title=page_title(index) if index.is_file() else county.name,
                    reports=titles,
                    synthetic=synthetic,
                    has_overview=index.is_file(),
                )
            )
    return entries


INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif;
       max-width: 50rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; line-height: 1.5;
       color: #1a1a1a; }
.finsam-banner { background: #fff3cd; border: 2px solid #b8860b; color: #4a3500;
                 padding: 0.6rem 1rem; margin: 0 0 1rem; border-radius: 4px; text-align: center; }
h1 { font-size: clamp(1.5rem, 6vw, 2rem); overflow-wrap: break-word; hyphens: auto; }
h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 0.2rem; }
h3 { overflow-wrap: break-word; }
@media (max-width: 40rem) { body { padding: 0.75rem 0.75rem 2rem; } }
@media print { @page { size: A4; margin: 15mm 14mm 16mm; } body { max-width: none; padding: 0; }
               h2, h3 { break-after: avoid; } a { color: inherit; } }
li { margin: 0.2rem 0; }
.finsam-generated { font-size: 0.85rem; color: #555; }
"""


def index_page(entries: Iterable[IndexEntry], generated_at: str, version: str) -> str:
    """The top-level ``reports/index.html``: every year, county overview and report."""
    entries = list(entries)
    esc = htmlmod.escape
    synthetic = any(e.synthetic for e in entries)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="sv">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        "<title>Rapporter för samordningsförbund</title>",
        f"<style>{INDEX_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    if synthetic:
        parts.append(
            f'<div class="{BANNER_CLASS}" role="note"><strong>{esc(BANNER_TEXT)}</strong></div>'
        )
    parts.append("<h1>Rapporter för samordningsförbund</h1>")
    if not entries:
        parts.append("<p>Inga rapporter har skapats ännu.</p>")
    year = None
    for e in entries:
        if e.year != year:
            if year is not None:
                parts.append("</section>")
            year = e.year
            parts.append(f'<section><h2 id="ar-{e.year}">{e.year}</h2>')
        if e.has_overview:
            heading = f'<a href="{esc(e.county_dir)}/{paths.INDEX}">{esc(e.county_title)}</a>'
        else:  # the overview failed or was never made: no dead link
            heading = esc(e.county_title)
        parts.append(f"<h3>{heading}</h3><ul>")
        for title, href in e.reports:
            parts.append(f'<li><a href="{esc(href)}">{esc(title)}</a></li>')
        parts.append("</ul>")
    if year is not None:
        parts.append("</section>")
    parts.append(
        f'<p class="finsam-generated">Framställd med finsamlib {esc(version)} den '
        f'<time class="finsam-generated-at" datetime="{esc(generated_at)}">{esc(generated_at)}'
        "</time>.</p>"
    )
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)
