"""Catalog loading: both formats, the id join, display titles and bad input."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from recommender.catalog import CATALOG_COLUMNS, display_titles, find_tmdb_files, load_catalog_csv, load_tmdb
from recommender.errors import CatalogError

BAD = Path(__file__).parent / "bad_inputs"

MOVIES_HEADER = (
    "budget,genres,homepage,id,keywords,original_language,original_title,overview,popularity,"
    "production_companies,production_countries,release_date,revenue,runtime,spoken_languages,status,"
    "tagline,title,vote_average,vote_count\n"
)


def _movie(movie_id: int, title: str, year: int, genre: str = "Drama") -> str:
    return (
        f'1,"[{{""id"": 1, ""name"": ""{genre}""}}]",,{movie_id},"[{{""id"": 9, ""name"": ""space war""}}]",en,'
        f'{title},Overview of {title}.,2.5,"[{{""name"": ""Acme Films""}}]","[]",{year}-05-01,0,100,"[]",Released,'
        f"Tagline,{title},7.5,120\n"
    )


CREDITS = (
    "movie_id,title,cast,crew\n"
    '20,Wrong Title On Purpose,"[{""name"": ""Second Billed"", ""order"": 1}, {""name"": ""Top Billed"", ""order"": 0}]",'
    '"[{""name"": ""Di Rector"", ""job"": ""Director""}, {""name"": ""Pro Ducer"", ""job"": ""Producer""}]"\n'
)


@pytest.fixture
def tmdb_files(tmp_path: Path) -> tuple[Path, Path]:
    movies = tmp_path / "tmdb_5000_movies.csv"
    movies.write_text(MOVIES_HEADER + _movie(10, "Batman", 1989) + _movie(20, "Batman", 1966) + _movie(30, "Alone", 2001))
    credits = tmp_path / "tmdb_5000_credits.csv"
    credits.write_text(CREDITS)
    return movies, credits


def test_tmdb_join_is_on_id_not_title(tmdb_files):
    catalog, report = load_tmdb(*tmdb_files)
    assert list(catalog.columns) == list(CATALOG_COLUMNS)
    by_id = catalog.set_index("id")
    # The credits row's title is wrong on purpose: only the id join can attach it.
    assert by_id.loc[20, "cast"] == ["Top Billed", "Second Billed"]  # billing order, not file order
    assert by_id.loc[20, "directors"] == ["Di Rector"]
    assert by_id.loc[10, "cast"] == [] and not by_id.loc[10, "has_credits"]
    assert report.without_credits == 2
    assert any("no credits" in w for w in report.warnings)


def test_tmdb_fields_parsed_from_json(tmdb_files):
    catalog, _ = load_tmdb(*tmdb_files)
    row = catalog.set_index("id").loc[30]
    assert row["genres"] == ["Drama"]
    assert row["keywords"] == ["space war"]
    assert row["companies"] == ["Acme Films"]
    assert row["year"] == 2001 and row["vote_count"] == 120 and row["vote_average"] == 7.5


def test_repeated_titles_get_the_year(tmdb_files):
    catalog, _ = load_tmdb(*tmdb_files)
    assert set(catalog["display_title"]) == {"Batman (1989)", "Batman (1966)", "Alone"}


def test_display_titles_fall_back_to_id_when_title_and_year_repeat(tiny_catalog_csv):
    catalog, _ = load_catalog_csv(tiny_catalog_csv)
    catalog.loc[catalog["id"] == 4, "year"] = 1985
    assert display_titles(catalog)[2:4] == ["Ghost House (1985, id 3)", "Ghost House (1985, id 4)"]


def test_own_csv_format(tiny_catalog_csv):
    catalog, report = load_catalog_csv(tiny_catalog_csv)
    assert len(catalog) == 5 and report.movies == 5
    first = catalog.iloc[0]
    assert first["genres"] == ["Science Fiction", "Adventure"]
    assert first["cast"] == ["Tom Hart", "Mia Sol"]
    assert first["directors"] == ["Ann Lee"]
    assert first["has_credits"]
    assert catalog["display_title"].tolist()[2:4] == ["Ghost House (1985)", "Ghost House (2005)"]


@pytest.mark.parametrize("suffix", [".gz", ".zip"])
def test_compressed_files_load(tmp_path, tiny_catalog_csv, suffix):
    data = tiny_catalog_csv.read_bytes()
    target = tmp_path / f"catalog.csv{suffix}"
    if suffix == ".gz":
        target.write_bytes(gzip.compress(data))
    else:
        with zipfile.ZipFile(target, "w") as archive:
            archive.writestr("catalog.csv", data)
    catalog, _ = load_catalog_csv(target)
    assert len(catalog) == 5


def test_find_tmdb_files(tmdb_files):
    movies, credits = find_tmdb_files(tmdb_files[0].parent)
    assert movies == tmdb_files[0] and credits == tmdb_files[1]


def test_find_tmdb_files_without_movies(tmp_path):
    with pytest.raises(CatalogError, match="no tmdb_5000_movies.csv"):
        find_tmdb_files(tmp_path)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "file is empty"),
        ("header_only.csv", "header but no rows"),
        ("truncated.csv", "truncated"),
        ("truncated_last_row.csv", r"last row \(data row 2\) has 2 of 3 columns"),
        ("truncated_in_quote.csv", "quoted cell opened on line 3 is never closed"),
        ("missing_title_column.csv", r"missing column\(s\) \['title'\]"),
        ("duplicate_ids.csv", r"duplicate id\(s\) \[2\]"),
        ("bad_year.csv", "data row 2, column 'year': 'nineteen' is not an integer"),
        ("not_utf8.csv", "not UTF-8 at byte 201 \\(line 3\\)"),
        ("binary.csv", "binary data"),
        ("huge_cell.csv", "data row 2, column 'overview': cell of 150,000 characters"),
        ("does_not_exist.csv", "file not found"),
    ],
)
def test_bad_catalog_files_name_the_fault(name, message):
    with pytest.raises(CatalogError, match=message) as info:
        load_catalog_csv(BAD / name)
    assert name in str(info.value)


def test_bad_tmdb_json_names_row_and_column():
    with pytest.raises(CatalogError, match="data row 2, column 'genres': not valid JSON"):
        load_tmdb(BAD / "tmdb_movies_bad_json.csv")


def test_bad_credits_json_names_the_credits_file():
    with pytest.raises(CatalogError, match="tmdb_credits_bad_json.csv: data row 1, column 'crew'"):
        load_tmdb(BAD / "tmdb_movies_ok.csv", BAD / "tmdb_credits_bad_json.csv")


def test_tmdb_missing_columns():
    with pytest.raises(CatalogError, match="missing column.*'overview'"):
        load_tmdb(BAD / "tmdb_movies_missing_columns.csv")


def test_html_titles_are_kept_verbatim():
    catalog, _ = load_catalog_csv(BAD / "html_titles.csv")
    assert catalog["title"].tolist()[0] == "<script>alert(1)</script>"


def test_credits_for_unknown_movies_warn(tmp_path, tmdb_files):
    credits = tmp_path / "credits_extra.csv"
    credits.write_text(CREDITS + '999,Ghost,"[]","[]"\n')
    _, report = load_tmdb(tmdb_files[0], credits)
    assert any("not in the movies file" in w and "999" in w for w in report.warnings)


def test_the_film_limit_is_exact(tmp_path):
    from recommender.config import InputLimits

    path = tmp_path / "films.csv"
    path.write_text("id,title\n1,A\n2,B\n3,C\n")
    assert len(load_catalog_csv(path, InputLimits(max_rows=3))[0]) == 3
    with pytest.raises(CatalogError, match="3 lines after the header, more than the limit of 2 films"):
        load_catalog_csv(path, InputLimits(max_rows=2))
