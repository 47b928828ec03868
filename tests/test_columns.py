"""ColumnTable: the catalog as plain columns, its JSON form and its DataFrame form."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from recommender.catalog import load_catalog_csv
from recommender.columns import ColumnTable, frame_json_chunks, json_chunks

HEADER = b'{"format": "movie-explorer/columns-1", '
KINDS = {"id": "int", "title": "str", "year": "nullable_int", "rating": "float", "seen": "bool", "genres": "list"}


@pytest.fixture
def table() -> ColumnTable:
    return ColumnTable(
        {
            "id": [3, 1, 2],
            "title": ["Alien", "Heat", "Ran"],
            "year": [1979, None, 1985],
            "rating": [8.5, math.nan, 8.2],
            "seen": [True, False, True],
            "genres": [["Horror", "Science Fiction"], [], ["Drama"]],
        },
        KINDS,
    )


def test_access(table):
    assert len(table) == 3 and not table.empty
    assert table.columns == list(KINDS)
    assert table["title"] == ["Alien", "Heat", "Ran"]
    heat = table.row(1)
    assert heat == {"id": 1, "title": "Heat", "year": None, "rating": heat["rating"], "seen": False, "genres": []}
    assert math.isnan(heat["rating"])
    assert [row.title for row in table.tuples()] == ["Alien", "Heat", "Ran"]
    assert [r["id"] for r in table.records()] == [3, 1, 2]
    assert "year" in table and "budget" not in table
    with pytest.raises(KeyError, match="no column 'budget'; columns: id, title"):
        table["budget"]


def test_numeric_arrays(table):
    np.testing.assert_array_equal(table.array("id"), [3, 1, 2])
    np.testing.assert_array_equal(table.array("year"), [1979.0, np.nan, 1985.0])  # unknown year -> NaN
    assert table.array("seen").dtype == bool
    assert table.array("id") is table.array("id")  # cached
    with pytest.raises(ValueError):
        table.array("id")[0] = 7  # read-only: shared by every session
    with pytest.raises(TypeError, match="column 'title' holds str values, not numbers"):
        table.array("title")


def test_derived_tables(table):
    taken = table.take([2, 0], ["id", "title"])
    assert taken.columns == ["id", "title"] and taken["title"] == ["Ran", "Alien"]
    added = taken.with_column("rank", "int", [1, 2], position=0)
    assert added.columns == ["rank", "id", "title"] and added.kinds["rank"] == "int"
    replaced = added.with_column("title", "str", ["x", "y"])
    assert replaced.columns == ["rank", "id", "title"] and replaced["title"] == ["x", "y"]
    assert added.select(["title", "rank"]).columns == ["title", "rank"]
    assert table.take([]).empty and table.take([]).kinds == table.kinds


def test_json_round_trip_keeps_values_kinds_and_missing(table):
    raw = table.to_json()
    assert b"NaN" not in raw  # strict JSON: a missing float is null
    back = ColumnTable.from_json(raw)
    assert back.kinds == table.kinds
    for name in ("id", "title", "year", "seen", "genres"):
        assert back[name] == table[name]
    assert back["rating"][0] == 8.5 and math.isnan(back["rating"][1])


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "not a movie-explorer/columns-1 table \\(format 'list'\\)"),
        (HEADER + b'"rows": 1, "columns": [{"name": "id"}]}', "malformed column entry"),
        (HEADER + b'"rows": 2, "columns": [{"name": "id", "kind": "int", "values": [1]}]}', "1 rows, the header"),
        (HEADER + b'"rows": 1, "columns": [{"name": "id", "kind": "date", "values": [1]}]}', "unknown column kind"),
    ],
)
def test_bad_json_is_a_clear_value_error(raw, message):
    with pytest.raises(ValueError, match=message):
        ColumnTable.from_json(raw)


def test_inconsistent_columns_are_refused():
    with pytest.raises(ValueError, match="columns of different lengths"):
        ColumnTable({"a": [1, 2], "b": [1]}, {"a": "int", "b": "int"})
    with pytest.raises(ValueError, match="name different columns"):
        ColumnTable({"a": [1]}, {"b": "int"})


def test_frame_has_the_catalog_dtypes(table):
    frame = table.to_frame()
    assert dict(frame.dtypes.astype(str)) == {
        "id": "int64", "title": "str", "year": "Int64", "rating": "float64", "seen": "bool", "genres": "object",
    }
    assert frame.loc[1, "year"] is pd.NA and frame.loc[0, "genres"] == ["Horror", "Science Fiction"]
    back = ColumnTable.from_frame(frame)
    assert back.kinds == table.kinds and back["year"] == [1979, None, 1985]


def test_real_catalog_round_trip(tiny_catalog_csv):
    """A loaded catalog -> columns -> JSON -> columns -> DataFrame is the same frame."""
    catalog, _ = load_catalog_csv(tiny_catalog_csv)
    back = ColumnTable.from_json(ColumnTable.from_frame(catalog).to_json()).to_frame()
    pd.testing.assert_frame_equal(back, catalog)


@pytest.mark.parametrize("piece_rows", [1, 2, 16_384])
def test_json_pieces_join_to_the_whole_json(table, piece_rows):
    # The build streams the catalog's JSON piece by piece; the text must be what
    # json.dumps writes for the whole table, whatever the pieces' size.
    body = {
        "format": "movie-explorer/columns-1",
        "rows": 3,
        "columns": [
            {"name": n, "kind": table.kinds[n], "values": [None if isinstance(v, float) and math.isnan(v) else v for v in table[n]]}
            for n in table.columns
        ],
    }
    whole = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    columns = ((n, table.kinds[n], table[n]) for n in table.columns)
    assert "".join(json_chunks(len(table), columns, piece_rows)) == whole
    assert table.to_json() == whole.encode("utf-8")
    empty = ColumnTable({"id": []}, {"id": "int"})
    assert empty.to_json() == b'{"format":"movie-explorer/columns-1","rows":0,"columns":[{"name":"id","kind":"int","values":[]}]}'


def test_frame_pieces_are_the_tables_json(tiny_catalog_csv):
    catalog, _ = load_catalog_csv(tiny_catalog_csv)
    catalog.loc[0, "title"] = "Amélie – 東京"  # beyond ASCII: written as UTF-8, not escaped
    assert "".join(frame_json_chunks(catalog)).encode("utf-8") == ColumnTable.from_frame(catalog).to_json()
