"""Files as Swedish offices export them: title rows, sheets, merged and repeated headers, line
endings, encodings and rows with too many or too few fields."""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finsamlib import FinsamDataError, load_participants
from finsamlib.categories import fold
from finsamlib.exports import header_spec, merged_cells
from finsamlib.schemas import PARTICIPANTS

from .conftest import GOOD_ROWS, SWEDISH_HEADERS, write_csv
from .test_loaders import check_good

TITLE = "Deltagare i individinsatser, Samordningsförbundet Finnveden 2023"


def csv_text(rows: list[list[str]], sep: str = ";", header: list[str] = SWEDISH_HEADERS) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def error_of(path: Path, **kwargs) -> FinsamDataError:
    with pytest.raises(FinsamDataError) as err:
        load_participants(path, **kwargs)
    message = str(err.value)
    assert str(path) in message
    for internal in ("Traceback", "SchemaError", "failure_case", "Check", "ParserError"):
        assert internal not in message
    return err.value


def workbook(path: Path, sheets: dict[str, list[list[object]]], merged=()) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for sheet_name, ref in merged:
            if sheet_name == name:
                sheet.merge_cells(ref)
    book.save(path)
    return path


def table_rows() -> list[list[object]]:
    return [list(SWEDISH_HEADERS), *[list(r) for r in GOOD_ROWS]]


# --------------------------------------------------------------------------- title rows


def test_csv_title_rows_are_skipped_and_lines_stay_the_files(tmp_path: Path) -> None:
    text = f"{TITLE};;;\nUttag 2024-01-31\n\n" + csv_text(GOOD_ROWS)
    df = load_participants(write_text(tmp_path / "t.csv", text))
    check_good(df)
    assert df.attrs["header_line"] == 4
    assert "header on line 4" in df.attrs["read_note"]
    bad = [list(r) for r in GOOD_ROWS]
    bad[1][6] = "igår"
    text = f"{TITLE}\n\n" + csv_text(bad)
    err = error_of(write_text(tmp_path / "b.csv", text))
    assert (err.line, err.column, err.value) == (5, "Startdatum", "igår")  # the file's own line


def test_a_missing_column_is_named_on_the_header_line(tmp_path: Path) -> None:
    header = [h for h in SWEDISH_HEADERS if h != "Kön"]
    rows = [[c for i, c in enumerate(r) if i != 3] for r in GOOD_ROWS]
    err = error_of(write_text(tmp_path / "m.csv", f"{TITLE}\n" + csv_text(rows, header=header)))
    assert (err.line, err.column) == (2, "sex")
    assert "Kön" in err.expected


def test_no_header_row_lists_the_expected_headers(tmp_path: Path) -> None:
    text = "Rapport;Datum\nNågot;annat\n1;2\n"
    err = error_of(write_text(tmp_path / "n.csv", text))
    assert "header row" in err.expected
    for header in ("Förbund", "Person-ID", "Startdatum", "Försörjning före"):
        assert header in err.expected


KNOWN = header_spec([(f.name, f.headers, f.required) for f in PARTICIPANTS.fields]).known
title_text = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzåäöÅÄÖ 0123456789-:"), max_size=40
).filter(lambda t: fold(t) not in KNOWN)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    titles=st.lists(st.tuples(title_text, st.integers(0, 20)), max_size=6),
    sep=st.sampled_from([";", ",", "\t"]),
)
def test_any_title_rows_above_a_table_load_the_same_frame(
    titles: list[tuple[str, int]], sep: str
) -> None:
    """Each title row: some text, then that many empty fields (as spreadsheets save them)."""
    above = "".join(text + sep * n + "\n" for text, n in titles)
    with tempfile.TemporaryDirectory() as tmp:
        plain = load_participants(write_text(Path(tmp) / "a.csv", csv_text(GOOD_ROWS, sep)))
        titled = load_participants(
            write_text(Path(tmp) / "b.csv", above + csv_text(GOOD_ROWS, sep))
        )
    assert titled.attrs["header_line"] == len(titles) + 1
    plain.attrs, titled.attrs = {}, {}
    pd.testing.assert_frame_equal(plain, titled)


