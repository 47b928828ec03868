"""The read-only JSON API, served by the app's own server (``st.App`` routes).

    GET /api/movies?q=TEXT&limit=N
        films whose title contains TEXT: id, display_title, year
    GET /api/recommend?movie=ID_OR_TITLE&k=10&vectorizer=tfidf|count
                      [&rating_weight=0..1&mmr=true|false&mmr_lambda=0..1
                       &year_from=Y&year_to=Y&genres=A,B&languages=en,fr&min_votes=N]
        the recommender page's list for those settings: the same ranking
        (:func:`recommender.results.reasoned_results`), scores and reasons

Every answer is JSON. A bad or unknown parameter gets 400, an unknown film 404,
a missing or broken build 503, each as ``{"error": "...", "parameter": "..."}``
naming the parameter at fault; never a traceback. The handlers read the build
the app serves (``$MOVIE_ARTIFACTS`` or ``artifacts/``), loaded once per process
(:func:`recommender.loading.shared_model`, which the pages' cache shares).

Only Starlette and the standard library are imported here: the app's entrypoint
imports this module before the server listens, and the recommender core (numpy,
scipy) would delay that by a few tenths of a second. The core is imported on the
first request instead.
"""

from __future__ import annotations

import asyncio
import math
import threading
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

MOVIES_PARAMETERS = ("q", "limit")
RECOMMEND_PARAMETERS = (
    "movie", "k", "vectorizer", "rating_weight", "mmr", "mmr_lambda",
    "year_from", "year_to", "genres", "languages", "min_votes",
)
LIMIT_MAX = 100
K_MAX = 100


