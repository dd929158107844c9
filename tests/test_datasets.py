"""The embedded data: the manifest matches the files, and every dataset loads."""

from __future__ import annotations

import pandas as pd
import pytest

from finsamlib import datasets, load_registry

from .published.conftest import UNITS

RAW = datasets.data_dir()
PROVENANCES = {"published", "derived", "synthetic", "assumption"}


def files_on_disk() -> set[str]:
    skip = {"MANIFEST.csv"}
    return {
        p.relative_to(RAW).as_posix()
        for p in RAW.rglob("*")
        if p.is_file() and p.name not in skip and p.suffix.lower() != ".md"
    }


def test_every_file_is_in_the_manifest_and_every_entry_has_a_file() -> None:
    listed = set(datasets.manifest()["path"])
    assert files_on_disk() - listed == set(), "files missing from data/raw/MANIFEST.csv"
    assert listed - files_on_disk() == set(), "manifest entries without a file"


def test_manifest_entries_are_complete() -> None:
    m = datasets.manifest()
    assert set(m["provenance"]) <= PROVENANCES
    assert (m["source"] != "").all() and (m["description"] != "").all()
    assert not m["path"].duplicated().any()


@pytest.mark.parametrize("name", datasets.names())
def test_every_dataset_loads(name: str) -> None:
    df = datasets.load(name)
    assert len(df) > 0
    assert df.attrs["provenance"] in PROVENANCES
    assert df.attrs["name"] == name


def test_registry_is_the_two_counties() -> None:
    reg = datasets.load("registry")
    # DOMAIN.md / seed 001 §3 and seed 004: RAR Sörmland has nine kommuner; Jönköping 13 in three.
    counts = reg.groupby("association")["kommun_code"].count().to_dict()
    assert counts == {"RAR Sörmland": 9, "Södra Vätterbygden": 3, "Finnveden": 4, "Höglandet": 6}
    assert reg.attrs["provenance"] == "published"
    # The direct loader finds the provenance through the manifest too.
    assert load_registry(RAW / "registry.csv").attrs["provenance"] == "published"


def test_unknown_dataset_lists_known_names() -> None:
    with pytest.raises(KeyError, match="registry"):
        datasets.load("no_such_thing")


def test_published_values_are_numbers() -> None:
    for name in datasets.names():
        if name.startswith("published/"):
            df = datasets.load(name)
            if "value" in df.columns:
                assert pd.api.types.is_float_dtype(df["value"]), name


@pytest.mark.parametrize("name", [n for n in datasets.names() if n.startswith("published/")])
def test_published_tables_follow_the_format(name: str) -> None:
    """data/raw/published/README.md: source and table first; value and unit (then note) last."""
    df = datasets.load(name)
    assert list(df.columns[:2]) == ["source", "table"]
    assert df["source"].notna().all() and df["table"].notna().all()
    if "value" in df.columns:
        tail = [c for c in df.columns if c not in ("note",)][-2:]
        assert tail == ["value", "unit"], name
        assert set(df["unit"].dropna()) <= UNITS, set(df["unit"].dropna()) - UNITS


def test_load_all_concatenates_the_files_of_one_table() -> None:
    every = datasets.load_all("participants")
    parts = [datasets.load(n) for n in every.attrs["sources"]]
    assert len(parts) == 4 and len(every) == sum(len(p) for p in parts)
    assert set(every["association"]) == set(datasets.load("registry")["association"])
    assert every.attrs["provenance"] == "synthetic"
    with pytest.raises(KeyError, match="participants"):
        datasets.load_all("no_such_table")