def test_xlsx_title_rows_and_a_merged_title(tmp_path: Path) -> None:
    rows = [[TITLE], [], *table_rows()]
    path = workbook(tmp_path / "t.xlsx", {"Deltagare": rows}, merged=[("Deltagare", "A1:P1")])
    df = load_participants(path)
    check_good(df)
    assert (df.attrs["sheet"], df.attrs["header_line"]) == ("Deltagare", 3)
    rows[4][6] = "2019-13-45"
    path = workbook(tmp_path / "b.xlsx", {"Deltagare": rows})
    err = error_of(path)
    assert (err.line, err.column, err.value) == (5, "Startdatum", "2019-13-45")  # sheet row


# --------------------------------------------------------------------------- sheets


def test_the_sheet_with_the_table_is_chosen_and_named(tmp_path: Path) -> None:
    info = [["Uttag ur SUS"], ["Datum", "2024-01-31"]]
    path = workbook(tmp_path / "s.xlsx", {"Info": info, "Deltagare": table_rows()})
    df = load_participants(path)
    check_good(df)
    assert df.attrs["sheet"] == "Deltagare"
    assert "read sheet 'Deltagare'" in df.attrs["read_note"]
    assert "'Info'" in df.attrs["read_note"]


def test_two_sheets_with_the_table_need_sheet(tmp_path: Path) -> None:
    other = table_rows()
    other[1][2] = "p999"
    path = workbook(tmp_path / "s.xlsx", {"2022": table_rows(), "2023": other})
    err = error_of(path)
    assert "'2022'" in err.expected and "'2023'" in err.expected
    assert "sheet=" in err.expected
    df = load_participants(path, sheet="2023")
    assert df.attrs["sheet"] == "2023"
    assert list(df["person_id"]) == ["p999", "p002", "p003"]
    err = error_of(path, sheet="2024")
    assert err.value == "2024"
    assert "'2022', '2023'" in err.expected


def test_no_sheet_with_the_table(tmp_path: Path) -> None:
    path = workbook(tmp_path / "s.xlsx", {"A": [["Hej"], ["x", "y"]], "B": [["Tom"]]})
    err = error_of(path)
    assert "'A', 'B'" in err.expected
    assert "Förbund" in err.expected
    err = error_of(path, sheet="B")  # the sheet named has no header row
    assert "Förbund" in err.expected and "(sheet 'B')" in err.expected


def test_merged_header_cells_are_refused_not_shifted(tmp_path: Path) -> None:
    rows = table_rows()
    rows[0][13] = None  # "Arbete före (%)" merged over the two Arbete columns
    path = workbook(tmp_path / "m.xlsx", {"Data": rows}, merged=[("Data", "M1:N1")])
    err = error_of(path)
    assert (err.line, err.column) == (1, "M1:N1")
    assert "merged" in err.expected


def test_merged_data_cells_are_refused(tmp_path: Path) -> None:
    rows = [[TITLE], *table_rows()]
    rows[3][0] = rows[4][0] = None  # Förbund written once for three rows
    path = workbook(tmp_path / "m.xlsx", {"Data": rows}, merged=[("Data", "A3:A5")])
    err = error_of(path)
    assert (err.line, err.column) == (3, "A3:A5")
    assert "merged cells in the table" in err.expected


def swap_sheet_parts(path: Path) -> Path:
    """Rewrite a two-sheet workbook so that the first sheet lives in ``sheet2.xml`` and the
    second in ``sheet1.xml``, named by absolute targets (as some exporters write them): only
    the workbook's relationships tell which part is which sheet."""
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    one, two = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"
    members[one], members[two] = members[two], members[one]
    rels = "xl/_rels/workbook.xml.rels"
    text = members[rels].decode("utf-8")
    assert 'Target="/xl/worksheets/sheet1.xml"' in text  # openpyxl's own form
    text = text.replace("/xl/worksheets/sheet1.xml", "@").replace(
        "/xl/worksheets/sheet2.xml", "/xl/worksheets/sheet1.xml"
    )
    members[rels] = text.replace("@", "/xl/worksheets/sheet2.xml").encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_merged_cells_are_found_through_the_workbook_relationships(tmp_path: Path) -> None:
    """The merges of a sheet come from its own part (found through the workbook's
    relationships, no private openpyxl API), not from the part its position suggests."""
    rows = table_rows()
    rows[0][13] = None
    info = [["Uttag ur SUS", None], ["Datum", "2024-01-31"]]
    path = workbook(
        tmp_path / "m.xlsx",
        {"Info": info, "Data": rows},
        merged=[("Info", "A1:B1"), ("Data", "M1:N1"), ("Data", "C5")],
    )
    swap_sheet_parts(path)
    assert merged_cells(path, "Info") == [("A", "1", "B", "1")]
    assert sorted(merged_cells(path, "Data")) == [("C", "5", "", ""), ("M", "1", "N", "1")]
    assert merged_cells(path, "Saknas") == []
    err = error_of(path)
    assert (err.line, err.column) == (1, "M1:N1")
    assert [(q.line, q.column) for q in err.problems] == [(1, "M1:N1"), (5, "C5")]


