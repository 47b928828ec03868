"""The JSON API (``dashboard/api.py``): handlers driven through Starlette in process
with a minimal ASGI client, on the five-movie catalog of ``conftest.py``, and once
against the real ``streamlit run`` server (slow)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from starlette.applications import Starlette

from dashboard import api
from recommender.build import CatalogSource, build
from recommender.loading import shared_model
from recommender.ranking import RankingOptions
from recommender.results import build_filters, reasoned_results, year_bounds
from tests.apptest_helpers import asgi_get


@pytest.fixture(scope="module")
def tiny_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import TINY_CSV

    folder = tmp_path_factory.mktemp("api")
    (folder / "tiny.csv").write_text(TINY_CSV, encoding="utf-8")
    build(CatalogSource(catalog=folder / "tiny.csv"), folder / "artifacts", skip_maps=True)
    return folder / "artifacts"


@pytest.fixture(scope="module")
def server(tiny_build: Path) -> Starlette:
    return Starlette(routes=api.routes(lambda: tiny_build))


def get(app: Starlette, url: str) -> tuple[int, dict]:
    """GET ``url`` from the ASGI ``app`` in process: (status, JSON body)."""
    status, headers, body = asgi_get(app, url)
    assert headers[b"content-type"].startswith(b"application/json")
    return status, json.loads(body)


def test_movies_by_title_piece(server):
    status, body = get(server, "/api/movies?q=ghost&limit=5")
    assert status == 200
    assert body == {"movies": [
        {"id": 3, "display_title": "Ghost House (1985)", "year": 1985, "matched": "title"},  # more votes first
        {"id": 4, "display_title": "Ghost House (2005)", "year": 2005, "matched": "title"},
    ]}
    status, body = get(server, "/api/movies?q=Space%20Wars")
    assert [m["id"] for m in body["movies"]] == [1, 2]  # the exact title before "Space Wars II"
    assert len(get(server, "/api/movies?limit=3")[1]["movies"]) == 3
    assert get(server, "/api/movies?q=nothing%20like%20this")[1] == {"movies": []}


def test_recommend_is_the_pages_list(server, tiny_build):
    status, body = get(server, "/api/recommend?movie=Space%20Wars&k=3&vectorizer=count&rating_weight=0.5&genres=adventure")
    assert status == 200
    model = shared_model(tiny_build)
    options = RankingOptions.from_settings(
        model.config.ranking, vectorizer="count", k=3, rating_weight=0.5,
        filters=build_filters(None, year_bounds(model.movies), ("Adventure",)),
    )
    expected = list(reasoned_results(model, 1, options).records())
    assert [r["id"] for r in body["results"]] == [r["id"] for r in expected] == [2]
    first = body["results"][0]
    assert first["score"] == pytest.approx(expected[0]["score"]) and first["why"] == expected[0]["why"]
    assert first["heading"] == "Space Wars II (1980)" and first["genres"] == ["Science Fiction", "Adventure"]
    assert body["movie"] == {"id": 1, "display_title": "Space Wars", "year": 1977}
    assert body["options"]["genres"] == ["Adventure"] and body["options"]["rating_weight"] == 0.5


def test_recommend_by_id_with_year_and_language_filters(server):
    status, body = get(server, "/api/recommend?movie=3&year_from=2000&languages=KO&mmr=true&mmr_lambda=0.5")
    assert status == 200
    assert [r["id"] for r in body["results"]] == [4]
    assert body["options"]["year_from"] == 2000 and body["options"]["year_to"] == 2005
    assert body["options"]["languages"] == ["ko"] and body["options"]["mmr"] is True


@pytest.mark.parametrize(
    ("url", "status", "parameter", "words"),
    [
        ("/api/recommend", 400, "movie", "movie is required"),
        ("/api/recommend?movie=Ghost%20House", 404, "movie", "matches 2 movies"),
        ("/api/recommend?movie=999", 404, "movie", "no movie titled '999'"),
        ("/api/recommend?movie=1&k=0", 400, "k", "between 1 and 100"),
        ("/api/recommend?movie=1&k=ten", 400, "k", "whole number"),
        ("/api/recommend?movie=1&k=1e99", 400, "k", "whole number"),
        ("/api/recommend?movie=1&vectorizer=bert", 400, "vectorizer", "tfidf, count"),
        ("/api/recommend?movie=1&rating_weight=2", 400, "rating_weight", "between 0 and 1"),
        ("/api/recommend?movie=1&rating_weight=nan", 400, "rating_weight", "between 0 and 1"),
        ("/api/recommend?movie=1&mmr=maybe", 400, "mmr", "true or false"),
        ("/api/recommend?movie=1&genres=Western", 400, "genres", "unknown value 'Western'"),
        ("/api/recommend?movie=1&year_from=2000&year_to=1990", 400, "year_from", "after year_to"),
        ("/api/recommend?movie=1&min_votes=-5", 400, "min_votes", ">= 0"),
        ("/api/recommend?movie=1&colour=red", 400, "colour", "unknown parameter 'colour'"),
        ("/api/recommend?movie=1&k=2&k=3", 400, "k", "more than once"),
        ("/api/movies?limit=0", 400, "limit", "between 1 and 100"),
        ("/api/movies?query=x", 400, "query", "accepted: q, limit"),
    ],
)
def test_bad_parameters_get_a_4xx_naming_them(server, url, status, parameter, words):
    got, body = get(server, url)
    assert (got, body["parameter"]) == (status, parameter), body
    assert words in body["error"]


def test_a_missing_build_is_503_not_a_traceback(tmp_path):
    app = Starlette(routes=api.routes(lambda: tmp_path / "no build"))
    status, body = get(app, "/api/movies?q=x")
    assert status == 503 and "python -m recommender build" in body["error"]
    assert str(tmp_path) not in body["error"] and "no build" in body["error"]  # named, not located


@pytest.mark.slow
def test_the_real_server_answers_json_beside_the_app(demo_artifacts: Path, tmp_path: Path) -> None:
    """`streamlit run streamlit_app.py` serves the API from the same process (st.App routes)."""
    from scripts.browser_support import StreamlitServer  # registered for assertion rewriting by test_browser.py

    with StreamlitServer(demo_artifacts, log_path=tmp_path / "server.log") as running:
        with urllib.request.urlopen(f"{running.url}/api/movies?q=toy%20story&limit=1", timeout=60) as reply:
            found = json.loads(reply.read())["movies"]
        assert found[0]["display_title"].startswith("Toy Story")
        url = f"{running.url}/api/recommend?movie={found[0]['id']}&k=5"
        with urllib.request.urlopen(url, timeout=60) as reply:
            results = json.loads(reply.read())["results"]
        assert [r["rank"] for r in results] == [1, 2, 3, 4, 5] and all(r["why"] for r in results)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{url}&k=-1", timeout=60)
        assert refused.value.code == 400 and json.loads(refused.value.read())["parameter"] == "k"  # given twice
        with urllib.request.urlopen(f"{running.url}/_stcore/health", timeout=60) as reply:
            assert reply.read().strip() == b"ok"


def test_movies_search_is_the_pages_search(server):
    """Accents and case ignored, "The" optional, people and keywords found too, each
    film saying why it was found."""
    _, body = get(server, "/api/movies?q=QUIET%20GARDEN")
    assert [m["id"] for m in body["movies"]] == [5]
    _, body = get(server, "/api/movies?q=the%20qui%C3%A9t%20garden")
    assert [m["id"] for m in body["movies"]] == [5]
    _, body = get(server, "/api/movies?q=zoe%20park")
    assert [(m["id"], m["matched"]) for m in body["movies"]] == [(3, "Zoe Park (cast)"), (4, "Zoe Park (cast)")]
    _, body = get(server, "/api/movies?q=rebellion")
    assert [(m["id"], m["matched"]) for m in body["movies"]] == [(1, "rebellion (keyword)"), (2, "rebellion (keyword)")]
    _, body = get(server, "/api/movies?q=ghost%20house%20(2005)")
    assert body["movies"][0]["id"] == 4