class ParameterError(ValueError):
    """A query parameter the API cannot use; ``status`` is the HTTP status to answer with."""

    def __init__(self, parameter: str | None, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.status = status


def _error(exc: ParameterError) -> JSONResponse:
    return JSONResponse({"error": str(exc), "parameter": exc.parameter}, status_code=exc.status)


def _single(request: Request, allowed: Iterable[str]) -> dict[str, str]:
    """The query parameters as a dict; unknown or repeated ones are refused."""
    allowed = tuple(allowed)
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in allowed:
            raise ParameterError(name, f"unknown parameter {name!r}; accepted: {', '.join(allowed)}")
        if name in values:
            raise ParameterError(name, f"parameter {name!r} given more than once")
        values[name] = value
    return values


def _int(params: dict[str, str], name: str, default: int | None, low: int, high: int | None) -> int | None:
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ParameterError(name, f"{name} must be a whole number, got {raw!r}") from None
    if value < low or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        raise ParameterError(name, f"{name} must be {bounds}, got {value}")
    return value


def _fraction(params: dict[str, str], name: str, default: float) -> float:
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ParameterError(name, f"{name} must be a number between 0 and 1, got {raw!r}") from None
    if not 0.0 <= value <= 1.0:  # NaN fails too
        raise ParameterError(name, f"{name} must be between 0 and 1, got {raw!r}")
    return value


def _flag(params: dict[str, str], name: str, default: bool) -> bool:
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ParameterError(name, f"{name} must be true or false, got {raw!r}")


def _choices(params: dict[str, str], name: str, known: list[str]) -> tuple[str, ...]:
    """A comma-separated list, every item one of ``known`` (compared without case)."""
    raw = params.get(name, "")
    by_key = {value.casefold(): value for value in known}
    chosen = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        if item.casefold() not in by_key:
            shown = ", ".join(known[:20]) + (", ..." if len(known) > 20 else "")
            raise ParameterError(name, f"{name}: unknown value {item!r}; accepted: {shown}")
        chosen.append(by_key[item.casefold()])
    return tuple(dict.fromkeys(chosen))


def _jsonable(value: Any) -> Any:
    """Plain JSON values: NaN becomes null, numpy scalars Python numbers, lists stay lists."""
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _model(artifacts: Callable[[], Path]):
    from dashboard.text import without_folders
    from recommender.errors import RecommenderError
    from recommender.loading import shared_model

    folder = artifacts()
    try:
        return shared_model(folder)
    except RecommenderError as exc:
        # Named by its files, not by the server's folders (dashboard.text.without_folders).
        raise ParameterError(None, f"the recommender's build cannot be used: {without_folders(str(exc))}", status=503) from None


# The search index of each loaded model (it folds every title, name and keyword once:
# about 0.2 s for 5,000 films, 12 s for 100,000 at load 5), shared by the API and the pages and
# made by the server's start-up hook right after the served build is loaded
# (dashboard/server.py); dropped with its model when a new build is loaded.
_indexes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_indexes_lock = threading.Lock()


def search_index_of(model):
    """The :class:`recommender.search.MovieIndex` of ``model``, made once (a caller arriving
    while it is being made waits for it rather than making another)."""
    from recommender.search import MovieIndex

    with _indexes_lock:
        if model not in _indexes:
            _indexes[model] = MovieIndex(model.movies)
        return _indexes[model]


def movies_answer(artifacts: Callable[[], Path], params: dict[str, str]) -> dict[str, Any]:
    """The body of ``/api/movies`` for ``params`` (already checked for unknown names):
    the recommender page's search (title, person or keyword, accents and case ignored)."""
    from recommender.search import find_movies

    limit = _int(params, "limit", 10, 1, LIMIT_MAX)
    model = _model(artifacts)
    found = find_movies(model, params.get("q", ""), limit, index=search_index_of(model))
    return {"movies": [{key: _jsonable(value) for key, value in record.items()} for record in found.records()]}


def recommend_answer(artifacts: Callable[[], Path], params: dict[str, str]) -> dict[str, Any]:
    """The body of ``/api/recommend`` for ``params`` (already checked for unknown names)."""
    from recommender.config import VECTORIZERS
    from recommender.errors import RecommenderError, UnknownMovieError
    from recommender.ranking import RankingOptions, genres_of, languages_of
    from recommender.results import build_filters, is_weak, reasoned_results, year_bounds

    model = _model(artifacts)
    settings = model.config.ranking
    query = params.get("movie", "").strip()
    if not query:
        raise ParameterError("movie", "movie is required: a film id or title, e.g. movie=Alien or movie=348")
    try:
        movie_id = model.resolve(query)
    except UnknownMovieError as exc:
        raise ParameterError("movie", str(exc), status=404) from None
    k = _int(params, "k", settings.k, 1, K_MAX)
    vectorizer = params.get("vectorizer", VECTORIZERS[0]).strip().lower()
    if vectorizer not in model.spaces:
        raise ParameterError("vectorizer", f"vectorizer must be one of {', '.join(model.spaces)}, got {vectorizer!r}")
    full_years = year_bounds(model.movies)
    low = _int(params, "year_from", None, -10_000, 10_000)
    high = _int(params, "year_to", None, -10_000, 10_000)
    if low is not None and high is not None and low > high:
        raise ParameterError("year_from", f"year_from ({low}) is after year_to ({high})")
    years = None
    if low is not None or high is not None:
        first, last = full_years if full_years is not None else (low or high, high or low)
        years = (low if low is not None else first, high if high is not None else last)
    filters = build_filters(
        years,
        full_years,
        _choices(params, "genres", genres_of(model.movies)),
        _int(params, "min_votes", 0, 0, None) or 0,
        _choices(params, "languages", languages_of(model.movies)),
    )
    options = RankingOptions.from_settings(
        settings,
        vectorizer=vectorizer,
        k=k,
        rating_weight=_fraction(params, "rating_weight", settings.rating_weight),
        mmr=_flag(params, "mmr", settings.mmr),
        mmr_lambda=_fraction(params, "mmr_lambda", settings.mmr_lambda),
        filters=filters,
    )
    try:
        results = reasoned_results(model, movie_id, options)
    except RecommenderError as exc:  # options the checks above let through
        raise ParameterError(None, str(exc)) from None
    movie = model.movies.row(model.row_of(movie_id))
    return {
        "movie": {key: _jsonable(movie[key]) for key in ("id", "display_title", "year")},
        "options": {
            "k": options.k,
            "vectorizer": options.vectorizer,
            "rating_weight": options.rating_weight,
            "mmr": options.mmr,
            "mmr_lambda": options.mmr_lambda,
            "year_from": filters.years[0] if filters.years else None,
            "year_to": filters.years[1] if filters.years else None,
            "genres": list(filters.genres),
            "languages": list(filters.languages),
            "min_votes": filters.min_votes,
        },
        "weak": is_weak(results, settings.weak_similarity),
        "results": [{key: _jsonable(value) for key, value in record.items()} for record in results.records()],
    }


def _endpoint(answer: Callable[[Callable[[], Path], dict[str, str]], dict[str, Any]], allowed: tuple[str, ...],
              artifacts: Callable[[], Path]):
    async def endpoint(request: Request) -> JSONResponse:
        try:
            params = _single(request, allowed)
            # Ranking is CPU work: off the event loop, which also serves the app's websockets.
            body = await asyncio.to_thread(answer, artifacts, params)
        except ParameterError as exc:
            return _error(exc)
        return JSONResponse(body)

    return endpoint


def _app_artifacts() -> Path:
    from recommender.artifacts import default_artifacts_dir

    return default_artifacts_dir()


def routes(artifacts: Callable[[], Path] | None = None) -> list[BaseRoute]:
    """The API's routes, answering from the build in ``artifacts()`` (by default the
    app's: ``$MOVIE_ARTIFACTS`` or ``artifacts/``)."""
    artifacts = artifacts or _app_artifacts
    return [
        Route("/api/movies", _endpoint(movies_answer, MOVIES_PARAMETERS, artifacts), methods=["GET"]),
        Route("/api/recommend", _endpoint(recommend_answer, RECOMMEND_PARAMETERS, artifacts), methods=["GET"]),
    ]