def test_a_broken_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip file")
    assert "readable .xlsx" in error_of(path).expected


# --------------------------------------------------------------------------- header names


def test_a_repeated_header_names_both_columns(tmp_path: Path) -> None:
    header = [*SWEDISH_HEADERS, "Kön"]
    rows = [[*r, "K"] for r in GOOD_ROWS]
    err = error_of(write_text(tmp_path / "d.csv", csv_text(rows, header=header)))
    assert (err.line, err.column) == (1, "Kön")
    assert "'Kön' (column 4) and 'Kön' (column 17)" in err.expected


def test_headers_equal_after_normalisation_are_repeated_too(tmp_path: Path) -> None:
    header = [*SWEDISH_HEADERS, " KON "]
    rows = [[*r, "K"] for r in GOOD_ROWS]
    err = error_of(write_text(tmp_path / "d.csv", f"{TITLE}\n" + csv_text(rows, header=header)))
    assert (err.line, err.column) == (2, "KON")
    assert "'Kön' (column 4) and 'KON' (column 17)" in err.expected
    assert "case, spaces and accents" in err.expected
    workbook(tmp_path / "d.xlsx", {"Data": [header, *rows]})
    assert "'Kön' (column 4)" in error_of(tmp_path / "d.xlsx").expected


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_line_endings(tmp_path: Path, ending: str) -> None:
    text = (f"{TITLE}\n" + csv_text(GOOD_ROWS)).replace("\n", ending)
    df = load_participants(write_text(tmp_path / "e.csv", text))
    check_good(df)
    assert df.attrs["header_line"] == 2


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("sep", ["\t", ";"])
def test_utf16_exports(tmp_path: Path, encoding: str, sep: str) -> None:
    """Excel's "Unicode text" is UTF-16 with a BOM and tabs; without a BOM it is recognised too."""
    text = csv_text(GOOD_ROWS, sep).replace("\n", "\r\n")
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = codecs.BOM_UTF16_LE + data
    path = tmp_path / "u.csv"
    path.write_bytes(data)
    check_good(load_participants(path))
    if encoding == "utf-16-be":  # and without any BOM
        bare = tmp_path / "bare.csv"
        bare.write_bytes(text.encode("utf-16-be"))
        check_good(load_participants(bare))


def test_one_windows_1252_line_in_a_utf8_file_is_named(tmp_path: Path) -> None:
    data = csv_text(GOOD_ROWS).encode("utf-8")
    lines = data.split(b"\n")
    assert "Förgymnasial".encode() in lines[2]
    lines[2] = lines[2].replace("Förgymnasial".encode(), "Förgymnasial".encode("cp1252"))
    path = tmp_path / "mix.csv"
    path.write_bytes(b"\n".join(lines))
    before = path.read_bytes()
    err = error_of(path)
    assert len(err.problems) == 1
    assert err.line == 3
    assert "F6" in err.value and "ö" in err.value
    assert "UTF-8" in err.expected
    assert path.read_bytes() == before


def test_a_whole_windows_1252_file_is_read(tmp_path: Path) -> None:
    check_good(load_participants(write_csv(tmp_path / "w.csv", GOOD_ROWS, encoding="cp1252")))


# --------------------------------------------------------------------------- field counts


def test_decimal_comma_in_a_comma_file_is_refused_with_its_line(tmp_path: Path) -> None:
    text = csv_text(GOOD_ROWS, ",").replace('"2,5"', "2,5")  # unquoted, as hand-made files are
    err = error_of(write_text(tmp_path / "c.csv", text))
    assert len(err.problems) == 1
    assert err.line == 2
    assert "16 fields as in the header (line 1), found 17" in err.expected
    assert "decimal comma" in err.expected


