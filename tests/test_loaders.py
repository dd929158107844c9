"""Loaders: formats, encodings, header mapping, normalisation and every bad-input case."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

import finsamlib
from finsamlib import FinsamDataError, load_participants
from finsamlib.personnummer import is_personnummer

from .conftest import GOOD_ROWS, SWEDISH_HEADERS, write_csv


def check_good(df: pd.DataFrame) -> None:
    assert list(df["person_id"]) == ["p001", "p002", "p003"]
    assert list(df["sex"]) == ["K", "M", "K"]
    assert list(df["support_before"]) == [
        "social_assistance",
        "activity_compensation",
        "sickness_benefit",
    ]
    assert df.loc[0, "support_after"] == "employment"
    assert df.loc[1, "support_after"] == "student_aid"
    assert pd.isna(df.loc[2, "support_after"])
    assert list(df["education"]) == ["upper_secondary", "compulsory_or_less", "unknown"]
    assert df.loc[0, "years_public_support_before"] == 2.5  # decimal comma
    assert df.loc[1, "start_date"] == pd.Timestamp("2019-02-01")  # YYYYMMDD
    assert pd.isna(df.loc[2, "end_date"])
    assert df.loc[1, "studies_extent_after"] == 50
    assert df.loc[0, "kommun_code"] == "0662"  # leading zero kept
    assert int(df.loc[2, "birth_year"]) == 2000


@pytest.mark.parametrize("sep", [";", ","])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_in_each_delimiter_and_encoding(tmp_path: Path, sep: str, encoding: str) -> None:
    path = write_csv(tmp_path / "e.csv", GOOD_ROWS, sep=sep, encoding=encoding)
    df = load_participants(path)
    check_good(df)
    assert df.attrs["source"] == str(path)
    assert df.attrs["provenance"] == "user"


def test_xlsx(tmp_path: Path) -> None:
    frame = pd.DataFrame(GOOD_ROWS, columns=SWEDISH_HEADERS)
    frame["Startdatum"] = pd.to_datetime(frame["Startdatum"], format="mixed")  # Excel dates
    frame["Födelseår"] = frame["Födelseår"].astype(int)
    path = tmp_path / "e.xlsx"
    frame.to_excel(path, index=False)
    check_good(load_participants(path))


def test_headers_match_loosely_and_canonical_names(tmp_path: Path) -> None:
    loose = [h.upper().replace("ö", "o").replace("å", "a") for h in SWEDISH_HEADERS]
    loose[2] = "  person id "
    check_good(load_participants(write_csv(tmp_path / "a.csv", GOOD_ROWS, header=loose)))
    canonical = load_participants(write_csv(tmp_path / "b.csv", GOOD_ROWS)).columns
    check_good(load_participants(write_csv(tmp_path / "c.csv", GOOD_ROWS, header=list(canonical))))


def test_user_mapping(tmp_path: Path) -> None:
    header = list(SWEDISH_HEADERS)
    header[2] = "Deltagarnummer"
    header[10] = "Inkomstkälla innan"
    path = write_csv(tmp_path / "m.csv", GOOD_ROWS, header=header)
    with pytest.raises(FinsamDataError) as err:
        load_participants(path)
    assert {p.column for p in err.value.problems} == {"person_id", "support_before"}
    df = load_participants(
        path, mapping={"Deltagarnummer": "person_id", "Inkomstkälla innan": "support_before"}
    )
    check_good(df)


def test_input_file_is_not_modified(good_csv: Path) -> None:
    before = hashlib.sha256(good_csv.read_bytes()).hexdigest()
    mtime = good_csv.stat().st_mtime_ns
    load_participants(good_csv)
    assert hashlib.sha256(good_csv.read_bytes()).hexdigest() == before
    assert good_csv.stat().st_mtime_ns == mtime


def errors_of(path: Path) -> FinsamDataError:
    with pytest.raises(FinsamDataError) as err:
        load_participants(path)
    assert str(path) in str(err.value)
    assert isinstance(err.value, ValueError)
    return err.value


def test_missing_column(tmp_path: Path) -> None:
    header = [h for h in SWEDISH_HEADERS if h != "Kön"]
    rows = [[c for i, c in enumerate(r) if i != 3] for r in GOOD_ROWS]
    err = errors_of(write_csv(tmp_path / "x.csv", rows, header=header))
    assert err.column == "sex" and err.line == 1
    assert "Kön" in err.expected


def test_unknown_category(tmp_path: Path, good_rows: list[list[str]]) -> None:
    good_rows[1][10] = "Lotterivinst"
    err = errors_of(write_csv(tmp_path / "x.csv", good_rows))
    assert (err.line, err.column, err.value) == (3, "Försörjning före", "Lotterivinst")
    assert "social_assistance" in err.expected


def test_bad_date(tmp_path: Path, good_rows: list[list[str]]) -> None:
    good_rows[0][6] = "2019-13-45"
    err = errors_of(write_csv(tmp_path / "x.csv", good_rows))
    assert (err.line, err.column, err.value) == (2, "Startdatum", "2019-13-45")
    assert "YYYY-MM-DD" in err.expected


def test_end_before_start(tmp_path: Path, good_rows: list[list[str]]) -> None:
    good_rows[0][7] = "2018-12-31"
    err = errors_of(write_csv(tmp_path / "x.csv", good_rows))
    assert err.line == 2
    assert "Slutdatum" in err.column and "Startdatum" in err.column
    assert "on or after" in err.expected


def test_extent_150(tmp_path: Path, good_rows: list[list[str]]) -> None:
    good_rows[0][13] = "150"
    err = errors_of(write_csv(tmp_path / "x.csv", good_rows))
    assert (err.line, err.column, err.value) == (2, "Arbete efter (%)", "150")  # as in the file
    assert "from 0 to 100" in err.expected


def test_duplicate_key(tmp_path: Path, good_rows: list[list[str]]) -> None:
    good_rows.append(list(good_rows[0]))
    err = errors_of(write_csv(tmp_path / "x.csv", good_rows))
    assert {p.line for p in err.problems} == {2, 5}
    assert "unique" in err.expected


def test_all_problems_reported_at_once(tmp_path: Path, good_rows: list[list[str]]) -> None:
    good_rows[0][6] = "igår"
    good_rows[1][3] = "X"
    good_rows[2][14] = "-5"
    err = errors_of(write_csv(tmp_path / "x.csv", good_rows))
    assert [(p.line, p.column) for p in err.problems] == [
        (2, "Startdatum"),
        (3, "Kön"),
        (4, "Studier före (%)"),
    ]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"")
    assert "empty" in errors_of(path).expected


def test_header_only(tmp_path: Path) -> None:
    err = errors_of(write_csv(tmp_path / "x.csv", []))
    assert "only a header" in err.expected


def test_binary_file_renamed_csv(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 4)
    assert "binary" in errors_of(path).expected


def test_xlsx_renamed_csv(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    pd.DataFrame(GOOD_ROWS, columns=SWEDISH_HEADERS).to_excel(path, index=False)
    renamed = tmp_path / "y.csv"
    renamed.write_bytes(path.read_bytes())
    assert "binary" in errors_of(renamed).expected


def test_missing_file(tmp_path: Path) -> None:
    assert "no file" in errors_of(tmp_path / "nope.csv").expected


# Valid test numbers (Skatteverket's published test range style: date + Luhn); not real people.
PNR = ["19900101-0017", "199001010017", "900101-0017", "9001010017", "900161-0014"]


@pytest.mark.parametrize("value", PNR)
def test_personnummer_recognised(value: str) -> None:
    assert is_personnummer(value)


@pytest.mark.parametrize(
    "value", ["900101-0018", "901301-0017", "p001", "12345", "2019-01-15", "0662"]
)
def test_not_personnummer(value: str) -> None:
    assert not is_personnummer(value)


def test_personnummer_column_refused_without_echo(
    tmp_path: Path, good_rows: list[list[str]]
) -> None:
    for row, pnr in zip(good_rows, ["19900101-0017", "198501010014", "20000101-0024"], strict=True):
        row[2] = pnr
    path = write_csv(tmp_path / "x.csv", good_rows)
    assert all(is_personnummer(r[2]) for r in good_rows)
    err = errors_of(path)
    assert err.column == "Person-ID"
    assert "pseudonymise" in err.expected
    message = str(err)
    for row in good_rows:
        assert row[2] not in message
        assert row[2].replace("-", "")[-10:] not in message


def test_package_exports_version() -> None:
    assert finsamlib.__version__
