"""File names of reports: names that clash are refused at planning naming both; names that give
no slug or too long a slug get a stable hashed one; links from the pages match the files.

Data folders are copies of the embedded data with a changed registry (under pytest's temporary
directory).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from finsamlib import cli, datasets
from finsamlib.errors import FinsamDataError
from finsamlib.reports import paths, runner

RAW = datasets.data_dir()
LONG = ("Samordningsförbundet för finansiell samordning av rehabiliteringsinsatser i " * 4).strip()
GENERATED = "2026-01-01T00:00:00Z"


def with_associations(tmp_path: Path, *names: str, county: str = "Södermanlands län") -> Path:
    """A copy of the embedded data whose registry also has ``names`` (one kommun each)."""
    root = shutil.copytree(RAW, tmp_path / "data")
    reg = pd.read_csv(root / "registry.csv", dtype=str, keep_default_na=False)
    code = reg.loc[reg["county"] == county, "county_code"].iloc[0]
    rows = [
        {
            "association": n,
            "county_code": code,
            "county": county,
            "kommun_code": f"{code}{90 + i:02d}",
            "kommun": f"Kommun {i}",
        }
        for i, n in enumerate(names)
    ]
    pd.concat([reg, pd.DataFrame(rows)], ignore_index=True).to_csv(
        root / "registry.csv", index=False
    )
    return root


def test_two_names_with_one_slug_are_refused_naming_both(tmp_path):
    root = with_associations(tmp_path, "Nord Väst", "Nord-Väst")
    with pytest.raises(FinsamDataError) as info:
        runner.plan(data_dir=root, county="Södermanlands län")
    text = str(info.value)
    assert info.value.path == str(root / "registry.csv")
    assert "'Nord Väst' and 'Nord-Väst'" in text and "2021/sodermanlands-lan/nord-vast.html" in text
    # another county of the same folder is not affected
    assert runner.plan(data_dir=root, county="Jönköpings län")
    # by the command: the message, exit 1, nothing written
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli.main, ["reports", "--data-dir", str(root), "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "'Nord Väst' and 'Nord-Väst'" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_a_slug_matching_two_names_is_ambiguous(tmp_path):
    root = with_associations(tmp_path, "Nord Väst", "Nord-Väst")
    with pytest.raises(KeyError, match="'Nord Väst' and 'Nord-Väst'"):
        runner.plan(data_dir=root, association="nord-vast")
    jobs = runner.plan(data_dir=root, association="Nord Väst")  # exact: fine
    assert jobs[0].parameters["association"] == "Nord Väst"


def test_an_association_named_like_the_county_page_is_refused(tmp_path):
    root = with_associations(tmp_path, "Index")
    with pytest.raises(FinsamDataError, match="'Index' and 'Södermanlands län'"):
        runner.plan(data_dir=root, county="Södermanlands län")


def test_emoji_only_and_long_names_get_distinct_stable_file_names(tmp_path):
    names = ("🌲🌲", "🌊", LONG, LONG + " Norra", "Ö")
    root = with_associations(tmp_path, *names)
    jobs = runner.plan(data_dir=root, county="Södermanlands län")
    again = runner.plan(data_dir=root, county="Södermanlands län")
    assert [j.output for j in jobs] == [j.output for j in again]  # stable
    by_name = {j.parameters.get("association"): j for j in jobs}
    outputs = {name: j.output for name, j in by_name.items()}
    assert len(set(outputs.values())) == len(outputs)  # distinct
    for name in names:
        page = Path(outputs[name])
        assert page.name == paths.association_link(name)  # the county page links this file
        assert len(page.name.encode()) <= 255 and page.name.isascii()
        failed = runner.failed_notebook_path(tmp_path, by_name[name])
        assert len(failed.name.encode()) <= 255
    assert re.fullmatch(r"namn-[0-9a-f]{8}\.html", Path(outputs["🌲🌲"]).name)
    assert Path(outputs["Ö"]).name == "o.html"
    assert len(paths.slug(LONG)) == paths.MAX_SLUG
    assert paths.slug(LONG) != paths.slug(LONG + " Norra")


@pytest.mark.slow
def test_a_long_name_renders_and_the_county_page_links_it(tmp_path):
    """RAR Sörmland renamed to a 300-character name: both pages render, and every link of the
    county overview and the index points to a file that exists."""
    root = shutil.copytree(RAW, tmp_path / "data")
    for f in [*root.rglob("*.csv"), *root.rglob("*.toml")]:
        text = f.read_text(encoding="utf-8-sig")
        if "RAR Sörmland" in text:
            f.write_text(text.replace("RAR Sörmland", LONG), encoding="utf-8")
    out = tmp_path / "out"
    jobs = runner.plan(data_dir=root, county="Södermanlands län", generated_at=GENERATED)
    summary = runner.run(jobs, out, workers=2, progress=False, generated_at=GENERATED)
    assert summary.ok, summary.text()
    county = out / "2021" / "sodermanlands-lan"
    page = county / paths.association_link(LONG)
    assert page.is_file() and len(page.name) == paths.MAX_SLUG + len(".html")
    for html in (county / "index.html", out / "index.html"):
        hrefs = re.findall(r'href="([^"#:]+\.html)"', html.read_text(encoding="utf-8"))
        assert hrefs
        for href in hrefs:
            assert (html.parent / href).is_file(), (html, href)
