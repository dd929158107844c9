"""``finsam init``: a data folder for the reports from the user's own exports.

The user's export in these tests is the embedded synthetic Finnveden file re-exported the way
a county analyst's SUS export comes: without its ``Syntetisk`` column, in Windows-1252, with
other header spellings, decimal commas and some dates as YYYYMMDD. Nothing here writes to the
tree: every folder is under pytest's temporary directory.
"""

from __future__ import annotations

import hashlib
import html as htmlmod
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from finsamlib import cli, datasets, load_participants
from finsamlib.narrative import BANNER_CLASS, BANNER_TEXT
from finsamlib.reports import runner, sections
from finsamlib.reports.inputs import PROVENANCE_LABELS, ReportInputs

RAW = datasets.data_dir()
FINNVEDEN = RAW / "synthetic" / "participants_finnveden.csv"
GENERATED = "2026-01-01T00:00:00Z"
#: The embedded folders init copies without --with-synthetic.
COPIED = ("published/", "derived/", "assumptions/", "audit/")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def finnveden_raw() -> pd.DataFrame:
    return pd.read_csv(FINNVEDEN, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def write_export(path: Path, raw: pd.DataFrame) -> Path:
    """Write ``raw`` as a Swedish export: Windows-1252, semicolons, CRLF line ends."""
    raw.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    return path


def user_export(path: Path) -> Path:
    """The Finnveden export as the user would have it: same data, different spelling."""
    raw = finnveden_raw().drop(columns=["Syntetisk"])
    raw = raw.rename(columns={"Förbund": "FÖRBUND", "Person-ID": "Personid", "Kön": "kön"})
    every_third = raw.index % 3 == 0
    for col in ("Startdatum", "Slutdatum"):
        raw.loc[every_third, col] = raw.loc[every_third, col].str.replace("-", "")
    for col in ("Offentlig försörjning före (år)", "Arbete före (%)", "Studier efter (%)"):
        whole = raw[col].str.fullmatch(r"\d+")
        raw.loc[whole, col] = raw.loc[whole, col] + ",0"  # 8 -> 8,0
    raw["kön"] = raw["kön"].str.lower()
    return write_export(path, raw)


def init(*args: str):
    return CliRunner().invoke(cli.main, ["init", *args])


def manifest(root: Path) -> pd.DataFrame:
    return pd.read_csv(root / "MANIFEST.csv", dtype=str, keep_default_na=False)


def leftovers(parent: Path, name: str) -> list[Path]:
    return [p for p in parent.iterdir() if p.name.startswith(f".{name}.")]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One data folder made from the user's export, and its report for Finnveden 2021."""
    tmp = tmp_path_factory.mktemp("init")
    export = user_export(tmp / "uttag.csv")
    before = sha256(export)
    target = tmp / "mina_data"
    result = init(str(target), "--participants", str(export))
    out = tmp / "reports"
    jobs = [
        j
        for j in runner.plan(
            association="Finnveden", year=2021, data_dir=target, generated_at=GENERATED
        )
        if j.kind == "association"
    ]
    summary = runner.run(jobs, out, workers=1, progress=False, generated_at=GENERATED)
    return {
        "export": export,
        "before": before,
        "target": target,
        "result": result,
        "out": out,
        "summary": summary,
        "jobs": jobs,
    }


def test_the_export_reads_as_the_embedded_file_it_came_from(tmp_path):
    ours = load_participants(user_export(tmp_path / "uttag.csv"))
    theirs = datasets.load("synthetic/participants_finnveden")
    pd.testing.assert_frame_equal(ours, theirs, check_like=False)
    assert ours.attrs["provenance"] == "user"


def test_init_lays_out_the_folder_and_says_what_comes_next(made):
    result, target = made["result"], made["target"]
    assert result.exit_code == 0, result.output
    assert "user/uttag.csv: participants, 410 rows (Finnveden), from uttag.csv" in result.output
    assert f"finsam reports --data-dir {target}" in result.output
    m = manifest(target)
    assert list(m.columns) == [*datasets.MANIFEST_COLUMNS, "beskrivning"]
    user = m[m["path"] == "user/uttag.csv"].iloc[0]
    assert (user["provenance"], user["source"], user["table"]) == (
        "user",
        "uttag.csv",
        "participants",
    )
    assert "user's own export" in user["description"]
    # every embedded file but the synthetic ones, with its manifest row and its bytes
    embedded = datasets.manifest()
    kept = embedded[~embedded["path"].str.startswith("synthetic/")]
    assert kept["path"].str.startswith(COPIED).sum() + 1 == len(kept)  # + registry.csv
    pd.testing.assert_frame_equal(
        m[m["path"] != "user/uttag.csv"].reset_index(drop=True), kept.reset_index(drop=True)
    )
    for rel in kept["path"]:
        assert sha256(target / rel) == sha256(RAW / rel), rel
    assert not (target / "synthetic").exists()
    on_disk = {
        p.relative_to(target).as_posix()
        for p in target.rglob("*")
        if p.is_file() and p.suffix != ".md" and p.name != "MANIFEST.csv"
    }
    assert on_disk == set(m["path"])
    assert leftovers(target.parent, target.name) == []


def test_the_input_file_is_copied_byte_for_byte_and_never_changed(made):
    assert sha256(made["export"]) == made["before"]
    assert sha256(made["target"] / "user" / "uttag.csv") == made["before"]


def test_a_report_from_the_folder_lists_the_user_file_and_has_no_banner(made):
    summary, out = made["summary"], made["out"]
    assert summary.ok, summary.text()
    assert len(summary.written) == 1
    page = summary.written[0]
    assert page == out / "2021" / "jonkopings-lan" / "finnveden.html"
    html = page.read_text(encoding="utf-8")
    assert BANNER_TEXT not in html and f'class="{BANNER_CLASS}"' not in html
    assert "syntetisk" not in html.lower()  # not in the chart and table sources either
    index = (out / "index.html").read_text(encoding="utf-8")
    assert BANNER_TEXT not in index  # the index decides from the pages, not their stylesheet

    def cells(row: str) -> list[str]:
        return [htmlmod.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in row.split("</td>")]

    # the source list: the user's file by its provenance and original name; in the appendix,
    # its path in the data folder and its SHA-256
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    listed = [cells(r) for r in rows if PROVENANCE_LABELS["user"] in r]
    assert len(listed) == 1 and listed[0][1:3] == [PROVENANCE_LABELS["user"], "uttag.csv"]
    appendix = html[html.index("<summary>Filer och kontrollsummor</summary>") :]
    files = [cells(r) for r in re.findall(r"<tr>(.*?)</tr>", appendix, re.S)]
    assert [f[:2] for f in files if f[0] == "user/uttag.csv"] == [
        ["user/uttag.csv", made["before"]]
    ]
    # the report counts the user's rows: 73 registrations of Finnveden ended in 2021
    ended = load_participants(made["export"])
    n = int((pd.to_datetime(ended["end_date"]).dt.year == 2021).sum())
    assert n > 0 and f">{n}<" in html


def test_sections_without_portfolio_or_budget_show_notices(made):
    data = sections.load(association="Finnveden", year=2021, data_dir=made["target"])
    assert not data.synthetic and data.participants.attrs["provenance"] == "user"
    assert data.sus_source == sections.SUS_SOURCE
    assert "Det finns ingen insatsportfölj" in str(sections.portfolio_section(data))
    assert "Budget och utfall per insats saknas" in str(sections.finance_section(data))
    # Finnveden's is the only participant file: the county would be Finnveden relabelled
    assert data.associations_without_participants() == ["Höglandet", "Södra Vätterbygden"]
    outcome = str(sections.outcome_section(data))
    assert "Jönköpings län visas inte som helhet" in outcome
    assert '<th scope="col">Jönköpings län</th>' not in outcome
    assert '<th scope="col">Finnveden</th>' in outcome
    county = sections.load(county="Jönköpings län", year=2021, data_dir=made["target"])
    overview = str(sections.county_outcome_section(county))
    assert "Höglandet, Södra Vätterbygden" in overview
    assert '<th scope="col">Jönköpings län</th>' not in overview
    assert not data.synthetic  # nothing synthetic was read by any section


def test_an_association_without_participants_gets_notices_not_errors(made):
    data = sections.load(association="Höglandet", year=2021, data_dir=made["target"])
    for section in (
        sections.summary_section,
        sections.participants_section,
        sections.supply_section,
        sections.economics_section,
        sections.target_group_section,
        sections.portfolio_section,
        sections.finance_section,
    ):
        assert str(section(data))
    assert "Det finns inga deltagaruppgifter för förbundet" in str(sections.supply_section(data))


def bad_export(tmp_path: Path) -> tuple[Path, int]:
    raw = finnveden_raw().drop(columns=["Syntetisk"])
    raw.loc[6, "Arbete efter (%)"] = "150"
    return write_export(tmp_path / "uttag.csv", raw), 6 + 2  # header is line 1


def test_a_bad_export_writes_nothing_and_names_line_and_column(tmp_path):
    export, line = bad_export(tmp_path)
    before = sha256(export)
    target = tmp_path / "mina_data"
    result = init(str(target), "--participants", str(export))
    assert result.exit_code == 1
    # the value as the file has it
    assert f"line {line}, column 'Arbete efter (%)': found '150';" in result.output
    assert "uttag.csv" in result.output and "nothing written" in result.output
    assert not target.exists() and leftovers(tmp_path, "mina_data") == []
    assert sha256(export) == before


def test_a_personnummer_column_is_refused(tmp_path):
    raw = finnveden_raw().drop(columns=["Syntetisk"])
    raw.insert(2, "Personnummer", "19811218-9876")
    export = write_export(tmp_path / "uttag.csv", raw)
    target = tmp_path / "mina_data"
    result = init(str(target), "--participants", str(export))
    assert result.exit_code == 1
    assert "column 'Personnummer'" in result.output and "personal identity numbers" in result.output
    assert "19811218" not in result.output  # the error never repeats the numbers
    assert not target.exists() and leftovers(tmp_path, "mina_data") == []


def test_every_bad_file_is_reported_not_just_the_first(tmp_path):
    export, line = bad_export(tmp_path)
    portfolio = tmp_path / "portfolj.csv"
    portfolio.write_text("Insats-ID;Namn\nX;Y\n", encoding="utf-8")
    result = init(str(tmp_path / "d"), "--participants", str(export), "--portfolio", str(portfolio))
    assert result.exit_code == 1
    assert f"line {line}" in result.output and "portfolj.csv" in result.output
    assert not (tmp_path / "d").exists()


def test_an_existing_folder_with_files_is_refused(tmp_path, made):
    target = tmp_path / "mina_data"
    target.mkdir()
    (target / "anteckning.txt").write_text("mitt", encoding="utf-8")
    result = init(str(target), "--participants", str(made["export"]))
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert [p.name for p in target.iterdir()] == ["anteckning.txt"]
    assert leftovers(tmp_path, "mina_data") == []
    # an empty folder is fine
    empty = tmp_path / "tom"
    empty.mkdir()
    assert init(str(empty), "--participants", str(made["export"])).exit_code == 0
    assert (empty / "user" / "uttag.csv").is_file()


def test_with_synthetic_copies_the_synthetic_files_except_what_the_user_replaces(tmp_path, made):
    target = tmp_path / "d"
    result = init(str(target), "--participants", str(made["export"]), "--with-synthetic")
    assert result.exit_code == 0, result.output
    m = manifest(target).set_index("path")
    synthetic = datasets.manifest().set_index("path")
    synthetic = synthetic[synthetic.index.str.startswith("synthetic/")]
    left_out = "synthetic/participants_finnveden.csv"  # the user's export covers Finnveden
    assert f"left out {left_out}" in result.output
    for rel, row in synthetic.iterrows():
        if rel == left_out:
            assert rel not in m.index
            continue
        assert m.loc[rel, "provenance"] == "synthetic" and m.loc[rel, "table"] == row["table"]
        assert sha256(target / rel) == sha256(RAW / rel)
    assert (target / "synthetic" / "README.md").is_file()
    inputs = ReportInputs(target)
    participants = inputs.load_table("participants")
    assert participants.groupby("association").size()["Finnveden"] == 410  # not counted twice
    assert inputs.synthetic  # the other associations' rows are synthetic: the banner shows


def test_with_synthetic_alone(tmp_path):
    target = tmp_path / "d"
    result = init(str(target), "--with-synthetic")
    assert result.exit_code == 0, result.output
    assert "No files of your own" in result.output
    assert set(manifest(target)["path"]) == set(datasets.manifest()["path"])


def test_a_file_marked_synthetic_stays_synthetic(tmp_path):
    target = tmp_path / "d"
    result = init(str(target), "--participants", str(FINNVEDEN))
    assert result.exit_code == 0, result.output
    row = manifest(target).set_index("path").loc["user/participants_finnveden.csv"]
    assert row["provenance"] == "synthetic" and "Syntetisk" in row["description"]
    inputs = ReportInputs(target)
    inputs.load_table("participants")
    assert inputs.synthetic


def test_a_header_mapping_is_kept_for_the_reports(tmp_path):
    raw = finnveden_raw().drop(columns=["Syntetisk"])
    raw = raw.rename(columns={"Person-ID": "Deltagarnummer", "Startdatum": "Inskriven"})
    export = write_export(tmp_path / "uttag.csv", raw)
    failed = init(str(tmp_path / "a"), "--participants", str(export))
    assert failed.exit_code == 1 and "'person_id'" in failed.output
    mapping = tmp_path / "rubriker.csv"
    mapping.write_text(
        "rubrik;kolumn\nDeltagarnummer;person_id\nInskriven;start_date\n", encoding="utf-8"
    )
    target = tmp_path / "b"
    result = init(str(target), "--participants", str(export), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    m = manifest(target).set_index("path")
    assert m.loc["user/uttag.csv", "mapping"] == "user/rubriker.csv"
    assert m.loc["user/rubriker.csv", "table"] == "" and sha256(
        target / "user/rubriker.csv"
    ) == sha256(mapping)
    inputs = ReportInputs(target)
    participants = inputs.load_table("participants")
    expected = datasets.load("synthetic/participants_finnveden")
    pd.testing.assert_series_equal(participants["person_id"], expected["person_id"])
    assert {f.path: f.provenance for f in inputs.files} == {
        "user/uttag.csv": "user",
        "user/rubriker.csv": "user",
    }
    # the same mapping as JSON
    as_json = tmp_path / "rubriker.json"
    as_json.write_text(json.dumps({"Deltagarnummer": "person_id", "Inskriven": "start_date"}))
    ok = init(str(tmp_path / "c"), "--participants", str(export), "--mapping", str(as_json))
    assert ok.exit_code == 0, ok.output


def test_a_bad_mapping_names_its_line(tmp_path, made):
    mapping = tmp_path / "rubriker.csv"
    mapping.write_text("rubrik;kolumn\nDeltagarnummer;personnr\n", encoding="utf-8")
    result = init(
        str(tmp_path / "d"), "--participants", str(made["export"]), "--mapping", str(mapping)
    )
    assert result.exit_code == 1
    assert "line 2, column 'Deltagarnummer': found 'personnr'" in result.output
    assert not (tmp_path / "d").exists()


def test_the_users_registry_replaces_the_embedded_one(tmp_path, made):
    registry = pd.read_csv(RAW / "registry.csv", dtype=str, keep_default_na=False)
    extra = {
        "association": "Samordningsförbundet Norr",
        "county_code": "25",
        "county": "Norrbottens län",
        "kommun_code": "2580",
        "kommun": "Luleå",
    }
    registry = pd.concat([registry, pd.DataFrame([extra])], ignore_index=True)
    mine = tmp_path / "forbund.csv"
    registry.to_csv(mine, index=False)
    raw = finnveden_raw().drop(columns=["Syntetisk"])
    raw["Förbund"] = extra["association"]
    raw["Kommun"] = extra["kommun_code"]
    export = write_export(tmp_path / "norr.csv", raw)
    # without the registry the association is unknown
    unknown = init(str(tmp_path / "a"), "--participants", str(export))
    assert unknown.exit_code == 1 and "Samordningsförbundet Norr" in unknown.output
    assert "--registry" in unknown.output and not (tmp_path / "a").exists()
    target = tmp_path / "b"
    result = init(str(target), "--participants", str(export), "--registry", str(mine))
    assert result.exit_code == 0, result.output
    m = manifest(target).set_index("path")
    assert "registry.csv" not in m.index and not (target / "registry.csv").exists()
    assert m.loc["user/forbund.csv", "table"] == "registry"
    assert m.loc["user/forbund.csv", "provenance"] == "user"
    jobs = runner.plan(data_dir=target, year=2021)
    assert f"{extra['association']} – uppföljning 2021" in {j.title for j in jobs}
    data = sections.load(association=extra["association"], year=2021, data_dir=target)
    assert data.county == "Norrbottens län" and not data.synthetic
    files = {f.path: f.provenance for f in data.inputs.files}
    assert files["user/forbund.csv"] == files["user/norr.csv"] == "user"
    assert "registry.csv" not in files and "synthetic" not in files.values()


def test_the_same_file_twice_is_refused(tmp_path, made):
    export = str(made["export"])
    result = init(str(tmp_path / "d"), "--participants", export, "--participants", export)
    assert result.exit_code == 2 and "given twice" in result.output
    assert not (tmp_path / "d").exists()


def test_the_banner_knows_of_synthetic_files_read_after_the_header(tmp_path, made):
    """User participants with a synthetic portfolio beside them: the banner (decided at the top
    of the report) must count the portfolio that a later section reads."""
    import shutil

    target = shutil.copytree(made["target"], tmp_path / "d")
    rel = "synthetic/portfolio_finnveden.csv"
    (target / "synthetic").mkdir()
    shutil.copyfile(RAW / rel, target / rel)
    row = datasets.manifest().set_index("path").loc[[rel]].reset_index()
    m = pd.concat([manifest(target), row], ignore_index=True)
    m.to_csv(target / "MANIFEST.csv", index=False)
    data = sections.load(association="Finnveden", year=2021, data_dir=target)
    assert data.synthetic and BANNER_TEXT in str(sections.header(data))
    assert data.sus_source == sections.SUS_SOURCE  # the participants themselves are the user's
