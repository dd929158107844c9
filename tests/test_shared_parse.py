"""The runner parses the participant files for the suppression pattern, then shares them with
its zygote, which then parses only the other files (finsamlib.reports.inputs.share_parsed)."""

from __future__ import annotations

import os
import shutil

import pytest

from finsamlib import datasets
from finsamlib.reports import inputs, zygote
from tests.reports_fixtures import RAW, participant_files


def test_a_shared_parse_is_taken_for_the_same_bytes_only(tmp_path, monkeypatch):
    root = shutil.copytree(RAW, tmp_path / "data")
    monkeypatch.setattr(inputs, "_PARSED", {})
    parsed = inputs.ReportInputs(root).load_table("participants")
    shared = tmp_path / "parsed.pickle"
    inputs.share_parsed(shared)
    assert not list(tmp_path.glob("*.tmp"))  # written whole, under its name

    # another process (here: an empty cache) takes it and parses nothing again
    monkeypatch.setattr(inputs, "_PARSED", {})
    n = len(inputs.ReportInputs(root).names("participants"))
    assert inputs.take_parsed(shared) == n

    def no_parse(*_a, **_k):
        raise AssertionError("parsed again")

    monkeypatch.setattr(datasets, "load", no_parse)
    again = inputs.ReportInputs(root).load_table("participants")
    assert again.equals(parsed)

    # a file whose bytes changed since is parsed again, never taken from the shared parse
    first = participant_files(root)[0]
    first.write_bytes(first.read_bytes() + b"\n")
    with pytest.raises(AssertionError, match="parsed again"):
        inputs.ReportInputs(root).load_table("participants")


def test_nothing_shared_or_a_broken_file_is_no_parse(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "_PARSED", {})
    assert inputs.take_parsed(tmp_path / "missing.pickle") == 0
    (tmp_path / "broken.pickle").write_bytes(b"not a pickle")
    assert inputs.take_parsed(tmp_path / "broken.pickle") == 0
    assert inputs._PARSED == {}


@pytest.mark.skipif(not zygote.fork_available(), reason="the zygote needs fork")
def test_the_zygote_is_told_where_the_runner_shares_its_parse():
    z = zygote.Zygote(preload=(), warm=())
    try:
        assert z.parsed.startswith(z.folder)  # the zygote's private folder
        z.share_parsed()
        assert os.path.isfile(z.parsed) and z.alive()
    finally:
        z.close()