def test_every_row_with_one_field_too_many_is_not_shifted(tmp_path: Path) -> None:
    """pandas would take the first column as an index here and shift every column."""
    rows = [[*r[:9], r[9].replace(",", "."), *r[10:]] for r in GOOD_ROWS]
    rows = [[*r[:9], "1", "5", *r[10:]] for r in rows]
    err = error_of(write_text(tmp_path / "s.csv", csv_text(rows, ",")))
    assert [p.line for p in err.problems] == [2, 3, 4]
    assert "found 17" in err.expected


def test_a_trailing_delimiter_on_every_row_is_accepted(tmp_path: Path) -> None:
    lines = csv_text(GOOD_ROWS).splitlines()
    header_too = "\n".join(line + ";" for line in lines) + "\n"
    check_good(load_participants(write_text(tmp_path / "a.csv", header_too)))
    rows_only = "\n".join([lines[0], *(line + ";" for line in lines[1:])]) + "\n"
    check_good(load_participants(write_text(tmp_path / "b.csv", rows_only)))


def test_a_trailing_delimiter_on_one_row_is_refused(tmp_path: Path) -> None:
    lines = csv_text(GOOD_ROWS).splitlines()
    lines[2] += ";"
    err = error_of(write_text(tmp_path / "t.csv", "\n".join(lines) + "\n"))
    assert (err.line, err.column) == (3, None)
    assert "found 17" in err.expected and "';' too many" in err.expected
    lines[2] += "x"
    assert error_of(write_text(tmp_path / "u.csv", "\n".join(lines) + "\n")).line == 3


def test_a_row_with_a_field_too_few(tmp_path: Path) -> None:
    lines = csv_text(GOOD_ROWS).splitlines()
    lines[3] = lines[3].rsplit(";", 1)[0]
    err = error_of(write_text(tmp_path / "f.csv", "\n".join(lines) + "\n"))
    assert err.line == 4
    assert "found 15" in err.expected and "missing" in err.expected


def test_lines_stay_exact_after_a_cell_over_two_lines(tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][1] = "F1\nandra raden"  # a quoted cell with a line break: lines 2-3
    rows[1][3] = "X"
    err = error_of(write_text(tmp_path / "q.csv", csv_text(rows)))
    assert (err.line, err.column, err.value) == (4, "Kön", "X")
    rows[1] = rows[1][:-1]
    assert error_of(write_text(tmp_path / "r.csv", csv_text(rows))).line == 4


def test_a_quote_inside_a_cell_still_reads(tmp_path: Path) -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][1] = "F1 12 tum"
    text = csv_text(rows).replace("F1 12 tum", 'F1 12" tum')
    df = load_participants(write_text(tmp_path / "q.csv", text))
    assert df.loc[0, "insats_id"] == 'F1 12" tum'
    check_good(df)


def test_finsam_init_takes_sheet_and_says_which_it_read(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from finsamlib import cli

    other = table_rows()
    other[1][2] = "p999"
    book = workbook(
        tmp_path / "uttag.xlsx", {"Info": [["Uttag"]], "2022": table_rows(), "2023": other}
    )
    refused = CliRunner().invoke(
        cli.main, ["init", str(tmp_path / "a"), "--participants", str(book)]
    )
    assert refused.exit_code == 1
    assert "'2022', '2023' all have its headers" in refused.output
    assert "--sheet" in refused.output
    assert not (tmp_path / "a").exists()
    args = ["init", str(tmp_path / "b"), "--participants", str(book), "--sheet", "2023"]
    made = CliRunner().invoke(cli.main, args)
    assert made.exit_code == 0, made.output
    assert "read sheet '2023' (other sheets: 'Info', '2022')" in made.output
    assert book.read_bytes() == (tmp_path / "b" / "user" / "uttag.xlsx").read_bytes()
    # the reports read the same sheet: the manifest names it, and the data folder loads
    from finsamlib.reports.inputs import ReportInputs

    manifest = (tmp_path / "b" / "MANIFEST.csv").read_text(encoding="utf-8")
    assert manifest.splitlines()[0].endswith(",sheet")
    loaded = ReportInputs(tmp_path / "b").load_table("participants")
    assert loaded is not None and "p999" in set(loaded["person_id"])
