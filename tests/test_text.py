"""Catalog text escaped for Streamlit markdown shows exactly as typed; a manifest shows
no server folders."""

import pytest

from dashboard.text import md, without_folders


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Batman (1989)", "Batman (1989)"),
        ("Mission: Impossible", "Mission: Impossible"),
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("<b>Bold</b> & <i>Co</i>", "\\<b\\>Bold\\</b\\> \\& \\<i\\>Co\\</i\\>"),
        ("$9.99", "\\$9.99"),
        ("*batteries* _not_ `included`", "\\*batteries\\* \\_not\\_ \\`included\\`"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript:\u200balert(1))"),
        (":red[alarm] :smile: Re:Zero", ":\u200bred\\[alarm\\] :\u200bsmile: Re:\u200bZero"),
        ("# Not a heading", "\\# Not a heading"),
        ("- not a list", "\\- not a list"),
        ("1917. A war film", "1917\\. A war film"),
        ("two\nlines", "two lines"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_md_escapes_markdown(text, escaped):
    assert md(text) == escaped


def test_md_accepts_any_object():
    assert md(42) == "42"


def test_bare_urls_and_addresses_do_not_become_links():
    # GFM turns a bare URL, a www. host or an e-mail address into a live link even when
    # every punctuation character is escaped; a zero-width space keeps each one text.
    text = md("http://evil.example/x https://a.b www.evil.example me@evil.example")
    assert "://" not in text and "www." not in text.lower() and "@e" not in text
    assert text.replace("\u200b", "") == "http://evil.example/x https://a.b www.evil.example me@evil.example"


def test_carriage_returns_and_controls_become_spaces():
    assert md("Carriage\rReturn\r\nNew\x1b[2J") == "Carriage Return New \\[2J"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("python -m recommender build --movies /srv/data/tmdb/movies.csv.gz --out /srv/artifacts",
         "python -m recommender build --movies movies.csv.gz --out artifacts"),
        ("/data/films.csv: fine", "films.csv: fine"),
        ("--catalog '/home/ana/my films/list.csv'", "--catalog 'my films/list.csv'"),  # a space ends a folder
        ("C:\\Users\\ana\\films.csv: fine", "films.csv: fine"),
        ("see https://www.themoviedb.org/movie/19995 and data/movies.csv", None),  # a URL, a relative path
        ("3804 of 4803 movie(s) have no credits", None),
        ("ratio 1/2 and and/or", None),
    ],
)
def test_without_folders_keeps_the_file_names(text, shown):
    assert without_folders(text) == (text if shown is None else shown)


def test_without_folders_walks_a_manifest():
    manifest = {
        "inputs": [{"path": "/srv/data/movies.csv", "bytes": 10, "sha256": "ab"}],
        "catalog": {"warnings": ["/tmp/movie-upload-x1/catalog/films.csv: 2 rows dropped"], "movies": 2},
        "maps_built": True,
        "seed": None,
    }
    assert without_folders(manifest) == {
        "inputs": [{"path": "movies.csv", "bytes": 10, "sha256": "ab"}],
        "catalog": {"warnings": ["films.csv: 2 rows dropped"], "movies": 2},
        "maps_built": True,
        "seed": None,
    }
    assert manifest["inputs"][0]["path"] == "/srv/data/movies.csv"  # a copy: the model's manifest is unchanged
