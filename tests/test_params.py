"""The report notebooks' parameters: ``finsam reports --list-params``, and ``-p`` /
``--params`` checked before any kernel starts. That the values reach the notebooks is shown by
a real render in ``test_render_cache.py`` (threshold 6 on the page)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from finsamlib import cli
from finsamlib.reports import params, runner

NOTEBOOKS = [
    str(runner.NOTEBOOK_DIR / runner.ASSOCIATION_NOTEBOOK),
    str(runner.NOTEBOOK_DIR / runner.COUNTY_NOTEBOOK),
]


def test_declared_reads_the_annotated_parameters_cell():
    d = params.declared(NOTEBOOKS[0])
    assert list(d)[:2] == ["association", "year"]
    assert d["year"].type == "int" and d["year"].default == "2021"
    assert d["threshold"].type == "int" and d["association"].type == "str"


def test_list_params_prints_each_notebook_with_types_and_defaults():
    result = CliRunner().invoke(cli.main, ["reports", "--list-params"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "association_report.ipynb:" in out and "county_overview.ipynb:" in out
    assert "  year: int = 2021  (--year or -p year VALUE)" in out
    assert "  threshold: int = 4  (--threshold or -p threshold VALUE)" in out
    assert "  association: str = " in out and "use --association" in out


@pytest.fixture()
def no_run(monkeypatch):
    """Record whether the runner was asked to run anything (it must not be)."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("the runner started although the parameters are wrong")

    monkeypatch.setattr(runner, "run", refuse)
    monkeypatch.setattr(runner, "execute", refuse)
    return calls


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "colour", "red"], "unknown parameter 'colour'; the report notebooks declare: "),
        (["-p", "threshold", "fyra"], "parameter threshold must be int, got 'fyra'"),
        (["-p", "threshold", "-1"], "parameter threshold out of range: -1 (must be >= 0)"),
        (["-p", "year", "3000"], "parameter year out of range: 3000"),
        (["-p", "county", "Atlantis"], "parameter county is set by finsam reports; use --county"),
        (["-p", "generated_at", "2020"], "parameter generated_at is set by finsam reports"),
        (["-p", "year", "2019", "--year", "2020"], "parameter year is 2019 but --year is 2020"),
    ],
)
def test_bad_parameters_are_refused_before_any_kernel(tmp_path, no_run, args, message):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli.main, ["reports", "--out", str(out), *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert no_run == [] and not out.exists()


def test_unknown_name_lists_declared_parameters_and_types(tmp_path, no_run):
    result = CliRunner().invoke(cli.main, ["reports", "--out", str(tmp_path / "o"), "-p", "x", "1"])
    assert "association (str), year (int), data_dir (str), threshold (int)" in result.stderr
    assert "county (str)" in result.stderr


def test_year_outside_the_data_is_refused_before_any_kernel(tmp_path, no_run):
    result = CliRunner().invoke(
        cli.main, ["reports", "--out", str(tmp_path / "o"), "-p", "year", "1990"]
    )
    assert result.exit_code == 2
    assert "no data for year 1990; years with data: 2016" in result.output
    assert no_run == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("threshold: [1, 2]\n", "parameter threshold must be int, got [1, 2]"),
        ("threshold: true\n", "parameter threshold must be int, got True"),
        ("färg: röd\n", "unknown parameter 'färg'"),
        ("- threshold\n", "a mapping of parameter names to values"),
        ("threshold: [\n", "not YAML"),
    ],
)
def test_params_file_is_checked_too(tmp_path, no_run, text, message):
    f = tmp_path / "params.yaml"
    f.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        cli.main, ["reports", "--out", str(tmp_path / "o"), "--params", str(f)]
    )
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert no_run == []


def test_p_overrides_the_params_file(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("threshold: 7\nyear: 2020\n", encoding="utf-8")
    given = params.combined([("threshold", "5")], [f])
    checked = params.validate(given, NOTEBOOKS)
    assert checked["association_report.ipynb"] == {"threshold": 5, "year": 2020}
    assert checked["county_overview.ipynb"] == {"threshold": 5, "year": 2020}


@pytest.mark.parametrize(
    ("value", "type_name", "expected"),
    [
        ("12", "int", 12),
        (12, "int", 12),
        ("0,5", "float", 0.5),
        (2, "float", 2.0),
        ("ja", "bool", True),
        ("false", "bool", False),
        ("text", "str", "text"),
        (2021, "str", "2021"),
    ],
)
def test_convert(value, type_name, expected):
    got = params.convert("x", value, type_name)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("value", "type_name"), [("1.5", "int"), (True, "int"), ("kanske", "bool"), ([1], "str")]
)
def test_convert_refuses(value, type_name):
    with pytest.raises(params.ParameterError, match=f"parameter x must be {type_name}"):
        params.convert("x", value, type_name)


def _with_extra(src: str, target: Path, line: str) -> str:
    """A copy of a report notebook whose parameters cell declares one more parameter."""
    nb = json.loads(Path(src).read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    cell["source"] = "".join(cell["source"]) + "\n" + line
    target.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return str(target)


def test_extra_parameters_go_to_the_notebooks_that_declare_them(tmp_path):
    """A parameter only the association notebook declares reaches only its jobs (planned
    without a kernel)."""
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    assoc = _with_extra(
        NOTEBOOKS[0], nb_dir / runner.ASSOCIATION_NOTEBOOK, "compare_years: int = 3  # år bakåt"
    )
    county = _with_extra(NOTEBOOKS[1], nb_dir / runner.COUNTY_NOTEBOOK, "")
    checked = params.validate({"compare_years": "5"}, [assoc, county])
    assert checked == {
        "association_report.ipynb": {"compare_years": 5},
        "county_overview.ipynb": {},
    }
    with pytest.raises(params.ParameterError, match="out of range"):
        params.validate({"threshold": "-3"}, [assoc, county])
    jobs = runner.plan(county="Södermanlands län", notebook_dir=nb_dir, extra=checked)
    kinds = {j.kind: j.parameters for j in jobs}
    assert kinds["association"]["compare_years"] == 5
    assert "compare_years" not in kinds["county"]
    assert "compare_years: int = 3  (-p compare_years VALUE)  # år bakåt" in params.list_text(
        [assoc, county]
    )
