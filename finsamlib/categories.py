"""Category codes and their Swedish labels: the one place where the domain's Swedish terms live.

Every code used in the canonical tables is defined here with its Swedish label, and for the
support (försörjning) categories also its family, its paying actor and its colour, so that every
table, chart and report names and colours a category the same way.

Sources for the support categories: seed 001 (end of document, the list of försörjning types) and
``../shared/DOMAIN.md``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class SupportCategory:
    """One main source of support (huvudsaklig försörjning) as SUS registers it."""

    code: str
    label: str  # Swedish label shown in reports
    family: str  # key into FAMILIES
    payer: str | None  # the actor that pays the support out, None when no public payer
    colour: str  # hex colour, shared by every chart
    variants: tuple[str, ...] = ()  # other spellings met in exports (matched loosely)


@dataclass(frozen=True)
class Family:
    """A documented grouping of support categories (who pays, or work/studies/none)."""

    key: str
    label: str
    colour: str
    hatch: str  # for greyscale printing


#: Families of support categories, in report order.
FAMILIES: dict[str, Family] = {
    f.key: f
    for f in (
        Family("kommun", "Offentlig försörjning från kommunen", "#D55E00", "//"),
        Family("fk", "Offentlig försörjning från Försäkringskassan", "#0072B2", "\\\\"),
        Family("af", "Offentlig försörjning via Arbetsförmedlingen/a-kassa", "#E69F00", ".."),
        Family("work", "Arbete", "#009E73", ""),
        Family("studies", "Studier", "#CC79A7", "xx"),
        Family("none", "Ingen offentlig försörjning", "#F0E442", "oo"),
        Family("unknown", "Okänd", "#BBBBBB", "--"),
    )
}

#: The support categories in their canonical (report) order. Colours follow the Okabe–Ito
#: colour-blind-safe palette, one hue per family with lighter and darker shades inside it.
SUPPORT_CATEGORIES: tuple[SupportCategory, ...] = (
    SupportCategory(
        "social_assistance",
        "Försörjningsstöd",
        "kommun",
        "Kommun",
        "#D55E00",
        (
            "ekonomiskt bistånd",
            "ekonomiskt bistand",
            "försörjningsstöd (ekonomiskt bistånd)",
            "fbs",
        ),
    ),
    SupportCategory("sickness_benefit", "Sjukpenning", "fk", "FK", "#56B4E9", ("sjukpenning",)),
    SupportCategory(
        "rehabilitation_benefit",
        "Rehabiliteringspenning",
        "fk",
        "FK",
        "#A6D8F4",
        ("rehabiliteringsersättning",),
    ),
    SupportCategory(
        "activity_compensation",
        "Aktivitetsersättning",
        "fk",
        "FK",
        "#0072B2",
        ("aktivitetsersättning vid nedsatt arbetsförmåga", "ae"),
    ),
    SupportCategory(
        "sickness_compensation",
        "Sjukersättning",
        "fk",
        "FK",
        "#003E66",
        ("förtidspension", "sjukersättning (hel eller partiell)", "se"),
    ),
    SupportCategory(
        "activity_support",
        "Aktivitetsstöd",
        "af",
        "FK",
        "#E69F00",
        ("utvecklingsersättning", "aktivitetsstöd/utvecklingsersättning"),
    ),
    SupportCategory(
        "establishment_allowance",
        "Etableringsersättning",
        "af",
        "FK",
        "#F5CB7A",
        ("etableringsstöd",),
    ),
    SupportCategory(
        "unemployment_insurance",
        "Arbetslöshetsersättning",
        "af",
        "A-kassa",
        "#8C5F00",
        ("a-kassa", "arbetslöshetskassa", "akassa", "arbetslöshetsersättning/a-kassa"),
    ),
    SupportCategory(
        "employment",
        "Lön, osubventionerad anställning",
        "work",
        None,
        "#009E73",
        ("lön", "anställning", "arbete", "osubventionerad anställning", "lön/anställning"),
    ),
    SupportCategory(
        "subsidised_employment",
        "Anställning med lönestöd",
        "work",
        "Af",
        "#7FD1B9",
        (
            "lönestöd",
            "lönebidrag",
            "nystartsjobb",
            "subventionerad anställning",
            "anställning med lönebidrag",
            "anställning med subvention",
        ),
    ),
    SupportCategory("student_aid", "Studiemedel", "studies", "CSN", "#CC79A7", ("csn", "studier")),
    SupportCategory(
        "no_public_support",
        "Ingen offentlig försörjning",
        "none",
        None,
        "#F0E442",
        ("ingen försörjning", "ingen offentlig ersättning", "utan offentlig försörjning"),
    ),
    SupportCategory(
        "unknown",
        "Okänd",
        "unknown",
        None,
        "#BBBBBB",
        ("okänt", "uppgift saknas", "saknas", "ej känd", "vet ej"),
    ),
)

SUPPORT_CODES: tuple[str, ...] = tuple(c.code for c in SUPPORT_CATEGORIES)
SUPPORT: dict[str, SupportCategory] = {c.code: c for c in SUPPORT_CATEGORIES}
SUPPORT_LABELS: dict[str, str] = {c.code: c.label for c in SUPPORT_CATEGORIES}
SUPPORT_COLOURS: dict[str, str] = {c.code: c.colour for c in SUPPORT_CATEGORIES}
SUPPORT_FAMILY: dict[str, str] = {c.code: c.family for c in SUPPORT_CATEGORIES}

#: Categories that count as work or studies in SUS outcome terms.
WORK_CODES: tuple[str, ...] = ("employment", "subsidised_employment")
STUDY_CODES: tuple[str, ...] = ("student_aid",)

SEX_LABELS: dict[str, str] = {"K": "Kvinnor", "M": "Män"}
SEX_VARIANTS: dict[str, tuple[str, ...]] = {
    "K": ("k", "kvinna", "kvinnor", "kv", "f", "female", "woman"),
    "M": ("m", "man", "män", "male"),
}

EDUCATION_LABELS: dict[str, str] = {
    "compulsory_or_less": "Högst grundskola",
    "upper_secondary": "Gymnasium",
    "post_secondary": "Eftergymnasial utbildning",
    "unknown": "Okänd",
}
EDUCATION_VARIANTS: dict[str, tuple[str, ...]] = {
    "compulsory_or_less": (
        "förgymnasial",
        "grundskola",
        "högst grundskola",
        "grundskola eller kortare",
        "förgymnasial utbildning",
        "ingen utbildning",
    ),
    "upper_secondary": ("gymnasial", "gymnasium", "gymnasieskola", "gymnasial utbildning"),
    "post_secondary": (
        "eftergymnasial",
        "eftergymnasial utbildning",
        "högskola",
        "universitet",
        "universitet/högskola",
        "yrkeshögskola",
    ),
    "unknown": ("okänd", "okänt", "uppgift saknas", "saknas"),
}

INSATS_TYPE_LABELS: dict[str, str] = {"I": "Individinriktad", "S": "Strukturinriktad"}
INSATS_TYPE_VARIANTS: dict[str, tuple[str, ...]] = {
    "I": ("individinriktad", "individ", "individuell"),
    "S": ("strukturinriktad", "struktur", "strukturell", "strukturövergripande"),
}

FINANCING_LABELS: dict[str, str] = {"finsam": "Finsam-medel", "esf": "ESF-projekt"}
FINANCING_VARIANTS: dict[str, tuple[str, ...]] = {
    "finsam": ("samordningsförbund", "förbundet", "rar", "finsam-medel", "finsammedel"),
    "esf": ("europeiska socialfonden", "esf-projekt", "socialfonden"),
}

OWNER_LABELS: dict[str, str] = {
    "Kommun": "Kommun",
    "Region": "Region",
    "Af": "Arbetsförmedlingen",
    "FK": "Försäkringskassan",
    "LSG": "Lokal samverkansgrupp",
    "undefined": "Ej definierad",
    "other": "Annan",
}
OWNER_VARIANTS: dict[str, tuple[str, ...]] = {
    "Kommun": ("kommunen",),
    "Region": ("regionen", "landsting", "landstinget"),
    "Af": ("arbetsförmedlingen", "arbetsformedlingen"),
    "FK": ("försäkringskassan",),
    "LSG": ("lokal samverkansgrupp", "lokala samverkansgrupper", "lsg"),
    "undefined": ("ej definierad", "odefinierad", "ej angiven", "saknas"),
    "other": ("annan", "övrig", "övriga"),
}

#: Label of the combined outcome "work and/or studies" (SUS: "arbete och/eller studier").
WORK_OR_STUDIES_LABEL = "Arbete och/eller studier"

#: Sysselsättning (what a participant does), as SUS's "Standardrapport deltagare" groups it,
#: key -> Swedish label, in report order (see :mod:`finsamlib.employment` for the rule).
EMPLOYMENT_LABELS: dict[str, str] = {
    "work": "Förvärvsarbete",
    "studies": "Studier",
    "job_seeking": "Aktivt arbetssökande",
    "other": "Övriga",
}

#: Ways to start or increase work or studies (SUS: "påbörjat eller utökat arbete eller
#: studier"), key -> Swedish label, in report order (:func:`finsamlib.employment.gains`).
GAIN_LABELS: dict[str, str] = {
    "work_started": "Började förvärvsarbeta",
    "work_increased": "Ökade sitt förvärvsarbete",
    "studies_started": "Började studera",
    "studies_increased": "Ökade sina studier",
    "work_or_studies_gained": "Började eller ökade arbete och/eller studier",
}

#: Bands of time in insats (SUS: "tid i insats"), key -> Swedish label, in report order; the
#: limits in days are :data:`finsamlib.duration.DURATION_BANDS`.
DURATION_LABELS: dict[str, str] = {
    "under_3_months": "Kortare än 3 månader",
    "3_6_months": "3–6 månader",
    "6_12_months": "6–12 månader",
    "1_2_years": "1–2 år",
    "over_2_years": "Längre än 2 år",
}

#: Population groups of the target-group sizing model (seed 002, Bilaga 4), key -> Swedish label.
TARGET_GROUP_LABELS: dict[str, str] = {
    "neet": "NEET",
    "economic_assistance": "Ekonomiskt bistånd",
    "unemployed": "Arbetslösa",
    "activity_compensation": "Aktivitetsersättning",
    "sick_listed": "Sjukskrivna",
    "part_time_sickness_compensation": "Sjukersättning på deltid",
}

#: Actors whose revenues and costs the economic indicators report, in report order.
ACTOR_LABELS: dict[str, str] = {
    "society": "Samhället",
    "kommun": "Kommun",
    "region": "Region",
    "state": "Staten",
    "af": "varav Arbetsförmedlingen",
    "fk": "varav Försäkringskassan",
}


def fold(text: object) -> str:
    """Fold a label for loose matching: case, diacritics, punctuation and spacing are ignored."""
    return _fold(str(text))


@functools.lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    """:func:`fold` of a string, remembered: the loaders fold the same headers and labels for
    every file."""
    s = unicodedata.normalize("NFKD", text).casefold()
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", " ", s).strip()


def _lookup(
    labels: dict[str, str], variants: dict[str, tuple[str, ...]] | None = None
) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, label in labels.items():
        table[fold(code)] = code
        table[fold(label)] = code
    for code, names in (variants or {}).items():
        for name in names:
            table[fold(name)] = code
    return table


#: Folded spelling → code, for each coded column; loaders normalise through these.
SUPPORT_LOOKUP: dict[str, str] = _lookup(
    SUPPORT_LABELS, {c.code: c.variants for c in SUPPORT_CATEGORIES}
)
SEX_LOOKUP: dict[str, str] = _lookup(SEX_LABELS, SEX_VARIANTS)
EDUCATION_LOOKUP: dict[str, str] = _lookup(EDUCATION_LABELS, EDUCATION_VARIANTS)
INSATS_TYPE_LOOKUP: dict[str, str] = _lookup(INSATS_TYPE_LABELS, INSATS_TYPE_VARIANTS)
FINANCING_LOOKUP: dict[str, str] = _lookup(FINANCING_LABELS, FINANCING_VARIANTS)
OWNER_LOOKUP: dict[str, str] = _lookup(OWNER_LABELS, OWNER_VARIANTS)


def support_label(code: str) -> str:
    """The Swedish label of a support category code."""
    return SUPPORT_LABELS[code]


def family_of(code: str) -> str:
    """The family key of a support category code."""
    return SUPPORT_FAMILY[code]


def codes_in_family(family: str) -> tuple[str, ...]:
    """The support codes of one family, in canonical order."""
    if family not in FAMILIES:
        raise KeyError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    return tuple(c for c in SUPPORT_CODES if SUPPORT_FAMILY[c] == family)
