"""Recognise Swedish personal identity numbers (personnummer, samordningsnummer) to refuse them.

Participant files must be pseudonymised before they reach this library. A value counts as a
personal identity number when it has 10 or 12 digits (optionally ``-`` or ``+`` before the last
four), a valid date part (day + 60 for samordningsnummer) and a valid Luhn check digit.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

_PATTERN = re.compile(r"^(\d{2})?(\d{2})(\d{2})(\d{2})([-+])?(\d{3})(\d)$")

#: A column is refused when at least this share of its non-empty values are identity numbers.
MIN_SHARE = 0.5


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def is_personnummer(value: object) -> bool:
    """True when ``value`` is a valid Swedish personal identity or coordination number."""
    m = _PATTERN.match(str(value).strip())
    if not m:
        return False
    century, yy, mm, dd, _sep, serial, check = m.groups()
    day = int(dd)
    if day > 60:  # samordningsnummer
        day -= 60
    year = int(century + yy) if century else 2000 + int(yy)
    try:
        date(year, int(mm), day)
    except ValueError:
        return False
    if century and century not in ("18", "19", "20"):
        return False
    return _luhn_ok(yy + mm + dd + serial + check)


def looks_like_personnummer(values: pd.Series) -> bool:
    """True when a column's values look like identity numbers (see :data:`MIN_SHARE`)."""
    text = values.dropna().astype("str").str.strip()
    text = text[text != ""]
    if text.empty:
        return False
    candidates = text[text.str.fullmatch(r"\d{6,8}[-+]?\d{4}")]
    if candidates.empty:
        return False
    hits = candidates.map(is_personnummer).sum()
    return bool(hits >= 1 and hits / len(text) >= MIN_SHARE)
