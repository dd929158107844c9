"""The source documents behind the embedded data, by their Swedish titles.

The manifest's ``source`` column names the documents by file (``003_9bccd6897a9e149e.txt``);
boards know them by title. :data:`DOCUMENTS` is the one mapping from a source id to the
document's Swedish title, publisher and year (from the documents' own title pages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceDocument:
    """One published document the embedded data was transcribed or derived from."""

    id: str  # the three digits of the seed file name
    title: str
    publisher: str
    year: str

    @property
    def citation(self) -> str:
        """Title, publisher and year, as the reports cite it."""
        return f"{self.title} ({self.publisher}, {self.year})"


DOCUMENTS: dict[str, SourceDocument] = {
    d.id: d
    for d in (
        SourceDocument(
            "000", "Uppföljning Samordningsförbundet RAR i Sörmland", "Region Sörmland", "2021"
        ),
        SourceDocument(
            "001",
            "Översyn av samordningsförbunden i Jönköpings län",
            "Region Jönköpings län och Jönköpings kommun",
            "2020",
        ),
        SourceDocument(
            "002",
            "Finansiell samordning – Delprojektet Förstudie ”FINSAM”",
            "Sveriges Kommuner och Landsting",
            "2016",
        ),
        SourceDocument(
            "003",
            "Genomlysning av Samordningsförbundet RAR Sörmland",
            "Tranquist Utvärdering och Payoff",
            "2020",
        ),
        SourceDocument(
            "004",
            "Årsredovisning 2021",
            "Samordningsförbundet RAR i Sörmland",
            "2022",
        ),
    )
}

_SEED_FILE = re.compile(r"\b(\d{3})_[0-9a-f]{16}\.txt\b")


def documents_of(origin: str) -> list[SourceDocument]:
    """The documents a manifest ``source`` entry names, in order, each once."""
    ids = dict.fromkeys(_SEED_FILE.findall(origin or ""))
    return [DOCUMENTS[i] for i in ids if i in DOCUMENTS]
