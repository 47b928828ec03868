"""The bounded reader of small JSON files (settings, manifests) and the regular-file check."""

from __future__ import annotations

import pytest

from recommender.errors import CatalogError
from recommender.inputs import JsonFileError, check_regular_file, read_small_json


def test_reads_a_small_json_object(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text('{"seed": 7, "weights": {"genres": 2}}')
    assert read_small_json(path, 1 << 20) == {"seed": 7, "weights": {"genres": 2}}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"a": 1', r"not valid JSON \(Expecting ',' delimiter, line 1 column 8\)"),
        (b'{"title": "Am\xe9lie"}', r"not UTF-8 text \(byte 13\)"),
        (b"[" * 100_000 + b"]" * 100_000, r"JSON nested too deeply"),
        (b'{"x": "' + b"a" * 2000 + b'"}', r"over 1,000 bytes"),
    ],
)
def test_names_what_is_wrong(tmp_path, content, problem):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(JsonFileError, match=problem) as caught:
        read_small_json(path, 1000 if b"a" * 2000 in content else 1 << 20)
    assert str(caught.value).startswith(str(path))
    assert not caught.value.unreadable


def test_reads_no_more_than_the_bound_of_an_endless_file():
    with pytest.raises(JsonFileError, match="over 1 MB"):
        read_small_json("/dev/zero", 1 << 20)


def test_an_unreadable_file_is_not_called_damaged(tmp_path):
    with pytest.raises(JsonFileError, match="cannot be read") as caught:
        read_small_json(tmp_path, 1 << 20)  # a folder cannot be opened for reading
    assert caught.value.unreadable


def test_only_regular_files_are_inputs(tmp_path):
    with pytest.raises(CatalogError, match="is a folder, expected a catalog"):
        check_regular_file(tmp_path, "a catalog")
    with pytest.raises(CatalogError, match="file not found; expected a catalog"):
        check_regular_file(tmp_path / "missing.csv", "a catalog")
