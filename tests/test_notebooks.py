"""The notebooks: committed clean, parameterised, thin, and every one runs on the embedded data
through papermill (the report notebooks in the shared rendering, the exploratory ones here)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from finsamlib.reports import runner
from tests.reports_fixtures import rendered

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
REPORT_NOTEBOOKS = ("association_report", "county_overview")
EXPLORE_NOTEBOOKS = (
    "explore_supply",
    "explore_target_group",
    "explore_portfolio",
    "explore_economics",
    "explore_audit",
)
#: A notebook cell may call the library but not compute: no loops, functions or classes.
LOGIC = re.compile(r"^\s*(for|while|def|class|lambda)\b|\.apply\(|\.groupby\(|\.pivot", re.M)


def all_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def test_the_expected_notebooks_exist():
    names = {p.stem for p in all_notebooks()}
    assert set(REPORT_NOTEBOOKS) | set(EXPLORE_NOTEBOOKS) <= names


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.stem)
def test_committed_without_outputs_with_a_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), path
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, path
    assert nb.metadata["kernelspec"]["name"] == "python3"
    # thin: computation lives in the library
    for c in code:
        assert not LOGIC.search(c.source), (path.name, c.source)
        assert len(c.source.splitlines()) <= 12, (path.name, c.source)


def test_report_notebooks_take_the_documented_parameters():
    def params(name: str) -> set[str]:
        nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        return set(re.findall(r"^(\w+)\s*(?::[^=]+)?=", cell.source, re.M))

    assert params("association_report") == {
        "association",
        "year",
        "data_dir",
        "threshold",
        "generated_at",
        "disclosure_file",
    }
    assert params("county_overview") == {
        "county",
        "year",
        "data_dir",
        "threshold",
        "generated_at",
        "disclosure_file",
    }


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.stem)
def test_parameters_are_typed_for_papermill(path):
    """``papermill --help-notebook`` shows each parameter's type, default and Swedish help."""
    import papermill

    params = papermill.inspect_notebook(str(path))
    assert params, path
    for name, p in params.items():
        assert p["inferred_type_name"] in {"str", "int", "float", "bool"}, (path.name, name, p)
        assert p["help"], (path.name, name)
    if path.stem == "association_report":
        assert params["year"]["inferred_type_name"] == "int"
        assert params["association"]["inferred_type_name"] == "str"


@pytest.mark.parametrize("name", EXPLORE_NOTEBOOKS)
def test_explore_notebooks_use_the_public_api(name):
    """Researchers copy these: no internal report classes, only datasets, indicators, display."""
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "finsamlib.reports" not in code and "ReportInputs" not in code, name
    assert "datasets." in code, name


def test_report_notebooks_execute_on_the_embedded_data(tmp_path_factory):
    done = rendered(tmp_path_factory)
    assert done.summary.ok, done.summary.text()
    kinds = {Path(j.notebook).stem for j in done.jobs}
    assert kinds == set(REPORT_NOTEBOOKS)


@pytest.mark.slow
def test_exploratory_notebooks_execute_on_the_embedded_data(tmp_path):
    jobs = [
        runner.Job(str(NOTEBOOKS / f"{name}.ipynb"), {}, f"explore/{name}.html", name, "other")
        for name in EXPLORE_NOTEBOOKS
    ]
    results = []
    summary = runner.run(
        jobs, tmp_path, workers=2, progress=False, index=False, on_result=results.append
    )
    assert summary.ok, summary.text()
    for r in results:
        assert r.warnings == (), (r.job.name, r.warnings)  # nothing written to stderr
        if Path(r.job.notebook).stem == "explore_audit":
            # DOMAIN.md's two discrepancies, recomputed: seed 003 table 3 Kommun 4,3 / 5 = 0,86
            # (printed 0,7); seed 004 Not 3 12 987 / 14 955 = 86,84 % (printed 89 %)
            assert "<td>0.7</td><td>0.86</td>" in r.html, r.job.name
            assert "<td>89.0</td><td>86.84</td>" in r.html, r.job.name
        elif Path(r.job.notebook).stem == "explore_supply":
            # display.sv: Swedish labels, decimal comma, small counts hidden as in the reports
            assert "Försörjningsstöd" in r.html and "Andel före" in r.html, r.job.name
            assert "<td>&lt;5</td>" in r.html, r.job.name
            # the before/after chart, drawn from the protected table (published_supply)
            assert r.html.count('class="finsam-chart"') == 1, r.job.name
        else:
            assert r.html.count('class="finsam-chart"') >= 1, r.job.name
